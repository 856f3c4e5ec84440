import OpenCL

/// A backend's scratch memory for convolution patch matrices (im2col and its gradient): one
/// block, grown to the largest request and then reused, so that a training step allocates
/// nothing once the first batch has run.
///
/// The first layer of the `cnn` model at batch 128 needs 86528 x 9 values, a second 3x3x32
/// convolution 15488 x 288 (17 MB). One block serves both a layer's patches and its patch
/// gradient because a backend uses them one after the other, never together.
final class HostScratch {
    private var storage: HostStorage?

    /// A `rows x columns` tensor over the scratch block (its previous contents are garbage).
    func matrix(rows: Int, columns: Int, owner: ObjectIdentifier) throws -> Tensor {
        let count = try validatedCount([rows, columns], operation: "scratch")
        if storage == nil || storage!.count < count { storage = try HostStorage(count: count) }
        return Tensor(shape: [rows, columns], storage: storage!, owner: owner)
    }
}

/// `HostScratch` for an OpenCL device.
final class DeviceScratch {
    private let context: Context
    private var storage: DeviceStorage?

    init(context: Context) { self.context = context }

    /// A `rows x columns` tensor over the scratch buffer (its previous contents are garbage).
    func matrix(rows: Int, columns: Int, owner: ObjectIdentifier) throws -> Tensor {
        // Checked as the host's: `rows * columns` of a crafted shape would trap, not throw.
        let count = try validatedCount([rows, columns], operation: "scratch")
        if storage == nil || storage!.count < count {
            // Replacing the buffer is safe with work still queued on the old one: OpenCL frees
            // it only once the commands using it have finished.
            storage = DeviceStorage(buffer: try Buffer<Float>(context: context, count: count))
        }
        return Tensor(shape: [rows, columns], storage: storage!, owner: owner)
    }
}
