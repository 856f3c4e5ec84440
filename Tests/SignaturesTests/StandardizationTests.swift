import Foundation
import Signatures
import Testing

@Suite("Standardization")
struct StandardizationTests {
    struct Reference {
        let x: [Float], rows: Int, columns: Int
        let mean: [Double], scale: [Double], transformed: [Double]

        init() throws {
            let block = try StudyMetricsFixture.block("standard_scaler")
            let rowsOfX = try StudyMetricsFixture.doubleRows(block["X"])
            rows = rowsOfX.count
            columns = rowsOfX[0].count
            // float32 values widened exactly: converting back gives the original bits.
            x = rowsOfX.flatMap { $0.map(Float.init) }
            mean = try StudyMetricsFixture.doubles(block["mean"])
            scale = try StudyMetricsFixture.doubles(block["scale"])
            transformed = try StudyMetricsFixture.doubleRows(block["transformed"]).flatMap { $0 }
        }
    }

    /// Mean and scale are computed in Double from the same float32 inputs as scikit-learn, so they
    /// agree to Double rounding (1e-10 relative is generous). Column 4 is 1000 + noise of scale
    /// 0.009: a one-pass or Float computation would miss its scale by far more than that.
    @Test func meanAndScaleMatchScikitLearn() throws {
        let reference = try Reference()
        let fitted = try Standardization(fitting: reference.x, rows: reference.rows, columns: reference.columns)
        #expect(fitted.columns == 6)
        for column in 0..<reference.columns {
            #expect(metricIsClose(fitted.mean[column], reference.mean[column], relative: 1e-10, absolute: 1e-14), "mean \(column)")
            #expect(metricIsClose(fitted.scale[column], reference.scale[column], relative: 1e-10), "scale \(column)")
        }
        #expect(fitted.mean[2] == 3.5 && fitted.scale[2] == 1, "the constant column keeps scale 1")
    }

    /// The output is Float: rounding alone moves a value by up to 6e-8 of its magnitude, so 1e-6
    /// relative (absolute below 1) leaves room without hiding a wrong mean or scale.
    @Test func transformedValuesMatchScikitLearn() throws {
        let reference = try Reference()
        let fitted = try Standardization(fitting: reference.x, rows: reference.rows, columns: reference.columns)
        let transformed = try fitted.transform(reference.x, rows: reference.rows)
        #expect(transformed.count == reference.transformed.count)
        for (index, (ours, theirs)) in zip(transformed, reference.transformed).enumerated() {
            #expect(metricIsClose(Double(ours), theirs, relative: 1e-6, absolute: 1e-6), "value \(index)")
        }
        for row in 0..<reference.rows { #expect(transformed[row * reference.columns + 2] == 0) }
    }

    /// Other rows (the placed test images) use the fitted mean and scale, not their own.
    @Test func transformPlacesOtherRowsWithTheFittedStatistics() throws {
        let fitted = try Standardization(fitting: [0, 10, 2, 10, 4, 10], rows: 3, columns: 2)
        #expect(fitted.mean == [2, 10])
        #expect(metricIsClose(fitted.scale[0], (8.0 / 3).squareRoot(), relative: 1e-15))
        #expect(fitted.scale[1] == 1)
        let placed = try fitted.transform([6, 11], rows: 1)
        #expect(metricIsClose(Double(placed[0]), 4 / (8.0 / 3).squareRoot(), relative: 1e-7))
        #expect(placed[1] == 1)

        let reference = try Reference()
        let all = try Standardization(fitting: reference.x, rows: reference.rows, columns: reference.columns)
        let tail = 5 * reference.columns
        let lastRows = Array(reference.x.suffix(tail))
        #expect(try all.transform(lastRows, rows: 5) == Array(all.transform(reference.x, rows: reference.rows).suffix(tail)))
        #expect(try all.transform([], rows: 0) == [])
    }

    /// A column of identical values whose sum / n is not exactly the value (0.1 in Float, 1001
    /// times) must still map to exactly 0, with scale 1.
    @Test func constantColumnsBecomeZero() throws {
        let rows = 1001
        let values = (0..<rows).flatMap { [Float(0.1), Float($0)] }
        let fitted = try Standardization(fitting: values, rows: rows, columns: 2)
        #expect(fitted.mean[0] == Double(Float(0.1)) && fitted.scale[0] == 1)
        let transformed = try fitted.transform(values, rows: rows)
        #expect(stride(from: 0, to: transformed.count, by: 2).allSatisfy { transformed[$0] == 0 })
        #expect(try Standardization(fitting: [5, -3], rows: 1, columns: 2).transform([5, -3], rows: 1) == [0, 0])
    }

    @Test func roundTripsThroughJSON() throws {
        let fitted = try Standardization(fitting: [1, 2, 3, 5], rows: 2, columns: 2)
        let decoded = try JSONDecoder().decode(Standardization.self, from: JSONEncoder().encode(fitted))
        #expect(decoded == fitted)
        let corrupt = Data(#"{"mean": [0, 1], "scale": [1, 0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Standardization.self, from: corrupt) }
        let uneven = Data(#"{"mean": [0, 1], "scale": [1]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Standardization.self, from: uneven) }
    }

    @Test func refusesBadShapesAndValues() throws {
        #expect(throws: SignaturesError.insufficientData("standardization needs at least one row")) {
            try Standardization(fitting: [], rows: 0, columns: 3)
        }
        #expect(throws: SignaturesError.sizeMismatch("5 values for 2 rows of 3 columns")) {
            try Standardization(fitting: [1, 2, 3, 4, 5], rows: 2, columns: 3)
        }
        #expect(throws: SignaturesError.self) { try Standardization(fitting: [], rows: 1, columns: 0) }
        #expect(throws: SignaturesError.self) { try Standardization(fitting: [1], rows: -1, columns: -1) }
        #expect(throws: SignaturesError.self) { try Standardization(fitting: [1], rows: Int.max, columns: 2) }
        #expect(throws: SignaturesError.invalidArgument("value nan at row 1, column 0 is not finite")) {
            try Standardization(fitting: [1, 2, .nan, 4], rows: 2, columns: 2)
        }
        let fitted = try Standardization(fitting: [1, 2, 3, 4], rows: 2, columns: 2)
        #expect(throws: SignaturesError.sizeMismatch("3 values for 1 rows of 2 columns")) {
            try fitted.transform([1, 2, 3], rows: 1)
        }
        #expect(throws: SignaturesError.self) { try fitted.transform([1, .infinity], rows: 1) }
        #expect(throws: SignaturesError.self) { try fitted.transform([], rows: -1) }
    }
}
