import Datasets
import Learning
@testable import Signatures
import Testing

/// The study's bookkeeping on hand-made clusterings: paths and flows, notable images, anomaly
/// routes, and the mean / min / max of every figure over seeds.
@Suite("Study paths, routes and spreads")
struct StudyPathTests {
    /// Two layers, `a` (k = 2) and `b` (k = 4), kept digits 1 and 7, inserted 3s:
    ///
    ///     image  label  a  b  prediction
    ///     0      1      0  0  1
    ///     1      1      0  0  1
    ///     2      1      0  1  1
    ///     3      7      1  2  7
    ///     4      7      1  2  7
    ///     5      7      0  1  1      a 7 in the 1s' cluster at both layers
    ///     6      3      1  3  7      anomalies
    ///     7      3      1  3  7
    ///     8      3      0  1  1
    ///
    /// Layer a: cluster 0 = {1, 1, 1, 7, 3} (majority 1), cluster 1 = {7, 7, 3, 3} (majority 7: the
    /// 3s are not kept, so they cannot win). Layer b: cluster 0 = {1, 1}, cluster 1 = {1, 7, 3}
    /// (a 1-7 tie: the smaller label, 1), cluster 2 = {7, 7}, cluster 3 = {3, 3} (anomalies only: nil).
    enum Sample {
        static let rows: [(label: Int, clusters: [Int], prediction: Int)] = [
            (1, [0, 0], 1), (1, [0, 0], 1), (1, [0, 1], 1), (7, [1, 2], 7), (7, [1, 2], 7), (7, [0, 1], 1),
            (3, [1, 3], 7), (3, [1, 3], 7), (3, [0, 1], 1),
        ]
        static var records: [ImageRecord] {
            rows.enumerated().map {
                ImageRecord(split: .train, index: 100 + $0, label: $1.label, clusters: $1.clusters, prediction: $1.prediction)
            }
        }
        static var kept: [Bool] { rows.map { $0.label != 3 } }
        static var layers: [LayerAnalysis] {
            [layer("a", clusters: [cluster(0, [1: 3, 7: 1, 3: 1], majority: 1), cluster(1, [7: 2, 3: 2], majority: 7)]),
             layer("b", clusters: [cluster(0, [1: 2], majority: 1), cluster(1, [1: 1, 7: 1, 3: 1], majority: 1),
                                   cluster(2, [7: 2], majority: 7), cluster(3, [3: 2], majority: nil)])]
        }
    }

    static func cluster(_ index: Int, _ labels: [Int: Int], majority: Int?) -> ClusterSummary {
        let labels = labels.filter { $0.value > 0 }
        return ClusterSummary(cluster: index, size: labels.values.reduce(0, +),
                              labels: labels.sorted { $0.key < $1.key }.map { LabelCount(label: $0.key, count: $0.value) },
                              majorityLabel: majority)
    }

    static func layer(_ name: String, clusters: [ClusterSummary], purity: Double = 0.8,
                      concentration: [LabelConcentration] = []) -> LayerAnalysis {
        LayerAnalysis(layer: name, width: 4, candidates: [], k: clusters.count, kFixed: true, silhouette: 0.5, inertia: 1,
                      iterations: 3, adjustedRandIndex: 0.5, normalizedMutualInformation: 0.5, purity: purity,
                      concentration: concentration, clusters: clusters)
    }

    // MARK: Paths

    @Test func stagesRunFromLabelThroughEachLayerToPrediction() {
        let summary = PathSummary(records: Sample.records, layers: Sample.layers, kept: Sample.kept)
        #expect(summary.stages == ["label", "a", "b", "prediction"])
        #expect(summary.flows.count == 3, "one list of flows between each stage and the next")
    }

