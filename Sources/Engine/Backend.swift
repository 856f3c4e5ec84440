/// The operations Signet computes with, in one vocabulary for every backend.
///
/// `CPUBackend` implements each one plainly (OpenBLAS for GEMM), `OpenCLBackend` with a kernel
/// from `Kernels/`; parity tests hold the two together. Outputs are passed in (`into:`) so that
/// layers allocate their buffers once and reuse them every step; elementwise operations accept
/// an output that is also an input. Operations are asynchronous on a device: results are only
/// guaranteed visible after `read` or `synchronize`.
public protocol Backend: AnyObject {
    /// Which implementation this is.
    var kind: BackendKind { get }
    /// A one-line description: the backend and its device.
    var description: String { get }
    /// The bytes the backend's tensors can live in: the host's physical memory for the CPU
    /// backend, the device's global memory for OpenCL. Training checks a batch against it.
    var memoryBytes: Int { get }

    // MARK: Memory

    /// A zero-filled tensor of `elementType` values (`zeros(_:)` for float32).
    func zeros(_ shape: [Int], elementType: ElementType) throws -> Tensor
    /// A tensor holding `values` (row-major), copied to the backend.
    func upload(_ values: [Float], shape: [Int]) throws -> Tensor
    /// An int32 tensor holding `values` (row-major), copied to the backend.
    func uploadIntegers(_ values: [Int32], shape: [Int]) throws -> Tensor
    /// Overwrites `tensor` with `values`.
    func write(_ values: [Float], to tensor: Tensor) throws
    /// Overwrites the int32 `tensor` with `values`.
    func writeIntegers(_ values: [Int32], to tensor: Tensor) throws
    /// The tensor's values, copied back to the host (waits for pending work).
    func read(_ tensor: Tensor) throws -> [Float]
    /// The int32 tensor's values, copied back to the host (waits for pending work).
    func readIntegers(_ tensor: Tensor) throws -> [Int32]
    /// `destination = source`; both of one element type.
    func copy(_ source: Tensor, to destination: Tensor) throws
    /// Sets every value of `tensor` to `value`.
    func fill(_ tensor: Tensor, with value: Float) throws
    /// Waits until all submitted work has finished.
    func synchronize() throws

    // MARK: Linear algebra

    /// `c = epilogue(alpha * op(a) * op(b) + beta * c)`, with `op` a transpose when asked.
    ///
    /// `op(a)` is M x K (stored K x M when `transposeA`), `op(b)` is K x N, `c` is M x N.
    /// The epilogue adds a bias per column of `c`, then applies its activation.
    func gemm(_ a: Tensor, _ b: Tensor, into c: Tensor, transposeA: Bool, transposeB: Bool,
              alpha: Float, beta: Float, epilogue: GEMMEpilogue) throws

    /// `x[r, c] += bias[c]`, in place.
    func addBias(_ bias: Tensor, to x: Tensor) throws
    /// `y = sum over rows of x` (per column), `y = beta * y + sums`: bias gradients.
    func columnSums(_ x: Tensor, into y: Tensor, beta: Float) throws
    /// `y = alpha * x + beta * y`, elementwise.
    func axpby(alpha: Float, _ x: Tensor, beta: Float, _ y: Tensor) throws
    /// `y = factor * x`, elementwise.
    func scale(_ x: Tensor, by factor: Float, into y: Tensor) throws

    // MARK: Activations

    /// `y = f(x)`, elementwise.
    func activate(_ function: ActivationFunction, _ x: Tensor, into y: Tensor) throws
    /// Back through `f`, from its output: `inputGradient = outputGradient * f'(x)` with `f'`
    /// written in terms of `output = f(x)` (ReLU: `output > 0`; tanh: `1 - output^2`;
    /// sigmoid: `output * (1 - output)`), so the layer keeps only its output.
    func activationBackward(_ function: ActivationFunction, outputGradient: Tensor, output: Tensor,
                            into inputGradient: Tensor) throws
    /// Row-wise softmax, computed stably (the row maximum is subtracted first).
    func softmax(_ x: Tensor, into y: Tensor) throws
    /// Back through a row-wise softmax: `dz = p * (dp - sum(dp * p))` per row.
    func softmaxBackward(probabilities: Tensor, probabilityGradient: Tensor, into logitGradient: Tensor) throws

