import Foundation

/// The test-only fault seam, `SIGNET_FAULT`. `kill:step=N` kills this process with SIGKILL
/// right after training step N (counted across epochs from 1, resumed runs counting on from the
/// checkpoint's steps), as a power cut or the OOM killer would: tests use it to show that a
/// killed run leaves only whole files and resumes to the same weights. Unset, it does nothing;
/// a value it does not know is refused in one line, not ignored, so that a typo cannot make such
/// a test pass without killing anything.
struct FaultHook {
    /// The step after which the process kills itself, if any.
    let killAfterStep: Int?

    static let variable = "SIGNET_FAULT"

    /// The hook `SIGNET_FAULT` asks for.
    /// - Throws: `CLIFailure` for a value other than `kill:step=N` with N >= 1.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FaultHook {
        guard let value = environment[variable], !value.isEmpty else { return FaultHook(killAfterStep: nil) }
        let prefix = "kill:step="
        guard value.hasPrefix(prefix), let step = Int(value.dropFirst(prefix.count)), step >= 1 else {
            throw CLIFailure("\(variable)='\(value)' is not a fault this build knows; the one there is: kill:step=N (N >= 1)")
        }
        return FaultHook(killAfterStep: step)
    }

    /// Called after every training step with the optimizer's step count.
    func stepEnded(_ step: Int) {
        if let killAfterStep, step == killAfterStep { kill(getpid(), SIGKILL) }
    }
}
