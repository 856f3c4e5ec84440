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
            // The default kernel parameters: no stored tuning of this machine changes the tests.
            return try OpenCLBackend(device: device, tuning: .defaults(for: device))
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

/// Compares every parameter's gradient (left by the last backward pass) with central differences
/// of `loss`, calling `report` for each value out of tolerance `2e-3 + 2e-2 * |numeric|`.
func checkGradientsByFiniteDifferences(_ model: Sequential, step h: Float, loss: () throws -> Double,
                                       report: (String, Int, Float, Double) -> Void) throws {
    let backend = model.backend
    for parameter in model.parameters {
        let analytic = try backend.read(parameter.gradient)
        var values = try backend.read(parameter.value)
        for i in values.indices {
            let original = values[i]
            values[i] = original + h
            try backend.write(values, to: parameter.value)
            let plus = try loss()
            values[i] = original - h
            try backend.write(values, to: parameter.value)
            let minus = try loss()
            values[i] = original
            try backend.write(values, to: parameter.value)
            let numeric = (plus - minus) / (2 * Double(h))
            if abs(Double(analytic[i]) - numeric) > 2e-3 + 2e-2 * abs(numeric) {
                report(parameter.name, i, analytic[i], numeric)
            }
        }
    }
}