    // MARK: Convolution and pooling (NHWC, Keras channels_last; see `Conv2DGeometry`)

    /// `output = epilogue(input ⋆ kernel)`: a 2-D cross-correlation, input `[N, H, W, C]`,
    /// kernel HWIO `[KH, KW, C, O]`, output `[N, OH, OW, O]`.
    ///
    /// It is a GEMM of the patch matrix `[N*OH*OW, KH*KW*C]` by the kernel `[KH*KW*C, O]`, so the
    /// epilogue is the GEMM's: a bias per filter (`O` values), then its activation, if any. `output`
    /// must not share storage with `input` or `kernel`.
    func conv2d(_ input: Tensor, kernel: Tensor, into output: Tensor, geometry: Conv2DGeometry,
                epilogue: GEMMEpilogue) throws

    /// Back through `conv2d` (before its epilogue): given `outputGradient` = dL/d(output),
    /// overwrites `kernelGradient` with dL/d(kernel) = patchesᵀ · dOut and `inputGradient` with
    /// dL/d(input) (dOut · kernelᵀ, folded back onto the input by a deterministic gather).
    /// Either may be nil to skip it: the first layer needs no input gradient.
    ///
    /// The bias gradient is not computed here: it is `columnSums` of `outputGradient` seen as
    /// `[N*OH*OW, O]` (`geometry.outputPositions` rows). Back through a fused ReLU first with
    /// `activationBackward(.relu, ...)`.
    func conv2dBackward(input: Tensor, kernel: Tensor, outputGradient: Tensor, geometry: Conv2DGeometry,
                        kernelGradient: Tensor?, inputGradient: Tensor?) throws

    /// `output[n, oy, ox, c]` = the maximum of its window (padding never wins), NHWC.
    func maxPool2d(_ input: Tensor, into output: Tensor, geometry: Pool2DGeometry) throws

    /// Back through `maxPool2d`: each window's gradient goes to the window's maximum, the first
    /// one in row-major window order on ties (as TensorFlow), and sums where windows overlap.
    /// The maxima are found again from `input` and `output` (no index tensor is kept), so
    /// `output` must be `maxPool2d(input)`. Overwrites `inputGradient`.
    ///
    /// `throughReLU`: `input` is a ReLU's output and the gradient continues through that ReLU
    /// (zero where `input <= 0`), so the layer before skips its own ReLU backward pass: one
    /// sweep less over the largest tensor of a CNN step.
    func maxPool2dBackward(input: Tensor, output: Tensor, outputGradient: Tensor, into inputGradient: Tensor,
                           geometry: Pool2DGeometry, throughReLU: Bool) throws

    /// `inputGradient` from the winners a fused forward pass recorded (`conv2dMaxPool`): each
    /// window's gradient at its winner, 0 elsewhere (and nowhere where the winner is -1). Windows
    /// must not overlap (each stride at least the pool size), as where winners are recorded.
    func maxPool2dBackward(winners: Tensor, outputGradient: Tensor, into inputGradient: Tensor,
                           geometry: Pool2DGeometry) throws

