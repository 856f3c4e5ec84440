/// Per-column centring and scaling to unit variance, as scikit-learn's `StandardScaler`.
///
/// Fitted on one data set (the analysis images' activations), it can then place other rows with
/// the same columns (test or anomaly images) in the same coordinates.
public struct Standardization: Codable, Equatable, Sendable {
    /// The mean of each column of the fitted data.
    public let mean: [Double]
    /// The population standard deviation of each column; 1 for a column that is constant (up to
    /// rounding), so that it maps to 0 instead of being blown up.
    public let scale: [Double]

    /// The number of columns this standardization applies to.
    public var columns: Int { mean.count }

    /// Fits the mean and scale of each column of a row-major `rows x columns` matrix.
    ///
    /// Both are computed in `Double` with two passes (the mean, then the squared deviations from
    /// it with the rounding error of the mean subtracted), so a column such as `1000 + 1e-3 * noise`
    /// keeps its small variance, which a one-pass sum of squares in `Float` would lose entirely.
    ///
    /// - Throws: `SignaturesError.invalidArgument` when a dimension is negative, `columns` is 0 or
    ///   a value is not finite; `.insufficientData` when `rows` is 0; `.sizeMismatch` when
    ///   `values.count != rows * columns`.
    /// - Complexity: O(rows * columns) time, O(columns) extra memory.
    public init(fitting values: [Float], rows: Int, columns: Int) throws {
        guard columns > 0 else { throw SignaturesError.invalidArgument("standardization needs at least one column, got \(columns)") }
        guard rows >= 0 else { throw SignaturesError.invalidArgument("row count \(rows) is negative") }
        guard rows > 0 else { throw SignaturesError.insufficientData("standardization needs at least one row") }
        try Self.checkShape(values.count, rows: rows, columns: columns)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw SignaturesError.invalidArgument("value \(values[bad]) at row \(bad / columns), column \(bad % columns) is not finite")
        }

        var sum = [Double](repeating: 0, count: columns)
        var low = [Float](repeating: .infinity, count: columns)
        var high = [Float](repeating: -.infinity, count: columns)
        for row in 0..<rows {
            let start = row * columns
            for column in 0..<columns {
                let x = values[start + column]
                sum[column] += Double(x)
                low[column] = min(low[column], x)
                high[column] = max(high[column], x)
            }
        }
        // A column of identical values gets that value as its mean exactly, so it maps to exactly 0
        // (a sum divided by n can miss it by an ulp). Dead ReLU units make such columns common.
        let n = Double(rows)
        let mean = (0..<columns).map { low[$0] == high[$0] ? Double(low[$0]) : sum[$0] / n }

        var squares = [Double](repeating: 0, count: columns)
        var deviations = [Double](repeating: 0, count: columns)
        for row in 0..<rows {
            let start = row * columns
            for column in 0..<columns {
                let deviation = Double(values[start + column]) - mean[column]
                squares[column] += deviation * deviation
                deviations[column] += deviation
            }
        }
        self.mean = mean
        scale = (0..<columns).map { column in
            // The corrected two-pass variance (Chan, Golub and LeVeque), as scikit-learn computes it.
            let variance = max(0, (squares[column] - deviations[column] * deviations[column] / n) / n)
            return Self.isConstant(variance: variance, mean: mean[column], rows: n) ? 1 : variance.squareRoot()
        }
    }

    /// Standardizes the rows of a row-major `rows x columns` matrix with the fitted mean and scale:
    /// `(x - mean) / scale`, computed in `Double` and rounded once to `Float`.
    ///
    /// - Throws: `SignaturesError.invalidArgument` when `rows` is negative or a value is not
    ///   finite; `.sizeMismatch` when `values.count != rows * columns`.
    /// - Complexity: O(rows * columns).
    public func transform(_ values: [Float], rows: Int) throws -> [Float] {
        guard rows >= 0 else { throw SignaturesError.invalidArgument("row count \(rows) is negative") }
        try Self.checkShape(values.count, rows: rows, columns: columns)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw SignaturesError.invalidArgument("value \(values[bad]) at row \(bad / columns), column \(bad % columns) is not finite")
        }
        var result = [Float](repeating: 0, count: values.count)
        for row in 0..<rows {
            let start = row * columns
            for column in 0..<columns {
                result[start + column] = Float((Double(values[start + column]) - mean[column]) / scale[column])
            }
        }
        return result
    }

    /// scikit-learn's `_is_constant_feature`: a variance no larger than the rounding error that
    /// computing it in `Double` could have left is taken as 0.
    private static func isConstant(variance: Double, mean: Double, rows: Double) -> Bool {
        let eps = Double.ulpOfOne
        let meanError = rows * mean * eps
        return variance <= rows * eps * variance + meanError * meanError
    }

    private static func checkShape(_ count: Int, rows: Int, columns: Int) throws {
        let (expected, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, expected == count else {
            throw SignaturesError.sizeMismatch("\(count) values for \(rows) rows of \(columns) columns")
        }
    }

    private enum CodingKeys: String, CodingKey { case mean, scale }

    /// Decodes a saved standardization, refusing one whose mean and scale could not transform data.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mean = try container.decode([Double].self, forKey: .mean)
        scale = try container.decode([Double].self, forKey: .scale)
        guard !mean.isEmpty, mean.count == scale.count, mean.allSatisfy(\.isFinite),
              scale.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a standardization needs as many finite means as positive finite scales"))
        }
    }
}
