import CPUFeatures
import Foundation

/// What the processor running the CPU backend can do beyond what the Engine was built for.
public enum HostProcessor {
    /// Whether the AVX-512 loops (the AVX512Loops module) can run here: always in a build that
    /// compiles them for the base target (debug, `SIGNET_PORTABLE=1`, other architectures),
    /// and in a release build only on a processor and system with AVX-512.
    public static let canRunAVX512Loops: Bool = {
        #if SIGNET_AVX2
        return signet_cpu_supports_avx512_loops() == 1
        #else
        return true
        #endif
    }()

    /// Whether a CPU backend takes the AVX-512 loops unless told otherwise: where they can run,
    /// and `SIGNET_AVX512` is not `0` or `off` (set it to compare the two on one machine).
    public static let prefersAVX512Loops: Bool = {
        let setting = ProcessInfo.processInfo.environment["SIGNET_AVX512"]?.lowercased()
        return canRunAVX512Loops && setting != "0" && setting != "off"
    }()
}
