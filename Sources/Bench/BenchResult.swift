/// Everything one `signet bench` run measured, as written to `bench.json` and read by the HTML
/// page: the machine, the backends, every case's samples and summary, and how long each part
/// took.
public struct BenchResult: Codable, Equatable, Sendable {
    /// When the run started (ISO 8601).
    public var date: String
    /// The processor, its CPUs, and `OPENBLAS_CORETYPE` (nil when unset) beside the CPU backend's
    /// GEMM figures.
    public var processor: String
    public var cores: Int
    public var openBLASCoreType: String?
    /// The backends compared, in order; the first is the CPU backend when it ran.
    public var backends: [BenchBackendInfo]
    /// Timed runs per case and backend, after the warm-up (fewer where the budget says so).
    public var repeats: Int
    /// The seconds one contender's samples of a case could take before it got fewer of them,
    /// never under three (0: no limit); see `BenchRunner.sampleBudgetSeconds`.
    public var sampleBudgetSeconds: Double
    /// One entry per case and backend.
    public var measurements: [BenchMeasurement]
    /// Seconds each workload took, its setup and warm-ups included, in run order.
    public var parts: [BenchPart]
    /// Seconds the whole run took.
    public var totalSeconds: Double

    public init(date: String, processor: String, cores: Int, openBLASCoreType: String?, backends: [BenchBackendInfo],
                repeats: Int, sampleBudgetSeconds: Double = 0, measurements: [BenchMeasurement], parts: [BenchPart],
                totalSeconds: Double) {
        self.date = date
        self.processor = processor
        self.cores = cores
        self.openBLASCoreType = openBLASCoreType
        self.backends = backends
        self.repeats = repeats
        self.sampleBudgetSeconds = sampleBudgetSeconds
        self.measurements = measurements
        self.parts = parts
        self.totalSeconds = totalSeconds
    }
}

/// One backend of a bench run: its short name in the tables and what the engine says it is.
public struct BenchBackendInfo: Codable, Equatable, Sendable {
    /// `cpu`, or `opencl:N` for device N of `signet devices`.
    public var name: String
    public var description: String

    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// One case on one backend: its samples and their summary.
public struct BenchMeasurement: Codable, Equatable, Sendable {
    public var workload: BenchWorkload
    /// The case, e.g. `GEMM 1024` or `epoch, batch 32`.
    public var name: String
    /// A backend's name (`cpu`, `opencl:N`) or a peer library's (`scikit-learn 1.9.1`).
    public var backend: String
    /// Whether `backend` is a peer library, run in a process of its own and timed by its own clock.
    public var isPeer: Bool
    /// Seconds per run, in the order taken.
    public var samples: [Double]
    public var median: Double
    public var fastest: Double
    public var slowest: Double
    /// Floating-point operations per run, where the case has a count (products and convolutions),
    /// and the rate at the median.
    public var flops: Double?
    public var gflops: Double?
    /// The other processes' median share of all CPUs while the samples ran (0 ... 1).
    public var otherLoad: Double
    /// The CPU backend's median over this one's (above 1: faster than the CPU backend; for a
    /// peer, below 1: slower than Signet's CPU backend); nil when the CPU backend did not run
    /// the case.
    public var speedUpOverCPU: Double?

    public init(workload: BenchWorkload, name: String, backend: String, isPeer: Bool = false, samples: [Double], flops: Double?,
                otherLoad: Double, speedUpOverCPU: Double? = nil) {
        self.workload = workload
        self.name = name
        self.backend = backend
        self.isPeer = isPeer
        self.samples = samples
        let sorted = samples.sorted()
        let median = sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        self.median = median
        fastest = sorted.first ?? 0
        slowest = sorted.last ?? 0
        self.flops = flops
        gflops = flops.map { median > 0 ? $0 / median / 1e9 : 0 }
        self.otherLoad = otherLoad
        self.speedUpOverCPU = speedUpOverCPU
    }
}

/// How long one workload took, setup (data, signatures, uploads) and warm-ups included.
public struct BenchPart: Codable, Equatable, Sendable {
    public var workload: BenchWorkload
    public var seconds: Double

    public init(workload: BenchWorkload, seconds: Double) {
        self.workload = workload
        self.seconds = seconds
    }
}