    /// `conv2d` then `maxPool2d` of its output, in one pass where the backend has one (the CPU
    /// backend's, for one-channel input and windows that do not overlap, pools each band of rows
    /// while it is still in cache). `pooled` gets the pooling; `pooling` must pool
    /// `convolution`'s output (`[N, OH, OW, O]`). The values are those of the two calls.
    ///
    /// `convolved` gets the convolution with its epilogue, which the backward pass reads, unless
    /// `winners` (int32, `pooled`'s shape) is given and the backend records the winners there
    /// instead: then it returns true, `convolved` is scratch whose contents are unspecified, and
    /// `winners` holds, per window and channel, the position `y * OW + x` in its image plane of
    /// the window's first maximum, or -1 where no gradient flows back (a NaN maximum, or one not
    /// above 0 after a ReLU epilogue). A training step then never stores its largest tensor;
    /// pass `winners` only when nothing reads `convolved` but the backward pass.
    @discardableResult
    func conv2dMaxPool(_ input: Tensor, kernel: Tensor, epilogue: GEMMEpilogue, convolved: Tensor, pooled: Tensor,
                       winners: Tensor?, convolution: Conv2DGeometry, pooling: Pool2DGeometry) throws -> Bool

    /// Back through `conv2dMaxPool`, from `pooledGradient` = dL/d(pooled): overwrites
    /// `kernelGradient`, `biasGradient` (`O` values) and `inputGradient` (each may be nil to skip
    /// it) with what `maxPool2dBackward`, `conv2dBackward` and `columnSums` give in turn. A fused
    /// pass never stores dL/d(convolved) (the largest tensor of a CNN step); a backend that works
    /// by parts keeps it in `convolvedGradient`, scratch of `convolved`'s size whose contents are
    /// unspecified afterwards. `throughReLU`: the epilogue was a ReLU, taken back through too.
    /// `winners`: the tensor the forward pass recorded winners in (it returned true), whose
    /// entries already say where the gradient goes (`convolved` and `pooled` are then not read);
    /// nil where it returned false, to find them in `convolved` and `pooled`.
    func conv2dMaxPoolBackward(input: Tensor, kernel: Tensor, convolved: Tensor, pooled: Tensor, winners: Tensor?,
                               pooledGradient: Tensor, convolution: Conv2DGeometry, pooling: Pool2DGeometry,
                               throughReLU: Bool, kernelGradient: Tensor?, biasGradient: Tensor?, inputGradient: Tensor?,
                               convolvedGradient: Tensor) throws

    // MARK: Dropout

    /// An inverted-dropout mask: each value is `1 / (1 - rate)` (kept) or 0 (dropped).
    ///
    /// Value `i` is kept when `uniform(seed, i) >= rate`, `uniform` being a counter-based hash
    /// computed identically on every backend, so the same seed gives the same mask, bit for bit,
    /// on the CPU and on any OpenCL device. Pass a fresh seed per step. `0 <= rate < 1`.
    func dropoutMask(_ mask: Tensor, rate: Float, seed: UInt64) throws

    /// `y = x * mask`, the mask `dropoutMask(rate:seed:)` gives, computed as it is used and never
    /// stored: the same bits as `multiply` by that mask. Back through it with the same call on the
    /// gradient (`dx = dy * mask`, the same seed). `y` may be `x`.
    func dropout(_ x: Tensor, rate: Float, seed: UInt64, into y: Tensor) throws

