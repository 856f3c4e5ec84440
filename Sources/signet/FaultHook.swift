import Foundation
import OpenCL

/// The test-only fault seam, `SIGNET_FAULT`. `kill:step=N` kills this process with SIGKILL
/// right after training step N (counted across epochs from 1, resumed runs counting on from the
/// checkpoint's steps), as a power cut or the OOM killer would: tests use it to show that a
/// killed run leaves only whole files and resumes to the same weights. `kill:phase=N` kills a
/// study (or sweep) at the start of its N-th phase line, counted from 1. `opencl-error:launch=N`
/// makes the N-th OpenCL kernel launch fail (`CommandQueue.failingLaunch`). Unset, it does nothing;
/// a value it does not know is refused in one line, not ignored, so that a typo cannot make such
/// a test pass without killing anything.
struct FaultHook {
    /// The step after which the process kills itself, if any.
    var killAfterStep: Int?
    /// The study phase at whose start the process kills itself, if any.
    var killAtPhase: Int?

    static let variable = "SIGNET_FAULT"

    /// The hook `SIGNET_FAULT` asks for.
    /// - Throws: `CLIFailure` for a value other than `kill:step=N`, `kill:phase=N` or `opencl-error:launch=N`, N >= 1.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FaultHook {
        guard let value = environment[variable], !value.isEmpty else { return FaultHook() }
        func count(after prefix: String) -> Int? {
            guard value.hasPrefix(prefix), let count = Int(value.dropFirst(prefix.count)), count >= 1 else { return nil }
            return count
        }
        if let step = count(after: "kill:step=") { return FaultHook(killAfterStep: step) }
        if let phase = count(after: "kill:phase=") { return FaultHook(killAtPhase: phase) }
        if let launch = count(after: "opencl-error:launch=") {
            CommandQueue.failingLaunch.store(launch, ordering: .relaxed)
            return FaultHook()
        }
        throw CLIFailure("\(variable)='\(value)' is not a fault this build knows; they are kill:step=N, kill:phase=N "
            + "and opencl-error:launch=N (N >= 1)")
    }

    /// Called at the start of every study phase with the phases begun so far, this one included.
    func phaseStarted(_ phase: Int) {
        if let killAtPhase, phase == killAtPhase { kill(getpid(), SIGKILL) }
    }

    /// Called after every training step with the optimizer's step count.
    func stepEnded(_ step: Int) {
        if let killAfterStep, step == killAfterStep { kill(getpid(), SIGKILL) }
    }
}
