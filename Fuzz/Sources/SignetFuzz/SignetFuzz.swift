import Foundation
import FuzzEntryPoints

/// The parser this process fuzzes, chosen once at start from SIGNET_FUZZ_TARGET.
nonisolated(unsafe) private var entry: (@Sendable (Data) throws -> Void)?

/// libFuzzer's set-up hook: picks the parser, or exits naming the choices.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let name = ProcessInfo.processInfo.environment["SIGNET_FUZZ_TARGET"] ?? ""
    guard let chosen = FuzzEntryPoints.targets[name] else {
        FileHandle.standardError.write(Data("SIGNET_FUZZ_TARGET must be one of \(FuzzEntryPoints.targets.keys.sorted().joined(separator: ", ")); got '\(name)'\n".utf8))
        exit(2)
    }
    entry = chosen
    return 0
}

/// libFuzzer's entry: one input to the chosen parser. A thrown error is the parser refusing bad
/// input, as it should; only a trap, a hang, a leak or a memory error is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    try? entry?(data)
    return 0
}
