@testable import Datasets
import Foundation
import Testing

@Suite("Subsets: the study's preprocessing")
struct SubsetTests {
    @Test("1 and 7, 100 each: 200 examples in file order, one-hot over [1, 7], origins kept")
    func onesAndSevens() throws {
        let train = try RealData.mnistTrain.get()
        let examples = try train.examples(SubsetSpecification(classes: [7, 1], perClass: 100, selection: .first))
        #expect(examples.count == 200)
        #expect(examples.classes == [1, 7])
        #expect(examples.featureCount == 784 && examples.imageRows == 28 && examples.imageColumns == 28)
        #expect(examples.features.count == 200 * 784)
        #expect(examples.originalLabels.filter { $0 == 1 }.count == 100)
        #expect(examples.sourceIndices == examples.sourceIndices.sorted())
        // The first 1s and 7s of the file, all of them up to the 100th of each.
        let firstOnes = train.labels.indices.filter { train.labels[$0] == 1 }.prefix(100)
        let firstSevens = train.labels.indices.filter { train.labels[$0] == 7 }.prefix(100)
        #expect(examples.sourceIndices == (Array(firstOnes) + Array(firstSevens)).sorted())
        let targets = examples.oneHotTargets()
        #expect(targets.count == 400)
        for row in 0..<examples.count {
            let source = examples.sourceIndices[row]
            #expect(Int(train.labels[source]) == examples.originalLabels[row])
            let expected: [Float] = examples.originalLabels[row] == 1 ? [1, 0] : [0, 1]
            #expect(Array(targets[row * 2..<row * 2 + 2]) == expected)
            #expect(examples.classIndices[row] == (examples.originalLabels[row] == 1 ? 0 : 1))
        }
    }

    @Test("Features are the source image divided by 255, and reach exactly 1")
    func scaling() throws {
        let train = try RealData.mnistTrain.get()
        let examples = try train.examples(SubsetSpecification(classes: [3], perClass: 50, selection: .first))
        #expect(examples.features.max() == 1)
        #expect(examples.features.min() == 0)
        for row in [0, 17, 49] {
            let image = train.image(examples.sourceIndices[row])
            let expected = image.map { Float($0) / 255 }
            #expect(Array(examples.features[row * 784..<(row + 1) * 784]) == expected)
        }
    }

    @Test("Three digits make three classes: 1 -> [1, 0, 0]")
    func threeClasses() throws {
        let test = try RealData.mnistTest.get()
        let examples = try test.examples(SubsetSpecification(classes: [1, 3, 7], perClass: 10, selection: .first))
        #expect(examples.classes == [1, 3, 7] && examples.split == .test)
        let targets = examples.oneHotTargets()
        let firstOne = try #require(examples.originalLabels.firstIndex(of: 1))
        #expect(Array(targets[firstOne * 3..<firstOne * 3 + 3]) == [1, 0, 0])
        let firstThree = try #require(examples.originalLabels.firstIndex(of: 3))
        #expect(Array(targets[firstThree * 3..<firstThree * 3 + 3]) == [0, 1, 0])
    }

    @Test("All images of the chosen digits (perClass nil)")
    func allImages() throws {
        let test = try RealData.mnistTest.get()
        let examples = try test.examples(SubsetSpecification(classes: [0, 1], perClass: nil, selection: .first))
        let expected = test.labels.filter { $0 <= 1 }.count
        #expect(examples.count == expected)
        #expect(examples.count == 980 + 1135)
    }

