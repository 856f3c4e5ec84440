@testable import Engine
import Testing

/// The backends' scratch blocks (convolution patches, distance tiles) take a size computed from
/// a layer or a data shape: one no tensor can hold is refused with an error, on the host and on
/// a device alike, where `rows * columns` used to trap on the device's side.
@Suite("scratch matrices")
struct ScratchMatrixTests {
    @Test(arguments: [(Int.max, 2), (-1, 3), (1 << 40, 1 << 40), (3, Int.min)] as [(Int, Int)])
    func sizesNoTensorHoldsAreRefused(_ size: (rows: Int, columns: Int)) throws {
        let owner = ObjectIdentifier(ScratchMatrixTests.self)
        let host = HostScratch(), device = DeviceScratch(context: try TestBackends.openCL().context)
        #expect(throws: EngineError.self, "host \(size)") { try host.matrix(rows: size.rows, columns: size.columns, owner: owner) }
        #expect(throws: EngineError.self, "device \(size)") { try device.matrix(rows: size.rows, columns: size.columns, owner: owner) }
        // Both still give a good size after refusing a bad one.
        #expect(try host.matrix(rows: 3, columns: 5, owner: owner).shape == [3, 5])
        #expect(try device.matrix(rows: 3, columns: 5, owner: owner).shape == [3, 5])
    }
}
