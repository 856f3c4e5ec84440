import Learning

extension FigureSpread {
    /// `0.985`, or `0.985 [0.970-0.995]` over seeds that differ; an integer figure (k) as `3`, or
    /// `3.4 [2-5]`: how the study's summary and the sweep's table print a number.
    public func text(digits: Int = 3, integer: Bool = false) -> String {
        // A value past Int's range (or not finite: a result from elsewhere) prints as a float.
        let format = { (value: Double) in
            integer && abs(value) < 0x1p62 ? String(Int(value.rounded())) : MetricText.fixed(value, integer ? 0 : digits)
        }
        if min == max { return format(min) }
        return "\(MetricText.fixed(mean, integer ? 1 : digits)) [\(format(min))-\(format(max))]"
    }

    /// A share as a percentage, `97.00%`, or `97.00% [95.00%-99.00%]` over seeds that differ.
    public var percentText: String {
        if min == max { return MetricText.percent(min) }
        return "\(MetricText.percent(mean)) [\(MetricText.percent(min))-\(MetricText.percent(max))]"
    }
}
