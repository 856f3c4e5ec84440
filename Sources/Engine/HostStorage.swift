/// Float32 memory on the host, 64-byte aligned for vector loads; the CPU backend's storage.
final class HostStorage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
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
