import Kernels
import OpenCL

/// The kernels of one OpenCL context, each program built once per set of build options and
/// each kernel object made once: nothing is compiled per call.
final class KernelLibrary {
    let context: Context
    let cache: ProgramCache?
    private var programs: [String: Program] = [:]
    private var kernels: [String: Kernel] = [:]

    init(context: Context, cache: ProgramCache?) {
        self.context = context
        self.cache = cache
    }

    /// The program built from `source` with `options` (tile sizes as `-D` defines).
    func program(_ source: KernelSource, options: String = "") throws -> Program {
        let key = source.fileName + "|" + options
        if let program = programs[key] { return program }
        let program = try Program(context: context, name: source.fileName, source: try source.text(),
                                  options: options, cache: cache)
        programs[key] = program
        return program
    }

    /// The kernel `name` of `source` built with `options`.
    func kernel(_ name: String, in source: KernelSource, options: String = "") throws -> Kernel {
        let key = source.fileName + "|" + options + "|" + name
        if let kernel = kernels[key] { return kernel }
        let kernel = try program(source, options: options).kernel(name)
        kernels[key] = kernel
        return kernel
    }
}

/// A kernel argument, so launches read as one list.
enum KernelArgument {
    case buffer(Buffer<Float>)
    /// An int32 buffer (`__global int*`).
    case integers(Buffer<Int32>)
    case int(Int)
    case float(Float)
    case bool(Bool)
    /// A 64-bit `ulong` (the dropout kernel's random key).
    case ulong(UInt64)
}

extension Kernel {
    /// Sets every argument in order. Ints are passed as the kernels' 32-bit `int`.
    func setArguments(_ arguments: [KernelArgument]) throws {
        for (index, argument) in arguments.enumerated() {
            switch argument {
            case let .buffer(buffer): try setArgument(index, buffer)
            case let .integers(buffer): try setArgument(index, buffer)
            case let .int(value):
                guard let narrow = Int32(exactly: value) else {
                    throw OpenCLError.invalidRequest("kernel \(name): argument \(index) = \(value) exceeds 32 bits")
                }
                try setArgument(index, value: narrow)
            case let .float(value): try setArgument(index, value: value)
            case let .bool(value): try setArgument(index, value: Int32(value ? 1 : 0))
            case let .ulong(value): try setArgument(index, value: value)
            }
        }
    }
}
