import Bench
import Foundation

/// The HTML page of a bench run, in the report's style: the machine and the run, then per
/// workload one bar chart per case (a bar per backend: its median, the line across it its
/// fastest to slowest run) and the table of the numbers. One file, no script, nothing fetched.
public enum BenchPage {
    /// The whole page.
    public static func render(_ result: BenchResult) -> String {
        var body = """
            <header class="top"><h1>Signet bench</h1><p>\(escape(result.processor)), \(result.cores) CPUs, \(escape(result.date))</p></header>
            <main>
            <section class="panel"><h2>The run</h2><dl class="config">
            <dt>OPENBLAS_CORETYPE</dt><dd>\(escape(result.openBLASCoreType ?? "unset")) (the CPU backend's GEMM is OpenBLAS)</dd>
            <dt>runs per case</dt><dd>\(result.repeats)\(escape(BenchTable.budgetNote(result))), the backends taking turns; medians</dd>
            <dt>total</dt><dd>\(String(format: "%.1f s", result.totalSeconds)): \(escape(result.parts.map { String(format: "%@ %.1f s", $0.workload.rawValue, $0.seconds) }.joined(separator: ", ")))</dd>

            """
        for backend in result.backends {
            body += "<dt>\(escape(backend.name))</dt><dd>\(escape(backend.description))</dd>\n"
        }
        body += "</dl></section>\n"
        for workload in BenchWorkload.allCases {
            let measurements = result.measurements.filter { $0.workload == workload }
            guard !measurements.isEmpty else { continue }
            body += "<section class=\"panel\"><h2>\(escape(workload.rawValue))</h2><div class=\"grid bench-charts\">\n"
            var names: [String] = []
            for m in measurements where !names.contains(m.name) { names.append(m.name) }
            for name in names {
                body += chart(name, measurements.filter { $0.name == name })
            }
            body += "</div>\n" + table(measurements) + "</section>\n"
        }
        body += "</main>\n"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Signet bench</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>\(ReportAssets.style)
            .bench .bar { fill: #3b5bdb; } .bench .bar.peer { fill: #98a2b3; } .bench .range { stroke: #1d2330; stroke-width: 1.5; }
            .bench-charts { grid-template-columns: repeat(auto-fit, minmax(610px, 1fr)); margin-bottom: 12px; }</style></head>
            <body>
            \(body)</body></html>

            """
    }

    /// One case's bars, the backends' then the peers' (in grey), the slowest run the full width.
    static func chart(_ name: String, _ rows: [BenchMeasurement]) -> String {
        let rowHeight = 22, labelWidth = 150, barWidth = 200, width = labelWidth + barWidth + 250
        let longest = max(rows.map(\.slowest).max() ?? 1, 1e-12)
        var svg = "<div class=\"chart\"><h3>\(escape(name)) <span>seconds per run</span></h3>"
            + "<svg class=\"bench\" width=\"\(width)\" height=\"\(rows.count * rowHeight + 4)\" role=\"img\">"
        for (index, m) in rows.enumerated() {
            let y = index * rowHeight + 2
            let bar = Double(barWidth) * m.median / longest
            let low = Double(labelWidth) + Double(barWidth) * m.fastest / longest
            let high = Double(labelWidth) + Double(barWidth) * m.slowest / longest
            var label = String(format: "%.4g s", m.median)
            if let gflops = m.gflops { label += String(format: ", %.1f GFLOP/s", gflops) }
            if let speedUp = m.speedUpOverCPU, m.backend != "cpu" { label += String(format: ", %.2fx", speedUp) }
            svg += "<text x=\"0\" y=\"\(y + 14)\">\(escape(String(m.backend.prefix(24))))</text>"
                + String(format: "<rect class=\"%@\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\"><title>%@</title></rect>",
                         m.isPeer ? "bar peer" : "bar", labelWidth, y + 3, max(bar, 1), escape(label))
                + String(format: "<line class=\"range\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>", low, high, y + 10, y + 10)
                + String(format: "<text x=\"%.1f\" y=\"%d\">%@</text>", Double(labelWidth) + max(bar, high - Double(labelWidth)) + 6,
                         y + 14, escape(label))
        }
        return svg + "</svg></div>\n"
    }

    /// The workload's numbers.
    static func table(_ measurements: [BenchMeasurement]) -> String {
        var html = "<table class=\"data\"><tr><th>case</th><th>backend</th><th>median s</th><th>runs</th><th>fastest - slowest s</th>"
            + "<th>GFLOP/s</th><th>speed-up over cpu</th><th>other load</th></tr>\n"
        for m in measurements {
            html += "<tr><td>\(escape(m.name))</td><td>\(escape(m.backend))</td>"
                + String(format: "<td>%.4g</td><td>%d</td><td>%.4g - %.4g</td>", m.median, m.samples.count, m.fastest, m.slowest)
                + "<td>\(m.gflops.map { String(format: "%.1f", $0) } ?? "-")</td>"
                + "<td>\(m.speedUpOverCPU.map { String(format: "%.2fx", $0) } ?? "-")</td>"
                + String(format: "<td>%.0f%%</td></tr>\n", 100 * m.otherLoad)
        }
        return html + "</table>\n"
    }

    /// `text` safe inside HTML elements and attributes.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
