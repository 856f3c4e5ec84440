import OpenCL

/// Memory on an OpenCL device; the OpenCL backend's storage. One buffer of the tensor's
/// element type (kernels see `float*` or `int*`).
final class DeviceStorage {
    enum Values {
        case float32(Buffer<Float>)
        case int32(Buffer<Int32>)
    }

    let values: Values

    init(buffer: Buffer<Float>) { values = .float32(buffer) }
    init(integers: Buffer<Int32>) { values = .int32(integers) }

    var elementType: ElementType {
        switch values {
        case .float32: .float32
        case .int32: .int32
        }
    }

    /// The float buffer, or nil for integer storage.
    var buffer: Buffer<Float>? {
        if case let .float32(buffer) = values { return buffer }
        return nil
    }

    /// The integer buffer, or nil for float storage.
    var integers: Buffer<Int32>? {
        if case let .int32(buffer) = values { return buffer }
        return nil
    }

    /// Values the storage can hold.
    var count: Int {
        switch values {
        case let .float32(buffer): buffer.count
        case let .int32(buffer): buffer.count
        }
    }
}
