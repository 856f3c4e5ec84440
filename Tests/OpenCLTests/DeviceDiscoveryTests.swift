import OpenCL
import Testing

@Suite("OpenCL discovery")
struct DeviceDiscoveryTests {
    @Test func devicesHaveUsableProperties() throws {
        let devices = try Device.all()
        #expect(!devices.isEmpty, "CI installs PoCL; no device means the install step is broken")
        for device in devices {
            #expect(!device.name.isEmpty)
            #expect(device.computeUnits >= 1)
            #expect(device.maxWorkGroupSize >= 1)
            #expect(device.globalMemoryBytes > 0)
            #expect(device.maxAllocationBytes > 0)
            #expect(device.openCLCVersion.hasPrefix("OpenCL C"))
        }
    }

    @Test func platformsListTheirDevices() throws {
        let platforms = try Platform.all()
        let fromPlatforms = try platforms.flatMap { try $0.devices() }
        #expect(fromPlatforms.map(\.name) == (try Device.all()).map(\.name))
    }

    @Test func oversizedBufferIsRefusedWithAMessage() throws {
        let device = try #require(try Device.all().first)
        let context = try Context(device: device)
        #expect(throws: OpenCLError.self) {
            try Buffer<Float>(context: context, count: device.maxAllocationBytes / 4 + 1)
        }
    }
}
