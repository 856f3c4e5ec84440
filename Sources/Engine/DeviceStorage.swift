import OpenCL

/// Float32 memory on an OpenCL device; the OpenCL backend's storage.
final class DeviceStorage {
    let buffer: Buffer<Float>
    init(buffer: Buffer<Float>) { self.buffer = buffer }
}
