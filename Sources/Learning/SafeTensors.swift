import Engine
import Foundation

/// The safetensors file format (Hugging Face): an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to its dtype, shape and byte range, then the raw data.
///
/// Signet writes float32 tensors (and int32 ones: cluster labels), contiguous in name order, with
/// string metadata under `__metadata__`, so its files load with the Python `safetensors` package. Reading validates
/// everything before trusting it: header size, JSON, dtypes, shapes against byte ranges, ranges
/// inside the data and not overlapping.
public struct SafeTensors: Equatable {
    /// One tensor: its shape and its float32 values (`F32`) or int32 ones (`I32`).
    public struct Entry: Equatable {
        public var shape: [Int]
        /// Which of `values` and `integers` holds the tensor; the other is empty.
        public var elementType: ElementType
        public var values: [Float]
        public var integers: [Int32]

        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            elementType = .float32
            self.values = values
            integers = []
        }

        public init(shape: [Int], integers: [Int32]) {
            self.shape = shape
            elementType = .int32
            values = []
            self.integers = integers
        }

        var count: Int { elementType == .float32 ? values.count : integers.count }
        var dtype: String { elementType == .float32 ? "F32" : "I32" }
    }

    public var tensors: [String: Entry]
    public var metadata: [String: String]

    public init(tensors: [String: Entry] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// A header larger than this is refused as corrupt (ours are a few kilobytes).
    static let maximumHeaderBytes = 100 << 20

    /// The file's bytes.
    public func encoded() throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let entry = tensors[name]!
            guard entry.shape.reduce(1, *) == entry.count else {
                throw SafeTensorsError.invalid("tensor '\(name)' has \(entry.count) values for shape \(entry.shape)")
            }
            let bytes = entry.count * 4
            header[name] = ["dtype": entry.dtype, "shape": entry.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var file = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        for name in names {
            let entry = tensors[name]!
            for value in entry.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { file.append(contentsOf: $0) } }
            for value in entry.integers { withUnsafeBytes(of: value.littleEndian) { file.append(contentsOf: $0) } }
        }
        return file
    }

    /// Parses and validates a file's bytes.
    public init(decoding data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw SafeTensorsError.invalid("file is \(bytes.count) bytes, shorter than its header length") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(Self.maximumHeaderBytes), 8 + Int(headerLength) <= bytes.count else {
            throw SafeTensorsError.invalid("header length \(headerLength) does not fit a file of \(bytes.count) bytes")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) as? [String: Any] else {
            throw SafeTensorsError.invalid("header is not a JSON object")
        }
        let dataLength = bytes.count - headerEnd
        var tensors: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(Int, Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let strings = value as? [String: String] else { throw SafeTensorsError.invalid("__metadata__ must map strings to strings") }
                metadata = strings
                continue
            }
            let (shape, type, begin, end) = try Self.describe(name, value)
            guard let count = checkedElementCount(shape), begin <= end, end <= dataLength, end - begin == count * 4 else {
                throw SafeTensorsError.invalid("tensor '\(name)': byte range \(begin)..<\(end) does not hold shape \(shape) in \(dataLength) data bytes")
            }
            let words = stride(from: headerEnd + begin, to: headerEnd + end, by: 4).map { at in
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            }
            tensors[name] = type == .float32 ? Entry(shape: shape, values: words.map(Float.init(bitPattern:)))
                                             : Entry(shape: shape, integers: words.map { Int32(bitPattern: $0) })
            ranges.append((begin, end))
        }
        ranges.sort { $0.0 < $1.0 }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where next.0 < previous.1 {
            throw SafeTensorsError.invalid("tensors overlap at byte \(next.0)")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func describe(_ name: String, _ value: Any) throws -> (shape: [Int], type: ElementType, begin: Int, end: Int) {
        guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
              let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
            throw SafeTensorsError.invalid("tensor '\(name)' lacks dtype, shape or data_offsets")
        }
        let type: ElementType
        switch dtype {
        case "F32": type = .float32
        case "I32": type = .int32
        default: throw SafeTensorsError.invalid("tensor '\(name)' is \(dtype); Signet reads F32 and I32 only")
        }
        guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }), offsets.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.invalid("tensor '\(name)' has a negative or huge dimension or offset")
        }
        return (shape, type, offsets[0], offsets[1])
    }
}

/// Why a safetensors file was refused.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self {
        case let .invalid(reason): return "not a valid safetensors file: \(reason)"
        }
    }
}
