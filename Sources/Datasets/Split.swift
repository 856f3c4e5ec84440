/// The two parts every dataset is published in.
public enum Split: String, Sendable, Codable, CaseIterable {
    /// 60,000 images in MNIST and Fashion-MNIST.
    case train
    /// 10,000 images; the files are named `t10k-...`.
    case test

    /// The published (gzip) name of the split's images file.
    public var imagesFileName: String { filePrefix + "-images-idx3-ubyte.gz" }

    /// The published (gzip) name of the split's labels file.
    public var labelsFileName: String { filePrefix + "-labels-idx1-ubyte.gz" }

    private var filePrefix: String {
        switch self {
        case .train: return "train"
        case .test: return "t10k"
        }
    }
}
