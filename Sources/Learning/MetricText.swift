import Foundation

/// How Signet writes numbers in its text reports, in one place so that every table and
/// progress line agrees.
public enum MetricText {
    /// `value` with `decimals` digits after the point: `fixed(0.12345, 4)` is `0.1235`.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// A fraction as a percentage with two decimals: `percent(0.9725)` is `97.25%`.
    public static func percent(_ fraction: Double) -> String {
        String(format: "%.2f%%", fraction * 100)
    }
}
