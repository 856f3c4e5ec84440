import ArgumentParser
import Engine
import Foundation
import OpenCL

/// `--device`, shared by every command that computes: the flag, else `SIGNET_DEVICE`, else `auto`.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Where to compute: auto, cpu, opencl or opencl:N (see `signet devices`). Default: $SIGNET_DEVICE, else auto.",
        valueName: "device"))
    var device: String?

    /// The request in force, parsed.
    func request(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DeviceRequest {
        if let device { return try DeviceRequest(parsing: device) }
        if let fromEnvironment = environment["SIGNET_DEVICE"], !fromEnvironment.isEmpty {
            do {
                return try DeviceRequest(parsing: fromEnvironment)
            } catch {
                throw ValidationError("SIGNET_DEVICE: \(error)")
            }
        }
        return .auto
    }

    func validate() throws {
        do {
            _ = try request()
        } catch let error as EngineError {
            throw ValidationError(error.description)
        }
    }

    /// Makes the backend, printing which one was taken and why.
    func makeBackend(gemm: GEMMVariant? = nil, announce: Bool = true) throws -> any Backend {
        let choice = try request().makeBackend(gemm: gemm)
        if announce { printError("Using \(choice.backend.description) [\(choice.reason)]") }
        return choice.backend
    }
}

/// Every OpenCL device, or one line saying why they cannot be listed (a broken driver).
func listOpenCLDevices() throws -> [Device] {
    do {
        return try Device.all()
    } catch {
        throw CLIFailure("cannot list OpenCL devices: \(error)")
    }
}

/// Writes a line to standard error (progress and notes; results go to standard output).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
