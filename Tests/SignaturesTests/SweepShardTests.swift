import Datasets
import Learning
@testable import Signatures
import Testing

/// `SweepShard`: the flag's parts, the launchers' variables, and a partition every shard
/// computes alike, each experiment in exactly one part, the costliest spread first.
@Suite("Sweep shards")
struct SweepShardTests {
    @Test func partsAreParsedAndCheckedOneBased() throws {
        #expect(try SweepShard(parsing: "1/2") == (try SweepShard(number: 1, of: 2)))
        #expect(try SweepShard(parsing: "3/3").description == "3/3")
        for bad in ["0/2", "3/2", "1/0", "-1/2", "a/b", "1", "1/2/3", "", "/2"] {
            #expect(throws: SignaturesError.self, "\(bad)") { try SweepShard(parsing: bad) }
        }
    }

    @Test(arguments: [
        // A job array of 4 tasks numbered 3 ... 6: task 5 is the third part.
        (["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_PROCID": "0", "SLURM_NTASKS": "1"], "3/4"),
        // Each array task running 2 Slurm tasks: array task 3 of 4 (from 0: 2), task 1 of 2 -> part 2 * 2 + 1 + 1.
        (["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_PROCID": "1", "SLURM_NTASKS": "2"], "6/8"),
        (["SLURM_PROCID": "2", "SLURM_NTASKS": "3"], "3/3"),
        (["OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "2", "PMIX_RANK": "0"], "1/2"),
        (["PMIX_RANK": "1", "PMI_SIZE": "4"], "2/4"),
        (["PMI_RANK": "3", "PMI_SIZE": "4"], "4/4"),
    ])
    func theLaunchersRankIsThePart(environment: [String: String], part: String) throws {
        #expect(try SweepShard.fromLauncher(environment).description == part)
    }

    @Test(arguments: [
        ([String: String](), "no launcher's rank is set"),
        (["OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_SIZE": "2"], "give rank 2 of 2, which does not exist"),
        (["SLURM_PROCID": "x", "SLURM_NTASKS": "2"], "SLURM_PROCID='x' is not a number"),
        // A rank without its count is no part.
        (["PMIX_RANK": "0"], "no launcher's rank is set"),
    ])
    func aLauncherWithoutAUsableRankIsRefused(environment: [String: String], message: String) {
        let error = #expect(throws: SignaturesError.self) { try SweepShard.fromLauncher(environment) }
        #expect("\(error.map { "\($0)" } ?? "")".contains(message), "\(String(describing: error))")
    }

    /// Longest first, each to the lightest part: 5 -> 0, 4 -> 1, 3 -> 1 (4 < 5), 3 -> 0 (5 < 7),
    /// 3 -> 1 (7 < 8).
    @Test func thePartitionIsLongestFirstToTheLightestPart() {
        #expect(SweepShard.partition([3, 5, 3, 4, 3], parts: 2) == [1, 0, 0, 1, 1])
        #expect(SweepShard.partition([1, 1, 1], parts: 5) == [0, 1, 2], "more parts than experiments leave parts empty")
        #expect(SweepShard.partition([], parts: 3).isEmpty)
    }

    /// The grid of the original's experiments and the full ones: in every split each experiment
    /// is in exactly one part, in the sweep's order, and the two full studies, the costliest by
    /// far, are in different parts of two.
    @Test func everyExperimentIsInExactlyOnePart() throws {
        func experiment(_ name: String, classes: [Int], perClass: Int?, anomalies: [Int] = [], restarts: Int) -> SweepExperiment {
            let spec = ModelSpec.multilayerPerceptron(inputs: 784, hidden: [32, 16], classes: classes.count)
            return SweepExperiment(name: name, configuration: StudyConfiguration(
                data: DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: classes, perClass: perClass)),
                model: .train(model: spec, training: TrainingConfiguration(epochs: 15, batchSize: 12)),
                kRange: 2...10, restarts: restarts, anomalies: anomalies))
        }
        let experiments = [
            experiment("a", classes: [0, 1], perClass: 100, restarts: 100),
            experiment("full", classes: Array(0...9), perClass: nil, restarts: 10),
            experiment("b", classes: [1, 7], perClass: 100, anomalies: [3, 4], restarts: 100),
            experiment("c", classes: Array(0...9), perClass: 100, restarts: 100),
            experiment("full-too", classes: Array(0...9), perClass: nil, restarts: 10),
        ]
        #expect(experiments[1].estimatedCost > 100 * experiments[3].estimatedCost, "70,000 images outweigh 1,000")
        #expect(experiments[2].estimatedCost > experiments[0].estimatedCost, "anomalies add analyses")
        for count in 1...6 {
            let parts = try (1...count).map { try SweepShard(number: $0, of: count).experiments(of: experiments).map(\.name) }
            #expect(parts.flatMap { $0 }.sorted() == experiments.map(\.name).sorted(), "\(count) parts: \(parts)")
            for part in parts {
                #expect(part == experiments.map(\.name).filter(part.contains), "in the sweep's order")
            }
            if count == 2 { #expect(parts.filter { $0.contains("full") || $0.contains("full-too") }.count == 2, "\(parts)") }
        }
    }
}
