import Foundation
import GEMMContenders

/// One contender at one size.
struct Measurement {
    let name: String
    /// GFLOP/s of each timed sample, in the order taken.
    let samplesGFLOPS: [Double]
    /// For each sample, the share of all CPUs that other processes used meanwhile (empty
    /// where it cannot be read).
    let otherLoads: [Double]
    /// Against the first contender's C; nil for the first contender itself.
    let relativeError: Double?

    /// GFLOP/s from the median sample time (the median of the sample rates, as rates are
    /// monotonic in time).
    var median: Double { GEMMContenders.median(samplesGFLOPS) }
    /// GFLOP/s of the fastest sample: interference from other processes only slows a sample down,
    /// so on a shared machine this is the steadier estimate of what the code itself can do.
    var best: Double { samplesGFLOPS.max() ?? 0 }
}

/// Which sample statistic a table reports.
enum Statistic: String {
    case median, best

    func of(_ measurement: Measurement) -> Double {
        self == .median ? measurement.median : measurement.best
    }
}

/// Every contender at one size.
struct Row {
    let n: Int
    let results: [Measurement]

    /// The median, over every sample at this size, of the CPU share other processes used.
    var otherLoad: Double? {
        let all = results.flatMap(\.otherLoads)
        return all.isEmpty ? nil : median(all)
    }

    func gflops(_ name: String, _ statistic: Statistic) -> Double? {
        results.first { $0.name == name }.map(statistic.of)
    }

    func ratio(_ numerator: String, _ denominator: String, _ statistic: Statistic) -> Double? {
        guard let top = gflops(numerator, statistic), let bottom = gflops(denominator, statistic), bottom > 0 else {
            return nil
        }
        return top / bottom
    }
}

/// The targets, each a ratio of medians measured in one run.
struct Target {
    let numerator: String
    let denominator: String
    let minimum: Double
    /// The sizes it applies to; nil for every size.
    let sizes: Set<Int>?

    static let all = [
        Target(numerator: "CPUBackend", denominator: "OpenBLAS", minimum: 0.95, sizes: nil),
        Target(numerator: "OpenCLBackend", denominator: "OpenBLAS", minimum: 0.5, sizes: [1024, 2048]),
    ]

    var label: String {
        let at = sizes.map { " at N = " + $0.sorted().map(String.init).joined(separator: ", ") } ?? " at every N"
        return "\(numerator) / \(denominator) >= \(minimum)\(at)"
    }
}

/// The tables `gemm-ratios` prints: GFLOP/s and ratios (medians, then fastest samples),
/// agreement with the baseline, the targets. Markdown, to paste.
struct Report {
    let contenders: [String]
    let rows: [Row]
    /// The OpenCLBackend column's heading, naming its GEMM variant.
    let openCLLabel: String?

    static let ratioPairs = [
        ("CPUBackend", "OpenBLAS"),
        ("OpenCLBackend", "OpenBLAS"),
        ("OpenCLBackend", "CLBlast"),
        ("CLBlast", "OpenBLAS"),
    ]

    /// Above this share of the CPUs taken by other processes, ratios are not worth quoting.
    static let quietLoad = 0.05

    private var pairs: [(String, String)] {
        Self.ratioPairs.filter { contenders.contains($0.0) && contenders.contains($0.1) }
    }

    private func heading(_ name: String) -> String {
        name == "OpenCLBackend" ? (openCLLabel ?? name) : name
    }

    /// One target at one size: the ratio of medians, of fastest samples, and whether it holds
    /// (judged on the medians).
    struct Check {
        let n: Int
        let ratio: Double
        let bestRatio: Double?
        var met: Bool
    }

    /// Each target that this run's contenders and sizes can judge, with its checks.
    var verdicts: [(target: Target, checks: [Check])] {
        var verdicts: [(target: Target, checks: [Check])] = []
        for target in Target.all {
            var checks: [Check] = []
            for row in rows where target.sizes?.contains(row.n) ?? true {
                if let ratio = row.ratio(target.numerator, target.denominator, .median) {
                    let best = row.ratio(target.numerator, target.denominator, .best)
                    checks.append(Check(n: row.n, ratio: ratio, bestRatio: best, met: ratio >= target.minimum))
                }
            }
            if !checks.isEmpty { verdicts.append((target, checks)) }
        }
        return verdicts
    }

