import Datasets
import Engine
import Learning

/// The activation-signature study, from a configuration to one result: train (or read) a model,
/// record every studied layer's signature of every analysis image, cluster each layer with k chosen
/// by silhouette, follow each image's path label -> clusters -> prediction, insert and place
/// anomalies, and repeat over seeds.
///
/// On one backend, one configuration gives one result, bit for bit, but for the times.
public struct Study {
    public let configuration: StudyConfiguration
    /// The data loaded and cut, the model's layers known, the checkpoint read.
    private let plan: StudyPlan

    /// Checks the configuration against the data and the model, loading both but training
    /// nothing: a study that would be refused is refused here, before any work.
    /// - Throws: `SignaturesError.invalidArgument` naming the problem (k out of range, an anomaly
    ///   among the kept classes, an unknown layer, a checkpoint of other classes or data);
    ///   `DatasetError` and `LearningError` when files cannot be read.
    public init(_ configuration: StudyConfiguration, store: DatasetStore) throws {
        self.configuration = configuration
        plan = try StudyPlan(configuration, store: store)
    }

    /// Runs the study on `backend`: every seed, every analysis.
    /// - Parameter journal: where the study records what it finishes as it goes, and what it
    ///   takes up again: a seed whose run is recorded is not run again, one whose model is
    ///   recorded is not trained again, and a layer's clustering or map recorded in an analysis
    ///   is not made again (`StudyJournal`). Nil: nothing is recorded.
    /// - Throws: engine errors, and `SignaturesError.insufficientData` when a layer's signatures
    ///   are all alike; `.invalidArgument` for a journal of another study or backend.
    public func run(on backend: any Backend, observer: (any StudyObserver)? = nil, journal: StudyJournal? = nil) throws -> StudyOutcome {
        if let journal {
            guard journal.header.configuration == configuration else {
                throw SignaturesError.invalidArgument("the journal in \(journal.folder.path) is of another study")
            }
            try journal.check(backend: Self.describe(backend))
        }
        var runs: [StudyRun] = [], signatures: [SignatureMatrix] = []
        for run in 0..<configuration.seeds {
            let seed = configuration.seed &+ UInt64(run)
            observer?.runStarted(run + 1, of: configuration.seeds, seed: seed)
            if let finished = journal?.finishedRun(run) {
                try observer?.phaseStarted("seed \(seed): finished before, read from the journal")
                runs.append(finished.record)
                if run == 0 { signatures = finished.signatures }
                continue
            }
            let runner = StudyRunner(plan: plan, backend: backend, seed: seed, observer: observer, journal: journal, position: run)
            let (record, exported) = try runner.run()
            try journal?.recordRun(record, signatures: run == 0 ? exported : nil, run: run)
            runs.append(record)
            if run == 0 { signatures = exported }
        }
        let labels = Set(configuration.classes + configuration.anomalies).sorted()
        let names = Dictionary(uniqueKeysWithValues: labels.map { (String($0), configuration.data.dataset.className($0)) })
        let result = StudyResult(configuration: configuration, backend: Self.describe(backend), classNames: names,
                                 runs: runs, phases: PhaseTime.summed(runs.map(\.phases)))
        return StudyOutcome(result: result, signatures: signatures)
    }

    /// The backend and the parameters that shape its numbers.
    static func describe(_ backend: any Backend) -> BackendDescription {
        var parameters = ["silhouette block rows": String(Silhouette().blockRows)]
        if let opencl = backend as? OpenCLBackend {
            parameters["gemm"] = "\(opencl.gemmVariant)"
            // A tuned device may choose other GEMM kernels per shape, which round differently.
            parameters["kernel tuning"] = opencl.tuning.originText
        }
        return BackendDescription(kind: backend.kind.rawValue, description: backend.description, parameters: parameters)
    }
}

/// One run of a study: one seed, one model, its analyses.
private struct StudyRunner {
    let plan: StudyPlan
    let backend: any Backend
    let seed: UInt64
    let observer: (any StudyObserver)?
    let journal: StudyJournal?
    /// Which run of the study this is, from 0.
    let position: Int

