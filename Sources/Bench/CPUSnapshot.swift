import Foundation

/// CPU time used by the whole machine and by this process, to tell how much of a sample's CPU
/// other processes took: on a small shared machine that, not the code, can decide a ratio.
/// OpenBLAS splits a multiply evenly across its threads and waits for the slowest, so it loses
/// about half its speed when another process holds one of two cores; PoCL hands out work-groups
/// as threads become free and loses less. Linux only (`/proc`); nil elsewhere.
public struct CPUSnapshot: Sendable {
    /// Busy time of all CPUs together (everything but idle and I/O wait), in clock ticks.
    let machineBusyTicks: Int
    /// User plus system time of this process, every thread, in clock ticks.
    let processTicks: Int

    /// Now, or nil where `/proc` is not available.
    /// - Parameter peer: a running child process whose CPU time counts as this process's (a peer
    ///   library being timed), not as another process's; children that ended count already.
    public static func now(countingAlso peer: Int32? = nil) -> CPUSnapshot? {
        guard let machine = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let cpuLine = machine.split(separator: "\n").first, cpuLine.hasPrefix("cpu "),
              let own = processTicks("/proc/self/stat") else { return nil }
        // cpu  user nice system idle iowait irq softirq steal ...
        let ticks = cpuLine.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard ticks.count >= 8 else { return nil }
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        let peerTicks = peer.flatMap { processTicks("/proc/\($0)/stat") } ?? 0
        return CPUSnapshot(machineBusyTicks: busy, processTicks: own + peerTicks + finishedChildrenTicks())
    }

    /// User plus system time of this process's children that ended and were waited for (a
    /// peer script run to its end), in clock ticks: their CPU time is this run's, not another
    /// process's.
    private static func finishedChildrenTicks() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 else { return 0 }
        let seconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return Int(seconds * Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// User plus system ticks of every thread of one process, from its `stat` file.
    private static func processTicks(_ path: String) -> Int? {
        guard let process = try? String(contentsOfFile: path, encoding: .utf8),
              let afterName = process.range(of: ") ", options: .backwards) else { return nil }
        // After "(comm) ": state is field 3, utime field 14, stime field 15.
        let fields = process[afterName.upperBound...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    /// The share of all CPUs' time that other processes used between `self` and `later`,
    /// `wallSeconds` apart: 0 on a quiet machine, 0.5 when another process held one of two cores.
    public func otherProcessesLoad(until later: CPUSnapshot, wallSeconds: Double) -> Double {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let others = Double((later.machineBusyTicks - machineBusyTicks) - (later.processTicks - processTicks))
        guard wallSeconds > 0, ticksPerSecond > 0 else { return 0 }
        return min(1, max(0, others / ticksPerSecond / (wallSeconds * cores)))
    }
}
