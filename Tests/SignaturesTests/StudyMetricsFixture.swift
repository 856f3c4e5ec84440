import Foundation

/// Typed access to `study_metrics_reference.json` (scikit-learn 1.9.1 values, see the fixtures' README).
enum StudyMetricsFixture {
    static func block(_ key: String) throws -> [String: Any] {
        guard let block = try loadFixture("study_metrics_reference.json")[key] as? [String: Any] else {
            throw FixtureError("study_metrics_reference.json has no object \(key)")
        }
        return block
    }

    static func double(_ value: Any?) throws -> Double {
        // JSONSerialization gives Int for integral literals and Double (or NSNumber) otherwise.
        switch value {
        case let number as Double: return number
        case let number as Int: return Double(number)
        case let number as NSNumber: return number.doubleValue
        default: throw FixtureError("\(String(describing: value)) is not a number")
        }
    }

    static func int(_ value: Any?) throws -> Int {
        switch value {
        case let number as Int: return number
        case let number as NSNumber where number.doubleValue == number.doubleValue.rounded(): return number.intValue
        default: throw FixtureError("\(String(describing: value)) is not an integer")
        }
    }

    static func list(_ value: Any?) throws -> [Any] {
        guard let list = value as? [Any] else { throw FixtureError("\(String(describing: value)) is not a list") }
        return list
    }

    static func doubles(_ value: Any?) throws -> [Double] { try list(value).map(double) }
    static func ints(_ value: Any?) throws -> [Int] { try list(value).map(int) }
    static func intRows(_ value: Any?) throws -> [[Int]] { try list(value).map(ints) }
    static func doubleRows(_ value: Any?) throws -> [[Double]] { try list(value).map(doubles) }
}

/// `actual` within `relative * |expected| + absolute` of `expected`.
func metricIsClose(_ actual: Double, _ expected: Double, relative: Double = 0, absolute: Double = 0) -> Bool {
    abs(actual - expected) <= relative * abs(expected) + absolute
}
