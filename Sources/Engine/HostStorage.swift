#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float32 memory on the host, 64-byte aligned for vector loads, zero-filled; the CPU backend's
/// storage.
final class HostStorage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// - Throws: `EngineError.outOfMemory` when the system refuses the allocation (Swift's own
    ///   allocator would stop the process instead).
    init(count: Int) throws {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else { throw EngineError.outOfMemory(bytes: bytes) }
        self.count = count
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    deinit { free(pointer) }
}

/// A pointer that may cross into the worker closures of `parallelChunks`.
/// Each worker touches a disjoint range, which is what makes this sound.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    subscript(index: Int) -> T {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}
