extension PathSummary {
    /// How many of the most frequent paths a summary keeps.
    public static let frequentCount = 10

    /// The paths of `records` through `layers`; notable images are kept-class images (`kept`) in a
    /// cluster whose majority label is another.
    init(records: [ImageRecord], layers: [LayerAnalysis], kept: [Bool]) {
        let stages = ["label"] + layers.map(\.layer) + ["prediction"]
        let nodes = records.map { [$0.label] + $0.clusters + [$0.prediction] }
        var flows: [[Flow]] = []
        for stage in 0..<(stages.count - 1) {
            var counts: [Pair: Int] = [:]
            for path in nodes { counts[Pair(from: path[stage], to: path[stage + 1]), default: 0] += 1 }
            flows.append(counts.sorted { ($0.key.from, $0.key.to) < ($1.key.from, $1.key.to) }
                .map { Flow(from: $0.key.from, to: $0.key.to, count: $0.value) })
        }
        let pathCounts = nodes.reduce(into: [[Int]: Int]()) { $0[$1, default: 0] += 1 }
        let frequent = pathCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
            .prefix(Self.frequentCount)
            .map { PathCount(label: $0.key.first!, clusters: Array($0.key.dropFirst().dropLast()), prediction: $0.key.last!, count: $0.value) }
        var notable: [NotableImage] = []
        for (position, layer) in layers.enumerated() {
            for (image, record) in records.enumerated() where kept[image] {
                let cluster = record.clusters[position]
                if let majority = layer.clusters[cluster].majorityLabel, majority != record.label {
                    notable.append(NotableImage(layer: layer.layer, image: image, label: record.label, cluster: cluster,
                                                clusterMajority: majority))
                }
            }
        }
        self.init(stages: stages, flows: flows, frequent: frequent, notable: notable)
    }

    private struct Pair: Hashable {
        let from: Int
        let to: Int
    }
}

extension AnomalyRoute {
    /// Where the images labelled `label` among `records` went in each of `layers`.
    init(label: Int, records: [ImageRecord], layers: [LayerAnalysis]) {
        let mine = records.filter { $0.label == label }
        let count = mine.count
        let share = { (part: Int) in count == 0 ? 0 : Double(part) / Double(count) }
        let routes = layers.enumerated().map { position, layer in
            let joined = mine.reduce(into: [Int: Int]()) { $0[$1.clusters[position], default: 0] += 1 }
            let clusters = joined.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
                ClusterShare(cluster: $0.key, count: $0.value, share: share($0.value), majorityLabel: layer.clusters[$0.key].majorityLabel)
            }
            var byMajority: [Int?: Int] = [:]
            for cluster in clusters { byMajority[cluster.majorityLabel, default: 0] += cluster.count }
            let majorities = byMajority.sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key ?? Int.max) < ($1.key ?? Int.max) }
                .map { MajorityShare(majorityLabel: $0.key, count: $0.value, share: share($0.value)) }
            return LayerRoute(layer: layer.layer, clusters: clusters, byMajority: majorities)
        }
        let predictions = mine.reduce(into: [Int: Int]()) { $0[$1.prediction, default: 0] += 1 }
            .sorted { $0.key < $1.key }.map { LabelCount(label: $0.key, count: $0.value) }
        self.init(label: label, count: count, layers: routes, predictions: predictions)
    }
}
