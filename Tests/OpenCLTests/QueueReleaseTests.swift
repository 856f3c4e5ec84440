import COpenCL
import OpenCL
import Testing

/// What a command queue says when the work still queued at its release fails: the queue's
/// deinit has no caller to throw to, and once dropped that error left no trace.
@Suite("Queue release")
struct QueueReleaseTests {
    @Test func aFailedReleaseNamesTheDeviceTheErrorAndTheLoss() {
        let line = CommandQueue.releaseWarning(status: CL_OUT_OF_RESOURCES, device: "NVIDIA H200")
        #expect(line.hasPrefix("warning: "))
        #expect(line.contains("NVIDIA H200") && line.contains("CL_OUT_OF_RESOURCES") && line.contains("clFinish"))
        #expect(line.contains("were lost"))
        #expect(!line.contains("\n"), "one line")
    }
}
