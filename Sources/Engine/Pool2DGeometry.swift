/// The sizes of one 2-D max pooling, NHWC (Keras `channels_last`), channel by channel.
///
/// The input is `[batch, height, width, channels]`, the output
/// `[batch, outputHeight, outputWidth, channels]`. As in Keras's `MaxPooling2D` the stride
/// defaults to the pool size (non-overlapping windows). With same padding the padded positions
/// are ignored (never the maximum), as in TensorFlow. Like `Conv2DGeometry`, backends read the
/// layout from this value and check only that each tensor holds the right number of values.
public struct Pool2DGeometry: Equatable, Sendable, Codable {
    public var batch: Int
    public var height: Int
    public var width: Int
    public var channels: Int
    public var poolHeight: Int
    public var poolWidth: Int
    /// Vertical step between windows (>= 1).
    public var strideY: Int
    /// Horizontal step between windows (>= 1).
    public var strideX: Int
    public var padding: Padding

    /// The Keras `Padding` under this type's name too.
    public typealias Padding = Engine.Padding

    /// - Parameters:
    ///   - strideY, strideX: nil means the pool size, Keras's default.
    public init(batch: Int, height: Int, width: Int, channels: Int, poolHeight: Int = 2, poolWidth: Int = 2,
                strideY: Int? = nil, strideX: Int? = nil, padding: Padding = .valid) {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
        self.poolHeight = poolHeight
        self.poolWidth = poolWidth
        self.strideY = strideY ?? poolHeight
        self.strideX = strideX ?? poolWidth
        self.padding = padding
    }

    /// Output rows: `ceil(height / strideY)` with same padding, else
    /// `floor((height - poolHeight) / strideY) + 1` (valid drops a last partial window).
    public var outputHeight: Int { rows.output }
    /// Output columns, as `outputHeight`.
    public var outputWidth: Int { columns.output }
    /// Ignored rows above the image (same padding: half the total, rounded down).
    public var padTop: Int { rows.padBefore }
    /// Ignored columns left of the image.
    public var padLeft: Int { columns.padBefore }

    /// `[batch, height, width, channels]`.
    public var inputShape: [Int] { [batch, height, width, channels] }
    /// `[batch, outputHeight, outputWidth, channels]`.
    public var outputShape: [Int] { [batch, outputHeight, outputWidth, channels] }

    /// No two windows share an input (each stride at least the pool size), so each input has
    /// at most one window's gradient: the case the fused convolution and pooling take.
    public var windowsAreDisjoint: Bool { strideY >= poolHeight && strideX >= poolWidth }

    /// The same pooling on a batch of another size.
    public func withBatch(_ batch: Int) -> Pool2DGeometry {
        var copy = self
        copy.batch = batch
        return copy
    }

    /// Checks that every size is positive and that at least one window fits.
    /// - Throws: `EngineError.invalidArgument` naming the offending sizes.
    public func validate(operation: String = "maxPool2d") throws {
        let sizes = [("batch", batch), ("height", height), ("width", width), ("channels", channels),
                     ("poolHeight", poolHeight), ("poolWidth", poolWidth), ("strideY", strideY), ("strideX", strideX)]
        try validateWindowGeometry(sizes, window: "\(poolHeight)x\(poolWidth) pool", padding: padding,
                                   height: height, width: width, outputHeight: outputHeight, outputWidth: outputWidth,
                                   operation: operation)
    }

    var rows: WindowAxis { WindowAxis(input: height, window: poolHeight, stride: strideY, padding: padding) }
    var columns: WindowAxis { WindowAxis(input: width, window: poolWidth, stride: strideX, padding: padding) }
}

extension Pool2DGeometry: CustomStringConvertible {
    public var description: String {
        "\(batch)x\(height)x\(width)x\(channels) max \(poolHeight)x\(poolWidth)"
            + " stride \(strideY)x\(strideX) \(padding) -> \(outputHeight)x\(outputWidth)"
    }
}
