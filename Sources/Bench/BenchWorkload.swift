/// The workload groups `signet bench` can run, each a few cases at the shapes the study and the
/// training use (see `BenchCase` and its catalogue).
public enum BenchWorkload: String, CaseIterable, Codable, Sendable {
    /// Float32 matrix products: square N = 256 ... 4096 and the dense network's skinny shapes.
    case gemm
    /// The `cnn` model's convolution on MNIST batches: forward, and backward to the kernel and input.
    case conv
    /// One training epoch of the dense network 784-32-64-10 on MNIST's 60,000 images, batch 32 and 128.
    case mlp
    /// One training epoch of the `cnn` model on MNIST's 60,000 images, batch 128.
    case cnn
    /// K-means k = 2 ... 10, 10 restarts each, on 70,000 signatures of 64 units.
    case kmeans
    /// The exact silhouette of nine labelings (k = 2 ... 10) of the same 70,000 x 64 signatures.
    case silhouette
    /// UMAP of the signatures: the first 10,000 and all 70,000.
    case umap
    /// The whole study at full scale: training, then both hidden layers of all 70,000 images
    /// clustered with k chosen by exact silhouette, and the paths (no UMAP: `umap` times it).
    case study

    /// Whether the workload reads MNIST (`SIGNET_DATA`).
    public var needsData: Bool { self != .gemm && self != .conv }
}
