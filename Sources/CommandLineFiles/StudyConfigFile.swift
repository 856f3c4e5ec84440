import Foundation

/// `signet study --config FILE`: the study's flags as one JSON object, `{"digits": [1, 7],
/// "n-init": 10}`, turned into the flags they stand for. Keys are the flags' long names without
/// the dashes; unknown keys and values of the wrong type are refused with the key's name.
///
/// Only the translation lives here, in a library, so that it can be fuzzed (Fuzz/) like every
/// other parser of outside input; the command line parses and checks the flags it returns as
/// typed ones.
public enum StudyConfigFile {
    /// Why a file was refused: one line, starting with `--config FILE:`.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a key's value must be.
    private enum Kind {
        case integer, number, text, boolean
        /// A comma list as a string, or an array of numbers or strings.
        case list
        /// An integer or the word `all`.
        case countOrAll
    }

    private static let keys: [String: Kind] = [
        "dataset": .text, "data": .text, "digits": .list, "per-class": .countOrAll, "random-selection": .boolean,
        "preset": .text, "model": .text, "hidden": .list, "activation": .text, "loss": .text, "optimizer": .text,
        "lr": .number, "momentum": .number, "nesterov": .boolean, "l2": .number, "batch": .integer, "epochs": .integer,
        "seed": .integer, "validation-split": .number, "validate-on-test": .boolean, "patience": .integer,
        "device": .text, "checkpoint": .text, "layers": .list, "k": .list, "kmax": .integer, "n-init": .integer,
        "anomalies": .list, "anomalies-together": .boolean, "seeds": .integer, "analyze": .text, "standardize": .boolean,
        "save": .text, "checkpoint-every": .integer, "out": .text, "json": .boolean,
        "umap": .boolean, "umap-neighbors": .integer, "umap-min-dist": .number, "umap-input": .boolean,
    ]

    /// The flags the file's bytes stand for, in a stable order (sorted by key), each value joined
    /// to its flag (`--seed=-1`) so that a value starting with a dash stays a value.
    /// - Parameter file: the file's path, which every message starts with.
    /// - Throws: `Problem`, one line naming the file and the key at fault.
    public static func arguments(from data: Data, file: String) throws -> [String] {
        let settings: [String: JSONValue]
        do {
            settings = try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch {
            let isJSON = (try? JSONDecoder().decode(JSONValue.self, from: data)) != nil
            throw failure(file, isJSON ? "the file must hold one JSON object of settings" : "not valid JSON")
        }
        var arguments: [String] = []
        for key in settings.keys.sorted() {
            guard let kind = keys[key] else {
                throw failure(file, "unknown key '\(key)'; the keys are the flags of signet study: "
                    + keys.keys.sorted().joined(separator: ", "))
            }
            arguments += try flags(key, settings[key]!, kind: kind, file: file)
        }
        return arguments
    }

    private static func failure(_ file: String, _ detail: String) -> Problem {
        Problem(description: "--config \(file): \(detail)")
    }

    /// The arguments without `--config FILE` or `--config=FILE`.
    public static func removingConfig(from arguments: [String]) -> [String] {
        var kept: [String] = [], skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == "--config" { skipNext = true; continue }
            if argument.hasPrefix("--config=") { continue }
            kept.append(argument)
        }
        return kept
    }

    private static func flags(_ key: String, _ value: JSONValue, kind: Kind, file: String) throws -> [String] {
        func wrong(_ expected: String) -> Problem {
            failure(file, "'\(key)' must be \(expected), got \(value)")
        }
        let flag = "--" + key
        switch (kind, value) {
        case let (.boolean, .boolean(on)):
            if key == "standardize" || key == "umap" { return [on ? flag : "--no-" + key] }
            return on ? [flag] : []
        case (.boolean, _): throw wrong("true or false")
        case let (.integer, .integer(integer)), let (.countOrAll, .integer(integer)): return [flag + "=" + String(integer)]
        case (.integer, _): throw wrong("an integer")
        case (.countOrAll, .text("all")): return [flag + "=all"]
        case (.countOrAll, _): throw wrong("an integer or \"all\"")
        case let (.number, .integer(integer)): return [flag + "=" + String(integer)]
        case let (.number, .number(number)): return [flag + "=" + String(number)]
        case (.number, _): throw wrong("a number")
        case let (.text, .text(text)): return [flag + "=" + text]
        case (.text, _): throw wrong("a string")
        case let (.list, .text(text)): return [flag + "=" + text]
        case let (.list, .integer(integer)): return [flag + "=" + String(integer)]
        case let (.list, .array(items)) where !items.isEmpty:
            let parts = try items.map { item -> String in
                switch item {
                case let .text(text): return text
                case let .integer(integer): return String(integer)
                default: throw wrong("a list of integers or names")
                }
            }
            return [flag + "=" + parts.joined(separator: ",")]
        case (.list, _): throw wrong("a list (\"1,7\" or [1, 7])")
        }
    }
}

/// One JSON value, its type kept: `true` is not `1`, `1` is not `"1"`.
enum JSONValue: Decodable, CustomStringConvertible {
    case boolean(Bool), integer(Int), number(Double), text(String), array([JSONValue]), object, null

    init(from decoder: any Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !items.isAtEnd { values.append(try items.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        if (try? decoder.container(keyedBy: AnyKey.self)) != nil {
            self = .object
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let boolean = try? single.decode(Bool.self) {
            self = .boolean(boolean)
        } else if let integer = try? single.decode(Int.self) {
            self = .integer(integer)
        } else if let number = try? single.decode(Double.self) {
            self = .number(number)
        } else {
            self = .text(try single.decode(String.self))
        }
    }

    var description: String {
        switch self {
        case let .boolean(value): return String(value)
        case let .integer(value): return String(value)
        case let .number(value): return String(value)
        case let .text(value): return "\"\(value)\""
        case .array: return "a list"
        case .object: return "an object"
        case .null: return "null"
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
