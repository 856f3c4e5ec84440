/// Parses a list of digits as a person types it: `1,7`, `0-9`, `1,3-5,7`.
///
/// Items are separated by commas; an item is a digit or an ascending range `a-b` (both ends
/// included); spaces around items are ignored. The result is sorted ascending.
///
/// - Throws: `DatasetError.invalidDigitList` for an empty list or item, anything that is not a
///   digit or a range, a digit outside 0-9, a descending range, or a digit given twice.
public func parseDigitList(_ text: String) throws -> [Int] {
    func fail(_ reason: String) -> DatasetError { .invalidDigitList(text: text, reason: reason) }
    func digit(_ item: Substring) throws -> Int {
        let trimmed = item.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.allSatisfy({ ("0"..."9").contains($0) }), let value = Int(trimmed) else {
            throw fail("'\(trimmed)' is not a digit")
        }
        guard (0...9).contains(value) else { throw fail("\(value) is outside 0-9") }
        return value
    }
    guard !text.trimmingSpaces.isEmpty else { throw fail("it is empty; write digits like 1,7 or 0-9") }
    var digits: [Int] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        guard !item.trimmingSpaces.isEmpty else { throw fail("an item between commas is empty") }
        let ends = item.split(separator: "-", omittingEmptySubsequences: false)
        switch ends.count {
        case 1:
            digits.append(try digit(ends[0]))
        case 2 where !ends[0].trimmingSpaces.isEmpty && !ends[1].trimmingSpaces.isEmpty:
            let low = try digit(ends[0]), high = try digit(ends[1])
            guard low <= high else { throw fail("the range \(low)-\(high) runs backwards") }
            digits += Array(low...high)
        default:
            throw fail("'\(item.trimmingSpaces)' is not a digit or a range like 3-5")
        }
    }
    let sorted = digits.sorted()
    if let repeated = zip(sorted, sorted.dropFirst()).first(where: { $0 == $1 })?.0 {
        throw fail("digit \(repeated) appears twice")
    }
    return sorted
}

extension StringProtocol {
    /// The text without leading and trailing spaces or tabs.
    fileprivate var trimmingSpaces: Substring {
        let characters = self[...]
        let start = characters.firstIndex { $0 != " " && $0 != "\t" } ?? characters.endIndex
        let end = characters.lastIndex { $0 != " " && $0 != "\t" }.map { characters.index(after: $0) } ?? start
        return Substring(characters[start..<end])
    }
}
