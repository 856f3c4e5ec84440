import Foundation

/// What the machine is, for the first line of every timing table: a ratio means little without
/// the processor, its core count and how OpenBLAS was told to run.
public enum MachineDescription {
    /// The processor's name from `/proc/cpuinfo` ("unknown processor" elsewhere).
    public static var processor: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown processor" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The CPUs this process may use.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `OPENBLAS_CORETYPE` as the environment set it: printed beside every figure that OpenBLAS
    /// computed (the CPU backend's GEMM), never changed by Signet (older OpenBLAS builds compute
    /// wrong results on some processors without it).
    public static var openBLASCoreType: String? { ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] }
}
