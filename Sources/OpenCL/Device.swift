import COpenCL

/// One OpenCL device and the properties Signet plans its work with.
public struct Device: @unchecked Sendable, CustomStringConvertible {
    // Root device ids live as long as their platform and are not reference counted.
    let id: cl_device_id

    /// What kind of processor the device is; kernels are chosen by it.
    public enum Kind: String, Sendable, Codable {
        case cpu, gpu, accelerator, other
    }

    public let platformName: String
    public let name: String
    public let vendor: String
    public let kind: Kind
    /// The driver version string; part of the program-cache key.
    public let driverVersion: String
    /// The device's OpenCL version string, e.g. `OpenCL 3.0 PoCL ...`.
    public let version: String
    /// The highest OpenCL C language version the compiler accepts, e.g. `OpenCL C 1.2 PoCL`.
    public let openCLCVersion: String
    public let computeUnits: Int
    public let globalMemoryBytes: Int
    public let localMemoryBytes: Int
    public let maxWorkGroupSize: Int
    /// The largest single buffer the device accepts.
    public let maxAllocationBytes: Int

    init(id: cl_device_id, platform: Platform) throws {
        self.id = id
        platformName = platform.name
        func string(_ parameter: Int32) throws -> String {
            try queryString("clGetDeviceInfo") { clGetDeviceInfo(id, cl_device_info(parameter), $0, $1, $2) }
        }
        func value<T: BitwiseCopyable>(_ parameter: Int32, _ type: T.Type) throws -> T {
            try queryValue("clGetDeviceInfo", as: type) { clGetDeviceInfo(id, cl_device_info(parameter), $0, $1, $2) }
        }
        name = try string(CL_DEVICE_NAME)
        vendor = try string(CL_DEVICE_VENDOR)
        driverVersion = try string(CL_DRIVER_VERSION)
        version = try string(CL_DEVICE_VERSION)
        openCLCVersion = try string(CL_DEVICE_OPENCL_C_VERSION)
        let type = try value(CL_DEVICE_TYPE, cl_device_type.self)
        if type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 {
            kind = .gpu
        } else if type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 {
            kind = .cpu
        } else if type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 {
            kind = .accelerator
        } else {
            kind = .other
        }
        computeUnits = Int(try value(CL_DEVICE_MAX_COMPUTE_UNITS, cl_uint.self))
        globalMemoryBytes = Int(try value(CL_DEVICE_GLOBAL_MEM_SIZE, cl_ulong.self))
        localMemoryBytes = Int(try value(CL_DEVICE_LOCAL_MEM_SIZE, cl_ulong.self))
        maxWorkGroupSize = try value(CL_DEVICE_MAX_WORK_GROUP_SIZE, Int.self)
        maxAllocationBytes = Int(try value(CL_DEVICE_MAX_MEM_ALLOC_SIZE, cl_ulong.self))
    }

    /// Every device of every platform, in platform order: the numbering of `--device opencl:N`.
    public static func all() throws -> [Device] {
        try Platform.all().flatMap { try $0.devices() }
    }

    public var description: String { "\(name) (\(kind.rawValue), \(platformName))" }

    /// A file-name-safe digest of what identifies this device and its driver (name, platform,
    /// driver version): the key of anything stored per device, such as a kernel tuning.
    public var fingerprint: String {
        String(fnv1a64(Array([name, platformName, driverVersion].joined(separator: "\u{0}").utf8)), radix: 16)
    }
}