    private var configuration: StudyConfiguration { plan.configuration }
    private var classes: [Int] { configuration.classes }

    func run() throws -> (StudyRun, [SignatureMatrix]) {
        var phases: [PhaseTime] = []
        var clock = ContinuousClock.now
        let (trainer, model) = try trainedModel()
        phases.append(PhaseTime(phase: plan.checkpoint == nil ? "training" : "checkpoint", seconds: clock.secondsSince()))

        try observer?.phaseStarted("signatures of \(plan.analysisSet.count) images")
        clock = ContinuousClock.now
        let (signatures, predictions) = try signaturesAndPredictions(of: plan.analysisSet, trainer.model)
        var inserted: [Int: ([LayerValues], [Int])] = [:]
        for (label, images) in plan.inserted { inserted[label] = try signaturesAndPredictions(of: images, trainer.model) }
        phases.append(PhaseTime(phase: "signatures", seconds: clock.secondsSince()))

        let builder = AnalysisBuilder(configuration: configuration, backend: backend, seed: seed)
        let base = try builder.analyze(name: "analysis", anomalies: [], images: plan.analysisSet, signatures: signatures,
                                       predictions: predictions, observer: observer,
                                       journal: journal?.analysis(0, run: position))
        phases += base.phases

        clock = ContinuousClock.now
        var insertedAnalyses: [Analysis] = []
        for (index, group) in plan.insertionGroups.enumerated() {
            var images = plan.analysisSet, values = signatures, predicted = predictions
            for label in group {
                images.append(plan.inserted[label]!)
                let (extra, extraPredictions) = inserted[label]!
                values = zip(values, extra).map { $0.appending($1) }
                predicted += extraPredictions
            }
            let name = "with " + group.map(String.init).joined(separator: ", ")
            insertedAnalyses.append(try builder.analyze(name: name, anomalies: group, images: images, signatures: values,
                                                        predictions: predicted, observer: observer,
                                                        journal: journal?.analysis(index + 1, run: position)).analysis)
        }
        if !insertedAnalyses.isEmpty { phases.append(PhaseTime(phase: "inserted anomalies", seconds: clock.secondsSince())) }

        clock = ContinuousClock.now
        var placed: PlacedAnomalies?
        if !plan.placed.isEmpty {
            try observer?.phaseStarted("placing test images into the clusters")
            placed = try place(base, model: trainer.model)
            phases.append(PhaseTime(phase: "placed anomalies", seconds: clock.secondsSince()))
        }
        let exported = zip(signatures, base.models).map { values, layer in
            SignatureMatrix(layer: values.layer, rows: values.rows, width: values.width, values: values.values,
                            mean: layer.standardization?.mean, scale: layer.standardization?.scale)
        }
        let record = StudyRun(seed: seed, model: model, layers: plan.layers, analysis: base.analysis,
                              inserted: insertedAnalyses, placed: placed, phases: phases)
        return (record, exported)
    }

