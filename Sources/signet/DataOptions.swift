import ArgumentParser
import Datasets
import Foundation

/// Which images: dataset, folder, digits, how many per digit and how they are picked.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("dataset"), help: "mnist or fashion-mnist (default: mnist).")
    var datasetFlag: DatasetName?

    var dataset: DatasetName { datasetFlag ?? .mnist }

    @Option(help: ArgumentHelp("Folder holding the dataset files (default: $SIGNET_DATA, then ~/.cache/signet/datasets).",
                               valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("Digits (classes) to keep, e.g. 1,7 or 0-9 (default: all, or the preset's).", valueName: "list"))
    var digits: String?

    @Option(name: .customLong("per-class"),
            help: ArgumentHelp("Training images per digit, or all (default: all, or the preset's).", valueName: "n|all"))
    var perClass: ImageCount?

    /// The images per digit in force: the flag (nil for `all`), else `fallback` (a preset's).
    func imagesPerClass(else fallback: Int?) -> Int? {
        switch perClass {
        case .none: return fallback
        case .all?: return nil
        case let .count(count)?: return count
        }
    }

    @Flag(help: "Pick the images per digit at random (seeded by --seed) instead of the first ones.")
    var randomSelection = false

    /// The flags given that choose the images (all but `--data`, which only says where the
    /// files are), by name.
    var givenSelectionFlags: [String] {
        let given: [(String, Bool)] = [("--dataset", datasetFlag != nil), ("--digits", digits != nil),
                                       ("--per-class", perClass != nil), ("--random-selection", randomSelection)]
        return given.filter(\.1).map(\.0)
    }

    /// The digits asked for, parsed; nil when not given.
    func parsedDigits() throws -> [Int]? {
        guard let digits else { return nil }
        return try parseDigitList(digits)
    }

    func validate() throws {
        do {
            _ = try parsedDigits()
        } catch {
            throw ValidationError("--digits: \(error)")
        }
        if case let .count(count)? = perClass, count < 1 {
            throw ValidationError("--per-class must be at least 1 (or all), got \(count)")
        }
    }

    func store() -> DatasetStore {
        DatasetStore(dataDirectory: data.map { URL(fileURLWithPath: $0, isDirectory: true) })
    }
}

/// `--per-class`: a number of images, or `all`.
enum ImageCount: Equatable, ExpressibleByArgument {
    case all
    case count(Int)

    init?(argument: String) {
        if argument == "all" {
            self = .all
        } else if let count = Int(argument) {
            self = .count(count)
        } else {
            return nil
        }
    }
}
