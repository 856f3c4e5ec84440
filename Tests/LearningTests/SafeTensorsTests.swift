import Foundation
import Learning
import Testing

@Suite("safetensors")
struct SafeTensorsTests {
    let sample = SafeTensors(tensors: ["b": .init(shape: [2], values: [1, -2]),
                                       "a.kernel": .init(shape: [2, 3], values: [0, 1, 2, 3, 4, .pi]),
                                       "empty": .init(shape: [0, 4], values: [])],
                             metadata: ["note": "x"])

    @Test func roundTrips() throws {
        let bytes = try sample.encoded()
        #expect(try SafeTensors(decoding: bytes) == sample)
        // The data starts 8-byte aligned, after a header of the stated length.
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 8 * 4)
    }

    /// Int32 tensors (cluster labels) are written `I32` beside float ones and read back exactly,
    /// negative values and values past float32's 2^24 included.
    @Test func integerTensorsRoundTrip() throws {
        let labels: [Int32] = [0, -1, 16_777_217, Int32.max, Int32.min, 3]
        let mixed = SafeTensors(tensors: ["labels": .init(shape: [2, 3], integers: labels), "x": .init(shape: [1], values: [0.5])])
        let bytes = try mixed.encoded()
        let decoded = try SafeTensors(decoding: bytes)
        #expect(decoded == mixed)
        #expect(decoded.tensors["labels"]?.integers == labels)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: bytes[8..<8 + headerLength]) as! [String: Any]
        #expect((header["labels"] as! [String: Any])["dtype"] as? String == "I32")
        #expect((header["x"] as! [String: Any])["dtype"] as? String == "F32")
    }

    @Test func headerIsTheReferenceLayout() throws {
        let bytes = try sample.encoded()
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: bytes[8..<8 + headerLength]) as! [String: Any]
        let kernel = header["a.kernel"] as! [String: Any]
        #expect(kernel["dtype"] as? String == "F32")
        #expect(kernel["shape"] as? [Int] == [2, 3])
        #expect(kernel["data_offsets"] as? [Int] == [0, 24])
        #expect((header["b"] as! [String: Any])["data_offsets"] as? [Int] == [24, 32])
        #expect(header["__metadata__"] as? [String: String] == ["note": "x"])
    }

    @Test func damagedFilesAreRefused() throws {
        let good = try sample.encoded()
        var cases: [String: Data] = [
            "empty": Data(),
            "truncated": good.prefix(good.count - 3),
            "header only": good.prefix(20),
        ]
        var huge = good
        huge.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        cases["huge header length"] = huge
        func withHeader(_ json: String) -> Data {
            var data = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(Data(json.utf8))
            data.append(Data(count: 16))
            return data
        }
        cases["not json"] = withHeader("{not json")
        cases["wrong dtype"] = withHeader(#"{"t":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#)
        cases["range beyond data"] = withHeader(#"{"t":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#)
        cases["shape and range disagree"] = withHeader(#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#)
        cases["overlap"] = withHeader(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"u":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#)
        cases["negative dimension"] = withHeader(#"{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#)
        cases["shape whose product overflows"] = withHeader(#"{"t":{"dtype":"F32","shape":[2147483647,2147483647,4],"data_offsets":[0,8]}}"#)
        cases["metadata not strings"] = withHeader(#"{"__metadata__":{"a":1}}"#)
        for (name, data) in cases {
            #expect(throws: SafeTensorsError.self, "\(name)") { try SafeTensors(decoding: data) }
        }
    }
}
