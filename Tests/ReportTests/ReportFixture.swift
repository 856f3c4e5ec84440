import Datasets
import Engine
import Foundation
import Learning
import SharedTestData
@testable import Report
@testable import Signatures

/// One small real study (MNIST 1 and 7, 150 images each, 3s inserted: at most 450 images per
/// view), run once per test process, and its report written to a temporary folder.
enum ReportFixture {
    struct Written {
        let folder: URL
        let page: URL
        let result: StudyResult
        /// The kept images' raw signatures, per studied layer.
        let signatures: [SignatureMatrix]
    }

    /// A store that reads only the shared data and never downloads.
    static func store() -> DatasetStore { SharedTestData.store() }

    static let configuration = StudyConfiguration(
        data: DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: [1, 7], perClass: 150)),
        model: .train(model: .multilayerPerceptron(inputs: 784, hidden: [8, 4], classes: 2), training: TrainingConfiguration(epochs: 3, batchSize: 12)),
        kRange: 2...4, restarts: 2, anomalies: [3],
        umap: UMAPConfiguration(neighbors: 10, minDist: 0.1, epochs: 60, seed: 0))

    private static let made: Result<Written, Error> = Result {
        let outcome = try Study(configuration, store: store()).run(on: CPUBackend())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signet-report-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // As `signet study` does: the study's files, then the report beside them.
        try StudyFiles.write(outcome, to: folder)
        let page = try Report.writeStudy(outcome.result, to: folder, store: store())
        return Written(folder: folder, page: page, result: outcome.result, signatures: outcome.signatures)
    }

    static func written() throws -> Written { try made.get() }
}