    /// `c = a * b`, elementwise.
    func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) throws

    // MARK: Losses and metrics (Keras semantics; see `Loss`)

    /// `matches[r] = 1` where the row's largest prediction is at the row's largest target, else 0
    /// (ties go to the first index, as numpy's argmax). Summed with `columnSums`, it counts
    /// correct predictions without reading the batch back.
    func argmaxMatches(predictions: Tensor, targets: Tensor, into matches: Tensor) throws

    /// One loss value per row of `predictions` (probabilities from a softmax).
    func loss(_ loss: Loss, predictions: Tensor, targets: Tensor, perSampleLoss: Tensor) throws
    /// The gradient of the batch-mean loss with respect to the predictions or, when the
    /// predictions are softmax outputs, to the logits before it.
    func lossGradient(_ loss: Loss, predictions: Tensor, targets: Tensor,
                      withRespectTo: LossGradientTarget, into gradient: Tensor) throws

    // MARK: Signatures

    /// `y[n, c] = mean over positions p of x[n, p, c]`: a feature map `[N, ..., C]` (NHWC) reduced
    /// to one value per channel, the default signature of a convolution or pooling layer.
    /// `x` is read as `[N, P, C]` with `P` the product of the middle dimensions.
    func channelMeans(_ x: Tensor, into y: Tensor) throws

    // MARK: Distances (K-means and silhouette)

    /// `norms[i] = sum over j of x[i, j]^2`: the squared Euclidean norm of every row of `x`.
    func rowSquaredNorms(_ x: Tensor, into norms: Tensor) throws

    /// `distances[i, j] = max(0, ||p_i||^2 - 2 p_i . c_j + ||c_j||^2)`, the squared Euclidean
    /// distance of every point (row of `points`, `[n, d]`) to every center (`[m, d]`), written
    /// `[n, m]`. `pointNorms` are the points' `rowSquaredNorms`; the centers' are computed here.
    func squaredDistances(points: Tensor, pointNorms: Tensor, centers: Tensor, into distances: Tensor) throws

    /// Each point's nearest centroid: `assignments[i]` (int32, `[n]`) is the index of the
    /// smallest `||p_i||^2 - 2 p_i . c_j + ||c_j||^2`, the lowest index on ties (as
    /// scikit-learn), and `distances[i]` that value clamped at 0. One GEMM-shaped pass; the
    /// distance matrix is never stored.
    func nearestCentroids(points: Tensor, pointNorms: Tensor, centroids: Tensor,
                          assignments: Tensor, distances: Tensor) throws

    /// One assignment step of Hamerly's bounded Lloyd iteration (Hamerly 2010) for each of
    /// several runs: the assignments of `nearestCentroids`, computing few distances once the
    /// centroids settle.
    ///
    /// Per run (`BoundedAssignmentRun`), each point keeps `upper[i]`, an upper bound on its Euclidean distance to its centroid
    /// `assignments[i]`, and `lower[i]`, a lower bound on its distance to every other centroid.
    /// The centroids moved by `shifts` (`k` distances) since the bounds were made: they are
    /// loosened (`upper += shifts[a]`, `lower -=` the largest shift of another centroid). A
    /// point whose upper bound is at most `max(lower, halfSeparations[a])` (half the distance
    /// from centroid `a` to its nearest other centroid) provably keeps its centroid; otherwise
    /// its distances to every centroid give its nearest (lowest index on ties) and both bounds
    /// exactly (a backend may first recompute the upper bound alone, and stop there if it proves
    /// the centroid). `upper = +infinity`,
    /// `lower = 0` and zero shifts assign every point from scratch, as does an assignment outside
    /// `0..<k`. Updates `assignments` (int32), `upper` and `lower` (`[n]` each) in place. The
    /// bounds come from float32 distances, so labels may differ from `nearestCentroids` where
    /// two centroids tie to rounding.
    ///
    /// Every run is its own clustering of the same points (its own k, centroids and bounds); one
    /// pass serves them all, reading each point's row once while it is in cache. The single-run
    /// form (`centroids:shifts:...`) is one run of this.
    func boundedNearestCentroids(points: Tensor, pointNorms: Tensor, runs: [BoundedAssignmentRun]) throws

    /// `sums[c] =` the sum of the points assigned to cluster `c` (`[k, d]`) and `counts[c]`
    /// their number (float32, exact below 2^24), for `k = counts.count` clusters. Assignments
    /// outside `0..<k` belong to no cluster. Deterministic: no floating-point atomics, so one
    /// input gives the same bits on a backend every time.
    func clusterSums(points: Tensor, assignments: Tensor, into sums: Tensor, counts: Tensor) throws

    /// Writes columns `columnOffset ..< columnOffset + classes` of `memberships` (`[n, T]`):
    /// 1 where `labels[i]` (int32, `[n]`) equals the column's class, else 0. Other columns are
    /// left as they are, so several labelings share one matrix side by side.
    func oneHot(_ labels: Tensor, classes: Int, into memberships: Tensor, columnOffset: Int) throws

    /// `sums[i, t] = sum over j of ||p_i - p_j|| * memberships[j, t]`: for every point, its summed
    /// Euclidean distance to the members of every column of `memberships` (`[n, T]`, 0/1 columns
    /// from `oneHot`, one column per cluster of every labeling), the silhouette's raw material.
    ///
    /// The `n x n` distance matrix is streamed in `blockRows x blockRows` tiles, each computed
    /// once and used for both of its blocks (the matrix is symmetric); a tile's diagonal is
    /// exactly 0. Overwrites `sums` (`[n, T]`). O(n^2 (d + T)) time, O(blockRows^2 + n T) memory.
    func silhouetteSums(points: Tensor, pointNorms: Tensor, memberships: Tensor, into sums: Tensor,
                        blockRows: Int) throws

    /// For each query row (of `queries`, `[m, d]`), its `k` nearest rows of `points` (`[n, d]`) by
    /// Euclidean distance: `indices` (int32, `[m, k]`) and `distances` (float32, `[m, k]`,
    /// Euclidean, not squared), ascending, ties to the lower index. Squared distances are
    /// `||q||^2 - 2 q . p + ||p||^2` clamped at 0 (the formula of `nearestCentroids`), compared
    /// after the clamp, so points whose value rounds below 0 all tie at 0, in index order. A
    /// query's copies come out at about the square root of that rounding (1e-3 for norms near
    /// 30), not exactly 0. UMAP's k-nearest-neighbour graph and trustworthiness are built on it.
    ///
    /// When `selfOffset` is given, the queries are rows `selfOffset ..< selfOffset + m` of `points`
    /// and each query's own row is left out (its duplicates are not); nil leaves nothing out, so
    /// queries that are blocks of the points can be run block by block. `queryNorms` / `pointNorms`
    /// are the `rowSquaredNorms` of each; from the same norms the two backends compute the same
    /// float32 squared distances (one chain of FMAs per dot product, dimensions in order) and so
    /// the same neighbours, to the bit on the indices; the square roots may differ in rounding.
    /// A slot that no finite distance fills (NaN or infinite inputs) holds index -1 and +infinity.
    ///
    /// The points are streamed in tiles: never an `n x n` matrix, O(m k + tile) memory,
    /// O(m n d) time. `indices` and `distances` must not share storage with the inputs.
    /// - Throws: `EngineError` (as `OperandChecks.kNearest`) when `k < 1`, `k > 64` (the lists live
    ///   in a work-item's private memory on a device), or `k` exceeds the rows available (`n`, or
    ///   `n - 1` with self left out); when `selfOffset ..< selfOffset + m` is not within the points;
    ///   on a shape or element-type mismatch.
    func kNearest(queries: Tensor, queryNorms: Tensor, points: Tensor, pointNorms: Tensor, k: Int,
                  selfOffset: Int?, indices: Tensor, distances: Tensor) throws

    // MARK: Optimizers (Keras semantics)

    /// One SGD step: `v = momentum * v - lr * g`; `w += v` (Nesterov: `w += momentum * v - lr * g`).
    func sgdStep(parameters: Tensor, gradients: Tensor, velocity: Tensor, hyperparameters: SGDHyperparameters) throws
    /// One Adam step number `step` (from 1), Keras style: epsilon is added to `sqrt(v)` and only
    /// the learning rate carries the bias correction.
    func adamStep(parameters: Tensor, gradients: Tensor, firstMoment: Tensor, secondMoment: Tensor,
                  hyperparameters: AdamHyperparameters, step: Int) throws
}

