/// A way to multiply two matrices: one of the things the benchmarks compare.
public protocol GEMMContender: AnyObject {
    /// A short name for tables: `OpenBLAS`, `CPUBackend`, `OpenCLBackend`, `CLBlast`.
    var name: String { get }
    /// One line: the implementation and the device it runs on.
    var detail: String { get }
    /// Moves `problem`'s inputs to where this contender works on them and allocates C.
    /// Nothing here is timed.
    func prepare(_ problem: SquareGEMM) throws -> any GEMMWorkload
}

/// One problem, ready to multiply again and again.
public protocol GEMMWorkload: AnyObject {
    /// `C = A · B`, complete when this returns (device work included): the timed region.
    func multiply() throws
    /// C, copied to the host. Not timed.
    func result() throws -> [Float]
    /// Called before each run of timed multiplies, untimed: a contender that shares process-wide
    /// state with another (OpenBLAS's thread count) sets it here.
    func beginTiming()
    /// Called after each run of timed multiplies, untimed: puts back what `beginTiming` changed.
    func endTiming()
}

extension GEMMWorkload {
    public func beginTiming() {}
    public func endTiming() {}
}

/// A benchmark could not run: a missing device, a failed library call.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
