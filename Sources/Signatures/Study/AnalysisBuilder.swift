import Engine

/// Clusters every studied layer of an image set and reads the paths, compositions and anomaly
/// routes off the clusters: one `Analysis`.
struct AnalysisBuilder {
    let configuration: StudyConfiguration
    let backend: any Backend
    let seed: UInt64

    /// One layer's clustering and what transformed its signatures, kept to place new images.
    struct LayerModel {
        let standardization: Standardization?
        let centroids: [Float]
        let k: Int
        let width: Int
    }

    /// What an analysis leaves besides its record: the per-layer models and the phase times.
    struct Outcome {
        var analysis: Analysis
        var models: [LayerModel]
        var phases: [PhaseTime]
    }

    /// Analyses `images` from their signatures in each studied layer and the model's predictions.
    /// Labels in `anomalies` are inserted anomalies; every other label is a kept class. With
    /// `journal`, each layer's clustering and map is recorded as it is made, and one recorded
    /// before (by a study that was stopped) is read back instead of made again.
    func analyze(name: String, anomalies: [Int], images: ImageSet, signatures: [LayerValues],
                 predictions: [Int], observer: (any StudyObserver)?, journal: StudyJournal.AnalysisRecords? = nil) throws -> Outcome {
        let n = images.count
        var layers: [LayerAnalysis] = [], models: [LayerModel] = [], phases: [PhaseTime] = []
        var clusters = [[Int]](repeating: [], count: n)
        let kept = images.labels.map { !anomalies.contains($0) }
        for (position, layer) in signatures.enumerated() {
            let standardization = configuration.standardize
                ? try Standardization(fitting: layer.values, rows: n, columns: layer.width) : nil
            let values = try standardization?.transform(layer.values, rows: n) ?? layer.values
            let matrix = try PointMatrix(values, rows: n, columns: layer.width, backend: backend)
            let clustering: LayerClustering
            if let recorded = journal?.clustering(layer: position) {
                try observer?.phaseStarted("\(name): \(layer.layer) clustered before, read from the journal")
                clustering = recorded
            } else {
                try observer?.phaseStarted("\(name): clustering \(layer.layer) (\(n) x \(layer.width))")
                // Minutes of K-means and silhouette at full scale: say what runs. Progress within
                // the phase is no safe point (`try?`): a stop waits for the next phase.
                let progress: ((String) -> Void)? = n >= Self.progressRows ? { try? observer?.phaseStarted("\(name): \($0)") } : nil
                clustering = try LayerClustering(matrix, layer: layer.layer, k: fixedK(at: position), kRange: configuration.kRange,
                                                 restarts: configuration.restarts, seed: seed, progress: progress)
                try journal?.record(clustering, layer: position)
            }
            phases += [PhaseTime(phase: "k-means \(layer.layer)", seconds: clustering.kMeansSeconds),
                       PhaseTime(phase: "silhouette \(layer.layer)", seconds: clustering.silhouetteSeconds)]
            var map: LayerMap?
            if let umap = configuration.umap {
                let (made, mapPhases) = try timedMap(matrix, umap, of: layer.layer, at: position, name: name, observer: observer,
                                                     journal: journal)
                map = made
                phases += mapPhases.map { PhaseTime(phase: "\($0.phase) \(layer.layer)", seconds: $0.seconds) }
            }
            let assignments = clustering.chosen.assignments.map(Int.init)
            for i in 0..<n { clusters[i].append(assignments[i]) }
            var described = try describe(layer, clustering, assignments: assignments, labels: images.labels, kept: kept)
            described.map = map
            layers.append(described)
            models.append(LayerModel(standardization: standardization, centroids: clustering.chosen.centroids,
                                     k: clustering.chosen.clusters, width: layer.width))
        }
        let records = (0..<n).map {
            ImageRecord(split: images.splits[$0], index: images.indices[$0], label: images.labels[$0],
                        clusters: clusters[$0], prediction: predictions[$0])
        }
        let separating = layers.first { $0.purity >= PathSummary.separationPurity }?.layer
        let paths = PathSummary(records: records, layers: layers, kept: kept)
        let routes = anomalies.map { AnomalyRoute(label: $0, records: records, layers: layers) }
        var analysis = Analysis(name: name, anomalies: anomalies, images: records, layers: layers,
                                separatingLayer: separating, paths: paths, routes: routes)
        if configuration.umapInput, let umap = configuration.umap {
            let pixels = try PointMatrix(images.features, rows: n, columns: images.features.count / max(n, 1), backend: backend)
            let (map, mapPhases) = try timedMap(pixels, umap, of: "the input", at: nil, name: name, observer: observer, journal: journal)
            analysis.inputMap = map
            phases += mapPhases.map { PhaseTime(phase: "\($0.phase) input", seconds: $0.seconds) }
        }
        return Outcome(analysis: analysis, models: models, phases: phases)
    }

