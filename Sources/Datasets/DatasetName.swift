/// The datasets Signet knows: both are 28x28 grayscale images in ten classes, published as
/// the same four gzip IDX files.
///
/// The raw value is the folder name the files live in (`mnist/`, `fashion-mnist/`), under
/// `$SIGNET_DATA` and under the download cache alike.
public enum DatasetName: String, Sendable, CaseIterable, Codable {
    /// LeCun, Cortes and Burges' handwritten digits; labels are the digits 0-9.
    case mnist
    /// Zalando's clothing images (Xiao, Rasul and Vollgraf, 2017); labels 0-9 name ten articles.
    case fashionMNIST = "fashion-mnist"

    /// The name people write: "MNIST", "Fashion-MNIST".
    public var displayName: String {
        switch self {
        case .mnist: return "MNIST"
        case .fashionMNIST: return "Fashion-MNIST"
        }
    }

    /// What label `label` (0-9) names: the digit itself for MNIST, the article for Fashion-MNIST
    /// ("Trouser" for 1), as the dataset's authors name them.
    public func className(_ label: Int) -> String {
        switch self {
        case .mnist:
            return String(label)
        case .fashionMNIST:
            let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
            return names.indices.contains(label) ? names[label] : String(label)
        }
    }

    /// What one class is called in sentences: "digit", or "class" for Fashion-MNIST's articles.
    public var classNoun: String { self == .mnist ? "digit" : "class" }

    /// The folder holding the dataset's files.
    public var folderName: String { rawValue }

    /// The four published file names, gzip-compressed. Both datasets use the same names.
    public static let fileNames: [String] = Split.allCases.flatMap { [$0.imagesFileName, $0.labelsFileName] }
}
