/// The sizes of one 2-D convolution, in Keras's `channels_last` layout.
///
/// Tensors are NHWC: the input is `[batch, height, width, channels]`, the output
/// `[batch, outputHeight, outputWidth, filters]`, and the kernel is Keras's HWIO
/// `[kernelHeight, kernelWidth, channels, filters]`. The convolution is a cross-correlation (the
/// kernel is not flipped), as in Keras, TensorFlow and PyTorch. Backends read a tensor's layout
/// from this value; the tensor itself need only hold the right number of values, so a
/// `[batch, 784]` batch can feed a 28 x 28 x 1 convolution without a reshape.
public struct Conv2DGeometry: Equatable, Sendable, Codable {
    public var batch: Int
    public var height: Int
    public var width: Int
    public var channels: Int
    /// Output channels (Keras `filters`).
    public var filters: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    /// Vertical step between windows (>= 1).
    public var strideY: Int
    /// Horizontal step between windows (>= 1).
    public var strideX: Int
    public var padding: Padding

    /// The Keras `Padding` under this type's name too.
    public typealias Padding = Engine.Padding

    public init(batch: Int, height: Int, width: Int, channels: Int, filters: Int,
                kernelHeight: Int, kernelWidth: Int, strideY: Int = 1, strideX: Int = 1,
                padding: Padding = .valid) {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
        self.filters = filters
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.padding = padding
    }

    /// Output rows: `ceil(height / strideY)` with same padding, else
    /// `floor((height - kernelHeight) / strideY) + 1` (0 when the kernel does not fit).
    public var outputHeight: Int { rows.output }
    /// Output columns, as `outputHeight`.
    public var outputWidth: Int { columns.output }
    /// Zero rows added above the image (same padding: half the total, rounded down).
    public var padTop: Int { rows.padBefore }
    /// Zero columns added left of the image.
    public var padLeft: Int { columns.padBefore }

    /// `[batch, height, width, channels]`.
    public var inputShape: [Int] { [batch, height, width, channels] }
    /// `[kernelHeight, kernelWidth, channels, filters]` (HWIO).
    public var kernelShape: [Int] { [kernelHeight, kernelWidth, channels, filters] }
    /// `[batch, outputHeight, outputWidth, filters]`.
    public var outputShape: [Int] { [batch, outputHeight, outputWidth, filters] }

    /// Values in one patch, `kernelHeight * kernelWidth * channels`: the GEMM's inner dimension.
    public var patchSize: Int { kernelHeight * kernelWidth * channels }
    /// Output positions, `batch * outputHeight * outputWidth`: the rows of the patch matrix and
    /// of the output seen as a `[outputPositions, filters]` matrix (the bias gradient is that
    /// matrix's `columnSums`).
    public var outputPositions: Int { batch * outputHeight * outputWidth }

    /// The same convolution on a batch of another size (the last, smaller batch of an epoch).
    public func withBatch(_ batch: Int) -> Conv2DGeometry {
        var copy = self
        copy.batch = batch
        return copy
    }

    /// Checks that every size is positive and that at least one window fits.
    /// - Throws: `EngineError.invalidArgument` naming the offending sizes.
    public func validate(operation: String = "conv2d") throws {
        let sizes = [("batch", batch), ("height", height), ("width", width), ("channels", channels),
                     ("filters", filters), ("kernelHeight", kernelHeight), ("kernelWidth", kernelWidth),
                     ("strideY", strideY), ("strideX", strideX)]
        try validateWindowGeometry(sizes, window: "\(kernelHeight)x\(kernelWidth) kernel", padding: padding,
                                   height: height, width: width, outputHeight: outputHeight, outputWidth: outputWidth,
                                   operation: operation)
    }

    var rows: WindowAxis { WindowAxis(input: height, window: kernelHeight, stride: strideY, padding: padding) }
    var columns: WindowAxis { WindowAxis(input: width, window: kernelWidth, stride: strideX, padding: padding) }
}

extension Conv2DGeometry: CustomStringConvertible {
    public var description: String {
        "\(batch)x\(height)x\(width)x\(channels) * \(kernelHeight)x\(kernelWidth)x\(filters)"
            + " stride \(strideY)x\(strideX) \(padding) -> \(outputHeight)x\(outputWidth)"
    }
}
