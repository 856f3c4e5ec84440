/// One split of a dataset as stored: pixels and labels, bytes as in the file.
///
/// Loaded once (about 47 MB for MNIST's training split) and kept as bytes; `examples(_:)` cuts
/// it into scaled `Float` examples. The report reads `pixels` to show an image again.
public struct LabeledImages: Sendable {
    /// Which dataset the images come from.
    public let dataset: DatasetName
    /// Which split of it.
    public let split: Split
    /// How many images (and labels).
    public let count: Int
    /// Image height in pixels (28).
    public let rows: Int
    /// Image width in pixels (28).
    public let columns: Int
    /// `count * rows * columns` bytes, image after image, each row-major; 0 is background.
    public let pixels: [UInt8]
    /// One label per image, in the same order.
    public let labels: [UInt8]

    /// Images made elsewhere (tests, synthetic data). The sizes must agree.
    public init(dataset: DatasetName, split: Split, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) {
        precondition(rows > 0 && columns > 0, "images need at least one row and one column")
        precondition(pixels.count == labels.count * rows * columns,
                     "\(pixels.count) pixels do not make \(labels.count) images of \(rows)x\(columns)")
        self.dataset = dataset
        self.split = split
        self.count = labels.count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// Pixels per image: `rows * columns` (784).
    public var pixelsPerImage: Int { rows * columns }

    /// The pixels of image `index`, row-major.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image \(index) is outside 0..<\(count)")
        return pixels[index * pixelsPerImage..<(index + 1) * pixelsPerImage]
    }

    /// The largest pixel value, which scaling divides by (255 for MNIST).
    public var maximumPixel: UInt8 {
        pixels.withUnsafeBufferPointer { buffer in
            var largest: UInt8 = 0
            // Stop at 255: nothing is larger, and MNIST reaches it in its first image.
            for value in buffer where value > largest {
                largest = value
                if largest == .max { break }
            }
            return largest
        }
    }
}
