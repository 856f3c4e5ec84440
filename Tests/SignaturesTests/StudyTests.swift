import Datasets
import Engine
import Foundation
import Learning
import OpenCL
import SharedTestData
@testable import Signatures
import Testing

/// `Study` end to end on real MNIST (found through `SIGNET_DATA`), kept small: 30 images each of
/// 1 and 7, a 784-8-4-2 network trained 3 epochs, k = 2 ... 4, 2 K-means restarts.
@Suite("Study on real MNIST")
struct StudyTests {
    // MARK: Support

    /// A store that reads only the shared data and never downloads.
    static func store() -> DatasetStore { SharedTestData.store() }

    static let spec = ModelSpec.multilayerPerceptron(inputs: 784, hidden: [8, 4], classes: 2)
    static let training = TrainingConfiguration(epochs: 3, batchSize: 12)
    static let data = DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: [1, 7], perClass: 30))

    /// The small study, trained here; change what a test is about.
    static func configuration(anomalies: [Int] = [3], kRange: ClosedRange<Int> = 2...4, layers: [String]? = nil,
                              fixedK: [Int]? = nil, data: DataChoice = data) -> StudyConfiguration {
        StudyConfiguration(data: data, model: .train(model: spec, training: training), layers: layers, kRange: kRange,
                           fixedK: fixedK, restarts: 2, anomalies: anomalies)
    }

    /// A study of the checkpoint at `path`, on the data it was trained on unless told otherwise.
    static func checkpointConfiguration(_ path: URL, data: DataChoice = data, anomalies: [Int] = [3]) -> StudyConfiguration {
        StudyConfiguration(data: data, model: .checkpoint(path: path.path), kRange: 2...4, restarts: 2, anomalies: anomalies)
    }

    static func run(_ configuration: StudyConfiguration, on backend: any Backend = CPUBackend()) throws -> StudyOutcome {
        try Study(configuration, store: store()).run(on: backend)
    }

    /// The result with every time set to 0: what must be equal from run to run.
    static func timeless(_ result: StudyResult) -> StudyResult {
        var result = result
        func zeroed(_ phases: [PhaseTime]) -> [PhaseTime] { phases.map { PhaseTime(phase: $0.phase, seconds: 0) } }
        result.phases = zeroed(result.phases)
        for index in result.runs.indices {
            result.runs[index].phases = zeroed(result.runs[index].phases)
            result.runs[index].model.history = result.runs[index].model.history.map { record in
                var record = record
                record.seconds = 0
                return record
            }
        }
        return result
    }

    /// A folder of its own under the temporary directory, removed with the value.
    final class Folder {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("signet-study-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// Trains the small network on 1 and 7 (30 each) and writes its checkpoint into `folder`.
    static func writeCheckpoint(in folder: Folder) throws -> URL {
        let backend = CPUBackend()
        var generator = SeededGenerator(seed: 5)
        let model = try Sequential(spec: spec, backend: backend, generator: &generator)
        var settings = training
        settings.seed = 5
        let trainer = try Trainer(model: model, configuration: settings, generator: generator)
        let examples = try data.trainingExamples(from: store())
        try trainer.fit(examples.trainingData(shape: spec.inputShape))
        let url = folder.url.appendingPathComponent("model.safetensors")
        try Checkpoint(trainer: trainer, data: data).write(to: url)
        return url
    }

    /// Notes every call, to show that a refused study did nothing.
    final class Recorder: StudyObserver {
        var events: [String] = []
        func runStarted(_ run: Int, of runs: Int, seed: UInt64) { events.append("run \(run)") }
        func phaseStarted(_ description: String) { events.append(description) }
        func modelTrained(_ trainer: Trainer, seed: UInt64) throws { events.append("trained") }
    }

    /// The message of an `invalidArgument`, else a description of what was thrown instead.
    static func refusal(_ configuration: StudyConfiguration) -> String? {
        do {
            _ = try Study(configuration, store: store())
            return nil
        } catch let SignaturesError.invalidArgument(message) {
            return message
        } catch {
            return "not invalidArgument: \(error)"
        }
    }

    static var openCLAvailable: Bool { ((try? Device.all()) ?? []).isEmpty == false }

    // MARK: (a) one run

    @Test func oneRunGivesACoherentResult() throws {
        let outcome = try Self.run(Self.configuration())
        let result = outcome.result
        #expect(result.schema == StudyResult.currentSchema)
        #expect(result.backend.kind == "cpu")
        #expect(result.classNames == ["1": "1", "3": "3", "7": "7"])
        #expect(result.runs.count == 1)
        let run = try #require(result.runs.first)
        #expect(run.seed == 1)
        #expect(run.layers == ["hidden_1", "hidden_2"])
        #expect(run.model.history.count == 3)
        #expect(run.model.test.count == 2163, "every MNIST test 1 and 7")
        #expect(run.model.test.labels == [1, 7])

        let analysis = run.analysis
        #expect(analysis.name == "analysis")
        #expect(analysis.anomalies.isEmpty)
        #expect(analysis.images.count == 60)
        #expect(analysis.images.filter { $0.label == 1 }.count == 30)
        #expect(analysis.images.filter { $0.label == 7 }.count == 30)
        #expect(analysis.images.allSatisfy { $0.split == .train && $0.clusters.count == 2 && [1, 7].contains($0.prediction) })
        #expect(Set(analysis.images.map(\.index)).count == 60, "60 distinct training images")
        #expect(analysis.layers.map(\.layer) == ["hidden_1", "hidden_2"])
        #expect(analysis.layers.map(\.width) == [8, 4])
        for (position, layer) in analysis.layers.enumerated() {
            #expect((2...4).contains(layer.k), "\(layer.layer): k \(layer.k)")
            #expect(!layer.kFixed)
            #expect(layer.candidates.map(\.k) == [2, 3, 4])
            let scored = layer.candidates.compactMap { candidate in candidate.silhouette.map { (candidate.k, $0) } }
            let best = try #require(scored.max { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) })
            #expect(layer.k == best.0, "\(layer.layer): the candidate of highest silhouette (\(layer.candidates))")
            #expect(layer.silhouette == best.1)
            #expect(layer.clusters.count == layer.k)
            #expect(layer.clusters.map(\.size).reduce(0, +) == 60)
            #expect(analysis.images.allSatisfy { (0..<layer.k).contains($0.clusters[position]) })
            #expect((0...1).contains(layer.purity))
            #expect(layer.concentration.map(\.label) == [1, 7])
        }
        #expect(analysis.paths.stages == ["label", "hidden_1", "hidden_2", "prediction"])
        #expect(analysis.paths.flows.allSatisfy { $0.map(\.count).reduce(0, +) == 60 })
        #expect(analysis.routes.isEmpty)

        #expect(run.inserted.count == 1)
        let inserted = try #require(run.inserted.first)
        #expect(inserted.name == "with 3")
        #expect(inserted.anomalies == [3])
        #expect(inserted.images.count == 90)
        #expect(Array(inserted.images.prefix(60)).map(\.label) == analysis.images.map(\.label), "the analysis set first")
        #expect(inserted.images.suffix(30).allSatisfy { $0.label == 3 && $0.split == .train })
        #expect(inserted.paths.notable.allSatisfy { $0.label != 3 }, "anomaly images are routed, not notable")
        let route = try #require(inserted.routes.first)
        #expect(inserted.routes.count == 1)
        #expect(route.label == 3)
        #expect(route.count == 30)
        #expect(route.layers.map(\.layer) == ["hidden_1", "hidden_2"])
        for layer in route.layers {
            #expect(abs(layer.byMajority.map(\.share).reduce(0, +) - 1) < 1e-9, "\(layer.layer): \(layer.byMajority)")
            #expect(layer.byMajority.map(\.count).reduce(0, +) == 30)
        }
        #expect(route.predictions.map(\.count).reduce(0, +) == 30)

        let placed = try #require(run.placed)
        #expect(placed.keptCount == 2163)
        #expect(placed.anomalies.map(\.label) == [3])
        let threes = try #require(placed.anomalies.first)
        #expect(threes.count == 1010, "every MNIST test 3")
        #expect((0...1).contains(threes.auc))
        #expect((0...1).contains(threes.unseenPathShare))

        #expect(result.figure("placed/3/auc")?.mean == threes.auc)
        #expect(result.figure("analysis/hidden_1/k")?.values == [Double(analysis.layers[0].k)])
        #expect(result.phases.map(\.phase).starts(with: ["training", "signatures"]))
        #expect(result.phases.contains { $0.phase == "placed anomalies" })

        #expect(outcome.signatures.map(\.layer) == ["hidden_1", "hidden_2"])
        #expect(outcome.signatures.map(\.rows) == [60, 60])
        #expect(outcome.signatures.map(\.width) == [8, 4])
        #expect(outcome.signatures.allSatisfy { $0.values.allSatisfy { $0 >= 0 } }, "post-ReLU signatures")
    }

    @Test func fixedKAndNamedLayersAreHonoured() throws {
        let outcome = try Self.run(Self.configuration(anomalies: [], layers: ["hidden_2"], fixedK: [3]))
        let analysis = try #require(outcome.result.runs.first?.analysis)
        #expect(analysis.layers.map(\.layer) == ["hidden_2"])
        #expect(analysis.layers.map(\.k) == [3])
        #expect(analysis.layers.allSatisfy { $0.kFixed && $0.candidates.isEmpty })
        #expect(analysis.images.allSatisfy { $0.clusters.count == 1 })
        #expect(outcome.result.runs.first?.inserted.isEmpty == true)
        #expect(outcome.result.runs.first?.placed == nil, "no anomalies: nothing placed")
    }

    /// `SubsetSpecification` takes the classes in any order and classes examples by the sorted
    /// list; a study of [7, 1] is the study of [1, 7].
    @Test func classesInAnyOrderGiveTheSameStudy() throws {
        let sorted = try Self.run(Self.configuration(anomalies: []))
        let reversed = try Self.run(Self.configuration(
            anomalies: [], data: DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: [7, 1], perClass: 30))))
        let a = try #require(sorted.result.runs.first), b = try #require(reversed.result.runs.first)
        #expect(b.analysis.images.map(\.label) == a.analysis.images.map(\.label))
        #expect(b.analysis.images.map(\.prediction) == a.analysis.images.map(\.prediction),
                "prediction = the class of the largest output, whatever order the classes were given in")
        #expect(b.model.test.labels == a.model.test.labels)
        #expect(b.model.test.metrics.accuracy == a.model.test.metrics.accuracy)

        let folder = try Folder()
        let checkpoint = try Self.writeCheckpoint(in: folder)
        let reordered = DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: [7, 1], perClass: 30))
        #expect(Self.refusal(Self.checkpointConfiguration(checkpoint, data: reordered)) == nil,
                "a checkpoint of 1 and 7 fits a study of 7 and 1")
    }

    // MARK: (b) determinism

    @Test func twoRunsAreIdenticalButForTheTimes() throws {
        let configuration = Self.configuration()
        let first = try Self.run(configuration), second = try Self.run(configuration)
        #expect(Self.timeless(first.result) == Self.timeless(second.result))
        #expect(first.signatures.map(\.values) == second.signatures.map(\.values))
        #expect(first.signatures.map(\.mean) == second.signatures.map(\.mean))
    }

    @Test func severalSeedsRetrainAndSpreadEveryFigure() throws {
        var configuration = Self.configuration(anomalies: [])
        configuration.seeds = 2
        configuration.seed = 7
        let result = try Self.run(configuration).result
        #expect(result.runs.map(\.seed) == [7, 8])
        let accuracy = try #require(result.figure("test/accuracy"))
        #expect(accuracy.values == result.runs.map(\.model.test.metrics.accuracy))
        #expect(accuracy.min <= accuracy.mean && accuracy.mean <= accuracy.max)
        #expect(result.spread.allSatisfy { $0.values.count == 2 })
        let training = try #require(result.phases.first { $0.phase == "training" })
        let perRun = result.runs.compactMap { $0.phases.first { $0.phase == "training" }?.seconds }
        #expect(abs(training.seconds - perRun.reduce(0, +)) < 1e-9, "phases summed over runs")
    }

    // MARK: (c) bad input

    @Test func anAnomalyAmongTheKeptDigitsIsRefused() {
        let message = Self.refusal(Self.configuration(anomalies: [7]))
        #expect(message?.contains("anomaly digit 7 is one of the kept classes") == true, "\(message ?? "accepted")")
    }

    @Test func aKAboveThePointsMinusOneIsRefused() {
        let message = Self.refusal(Self.configuration(kRange: 2...100))
        #expect(message?.contains("k = 100 is too large for 60 images") == true, "\(message ?? "accepted")")
        #expect(Self.refusal(Self.configuration(kRange: 2...59)) == nil, "59 = 60 - 1 is the largest k")
        #expect(Self.refusal(Self.configuration(kRange: 2...60))?.contains("too large") == true)
        let fixed = Self.refusal(Self.configuration(fixedK: [3, 60]))
        #expect(fixed?.contains("k = 60 is too large") == true, "\(fixed ?? "accepted")")
    }

    @Test func seedsPastTheLargestSeedAreRefused() {
        var configuration = Self.configuration()
        configuration.seed = UInt64.max
        configuration.seeds = 2
        let message = Self.refusal(configuration)
        #expect(message?.contains("go past the largest seed") == true, "\(message ?? "accepted")")
        configuration.seeds = 1
        #expect(Self.refusal(configuration) == nil, "the largest seed itself is a seed")
    }

    @Test func aKBelowTwoIsRefused() {
        #expect(Self.refusal(Self.configuration(kRange: 1...4))?.contains("k must be at least 2") == true)
        #expect(Self.refusal(Self.configuration(fixedK: [1]))?.contains("k must be at least 2") == true)
    }

    @Test func anUnknownLayerIsRefused() {
        let message = Self.refusal(Self.configuration(layers: ["nope"]))
        #expect(message?.contains("unknown layer 'nope'") == true, "\(message ?? "accepted")")
        #expect(message?.contains("hidden_1, hidden_2") == true, "it lists the layers there are")
        #expect(Self.refusal(Self.configuration(layers: ["output"]))?.contains("unknown layer 'output'") == true,
                "the output is not a hidden layer")
    }

    @Test func threeFixedKsForTwoLayersAreRefused() {
        let message = Self.refusal(Self.configuration(fixedK: [2, 3, 4]))
        #expect(message?.contains("3 values for 2 studied layers") == true, "\(message ?? "accepted")")
        #expect(Self.refusal(Self.configuration(fixedK: [2, 3])) == nil, "one per layer")
        #expect(Self.refusal(Self.configuration(fixedK: [3])) == nil, "one for all")
    }

    @Test func aRefusedStudyTrainsNothing() throws {
        let recorder = Recorder()
        #expect(throws: SignaturesError.self) {
            try Study(Self.configuration(layers: ["nope"]), store: Self.store()).run(on: CPUBackend(), observer: recorder)
        }
        #expect(recorder.events.isEmpty, "refused before the first run: \(recorder.events)")
    }

    @Test func aCheckpointStudiedWithOtherDigitsOrAnotherDatasetIsRefused() throws {
        let folder = try Folder()
        let checkpoint = try Self.writeCheckpoint(in: folder)
        #expect(Self.refusal(Self.checkpointConfiguration(checkpoint)) == nil, "its own data is fine")

        let otherDigits = DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: [2, 3], perClass: 30))
        let digits = Self.refusal(Self.checkpointConfiguration(checkpoint, data: otherDigits, anomalies: []))
        #expect(digits?.contains("was trained on 1, 7, not 2, 3") == true, "\(digits ?? "accepted")")

        let fashion = DataChoice(dataset: .fashionMNIST, subset: SubsetSpecification(classes: [1, 7], perClass: 30))
        let dataset = Self.refusal(Self.checkpointConfiguration(checkpoint, data: fashion))
        #expect(dataset?.contains("was trained on MNIST, not Fashion-MNIST") == true, "\(dataset ?? "accepted")")

        var seeds = Self.checkpointConfiguration(checkpoint)
        seeds.seeds = 2
        #expect(Self.refusal(seeds)?.contains("a checkpoint is one trained model") == true)
    }

    // MARK: (d) files

    @Test func filesRoundTripAndHoldTheSignaturesAndPaths() throws {
        let outcome = try Self.run(Self.configuration())
        let folder = try Folder()
        try StudyFiles.write(outcome, to: folder.url)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(names == ["paths.csv", "result.json", "signatures.safetensors"])

        let read = try StudyFiles.readResult(from: folder.url.appendingPathComponent(StudyFiles.resultName))
        #expect(read == outcome.result)

        let tensors = try SafeTensors(decoding: Data(contentsOf: folder.url.appendingPathComponent(StudyFiles.signaturesName)))
        let hidden1 = try #require(tensors.tensors["hidden_1"])
        #expect(hidden1.shape == [60, 8])
        #expect(hidden1.values == outcome.signatures[0].values)
        #expect(tensors.tensors["hidden_2"]?.shape == [60, 4])
        let mean = try #require(tensors.tensors["hidden_1.mean"])
        #expect(mean.shape == [8])
        #expect(mean.values == outcome.signatures[0].mean?.map(Float.init))
        #expect(tensors.tensors["hidden_1.scale"]?.shape == [8])
        let labels = try #require(tensors.tensors["labels"])
        #expect(labels.shape == [60])
        #expect(labels.integers.map(Int.init) == outcome.result.runs[0].analysis.images.map(\.label))
        #expect(tensors.tensors["index"]?.integers.map(Int.init) == outcome.result.runs[0].analysis.images.map(\.index))
        #expect(tensors.tensors["split"]?.integers.allSatisfy { $0 == 0 } == true, "training images")
        #expect(tensors.metadata["signet.schema"] == "signet.study/1")
        #expect(tensors.metadata["signet.layers"] == "hidden_1,hidden_2")

        let csv = try String(contentsOf: folder.url.appendingPathComponent(StudyFiles.pathsName), encoding: .utf8)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "the file ends in a line break")
        let rows = lines.dropLast()
        #expect(rows.first == "seed,analysis,split,index,label,label_name,hidden_1,hidden_2,prediction,prediction_name")
        #expect(rows.count == 1 + 60 + 90, "a header, then one row per image of 'analysis' and of 'with 3'")
        let fields = rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(fields.allSatisfy { $0.count == 10 })
        #expect(fields.filter { $0[1] == "analysis" }.count == 60)
        #expect(fields.filter { $0[1] == "with 3" }.count == 90)
        let image = outcome.result.runs[0].analysis.images[0]
        let origin: [String] = ["1", "analysis", "train", String(image.index), String(image.label), String(image.label)]
        let clusters: [String] = image.clusters.map { String($0) }
        let prediction: [String] = [String(image.prediction), String(image.prediction)]
        let expected: [String] = origin + clusters + prediction
        #expect(fields[0].map { String($0) } == expected)
    }

    @Test func aResultOfAnotherSchemaIsRefused() throws {
        var result = try Self.run(Self.configuration(anomalies: [])).result
        result.schema = "signet.study/2"
        let folder = try Folder()
        let url = folder.url.appendingPathComponent("result.json")
        try StudyFiles.resultJSON(result).write(to: url)
        #expect(throws: SignaturesError.self) { try StudyFiles.readResult(from: url) }
    }

    // MARK: (e) backends

    @Test(.enabled(if: StudyTests.openCLAvailable, "needs an OpenCL device (PoCL)"))
    func cpuAndOpenCLAgreeOnOneCheckpoint() throws {
        let folder = try Folder()
        let checkpoint = try Self.writeCheckpoint(in: folder)
        let device = try #require(try Device.all().first)
        let configuration = Self.checkpointConfiguration(checkpoint)
        let cpu = try Self.run(configuration, on: CPUBackend()).result
        let openCL = try Self.run(configuration, on: try OpenCLBackend(device: device, tuning: .defaults(for: device))).result
        #expect(openCL.backend.kind == "opencl")
        let pairs = zip([cpu.runs[0].analysis] + cpu.runs[0].inserted, [openCL.runs[0].analysis] + openCL.runs[0].inserted)
        for (onCPU, onOpenCL) in pairs {
            #expect(onCPU.layers.map(\.k) == onOpenCL.layers.map(\.k), "\(onCPU.name): the same k per layer")
            #expect(onCPU.images.map(\.prediction) == onOpenCL.images.map(\.prediction), "\(onCPU.name): the same predictions")
            for position in onCPU.layers.indices {
                let agreement = try ClusterAgreement(labels: onCPU.images.map { $0.clusters[position] },
                                                     clusters: onOpenCL.images.map { $0.clusters[position] })
                #expect(agreement.adjustedRandIndex >= 0.99,
                        "\(onCPU.name) \(onCPU.layers[position].layer): ARI \(agreement.adjustedRandIndex)")
            }
        }
    }
}
