import COpenCL

/// An OpenCL context on one device: the owner of that device's buffers and programs.
///
/// OpenCL makes every context, buffer and program call thread-safe, so the handle may be shared.
public final class Context: @unchecked Sendable {
    let handle: cl_context
    /// The device this context was made for.
    public let device: Device

    public init(device: Device) throws {
        var status: cl_int = CL_SUCCESS
        var deviceID: cl_device_id? = device.id
        let made = clCreateContext(nil, 1, &deviceID, nil, nil, &status)
        try OpenCLError.check(status, "clCreateContext")
        guard let made else { throw OpenCLError.call("clCreateContext", code: CL_INVALID_CONTEXT) }
        handle = made
        self.device = device
    }

    deinit { clReleaseContext(handle) }
}
