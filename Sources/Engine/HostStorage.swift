#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host memory for `count` values of one element type, 64-byte aligned for vector loads,
/// zero-filled; the CPU backend's storage.
final class HostStorage {
    private let raw: UnsafeMutableRawPointer
    let count: Int
    let elementType: ElementType

    /// - Throws: `EngineError.outOfMemory` when the system refuses the allocation (Swift's own
    ///   allocator would stop the process instead).
    init(count: Int, elementType: ElementType = .float32) throws {
        let values = max(count, 1)
        let bytes = values * 4
        var allocated: UnsafeMutableRawPointer?
        guard posix_memalign(&allocated, 64, bytes) == 0, let allocated else { throw EngineError.outOfMemory(bytes: bytes) }
        raw = allocated
        self.count = count
        self.elementType = elementType
        // Bind the memory to the type it will be read as, once.
        switch elementType {
        case .float32: raw.initializeMemory(as: Float.self, repeating: 0, count: values)
        case .int32: raw.initializeMemory(as: Int32.self, repeating: 0, count: values)
        }
    }

    /// The values of a float32 storage.
    var pointer: UnsafeMutablePointer<Float> {
        precondition(elementType == .float32, "float access to \(elementType) storage")
        return raw.assumingMemoryBound(to: Float.self)
    }

    /// The values of an int32 storage.
    var integers: UnsafeMutablePointer<Int32> {
        precondition(elementType == .int32, "integer access to \(elementType) storage")
        return raw.assumingMemoryBound(to: Int32.self)
    }

    deinit { free(raw) }
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
