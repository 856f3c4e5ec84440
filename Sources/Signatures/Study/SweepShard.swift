import Foundation

/// One of N balanced parts of a sweep's experiments, for running a sweep on several machines
/// (or processes) into one shared folder: `signet sweep --shard I/N`.
///
/// The partition is a pure function of the experiments: each shard computes the same one, with
/// no message passed. Experiments go, costliest first, to the part with the least estimated
/// work so far (the lowest-numbered on a tie), by `SweepExperiment.estimatedCost`.
public struct SweepShard: Equatable, Sendable, CustomStringConvertible {
    /// Which part, from 1.
    public let number: Int
    /// How many parts.
    public let count: Int

    /// The `number`-th of `count` parts.
    /// - Throws: `SignaturesError.invalidArgument` unless 1 <= number <= count.
    public init(number: Int, of count: Int) throws {
        guard count >= 1, number >= 1, number <= count else {
            throw SignaturesError.invalidArgument("shard \(number)/\(count) does not exist: the parts of N are 1/N ... N/N, N >= 1")
        }
        self.number = number
        self.count = count
    }

    /// `I/N`, as the flag takes it.
    /// - Throws: `SignaturesError.invalidArgument` for anything else.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let number = Int(parts[0]), let count = Int(parts[1]) else {
            throw SignaturesError.invalidArgument("'\(text)' is not a shard: give I/N, e.g. 1/4 for the first of four parts")
        }
        try self.init(number: number, of: count)
    }

    /// The shard a launcher gave this process, from its environment variables: a Slurm job array
    /// (`SLURM_ARRAY_TASK_ID` - `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`), Slurm tasks
    /// (`SLURM_PROCID` of `SLURM_NTASKS`), Open MPI (`OMPI_COMM_WORLD_RANK` of
    /// `OMPI_COMM_WORLD_SIZE`), or PMIx / PMI (`PMIX_RANK` or `PMI_RANK`, of `PMI_SIZE`). An array
    /// job whose tasks also run several Slurm tasks each is split over both: array task a, task p
    /// of P is part a * P + p.
    /// - Throws: `SignaturesError.invalidArgument` when none is set, or one is not a number.
    public static func fromLauncher(_ environment: [String: String]) throws -> SweepShard {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw SignaturesError.invalidArgument("--shard auto: \(name)='\(text)' is not a number")
            }
            return value
        }
        /// A 0-based rank of `size`, as part rank + 1.
        func part(_ rank: Int, of size: Int, _ names: String) throws -> SweepShard {
            guard size >= 1, rank >= 0, rank < size else {
                throw SignaturesError.invalidArgument("--shard auto: \(names) give rank \(rank) of \(size), which does not exist")
            }
            return try SweepShard(number: rank + 1, of: size)
        }
        let slurmTask = try number("SLURM_PROCID"), slurmTasks = try number("SLURM_NTASKS")
        if let task = try number("SLURM_ARRAY_TASK_ID"), let tasks = try number("SLURM_ARRAY_TASK_COUNT") {
            let array = try part(task - (try number("SLURM_ARRAY_TASK_MIN") ?? 0), of: tasks,
                                 "SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT")
            guard let slurmTask, let slurmTasks, slurmTasks > 1 else { return array }
            let within = try part(slurmTask, of: slurmTasks, "SLURM_PROCID and SLURM_NTASKS")
            return try SweepShard(number: (array.number - 1) * slurmTasks + within.number, of: tasks * slurmTasks)
        }
        if let slurmTask, let slurmTasks { return try part(slurmTask, of: slurmTasks, "SLURM_PROCID and SLURM_NTASKS") }
        if let rank = try number("OMPI_COMM_WORLD_RANK"), let size = try number("OMPI_COMM_WORLD_SIZE") {
            return try part(rank, of: size, "OMPI_COMM_WORLD_RANK and OMPI_COMM_WORLD_SIZE")
        }
        if let rank = try number("PMIX_RANK") ?? number("PMI_RANK"), let size = try number("PMI_SIZE") {
            return try part(rank, of: size, "PMIX_RANK (or PMI_RANK) and PMI_SIZE")
        }
        throw SignaturesError.invalidArgument("--shard auto: no launcher's rank is set (SLURM_ARRAY_TASK_ID, SLURM_PROCID, "
            + "OMPI_COMM_WORLD_RANK, PMIX_RANK or PMI_RANK, with its count); give --shard I/N")
    }

    /// The experiments of this part, in the sweep's order.
    public func experiments(of all: [SweepExperiment]) -> [SweepExperiment] {
        let owners = Self.partition(all.map(\.estimatedCost), parts: count)
        return zip(all, owners).filter { $0.1 == number - 1 }.map(\.0)
    }

    /// For each cost, the part (from 0) it goes to: costliest first (the earlier on a tie), each
    /// to the part of least total so far (the lowest on a tie). Longest-processing-time-first:
    /// within 4/3 of the best balance.
    static func partition(_ costs: [Double], parts: Int) -> [Int] {
        var totals = [Double](repeating: 0, count: parts)
        var owners = [Int](repeating: 0, count: costs.count)
        for item in Self.costliestFirst(costs) {
            var least = 0
            for part in 1..<parts where totals[part] < totals[least] { least = part }
            owners[item] = least
            totals[least] += costs[item]
        }
        return owners
    }

    /// The indices of `costs`, costliest first (the earlier on a tie): the order a shard's parts
    /// are filled in and a sweep's workers take experiments in.
    static func costliestFirst(_ costs: [Double]) -> [Int] {
        costs.indices.sorted { costs[$0] > costs[$1] || (costs[$0] == costs[$1] && $0 < $1) }
    }

    public var description: String { "\(number)/\(count)" }
}
