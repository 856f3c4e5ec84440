import Foundation
@testable import Report
@testable import Signatures
import Testing

/// The study's page in headless Chromium over WebDriver: it loads without console errors, each
/// map draws every image, a box dragged in one map paints the same images in the other map and
/// in the Sankey, a click on a Sankey node paints its images, a hover shows the image. One
/// browser for the suite's one test: the page is waited on through its readiness flag and read
/// through `window.signet`, never with sleeps.
@Suite("The report in headless Chromium", .enabled(if: WebDriver.available, "needs Debian's chromium and chromium-driver"))
struct BrowserTests {
    @Test func theLinkedViewsWorkInARealBrowser() throws {
        let written = try ReportFixture.written()
        let analysis = written.result.runs[0].analysis
        let n = analysis.images.count
        let browser = try WebDriver()
        defer { browser.close() }
        try browser.open(written.page)
        #expect(try browser.execute("return window.signet !== undefined && window.signet.ready") as? Bool == true)
        #expect(try browser.consoleErrors() == [])
        #expect(try browser.execute("return window.signet.pointCount()") as? Int == n)

        // Every map draws every image of the view.
        let maps = try #require(try browser.execute("return window.signet.maps()") as? [[String: Any]])
        #expect(maps.map { $0["layer"] as? String } == analysis.layers.map(\.layer))
        #expect(maps.allSatisfy { $0["drawn"] as? Int == n })

        // The rubber band's canvas lies exactly over each map's.
        #expect(try browser.execute("""
            return [...document.querySelectorAll('.map')].every((m) => {
              const a = m.querySelector('canvas:not(.overlay)').getBoundingClientRect(), b = m.querySelector('canvas.overlay').getBoundingClientRect();
              return Math.abs(a.left - b.left) < 1 && Math.abs(a.top - b.top) < 1 && Math.abs(a.width - b.width) < 1 && Math.abs(a.height - b.height) < 1;
            })
            """) as? Bool == true)

        // A box dragged with the mouse around image 0 in the first map.
        try browser.execute("document.getElementById('maps').scrollIntoView()")
        let positions = try #require(try browser.execute("return Array.from({length: window.signet.pointCount()}, (_, i) => window.signet.pointOnPage(0, i))")
            as? [[String: Double]])
        let center = (positions[0]["x"]!, positions[0]["y"]!), half = 30.0
        try browser.drag(from: (center.0 - half, center.1 - half), to: (center.0 + half, center.1 + half))
        let painted = try #require(try browser.execute("return window.signet.painted(0)") as? [Int])
        // The points whose drawn position lies inside the box (a pixel of slack for the rounding of the mouse).
        let inside = positions.indices.filter {
            abs(positions[$0]["x"]! - center.0) <= half - 1 && abs(positions[$0]["y"]! - center.1) <= half - 1
        }
        #expect(painted.contains(0))
        #expect(Set(inside).isSubset(of: Set(painted)))
        #expect(painted.allSatisfy { abs(positions[$0]["x"]! - center.0) <= half + 1 && abs(positions[$0]["y"]! - center.1) <= half + 1 })
        // ... painted in the brush's colour in the other map, and a band of that colour in the Sankey.
        let brush = try #require(try browser.execute("return window.signet.brushColour(0)") as? String)
        for point in painted.prefix(20) {
            #expect(try browser.execute("return window.signet.colourAt(1, arguments[0])", [point]) as? String == brush)
        }
        let bands = try #require(try browser.execute("return window.signet.sankeyBands()") as? [[String: Any]])
        let stages = Set(bands.filter { $0["fill"] as? String == brush }.compactMap { $0["stage"] as? Int })
        #expect(stages == Set(0...analysis.layers.count), "a painted band between every pair of stages")

        // A click on the Sankey's second label node paints every image of that label.
        try browser.execute("window.signet.setBrush(1)")
        try browser.click("#sankey-svg rect.node[data-stage=\"0\"][data-node=\"1\"]")
        let second = Set(analysis.images.map(\.label)).sorted()[1]
        let expected = analysis.images.indices.filter { analysis.images[$0].label == second }
        #expect(try browser.execute("return window.signet.painted(1)") as? [Int] == expected)

        // A click on an image lists its nearest neighbours as image tiles (itself first).
        let lists = try #require(try browser.execute(
            "return JSON.parse(document.getElementById('signet-data').textContent).views[0].neighbours.k") as? Int)
        try browser.execute("document.getElementById('maps').scrollIntoView()")
        let point = try #require(try browser.execute("return window.signet.pointOnPage(0, 0)") as? [String: Double])
        try browser.drag(from: (point["x"]!, point["y"]!), to: (point["x"]!, point["y"]!))
        #expect(try browser.execute("return document.querySelectorAll('#neighbours .tile').length") as? Int == lists + 1)

        // A hover over an image shows it.
        try browser.execute("window.signet.reset(); document.getElementById('maps').scrollIntoView()")
        let target = try #require(try browser.execute("return window.signet.pointOnPage(1, arguments[0])", [n - 1]) as? [String: Double])
        try browser.hover((target["x"]!, target["y"]!))
        let shown = try #require(try browser.execute("return window.signet.tooltipPoint()") as? Int)
        #expect(shown >= 0)
        let slot = try #require(try browser.execute("return window.signet.imageSlot(arguments[0])", [shown]) as? Int)
        var drawn = -1
        for _ in 0..<200 where drawn < 0 {   // the sprite sheet loads from disk: ask until it has
            drawn = try browser.execute("return window.signet.tooltipImage()") as? Int ?? -1
        }
        #expect(drawn == slot, "the tooltip draws the hovered image's tile")
        #expect(try browser.consoleErrors() == [])

        let shot = try browser.screenshot()
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/report-screenshots", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try shot.write(to: folder.appendingPathComponent("study.png"))
        #expect(shot.count > 10_000)
    }
}