    var targetsMet: Bool { verdicts.allSatisfy { $0.checks.allSatisfy(\.met) } }

    func text(repetitions: Int, minSampleSeconds: Double) -> String {
        var lines: [String] = []
        lines.append("GEMM C = A * B, square float32, row-major; GFLOP/s = 2 N^3 / seconds per multiply / 1e9.")
        lines.append("Up to \(repetitions) samples per contender and size, each >= \(minSampleSeconds) s of back-to-back multiplies, contenders interleaved, all in one process.")
        lines.append("")
        lines.append("\"other load\": the median share of all CPUs that other processes used during the samples at that N.")
        lines.append("")
        lines.append("Median sample:")
        lines.append("")
        lines += table(.median)
        lines.append("")
        lines.append("Fastest sample (steadier when other processes share the machine):")
        lines.append("")
        lines += table(.best)

        if let baseline = contenders.first, contenders.count > 1 {
            lines.append("")
            lines.append("Agreement with \(baseline): max |C - C_\(baseline)| / max |C_\(baseline)|")
            lines.append("")
            let others = Array(contenders.dropFirst())
            lines.append(markdownRow(["N"] + others.map(heading)))
            lines.append(markdownRow((["N"] + others).map { _ in "---:" }))
            for row in rows {
                let cells = others.map { name -> String in
                    guard let error = row.results.first(where: { $0.name == name })?.relativeError else { return "-" }
                    return String(format: "%.1e", error) + (error > 1e-3 ? " (!)" : "")
                }
                lines.append(markdownRow(["\(row.n)"] + cells))
            }
        }

        let loaded = rows.filter { ($0.otherLoad ?? 0) > Self.quietLoad }.map { "\($0.n)" }
        if !loaded.isEmpty {
            lines.append("")
            lines.append(String(format: "Warning: other processes used more than %.0f%% of the CPUs at N = ", Self.quietLoad * 100)
                + loaded.joined(separator: ", ") + ". OpenBLAS splits each multiply evenly across its threads and "
                + "loses more to that than PoCL, which hands out work as threads free up: re-run on a quiet "
                + "machine before quoting these ratios.")
        }

        let verdicts = self.verdicts
        if !verdicts.isEmpty {
            lines.append("")
            lines.append("Targets (ratio of medians from this run; fastest samples' ratio in parentheses):")
            for (target, checks) in verdicts {
                let detail = checks.map { check in
                    let best = check.bestRatio.map { String(format: " (%.3f)", $0) } ?? ""
                    return String(format: "N=%d %.3f", check.n, check.ratio) + best + (check.met ? " met" : " MISSED")
                }
                lines.append("- \(target.label): " + detail.joined(separator: "; "))
            }
        }
        return lines.joined(separator: "\n")
    }

    private func table(_ statistic: Statistic) -> [String] {
        var lines: [String] = []
        let header = ["N"] + contenders.map(heading) + pairs.map { "\(short($0.0)) / \(short($0.1))" }
            + ["other load"]
        lines.append(markdownRow(header))
        lines.append(markdownRow(header.map { _ in "---:" }))
        for row in rows {
            var cells = ["\(row.n)"]
            cells += contenders.map { name in row.gflops(name, statistic).map { String(format: "%.2f", $0) } ?? "-" }
            cells += pairs.map { pair in row.ratio(pair.0, pair.1, statistic).map { String(format: "%.3f", $0) } ?? "-" }
            cells.append(row.otherLoad.map { String(format: "%.0f%%", $0 * 100) } ?? "?")
            lines.append(markdownRow(cells))
        }
        return lines
    }

    private func short(_ name: String) -> String {
        switch name {
        case "CPUBackend": "CPU"
        case "OpenCLBackend": "OpenCL"
        default: name
        }
    }

    private func markdownRow(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }
}
