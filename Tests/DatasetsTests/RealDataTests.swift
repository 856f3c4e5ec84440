@testable import Datasets
import Foundation
import Testing

@Suite("The real MNIST and Fashion-MNIST files")
struct RealDataTests {
    @Test("MNIST: 60000 train and 10000 test images of 28x28, labels as published")
    func mnist() throws {
        let train = try RealData.mnistTrain.get()
        let test = try RealData.mnistTest.get()
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.rows == 28 && train.columns == 28 && test.rows == 28 && test.columns == 28)
        #expect(train.pixels.count == 60000 * 784 && train.labels.count == 60000)
        #expect(Array(train.labels.prefix(5)) == [5, 0, 4, 1, 9])
        #expect(Array(test.labels.prefix(5)) == [7, 2, 1, 0, 4])
        #expect(train.maximumPixel == 255 && test.maximumPixel == 255)
        #expect(train.dataset == .mnist && train.split == .train && test.split == .test)
        // MNIST's classes are unbalanced: 5923 zeros and 6742 ones in the training split.
        #expect(train.labels.filter { $0 == 0 }.count == 5923)
        #expect(train.labels.filter { $0 == 1 }.count == 6742)
    }

    @Test("Fashion-MNIST: 6000 train and 1000 test images per class, 28x28")
    func fashion() throws {
        let train = try RealData.fashionTrain.get()
        let test = try RealData.fashionTest.get()
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.rows == 28 && train.columns == 28)
        for label in UInt8(0)...9 {
            #expect(train.labels.filter { $0 == label }.count == 6000)
            #expect(test.labels.filter { $0 == label }.count == 1000)
        }
        #expect(Array(train.labels.prefix(5)) == [9, 0, 0, 3, 0])
        #expect(train.dataset == .fashionMNIST)
    }

    @Test("An explicit data directory may be the dataset folder itself")
    func explicitDatasetFolder() throws {
        let folder = sharedDataDirectory().appendingPathComponent("mnist", isDirectory: true)
        let store = DatasetStore(dataDirectory: folder, environment: [:],
                                 cacheDirectory: URL(fileURLWithPath: "/nonexistent"), downloader: nil)
        #expect(try store.locate(.mnist).standardizedFileURL == folder.standardizedFileURL)
        let test = try store.load(.mnist, split: .test)
        #expect(test.count == 10000 && test.labels.prefix(3) == [7, 2, 1])
        // A folder named after MNIST is never taken for Fashion-MNIST.
        #expect(throws: DatasetError.self) { try store.locate(.fashionMNIST) }
    }

    @Test("SIGNET_DATA's subfolders are searched")
    func environmentVariable() throws {
        let store = DatasetStore(environment: ["SIGNET_DATA": sharedDataDirectory().path],
                                 cacheDirectory: URL(fileURLWithPath: "/nonexistent"), downloader: nil)
        #expect(try store.locate(.fashionMNIST).lastPathComponent == "fashion-mnist")
    }
}
