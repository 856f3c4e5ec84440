@testable import Datasets
import Testing

@Suite("Digit lists as the CLI takes them")
struct DigitListTests {
    @Test("Single digits, ranges and mixes, with spaces")
    func accepted() throws {
        #expect(try parseDigitList("1,7") == [1, 7])
        #expect(try parseDigitList("0-9") == Array(0...9))
        #expect(try parseDigitList("1,3-5,7") == [1, 3, 4, 5, 7])
        #expect(try parseDigitList("7, 1") == [1, 7])
        #expect(try parseDigitList("4") == [4])
        #expect(try parseDigitList("5-5") == [5])
    }

    @Test("Garbage, out of range, duplicates and backwards ranges are refused with a reason")
    func refused() {
        let cases: [(String, String)] = [
            ("", "invalid digit list '': it is empty; write digits like 1,7 or 0-9"),
            ("1,,7", "invalid digit list '1,,7': an item between commas is empty"),
            ("1,7,", "invalid digit list '1,7,': an item between commas is empty"),
            ("a", "invalid digit list 'a': 'a' is not a digit"),
            ("+5", "invalid digit list '+5': '+5' is not a digit"),
            ("12", "invalid digit list '12': 12 is outside 0-9"),
            ("3-12", "invalid digit list '3-12': 12 is outside 0-9"),
            ("-1", "invalid digit list '-1': '-1' is not a digit or a range like 3-5"),
            ("3-", "invalid digit list '3-': '3-' is not a digit or a range like 3-5"),
            ("1,1", "invalid digit list '1,1': digit 1 appears twice"),
            ("1-3,2", "invalid digit list '1-3,2': digit 2 appears twice"),
            ("5-3", "invalid digit list '5-3': the range 5-3 runs backwards"),
            ("1-2-3", "invalid digit list '1-2-3': '1-2-3' is not a digit or a range like 3-5"),
            ("١", "invalid digit list '١': '١' is not a digit"),
        ]
        for (text, message) in cases {
            #expect(throws: DatasetError.self, "\(text)") { try parseDigitList(text) }
            do { _ = try parseDigitList(text) } catch { #expect("\(error)" == message) }
        }
    }
}