    /// The map of `matrix` (the layer at `position`, or the input for nil) with its phase
    /// times: read back from `journal` if made before, else made and recorded there.
    private func timedMap(_ matrix: PointMatrix, _ umap: UMAPConfiguration, of what: String, at position: Int?, name: String,
                          observer: (any StudyObserver)?, journal: StudyJournal.AnalysisRecords?) throws -> (LayerMap, [PhaseTime]) {
        if let recorded = journal?.map(layer: position) {
            try observer?.phaseStarted("\(name): UMAP of \(what) made before, read from the journal")
            return (recorded.map, recorded.phases)
        }
        try observer?.phaseStarted("\(name): UMAP of \(what)")
        let (map, phases) = try Self.map(matrix, umap, seed: seed)
        try journal?.record(StudyJournal.AnalysisRecords.TimedMap(map: map, phases: phases), layer: position)
        return (map, phases)
    }

    /// The UMAP map of `matrix` and its trustworthiness, with their phase times (`umap ...`).
    static func map(_ matrix: PointMatrix, _ configuration: UMAPConfiguration, seed: UInt64) throws -> (LayerMap, [PhaseTime]) {
        var configuration = configuration
        configuration.seed = seed
        let embedding = try UMAP(configuration).embed(matrix)
        let clock = ContinuousClock.now
        let n = matrix.rows, k = min(LayerMap.trustworthinessNeighbors, (n - 1) / 2)
        let sample = min(n, LayerMap.trustworthinessSampleLimit)
        let trust = k >= 1 ? try Trustworthiness.score(original: matrix.values, dimensions: matrix.columns,
                                                       embedding: embedding.coordinates, embeddingDimensions: 2, neighbors: k,
                                                       sampleSize: sample < n ? sample : nil, seed: seed) : nil
        let phases = embedding.phases.map { PhaseTime(phase: "umap \($0.phase)", seconds: $0.seconds) }
            + [PhaseTime(phase: "trustworthiness", seconds: clock.secondsSince())]
        return (LayerMap(coordinates: embedding.coordinates, trustworthiness: trust, trustworthinessSample: sample,
                         initialization: embedding.initialization), phases)
    }

    /// From this many images on, each K-means and silhouette step is announced to the observer.
    static let progressRows = 10_000

    /// The fixed k of the layer at `position`: one value for all layers, or one per layer.
    private func fixedK(at position: Int) -> Int? {
        guard let fixed = configuration.fixedK else { return nil }
        return fixed.count == 1 ? fixed[0] : fixed[position]
    }

    /// The layer's record: scores, metrics against the labels, and its clusters' make-up.
    private func describe(_ layer: LayerValues, _ clustering: LayerClustering, assignments: [Int], labels: [Int],
                          kept: [Bool]) throws -> LayerAnalysis {
        let agreement = try ClusterAgreement(labels: labels, clusters: assignments)
        let keptLabels = zip(labels, kept).filter(\.1).map(\.0)
        let keptClusters = zip(assignments, kept).filter(\.1).map(\.0)
        let composition = try ClusterComposition(labels: keptLabels, clusters: keptClusters)
        let concentration = composition.labels.indices.map {
            LabelConcentration(label: composition.labels[$0], share: composition.concentration[$0],
                               cluster: composition.dominantCluster[$0])
        }
        var counts = [[Int: Int]](repeating: [:], count: clustering.chosen.clusters)
        for (label, cluster) in zip(labels, assignments) { counts[cluster][label, default: 0] += 1 }
        let keptSet = Set(keptLabels)
        let summaries = counts.enumerated().map { cluster, byLabel in
            let keptCounts = byLabel.filter { keptSet.contains($0.key) }
            // The largest count, the smallest label on a tie.
            let majority = keptCounts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
            return ClusterSummary(cluster: cluster, size: byLabel.values.reduce(0, +),
                                  labels: byLabel.sorted { $0.key < $1.key }.map { LabelCount(label: $0.key, count: $0.value) },
                                  majorityLabel: majority)
        }
        return LayerAnalysis(layer: layer.layer, width: layer.width, candidates: clustering.candidates,
                             k: clustering.chosen.clusters, kFixed: configuration.fixedK != nil,
                             silhouette: clustering.silhouette, inertia: clustering.chosen.inertia,
                             iterations: clustering.chosen.iterations, adjustedRandIndex: agreement.adjustedRandIndex,
                             normalizedMutualInformation: agreement.normalizedMutualInformation,
                             purity: composition.purity, concentration: concentration, clusters: summaries)
    }
}
