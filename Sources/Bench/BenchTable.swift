import Foundation

/// A bench result as the terminal shows it: a Markdown table, one row per case and backend.
public enum BenchTable {
    /// The lines: the machine and the run first, then the table.
    public static func lines(_ result: BenchResult) -> [String] {
        var lines = [
            "Machine: \(result.processor), \(result.cores) CPUs; OPENBLAS_CORETYPE \(result.openBLASCoreType ?? "unset") "
                + "(the CPU backend's GEMM is OpenBLAS); \(result.date)",
            "Backends: " + result.backends.map { "\($0.name) = \($0.description)" }.joined(separator: "; "),
            "Medians of \(result.repeats) runs per case\(budgetNote(result)), the backends taking turns; "
                + "other load: the other processes' share of the CPUs.",
            "",
            "| workload | case | backend | median s | runs | fastest - slowest s | GFLOP/s | speed-up over cpu | other load |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for m in result.measurements {
            lines.append("| \(m.workload.rawValue) | \(m.name) | \(m.backend) | \(seconds(m.median)) | \(m.samples.count) | "
                + "\(seconds(m.fastest)) - \(seconds(m.slowest)) | "
                + "\(m.gflops.map { String(format: "%.1f", $0) } ?? "-") | \(m.speedUpOverCPU.map { String(format: "%.2fx", $0) } ?? "-") | "
                + String(format: "%.0f%%", 100 * m.otherLoad) + " |")
        }
        lines.append("")
        lines.append("Parts: " + result.parts.map { String(format: "%@ %.1f s", $0.workload.rawValue, $0.seconds) }.joined(separator: ", ")
            + String(format: "; total %.1f s", result.totalSeconds))
        return lines
    }

    /// How the budget cut the runs, for the header: empty without one.
    public static func budgetNote(_ result: BenchResult) -> String {
        result.sampleBudgetSeconds > 0
            ? String(format: " (fewer, never under 3, where one contender's runs would take over %.0f s: the runs column)", result.sampleBudgetSeconds)
            : ""
    }

    /// Seconds with four significant digits.
    static func seconds(_ value: Double) -> String { String(format: "%.4g", value) }
}
