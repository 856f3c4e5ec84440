import Foundation

/// A W3C WebDriver session with headless Chromium, through chromedriver, for the report's
/// browser tests.
///
/// The HTTP goes through `curl` in a subprocess: this toolchain's URLSession rejects
/// chromedriver's replies ("Failed writing header"). `close()` deletes the session and stops
/// chromedriver, or the browser keeps running.
final class WebDriver {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"

    /// Whether Debian's `chromium` and `chromium-driver` are installed (the set-up script does it).
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: chromedriver)
    }

    enum Failure: Error, CustomStringConvertible {
        case driver(String)
        var description: String { if case .driver(let text) = self { return text }; return "" }
    }

    private let driver: Process
    private let base: String
    private var session = ""

    /// Starts chromedriver on a free port and opens a browser window of `width x height`.
    init(width: Int = 1400, height: Int = 1000) throws {
        let port = 9515 + Int.random(in: 0..<2000)
        base = "http://127.0.0.1:\(port)"
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: Self.chromedriver)
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        // chromedriver answers /status once it listens: ask until it does (at most ~10 s).
        var ready = false
        for _ in 0..<200 where !ready {
            ready = (try? request("GET", "/status", nil)).flatMap { ($0["value"] as? [String: Any])?["ready"] as? Bool } ?? false
            if !ready { usleep(50_000) }
        }
        guard ready else {
            driver.terminate()
            throw Failure.driver("chromedriver did not start on port \(port)")
        }
        let options: [String: Any] = [
            "binary": Self.chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
        ]
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome", "goog:chromeOptions": options, "goog:loggingPrefs": ["browser": "ALL"],
        ]]]
        do {
            let reply = try request("POST", "/session", capabilities)
            guard let value = reply["value"] as? [String: Any], let id = value["sessionId"] as? String else {
                throw Failure.driver("no session in \(reply)")
            }
            session = id
        } catch {
            driver.terminate()
            throw error
        }
    }

    /// Ends the session and stops chromedriver.
    func close() {
        if !session.isEmpty { _ = try? request("DELETE", "/session/\(session)", nil) }
        session = ""
        guard driver.isRunning else { return }
        // Not waitUntilExit: on Linux it can wait on a run loop that never sees the exit.
        driver.terminate()
        for _ in 0..<100 where driver.isRunning { usleep(20_000) }
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
    }

    deinit { close() }

    /// Opens `url` and returns once the page has loaded.
    func open(_ url: URL) throws {
        _ = try command("POST", "/url", ["url": url.absoluteString])
    }

    /// Runs `script` (a function body; `arguments` are its `arguments`) and returns its value.
    @discardableResult
    func execute(_ script: String, _ arguments: [Any] = []) throws -> Any? {
        try command("POST", "/execute/sync", ["script": script, "args": arguments])["value"] ?? nil
    }

    /// The browser console's messages of level SEVERE (errors).
    func consoleErrors() throws -> [String] {
        let entries = try command("POST", "/se/log", ["type": "browser"])["value"] as? [[String: Any]] ?? []
        return entries.filter { ($0["level"] as? String) == "SEVERE" }.compactMap { $0["message"] as? String }
    }

    /// A real mouse: moves to `from`, presses, moves to `to` in steps, releases (page pixels).
    func drag(from: (Double, Double), to: (Double, Double)) throws {
        var moves: [[String: Any]] = [["type": "pointerMove", "duration": 0, "x": Int(from.0), "y": Int(from.1), "origin": "viewport"],
                                      ["type": "pointerDown", "button": 0]]
        for step in 1...5 {
            let t = Double(step) / 5
            moves.append(["type": "pointerMove", "duration": 20, "origin": "viewport",
                          "x": Int(from.0 + (to.0 - from.0) * t), "y": Int(from.1 + (to.1 - from.1) * t)])
        }
        moves.append(["type": "pointerUp", "button": 0])
        try pointer(moves)
    }

    /// Moves the mouse to `point` (page pixels).
    func hover(_ point: (Double, Double)) throws {
        try pointer([["type": "pointerMove", "duration": 0, "x": Int(point.0), "y": Int(point.1), "origin": "viewport"]])
    }

    /// Clicks the element `selector` selects.
    func click(_ selector: String) throws {
        let found = try command("POST", "/element", ["using": "css selector", "value": selector])
        guard let element = found["value"] as? [String: Any], let id = element.values.first as? String else {
            throw Failure.driver("no element \(selector)")
        }
        _ = try command("POST", "/element/\(id)/click", [:])
    }

    /// A PNG of the window.
    func screenshot() throws -> Data {
        guard let text = try command("GET", "/screenshot", nil)["value"] as? String, let png = Data(base64Encoded: text) else {
            throw Failure.driver("no screenshot")
        }
        return png
    }

    private func pointer(_ actions: [[String: Any]]) throws {
        _ = try command("POST", "/actions", ["actions": [["type": "pointer", "id": "mouse", "parameters": ["pointerType": "mouse"], "actions": actions]]])
        _ = try command("DELETE", "/actions", nil)
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]?) throws -> [String: Any] {
        let reply = try request(method, "/session/\(session)\(path)", body)
        if let value = reply["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure.driver("\(method) \(path): \(error): \(value["message"] as? String ?? "")")
        }
        return reply
    }

    private func request(_ method: String, _ path: String, _ body: [String: Any]?) throws -> [String: Any] {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        var arguments = ["-s", "-X", method, "-H", "Content-Type: application/json", base + path]
        if let body { arguments += ["--data-binary", "@-"] }
        curl.arguments = arguments
        let input = Pipe(), output = Pipe()
        curl.standardInput = input
        curl.standardOutput = output
        try curl.run()
        if let body { input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: body)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        guard curl.terminationStatus == 0 else { throw Failure.driver("curl \(method) \(path) exited \(curl.terminationStatus)") }
        guard let reply = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.driver("not JSON from \(method) \(path)")
        }
        return reply
    }
}