    /// The model of this run: trained from the seed, or read from the checkpoint; with its test metrics.
    private func trainedModel() throws -> (Trainer, TrainedModel) {
        let trainer: Trainer
        let path: String?
        let shape = plan.spec.inputShape
        if let checkpoint = plan.checkpoint, case let .checkpoint(location) = configuration.model {
            try observer?.phaseStarted("reading the model from \(location)")
            trainer = try checkpoint.makeTrainer(on: backend, path: location)
            path = location
        } else if let trained = journal?.trainedModel(run: position) {
            // Trained before the study was stopped: the same weights, history and settings.
            try observer?.phaseStarted("reading the model of seed \(seed), trained before, from the journal")
            trainer = try trained.makeTrainer(on: backend)
            try observer?.modelTrained(trainer, seed: seed)
            path = nil
        } else if case let .train(spec, settings) = configuration.model {
            var training = settings
            training.seed = seed
            var generator = SeededGenerator(seed: seed)
            let model = try Sequential(spec: spec, backend: backend, generator: &generator)
            trainer = try Trainer(model: model, configuration: training, generator: generator)
            var data = try plan.training.trainingData(shape: shape), validation: TrainingData?
            if let split = training.validationSplit {
                (data, validation) = try data.splitLast(split)
            } else if configuration.data.validateOnTest {
                validation = try plan.test.trainingData(shape: shape)
            }
            try observer?.phaseStarted("training on \(data.count) images, seed \(seed)")
            try trainer.fit(data, validation: validation, observer: observer?.trainingObserver)
            try journal?.recordModel(trainer, run: position)
            try observer?.modelTrained(trainer, seed: seed)
            path = nil
        } else {
            preconditionFailure("a checkpoint study has a checkpoint")
        }
        let test = try TestResult(trainer: trainer, data: plan.test.trainingData(shape: shape, classes: classes), labels: classes)
        return (trainer, TrainedModel(spec: trainer.model.spec, training: trainer.configuration, history: trainer.history,
                                      test: test, checkpoint: path))
    }

    /// Each studied layer's signatures of `images` and the model's predictions (labels), in one pass.
    private func signaturesAndPredictions(of images: ImageSet, _ model: Sequential) throws -> ([LayerValues], [Int]) {
        let outputs = try model.activations(of: plan.layers + [plan.outputLayer], for: images.features)
        let n = images.count
        let layers = plan.layers.map { name in
            let values = outputs[name]!
            return LayerValues(layer: name, rows: n, width: n == 0 ? 0 : values.count / n, values: values)
        }
        let predictions = ClassificationMetrics.argmax(outputs[plan.outputLayer]!, classes: classes.count).map { classes[$0] }
        return (layers, predictions)
    }

    /// Places every test image of the kept and anomaly classes into the clusters of `base`, and
    /// scores each anomaly class by the rarity of its paths.
    private func place(_ base: AnalysisBuilder.Outcome, model: Sequential) throws -> PlacedAnomalies {
        let rarity = try PathRarity(analysisPaths: base.analysis.images.map(\.clusters))
        let keptScores = try rarity.scores(paths(of: ImageSet(plan.test), base, model))
        var anomalies: [PlacedAnomaly] = []
        for label in configuration.anomalies {
            let placedPaths = try paths(of: plan.placed[label]!, base, model)
            let scores = try rarity.scores(placedPaths)
            let auc = try rocAUC(scores: scores + keptScores,
                                 positive: Array(repeating: true, count: scores.count) + Array(repeating: false, count: keptScores.count))
            let unseen = placedPaths.filter { rarity.occurrences(of: $0) == 0 }.count
            anomalies.append(PlacedAnomaly(label: label, count: scores.count, meanScore: Self.mean(scores), auc: auc,
                                           unseenPathShare: Double(unseen) / Double(max(scores.count, 1))))
        }
        return PlacedAnomalies(keptCount: keptScores.count, keptMeanScore: Self.mean(keptScores), anomalies: anomalies)
    }

    /// The paths of `images` through the clusters of `base`: per layer, standardized as the
    /// analysis set was, then its nearest centroid.
    private func paths(of images: ImageSet, _ base: AnalysisBuilder.Outcome, _ model: Sequential) throws -> [[Int]] {
        let (signatures, _) = try signaturesAndPredictions(of: images, model)
        var paths = [[Int]](repeating: [], count: images.count)
        for (layer, fitted) in zip(signatures, base.models) {
            let values = try fitted.standardization?.transform(layer.values, rows: layer.rows) ?? layer.values
            let matrix = try PointMatrix(values, rows: layer.rows, columns: layer.width, backend: backend)
            for (i, cluster) in try matrix.nearestCentroids(fitted.centroids, k: fitted.k).enumerated() {
                paths[i].append(Int(cluster))
            }
        }
        return paths
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}
