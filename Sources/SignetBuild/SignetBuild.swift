/// Which build of Signet is running: the package version, the git commit it was built from, the
/// Swift compiler, and what the engine's loops were compiled for. `signet --version` prints it,
/// and every `result.json`, sweep index and checkpoint records it, so that a result says which
/// build made it.
public struct SignetBuild: Codable, Equatable, Sendable {
    /// The package version (semantic versioning).
    public var version: String
    /// The git commit of the sources (12 hex digits), `+dirty` when tracked files differed from
    /// it, or `unknown` when built outside a git checkout.
    public var commit: String
    /// The Swift compiler that built it, to the patch version.
    public var swift: String
    /// What the engine's host loops were compiled for: `avx2` (x86-64 with AVX2 and FMA, the
    /// release default, with AVX-512 loops where the processor has them) or `portable` (any
    /// processor of the architecture: debug builds, or release with SIGNET_PORTABLE=1).
    public var engine: String
    /// `release` or `debug`.
    public var configuration: String

    public init(version: String, commit: String, swift: String, engine: String, configuration: String) {
        self.version = version
        self.commit = commit
        self.swift = swift
        self.engine = engine
        self.configuration = configuration
    }

    /// The build that is running.
    public static let current = SignetBuild(version: "0.1.0", commit: buildCommit, swift: compilerVersion,
                                            engine: engineTarget, configuration: buildConfiguration)

    /// One line: `signet 0.1.0 (commit 2634886a1b2c), Swift 6.3.1, engine avx2, release`.
    public var line: String {
        "signet \(version) (commit \(commit)), Swift \(swift), engine \(engine), \(configuration)"
    }
}

// SIGNET_AVX2 is defined for release builds tuned for AVX2 (Package.swift's `checksProcessor`).
#if SIGNET_AVX2
private let engineTarget = "avx2"
#else
private let engineTarget = "portable"
#endif

#if DEBUG
private let buildConfiguration = "debug"
#else
private let buildConfiguration = "release"
#endif

// The compiler's version, from the compiler itself (`#if compiler` is the one way a Swift file
// can ask it); newer compilers than listed say "6.4 or later".
#if compiler(>=6.4)
private let compilerVersion = "6.4 or later"
#elseif compiler(>=6.3.2)
private let compilerVersion = "6.3.2"
#elseif compiler(>=6.3.1)
private let compilerVersion = "6.3.1"
#elseif compiler(>=6.3)
private let compilerVersion = "6.3"
#elseif compiler(>=6.2)
private let compilerVersion = "6.2"
#elseif compiler(>=6.1)
private let compilerVersion = "6.1"
#else
private let compilerVersion = "6.0"
#endif
