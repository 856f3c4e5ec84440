import Dispatch

/// A pointer shared by the workers of one parallel loop, each writing only its own elements.
struct UncheckedPointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>

    init(_ pointer: UnsafeMutablePointer<Element>) {
        self.pointer = pointer
    }
}

/// Runs `body` over `0 ..< count` split into at most `parts` contiguous ranges, in parallel. The
/// ranges depend only on `count` and `parts`, never on the thread count, so that work written
/// per range comes out the same on any machine.
func parallelRanges(_ count: Int, parts: Int = 64, body: @Sendable (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let pieces = min(parts, count)
    DispatchQueue.concurrentPerform(iterations: pieces) { piece in
        body(count * piece / pieces..<count * (piece + 1) / pieces)
    }
}
