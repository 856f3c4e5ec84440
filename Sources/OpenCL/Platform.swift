import COpenCL

/// An installed OpenCL implementation (an ICD), such as PoCL or a GPU vendor's driver.
public struct Platform: @unchecked Sendable, CustomStringConvertible {
    // Platform ids are plain identifiers owned by the ICD loader for the life of the process;
    // they are not reference counted, so sharing them across threads is safe.
    let id: cl_platform_id

    public let name: String
    public let vendor: String
    /// The full version string, e.g. `OpenCL 3.0 PoCL 3.1+debian ...`.
    public let version: String

    init(id: cl_platform_id) throws {
        self.id = id
        func string(_ parameter: Int32) throws -> String {
            try queryString("clGetPlatformInfo") { clGetPlatformInfo(id, cl_platform_info(parameter), $0, $1, $2) }
        }
        name = try string(CL_PLATFORM_NAME)
        vendor = try string(CL_PLATFORM_VENDOR)
        version = try string(CL_PLATFORM_VERSION)
    }

    /// Every platform the ICD loader finds. No platform at all is a normal answer (an empty array),
    /// not an error: ocl-icd reports it as -1001, `CL_PLATFORM_NOT_FOUND_KHR`.
    ///
    /// Discovery runs once per process: the ICD loader's first call is not thread-safe (two
    /// threads racing into it crashed PoCL here), and the installed platforms cannot change
    /// while we run. A global's lazy initialisation is atomic in Swift, which serialises it.
    public static func all() throws -> [Platform] {
        try discovered.get().map(\.platform)
    }

    /// The devices of this platform, all types (discovered once, with the platforms).
    public func devices() throws -> [Device] {
        try discovered.get().first { $0.platform.id == id }?.devices ?? []
    }

    fileprivate static func discoverPlatforms() throws -> [Platform] {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        if status == -1001 || (status == CL_SUCCESS && count == 0) { return [] }
        try OpenCLError.check(status, "clGetPlatformIDs")
        var ids = [cl_platform_id?](repeating: nil, count: Int(count))
        try OpenCLError.check(clGetPlatformIDs(count, &ids, nil), "clGetPlatformIDs")
        return try ids.compactMap { $0 }.map(Platform.init(id:))
    }

    fileprivate func discoverDevices() throws -> [Device] {
        var count: cl_uint = 0
        let all = cl_device_type(CL_DEVICE_TYPE_ALL)
        let status = clGetDeviceIDs(id, all, 0, nil, &count)
        if status == CL_DEVICE_NOT_FOUND { return [] }
        try OpenCLError.check(status, "clGetDeviceIDs")
        var ids = [cl_device_id?](repeating: nil, count: Int(count))
        try OpenCLError.check(clGetDeviceIDs(id, all, count, &ids, nil), "clGetDeviceIDs")
        return try ids.compactMap { $0 }.map { try Device(id: $0, platform: self) }
    }

    public var description: String { "\(name) (\(vendor)), \(version)" }
}

/// Platforms and their devices, found on first use and kept for the life of the process. A
/// platform whose devices cannot be listed (a broken driver) is left out rather than hiding the
/// working ones.
private let discovered: Result<[(platform: Platform, devices: [Device])], any Error> = Result {
    try Platform.discoverPlatforms().compactMap { platform in
        (try? platform.discoverDevices()).map { (platform, $0) }
    }
}
