import Foundation

/// Where the peer-library reference values live: `SIGNET_FIXTURES`, else `../shared/fixtures`
/// beside the package root.
func fixturesDirectory() -> URL {
    if let custom = ProcessInfo.processInfo.environment["SIGNET_FIXTURES"], !custom.isEmpty {
        return URL(fileURLWithPath: custom)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
}

/// A fixture file decoded as loosely typed JSON.
func loadFixture(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: fixturesDirectory().appendingPathComponent(name))
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw FixtureError("\(name) is not a JSON object")
    }
    return object
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