extension Backend {
    /// A zero-filled float32 tensor.
    public func zeros(_ shape: [Int]) throws -> Tensor { try zeros(shape, elementType: .float32) }

    /// `boundedNearestCentroids` for one run.
    public func boundedNearestCentroids(points: Tensor, pointNorms: Tensor, centroids: Tensor, shifts: [Float],
                                        halfSeparations: [Float], assignments: Tensor, upper: Tensor, lower: Tensor) throws {
        try boundedNearestCentroids(points: points, pointNorms: pointNorms, runs: [
            BoundedAssignmentRun(centroids: centroids, shifts: shifts, halfSeparations: halfSeparations,
                                 assignments: assignments, upper: upper, lower: lower),
        ])
    }

    /// The max-pooling gradient with respect to its own input (no ReLU fused).
    public func maxPool2dBackward(input: Tensor, output: Tensor, outputGradient: Tensor, into inputGradient: Tensor,
                                  geometry: Pool2DGeometry) throws {
        try maxPool2dBackward(input: input, output: output, outputGradient: outputGradient, into: inputGradient,
                              geometry: geometry, throughReLU: false)
    }

    /// `y = max(x, 0)`.
    public func relu(_ x: Tensor, into y: Tensor) throws { try activate(.relu, x, into: y) }

