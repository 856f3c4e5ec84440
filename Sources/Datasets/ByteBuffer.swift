import Glibc

/// A growable block of raw bytes in C memory, for gzip output.
///
/// Decompressed IDX files reach 47 MB; growing them with `realloc` and handing zlib a raw
/// pointer keeps per-byte Swift work (slow in debug builds) out of the decoding loop.
package final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes written so far, from `base`.
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 4096)
        guard let memory = malloc(self.capacity) else { fatalError("out of memory allocating \(self.capacity) bytes") }
        base = memory
    }

    deinit { free(base) }

    /// Makes room for at least `extra` more bytes after `count`, doubling to keep growth linear.
    func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity
        while newCapacity < count + extra { newCapacity *= 2 }
        guard let memory = realloc(base, newCapacity) else { fatalError("out of memory allocating \(newCapacity) bytes") }
        base = memory
        capacity = newCapacity
    }

    /// Where the next byte goes.
    var end: UnsafeMutableRawPointer { base + count }

    /// Room left before the next `reserve`.
    var spare: Int { capacity - count }

    /// Calls `body` with the bytes written so far.
    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
