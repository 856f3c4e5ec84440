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

    /// Bytes in the largest binary unit that keeps the number at or above 1, one decimal:
    /// `bytes(24_641_536)` is `23.5 MiB`.
    public static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : fixed(value, 1) + " " + units[unit]
    }

    /// An integer with thousands separated by commas: `grouped(27882)` is `27,882`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