    @Test("Random selection: reproducible by seed, different across seeds, independent per digit")
    func randomSelection() throws {
        let train = try RealData.mnistTrain.get()
        func pick(_ classes: [Int], seed: UInt64) throws -> Examples {
            try train.examples(SubsetSpecification(classes: classes, perClass: 100, selection: .random(seed: seed)))
        }
        let first = try pick([1, 7], seed: 42)
        let again = try pick([1, 7], seed: 42)
        let other = try pick([1, 7], seed: 43)
        #expect(first.sourceIndices == again.sourceIndices)
        #expect(first.features == again.features)
        #expect(first.sourceIndices != other.sourceIndices)
        #expect(first.count == 200 && first.originalLabels.filter { $0 == 7 }.count == 100)
        #expect(Set(first.sourceIndices).count == 200)
        #expect(first.sourceIndices == first.sourceIndices.sorted())
        for (row, source) in first.sourceIndices.enumerated() { #expect(Int(train.labels[source]) == first.originalLabels[row]) }
        // Not simply the first 100 of each digit.
        let firstN = try train.examples(SubsetSpecification(classes: [1, 7], perClass: 100, selection: .first))
        #expect(first.sourceIndices != firstN.sourceIndices)
        // Adding a 3 leaves the chosen 1s and 7s as they were.
        let withThrees = try pick([1, 3, 7], seed: 42)
        #expect(withThrees.sourceIndices.filter { train.labels[$0] != 3 } == first.sourceIndices)
    }

    /// The images a seed picks are part of a user's results: pinned to values computed outside
    /// Swift (a Python transcription of SplitMix64 and the per-digit partial shuffle), so a change
    /// to the generator or to how it is used fails here.
    @Test("Random selection is pinned: seed 42, 100 each of 1 and 7")
    func randomSelectionIsPinned() throws {
        let train = try RealData.mnistTrain.get()
        let picked = try train.examples(SubsetSpecification(classes: [1, 7], perClass: 100, selection: .random(seed: 42)))
        #expect(Array(picked.sourceIndices.prefix(8)) == [113, 454, 505, 809, 1001, 1153, 1174, 1326])
        #expect(picked.sourceIndices.reduce(0, +) == 5_835_101)
    }

    @Test("subset(_:) picks rows, keeping classes and origins")
    func subsetRows() throws {
        let test = try RealData.mnistTest.get()
        let examples = try test.examples(SubsetSpecification(classes: [2, 5], perClass: 20, selection: .first))
        let part = examples.subset([39, 0, 5])
        #expect(part.count == 3 && part.classes == [2, 5])
        #expect(part.sourceIndices == [examples.sourceIndices[39], examples.sourceIndices[0], examples.sourceIndices[5]])
        #expect(part.classIndices == [examples.classIndices[39], examples.classIndices[0], examples.classIndices[5]])
        #expect(Array(part.features[784..<1568]) == Array(examples.features[0..<784]))
        #expect(part.oneHotTargets().count == 6)
        #expect(examples.subset([]).count == 0)
    }

    @Test("Errors: too many per class, digits outside 0-9 or absent, per-class 0, none, repeats")
    func errors() throws {
        let test = try RealData.mnistTest.get()
        func message(_ classes: [Int], _ perClass: Int?) -> String? {
            do {
                _ = try test.examples(SubsetSpecification(classes: classes, perClass: perClass, selection: .first))
                return nil
            } catch { return "\(error)" }
        }
        #expect(message([1, 5], 1000) == "asked for 1000 images of digit 5 but MNIST test has only 892")
        #expect(message([1, 10], 5) == "digit 10 is outside 0-9")
        #expect(message([-1], 5) == "digit -1 is outside 0-9")
        #expect(message([1, 7], 0) == "images per class must be at least 1, not 0")
        #expect(message([], 5) == "choose at least one digit to keep")
        #expect(message([7, 1, 7], 5) == "digit 7 is listed twice")
        // A digit with no images in the split (synthetic: labels 0-2 only).
        let small = LabeledImages(dataset: .mnist, split: .train, rows: 1, columns: 2,
                                  pixels: [0, 1, 2, 3, 4, 5], labels: [0, 1, 2])
        #expect(throws: DatasetError.invalidSubset("digit 8 has no images in MNIST train")) {
            try small.examples(SubsetSpecification(classes: [8], perClass: nil, selection: .first))
        }
    }

    @Test("A split whose largest pixel is below 255 is scaled by that maximum")
    func otherMaximum() throws {
        let images = LabeledImages(dataset: .fashionMNIST, split: .test, rows: 1, columns: 2,
                                   pixels: [0, 50, 100, 25], labels: [4, 4])
        let examples = try images.examples(SubsetSpecification(classes: [4], perClass: nil, selection: .first))
        #expect(examples.features == [0, 0.5, 1, 0.25])
        #expect(examples.featureCount == 2 && examples.oneHotTargets() == [1, 1])
    }
}
