import Engine
import Foundation
import Learning
import OpenCL

enum LearningTestBackends {
    static func make(_ kind: BackendKind) throws -> any Backend {
        switch kind {
        case .cpu: return CPUBackend()
        case .opencl:
            guard let device = try Device.all().first else {
                throw LearningTestError("no OpenCL device: install pocl-opencl-icd")
            }
            return try OpenCLBackend(device: device)
        }
    }
}

struct LearningTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Gaussian blobs: `classes` clusters in `features` dimensions, separable but not trivially.
func blobs(count: Int, features: Int, classes: Int, seed: UInt64, spread: Float = 0.6) -> TrainingData {
    var generator = SeededGenerator(seed: seed)
    let centers = (0..<classes * features).map { _ in generator.nextFloat(in: -2..<2) }
    var x: [Float] = [], y: [Float] = []
    for i in 0..<count {
        let c = i % classes
        for f in 0..<features {
            // Sum of uniforms: a cheap bell shape.
            let noise = (0..<3).reduce(Float(0)) { sum, _ in sum + generator.nextFloat(in: -1..<1) } * spread
            x.append(centers[c * features + f] + noise)
        }
        y += (0..<classes).map { $0 == c ? 1 : 0 }
    }
    return try! TrainingData(features: x, targets: y, featureShape: [features], classes: classes)
}

func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("signet-\(UUID().uuidString)-\(name)")
}
