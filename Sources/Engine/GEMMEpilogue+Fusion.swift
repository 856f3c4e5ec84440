extension GEMMEpilogue {
    /// The activation a backend runs as its own elementwise pass after the product: any but ReLU.
    /// The GEMM kernels and the CPU epilogue loop fuse only ReLU (a flag as they store the
    /// result); fusing tanh or sigmoid would take new kernel variants to save one pass over the
    /// result, which is small next to the product.
    var unfusedActivation: ActivationFunction? { activation == .relu ? nil : activation }
}