    /// `inputGradient = outputGradient` where `output > 0`, else 0 (`output` is the ReLU output).
    public func reluBackward(outputGradient: Tensor, output: Tensor, into inputGradient: Tensor) throws {
        try activationBackward(.relu, outputGradient: outputGradient, output: output, into: inputGradient)
    }
}

/// The elementwise activation functions.
public enum ActivationFunction: String, Sendable, Codable, CaseIterable {
    case relu
    case tanh
    case sigmoid
}

/// Which implementation a backend is.
public enum BackendKind: String, Sendable, Codable {
    case cpu
    case opencl
}

/// What a GEMM does to its result before storing it.
public struct GEMMEpilogue {
    /// Added to every row of the result (one value per column), when present.
    public var bias: Tensor?
    /// Applied after the bias; nil for none. ReLU is fused into the product's store; tanh and
    /// sigmoid run as one elementwise pass over the result.
    public var activation: ActivationFunction?

    public init(bias: Tensor? = nil, activation: ActivationFunction? = nil) {
        self.bias = bias
        self.activation = activation
    }

    /// Store `alpha * op(a) * op(b) + beta * c` unchanged.
    public static var none: GEMMEpilogue { GEMMEpilogue() }
}

/// The losses, computed as Keras computes them.
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// `categorical_crossentropy`: predictions are renormalised to sum 1 per row and clipped to
    /// `[1e-7, 1 - 1e-7]`; per sample `-sum(y * log(p))`.
    case categoricalCrossEntropy = "ce"
    /// `mean_squared_error`: per sample `mean over classes of (p - y)^2`.
    case meanSquaredError = "mse"

    /// Keras's `epsilon()`, the clip bound of cross-entropy.
    public static let epsilon: Float = 1e-7
}

/// What a loss gradient is taken with respect to.
public enum LossGradientTarget: Sendable, Equatable {
    /// The predictions themselves.
    case predictions
    /// The logits of the softmax that made the predictions; fuses the softmax backward pass
    /// (for cross-entropy this is `(p - y) / batch`, as Keras computes it from logits).
    case logits
}

/// SGD settings; Keras defaults.
public struct SGDHyperparameters: Sendable, Equatable, Codable {
    public var learningRate: Float = 0.01
    public var momentum: Float = 0
    public var nesterov: Bool = false

    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
    }
}

/// Adam settings; Keras defaults (epsilon 1e-7, not PyTorch's 1e-8).
public struct AdamHyperparameters: Sendable, Equatable, Codable {
    public var learningRate: Float = 0.001
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-7

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// The bias-corrected step size of step `t`: `lr * sqrt(1 - beta2^t) / (1 - beta1^t)`.
    /// Computed in double so that late steps do not lose the correction to rounding.
    public func correctedLearningRate(step t: Int) -> Float {
        let b1 = Double(beta1), b2 = Double(beta2)
        return Float(Double(learningRate) * (1 - pow(b2, Double(t))).squareRoot() / (1 - pow(b1, Double(t))))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
