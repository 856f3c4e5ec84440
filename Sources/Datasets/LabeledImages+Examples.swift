import SplitMix

extension LabeledImages {
    /// Cuts the split into examples the way the study does.
    ///
    /// Keeps the images whose label is one of `specification.classes`, `perClass` of each
    /// (the first ones, or a seeded random choice; all of them when `perClass` is nil), divides
    /// every pixel by the split's largest pixel value (255 for MNIST, as the original's
    /// `x / x.max()`), flattens each image to `rows * columns` values and classes each example
    /// by the position of its digit in the sorted kept digits.
    ///
    /// The examples come in file order (ascending `sourceIndices`), for random selections too:
    /// the selection decides which images are kept, never their order. Shuffle for training.
    ///
    /// - Throws: `DatasetError.invalidSubset` for no digits, a repeated digit, a digit outside
    ///   0-9 or absent from the split, `perClass` below 1, or more images per class than the
    ///   split has of a digit (the message names the digit and how many exist).
    /// - Complexity: O(count) to group the labels, plus O(kept x rows x columns) to scale.
    public func examples(_ specification: SubsetSpecification) throws -> Examples {
        let classes = try checkedClasses(specification.classes)
        if let perClass = specification.perClass, perClass < 1 {
            throw DatasetError.invalidSubset("images per class must be at least 1, not \(perClass)")
        }
        let byDigit = indicesByLabel()
        var kept: [Int] = []
        for digit in classes {
            let available = byDigit[digit]
            guard !available.isEmpty else {
                throw DatasetError.invalidSubset("digit \(digit) has no images in \(dataset.displayName) \(split.rawValue)")
            }
            guard let perClass = specification.perClass else { kept += available; continue }
            guard perClass <= available.count else {
                throw DatasetError.invalidSubset(
                    "asked for \(perClass) images of digit \(digit) but \(dataset.displayName) \(split.rawValue) has only \(available.count)")
            }
            kept += choose(perClass, from: available, digit: digit, selection: specification.selection)
        }
        kept.sort()
        var classOfDigit = [Int](repeating: -1, count: 10)
        for (position, digit) in classes.enumerated() { classOfDigit[digit] = position }
        let digits = kept.map { Int(labels[$0]) }
        return Examples(features: scaledFeatures(of: kept), imageRows: rows, imageColumns: columns,
                        classIndices: digits.map { classOfDigit[$0] }, originalLabels: digits, sourceIndices: kept,
                        classes: classes, dataset: dataset, split: split)
    }

    /// The digits sorted, after checking there is at least one, none twice, all in 0-9.
    private func checkedClasses(_ digits: [Int]) throws -> [Int] {
        guard !digits.isEmpty else { throw DatasetError.invalidSubset("choose at least one digit to keep") }
        if let outside = digits.first(where: { !(0...9).contains($0) }) {
            throw DatasetError.invalidSubset("digit \(outside) is outside 0-9")
        }
        let sorted = digits.sorted()
        if let repeated = zip(sorted, sorted.dropFirst()).first(where: { $0 == $1 })?.0 {
            throw DatasetError.invalidSubset("digit \(repeated) is listed twice")
        }
        return sorted
    }

    /// Image indices for each label 0-9, in file order (labels above 9 are never kept).
    private func indicesByLabel() -> [[Int]] {
        var byLabel = [[Int]](repeating: [], count: 10)
        for (index, label) in labels.enumerated() where label < 10 { byLabel[Int(label)].append(index) }
        return byLabel
    }

    /// `count` of `available` (file order in, sorted out).
    private func choose(_ count: Int, from available: [Int], digit: Int, selection: Selection) -> [Int] {
        switch selection {
        case .first:
            return Array(available.prefix(count))
        case let .random(seed):
            // Each digit gets its own stream, so the 7s chosen for seed s do not change when
            // a 3 is added to the kept digits.
            var generator = SplitMix64(seed: seed ^ SplitMix64.mix(UInt64(digit) &+ 1))
            var pool = available
            for position in 0..<count {
                pool.swapAt(position, position + generator.next(below: pool.count - position))
            }
            return Array(pool.prefix(count))
        }
    }

    /// The kept images, each pixel divided by the split's largest, flattened row after row.
    private func scaledFeatures(of kept: [Int]) -> [Float] {
        let largest = maximumPixel
        // A 256-entry table: one lookup per pixel, and the exact quotient `Float(v) / max`.
        let table: [Float] = (0..<256).map { largest == 0 ? 0 : Float($0) / Float(largest) }
        let width = pixelsPerImage
        return [Float](unsafeUninitializedCapacity: kept.count * width) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                table.withUnsafeBufferPointer { scale in
                    for (row, index) in kept.enumerated() {
                        let from = source.baseAddress! + index * width
                        let to = buffer.baseAddress! + row * width
                        for column in 0..<width { (to + column).initialize(to: scale[Int(from[column])]) }
                    }
                }
            }
            initialized = kept.count * width
        }
    }
}