    @Test func flowsCountTheImagesBetweenConsecutiveStages() {
        let summary = PathSummary(records: Sample.records, layers: Sample.layers, kept: Sample.kept)
        // label -> a, sorted by (from, to); anomaly images count as any other.
        #expect(summary.flows[0] == [Flow(from: 1, to: 0, count: 3), Flow(from: 3, to: 0, count: 1), Flow(from: 3, to: 1, count: 2),
                                     Flow(from: 7, to: 0, count: 1), Flow(from: 7, to: 1, count: 2)])
        // a -> b
        #expect(summary.flows[1] == [Flow(from: 0, to: 0, count: 2), Flow(from: 0, to: 1, count: 3), Flow(from: 1, to: 2, count: 2),
                                     Flow(from: 1, to: 3, count: 2)])
        // b -> prediction
        #expect(summary.flows[2] == [Flow(from: 0, to: 1, count: 2), Flow(from: 1, to: 1, count: 3), Flow(from: 2, to: 7, count: 2),
                                     Flow(from: 3, to: 7, count: 2)])
        for stage in summary.flows {
            #expect(stage.map(\.count).reduce(0, +) == Sample.rows.count, "every image flows once between two stages")
            #expect(stage.allSatisfy { $0.count > 0 }, "only non-empty flows")
        }
    }

    @Test func frequentPathsComeMostFrequentFirstThenInPathOrder() {
        let summary = PathSummary(records: Sample.records, layers: Sample.layers, kept: Sample.kept)
        #expect(summary.frequent == [
            PathCount(label: 1, clusters: [0, 0], prediction: 1, count: 2),
            PathCount(label: 3, clusters: [1, 3], prediction: 7, count: 2),
            PathCount(label: 7, clusters: [1, 2], prediction: 7, count: 2),
            PathCount(label: 1, clusters: [0, 1], prediction: 1, count: 1),
            PathCount(label: 3, clusters: [0, 1], prediction: 1, count: 1),
            PathCount(label: 7, clusters: [0, 1], prediction: 1, count: 1),
        ])
    }

    @Test func frequentPathsKeepOnlyTheMostFrequentTen() {
        // Twelve distinct paths through one layer of 12 clusters; path p taken p + 1 times.
        var records: [ImageRecord] = []
        for path in 0..<12 {
            for _ in 0...path { records.append(ImageRecord(split: .test, index: records.count, label: 1, clusters: [path], prediction: 1)) }
        }
        let clusters = (0..<12).map { Self.cluster($0, [1: $0 + 1], majority: 1) }
        let summary = PathSummary(records: records, layers: [Self.layer("a", clusters: clusters)],
                                  kept: Array(repeating: true, count: records.count))
        #expect(PathSummary.frequentCount == 10)
        #expect(summary.frequent.map(\.clusters) == (2..<12).reversed().map { [$0] })
        #expect(summary.frequent.map(\.count) == Array((3...12).reversed()))
        #expect(summary.notable.isEmpty, "every image is in its own label's cluster")
    }

    @Test func notableImagesAreKeptImagesInAnotherLabelsCluster() {
        let summary = PathSummary(records: Sample.records, layers: Sample.layers, kept: Sample.kept)
        // Image 5, a 7, sits in 1-majority clusters in both layers; image 8, an inserted 3 in the
        // 1s' cluster, is an anomaly, not a notable image; image 2, a 1 in b's 1-7 tie, is at home.
        #expect(summary.notable == [
            NotableImage(layer: "a", image: 5, label: 7, cluster: 0, clusterMajority: 1),
            NotableImage(layer: "b", image: 5, label: 7, cluster: 1, clusterMajority: 1),
        ])
    }

    @Test func notableImagesFollowTheKeptMaskNotTheLabels() {
        // The same records with every image kept: the 3s now count, in a 1- and a 7-majority cluster.
        let summary = PathSummary(records: Sample.records, layers: Sample.layers, kept: Array(repeating: true, count: 9))
        let notable = summary.notable.map { [$0.image, $0.cluster, $0.clusterMajority] }
        // Layer a: images 5 (7 in 0), 6, 7 (3s in 7-majority 1), 8 (3 in 0). Layer b: 5 and 8 in
        // 1-majority 1; 6 and 7 are in cluster 3, which has no majority.
        #expect(summary.notable.filter { $0.layer == "a" }.map(\.image) == [5, 6, 7, 8])
        #expect(summary.notable.filter { $0.layer == "b" }.map(\.image) == [5, 8])
        #expect(notable.contains([6, 1, 7]))
    }

    // MARK: Anomaly routes

    @Test func anomalyRouteGivesSharesPerClusterAndPerMajority() {
        let route = AnomalyRoute(label: 3, records: Sample.records, layers: Sample.layers)
        #expect(route.label == 3)
        #expect(route.count == 3)
        #expect(route.layers.map(\.layer) == ["a", "b"])
        let a = route.layers[0], b = route.layers[1]
        #expect(a.clusters == [ClusterShare(cluster: 1, count: 2, share: 2.0 / 3, majorityLabel: 7),
                               ClusterShare(cluster: 0, count: 1, share: 1.0 / 3, majorityLabel: 1)])
        #expect(a.byMajority == [MajorityShare(majorityLabel: 7, count: 2, share: 2.0 / 3),
                                 MajorityShare(majorityLabel: 1, count: 1, share: 1.0 / 3)])
        // At b two of the three 3s form a cluster of their own: majority nil.
        #expect(b.clusters == [ClusterShare(cluster: 3, count: 2, share: 2.0 / 3, majorityLabel: nil),
                               ClusterShare(cluster: 1, count: 1, share: 1.0 / 3, majorityLabel: 1)])
        #expect(b.byMajority == [MajorityShare(majorityLabel: nil, count: 2, share: 2.0 / 3),
                                 MajorityShare(majorityLabel: 1, count: 1, share: 1.0 / 3)])
        for layer in route.layers {
            #expect(abs(layer.byMajority.map(\.share).reduce(0, +) - 1) < 1e-12)
            #expect(layer.clusters.map(\.count).reduce(0, +) == route.count)
        }
        #expect(route.predictions == [LabelCount(label: 1, count: 1), LabelCount(label: 7, count: 2)])
    }

    @Test func anomalyRouteMergesClustersOfOneMajorityAndBreaksTiesBySmallerLabel() {
        // Four 4s: one in each of b's clusters 0 and 1 (both 1-majority), one in 2 (7), one in 3 (nil).
        var records = Sample.records
        for (index, b) in [0, 1, 2, 3].enumerated() {
            records.append(ImageRecord(split: .train, index: 500 + index, label: 4, clusters: [1, b], prediction: 7))
        }
        let route = AnomalyRoute(label: 4, records: records, layers: Sample.layers)
        #expect(route.count == 4)
        let b = route.layers[1]
        #expect(b.clusters.map(\.cluster) == [0, 1, 2, 3], "equal counts: the smaller cluster first")
        #expect(b.clusters.allSatisfy { $0.share == 0.25 })
        #expect(b.byMajority == [MajorityShare(majorityLabel: 1, count: 2, share: 0.5),
                                 MajorityShare(majorityLabel: 7, count: 1, share: 0.25),
                                 MajorityShare(majorityLabel: nil, count: 1, share: 0.25)],
                "1-majority clusters merged; on a tie a label before nil")
        #expect(route.layers[0].byMajority == [MajorityShare(majorityLabel: 7, count: 4, share: 1)])
        #expect(route.predictions == [LabelCount(label: 7, count: 4)])
    }

    @Test func anomalyRouteOfALabelWithNoImagesIsEmpty() {
        let route = AnomalyRoute(label: 9, records: Sample.records, layers: Sample.layers)
        #expect(route.count == 0)
        #expect(route.layers.count == 2)
        #expect(route.layers.allSatisfy { $0.clusters.isEmpty && $0.byMajority.isEmpty })
        #expect(route.predictions.isEmpty)
    }

    // MARK: Spreads

    @Test func spreadsGiveMeanMinAndMaxInFirstSeenOrder() {
        let spreads = FigureSpread.spreads(of: [[("x", 1), ("y", 2)], [("y", 6), ("x", 3), ("z", 5)]])
        #expect(spreads.map(\.name) == ["x", "y", "z"])
        #expect(spreads[0] == FigureSpread(name: "x", values: [1, 3]))
        #expect((spreads[0].mean, spreads[0].min, spreads[0].max) == (2, 1, 3))
        #expect((spreads[1].mean, spreads[1].min, spreads[1].max) == (4, 2, 6))
        #expect(spreads[1].values == [2, 6], "in run order")
        #expect((spreads[2].mean, spreads[2].min, spreads[2].max) == (5, 5, 5), "a figure only one run has")
        #expect(spreads[2].values == [5])
        #expect(FigureSpread.spreads(of: []).isEmpty)
    }

    /// A run of the sample analysis, with `sevensInOnes` 7s (0 or 1) in the 1s' cluster at layer a.
    static func run(seed: UInt64, accuracy: Double, purity: Double, auc: Double, sevensInOnes: Int) -> StudyRun {
        var records = Sample.records
        if sevensInOnes == 0 { records[5].clusters = [1, 2] }
        let concentration = [LabelConcentration(label: 1, share: 1, cluster: 0),
                             LabelConcentration(label: 7, share: sevensInOnes == 0 ? 1 : 2.0 / 3, cluster: 1)]
        let clustersOfA = [cluster(0, [1: 3, 7: sevensInOnes], majority: 1), cluster(1, [7: 3 - sevensInOnes], majority: 7)]
        let keptLayers = [Self.layer("a", clusters: clustersOfA, purity: purity, concentration: concentration),
                          Self.layer("b", clusters: Sample.layers[1].clusters, purity: 0.95, concentration: concentration)]
        let keptRecords = Array(records.prefix(6))
        let analysis = Analysis(name: "analysis", anomalies: [], images: keptRecords, layers: keptLayers,
                                separatingLayer: keptLayers.first { $0.purity >= PathSummary.separationPurity }?.layer,
                                paths: PathSummary(records: keptRecords, layers: keptLayers, kept: Array(repeating: true, count: 6)),
                                routes: [])
        let withThrees = Analysis(name: "with 3", anomalies: [3], images: records, layers: Sample.layers, separatingLayer: nil,
                                  paths: PathSummary(records: records, layers: Sample.layers, kept: Sample.kept),
                                  routes: [AnomalyRoute(label: 3, records: records, layers: Sample.layers)])
        let metrics = ClassificationMetrics(predicted: [0, 0, 1, 1], actual: [0, 0, 1, 1], classes: 2)
        var test = TestResult(count: 4, labels: [1, 7], loss: 0.1, metrics: metrics)
        test.metrics.accuracy = accuracy
        let model = TrainedModel(spec: .multilayerPerceptron(inputs: 784, hidden: [4, 4], classes: 2), training: TrainingConfiguration(),
                                 history: [], test: test, checkpoint: nil)
        let placed = PlacedAnomalies(keptCount: 10, keptMeanScore: 1, anomalies: [
            PlacedAnomaly(label: 3, count: 5, meanScore: 2, auc: auc, unseenPathShare: 0.2),
        ])
        return StudyRun(seed: seed, model: model, layers: ["a", "b"], analysis: analysis, inserted: [withThrees], placed: placed,
                        phases: [PhaseTime(phase: "training", seconds: 1)])
    }

    @Test func figuresNameEveryNumberOfARun() {
        let named = Self.run(seed: 1, accuracy: 0.9, purity: 0.85, auc: 0.7, sevensInOnes: 1).figures()
        #expect(Set(named.map(\.name)).count == named.count, "every figure has its own name")
        let figures = Dictionary(uniqueKeysWithValues: named.map { ($0.name, $0.value) })
        #expect(figures["test/accuracy"] == 0.9)
        #expect(figures["analysis/separating layer (1 = first, 0 = none)"] == 2, "a reaches 0.85 only: b separates")
        #expect(figures["analysis/a/k"] == 2)
        #expect(figures["analysis/b/k"] == 4)
        #expect(figures["analysis/a/purity"] == 0.85)
        #expect(figures["analysis/a/concentration/7"] == 2.0 / 3)
        #expect(figures["analysis/a/misclustered/7"] == 1)
        #expect(figures["analysis/a/misclustered/1"] == 0)
        #expect(figures["with 3/a/share of 3 with 7"] == 2.0 / 3)
        #expect(figures["with 3/a/share of 3 with 1"] == 1.0 / 3)
        #expect(figures["with 3/a/share of 3 alone"] == 0)
        #expect(figures["with 3/b/share of 3 alone"] == 2.0 / 3)
        #expect(figures["with 3/3 predicted as 7"] == 2.0 / 3)
        #expect(figures["with 3/3 predicted as 1"] == 1.0 / 3)
        #expect(figures["placed/3/auc"] == 0.7)
        #expect(figures["placed/3/unseen path share"] == 0.2)
        #expect(figures["with 3/separating layer (1 = first, 0 = none)"] == nil, "only the analysis without anomalies has one")
    }

    @Test func resultSpreadIsMeanMinAndMaxOverTwoRuns() throws {
        let runs = [Self.run(seed: 1, accuracy: 0.9, purity: 0.85, auc: 0.7, sevensInOnes: 1),
                    Self.run(seed: 2, accuracy: 0.8, purity: 0.95, auc: 0.9, sevensInOnes: 0)]
        let configuration = StudyConfiguration(
            data: DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: [1, 7], perClass: 3)),
            model: .train(model: .multilayerPerceptron(inputs: 784, hidden: [4, 4], classes: 2), training: TrainingConfiguration()),
            anomalies: [3], seeds: 2)
        let backend = BackendDescription(kind: "cpu", description: "test", parameters: [:])
        let result = StudyResult(configuration: configuration, backend: backend,
                                 classNames: ["1": "1", "7": "7", "3": "3"], runs: runs, phases: PhaseTime.summed(runs.map(\.phases)))
        #expect(result.schema == "signet.study/1")
        #expect(result.spread.map(\.name) == runs[0].figures().map(\.name), "the figures of the first run, in its order")

        func check(_ name: String, mean: Double, min: Double, max: Double, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let figure = try #require(result.figure(name), sourceLocation: sourceLocation)
            #expect(abs(figure.mean - mean) < 1e-12, "\(name) mean \(figure.mean)", sourceLocation: sourceLocation)
            #expect(figure.min == min && figure.max == max, "\(name) \(figure.min) ... \(figure.max)", sourceLocation: sourceLocation)
            #expect(figure.values.count == 2, sourceLocation: sourceLocation)
        }
        try check("test/accuracy", mean: 0.85, min: 0.8, max: 0.9)
        try check("analysis/a/purity", mean: 0.9, min: 0.85, max: 0.95)
        try check("analysis/separating layer (1 = first, 0 = none)", mean: 1.5, min: 1, max: 2)
        try check("analysis/a/misclustered/7", mean: 0.5, min: 0, max: 1)
        try check("analysis/a/concentration/7", mean: (2.0 / 3 + 1) / 2, min: 2.0 / 3, max: 1)
        try check("placed/3/auc", mean: 0.8, min: 0.7, max: 0.9)
        try check("with 3/b/share of 3 alone", mean: 2.0 / 3, min: 2.0 / 3, max: 2.0 / 3)
        #expect(result.figure("analysis/a/misclustered/7")?.values == [1, 0], "in seed order")
        #expect(result.figure("no such figure") == nil)
        #expect(result.phases == [PhaseTime(phase: "training", seconds: 2)], "phases summed over runs")
        #expect(result.name(3) == "3")
        #expect(result.name(5) == "5", "an unnamed label reads as itself")
    }
}
