#if canImport(Glibc)
import Glibc
#endif
import NablaTestSupport
import XCTest
import Nabla
@testable import NablaData

/// Reads the datasets that scripts/setup.sh installs. The expected sums and pixels
/// were computed once from the raw files with Python (gzip, numpy), independently of NablaData.
final class DatasetsTests: XCTestCase {
    private func imageSum(_ images: Tensor, _ index: Int, pixels: Int = 784) -> Double {
        images.withUnsafeBufferPointer { all in
            (0..<pixels).reduce(0.0) { $0 + Double(all[index * pixels + $1]) }
        }
    }

    func testFashionMNISTTrain() throws {
        let train = try Datasets.fashionMNIST(split: .train)
        XCTAssertEqual(train.images.shape, [60000, 28, 28])
        XCTAssertEqual(train.labels.shape, [60000])
        XCTAssertEqual(train.classNames.count, 10)
        XCTAssertEqual(train.labels.dtype, .int64)
        let labels = train.labels.scalars(as: Int64.self)
        XCTAssertEqual(Array(labels.prefix(10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        XCTAssertEqual(labels.filter { $0 == 4 }.count, 6000)
        XCTAssertEqual(labels.reduce(0, +), 270000)
        // Scaled pixels: undo the /255 to compare with the byte sums.
        XCTAssertEqual(imageSum(train.images, 0) * 255, 76247, accuracy: 0.01)
        XCTAssertEqual(imageSum(train.images, 59999) * 255, 16684, accuracy: 0.01)
        let row14 = train.images.withUnsafeBufferPointer { Array($0[(14 * 28)..<(15 * 28)]) }.map { Int(($0 * 255).rounded()) }
        XCTAssertEqual(row14, [0, 0, 1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216, 223, 229, 215, 218, 255, 77, 0])
    }

    func testFashionMNISTTestRawBytes() throws {
        let folder = "/usr/share/datasets/fashion-mnist"
        let images = try IDX.readImages(at: folder + "/t10k-images-idx3-ubyte.gz", scale: false)
        XCTAssertEqual(images.shape, [10000, 28, 28])
        XCTAssertEqual(exactSum(images.scalars), 573469082)
        XCTAssertEqual(imageSum(images, 0), 33456)
        XCTAssertEqual(imageSum(images, 1), 100994)
        XCTAssertEqual(imageSum(images, 9999), 24390)
        XCTAssertEqual(images.scalars[20 * 28 + 10], 126)

        let test = try Datasets.fashionMNIST(split: .test)
        XCTAssertEqual(test.images.shape, [10000, 28, 28])
        XCTAssertEqual(Array(test.labels.scalars(as: Int64.self).prefix(10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        XCTAssertEqual(test.labels.scalars(as: Int64.self).reduce(0, +), 45000)
    }

    func testMNISTTrain() throws {
        let train = try Datasets.mnist(split: .train)
        XCTAssertEqual(train.images.shape, [60000, 28, 28])
        XCTAssertEqual(train.labels.shape, [60000])
        XCTAssertEqual(train.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        XCTAssertEqual(train.labels.dtype, .int64)
        let labels = train.labels.scalars(as: Int64.self)
        XCTAssertEqual(Array(labels.prefix(10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        let counts = (0...9).map { digit in labels.filter { $0 == digit }.count }
        XCTAssertEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        XCTAssertEqual(labels.reduce(0, +), 267236)
        XCTAssertEqual(imageSum(train.images, 0) * 255, 27525, accuracy: 0.01)
        XCTAssertEqual(imageSum(train.images, 59999) * 255, 20920, accuracy: 0.01)
        let row14 = train.images.withUnsafeBufferPointer { Array($0[(14 * 28)..<(15 * 28)]) }.map { Int(($0 * 255).rounded()) }
        XCTAssertEqual(row14, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 81, 240, 253, 253, 119, 25, 0, 0, 0, 0, 0, 0, 0, 0, 0])

        // The book's MNIST_SAMPLE trains on exactly these: 6,131 3s and 6,265 7s.
        let threesAndSevens = train.selectingClasses([7, 3])
        XCTAssertEqual(threesAndSevens.count, 12396)
        XCTAssertEqual(threesAndSevens.labels.dtype, .int64)
        XCTAssertEqual(threesAndSevens.labels.scalars(as: Int64.self).reduce(0, +), 6131, "the threes are labelled 1")
    }

    func testMNISTTest() throws {
        let test = try Datasets.mnist(split: .test)
        XCTAssertEqual(test.images.shape, [10000, 28, 28])
        let labels = test.labels.scalars(as: Int64.self)
        XCTAssertEqual(Array(labels.prefix(10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        let counts = (0...9).map { digit in labels.filter { $0 == digit }.count }
        XCTAssertEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], "the book validates on its 1,010 3s and 1,028 7s")
        XCTAssertEqual(imageSum(test.images, 0) * 255, 18454, accuracy: 0.01)
        XCTAssertEqual(imageSum(test.images, 9999) * 255, 41833, accuracy: 0.01)
        XCTAssertEqual(test.images.scalars.reduce(0.0) { $0 + Double(($1 * 255).rounded()) }, 264923200)
    }

    func testMissingDatasetSaysHowToInstall() throws {
        let empty = try makeTemporaryFolder(self)
        let previous = getenv("NABLA_DATA").map { String(cString: $0) }
        setenv("NABLA_DATA", empty, 1)
        defer {
            if let previous { setenv("NABLA_DATA", previous, 1) } else { unsetenv("NABLA_DATA") }
        }
        XCTAssertEqual(Datasets.dataFolder(), empty)
        assertDataError(try Datasets.mnist(split: .train), path: empty + "/mnist/train-images.idx3-ubyte",
                        mentions: "MNIST is not installed; run scripts/setup.sh")
        try writeFile(idxBytes(dimensions: [1, 28, 28], payload: Array(repeating: 0, count: 784)), to: empty + "/mnist/t10k-images.idx3-ubyte")
        assertDataError(try Datasets.mnist(split: .test), path: empty + "/mnist/t10k-labels.idx1-ubyte",
                        mentions: "MNIST is not installed; run scripts/setup.sh")

        try FileManager.default.createDirectory(atPath: empty + "/fashion-mnist", withIntermediateDirectories: true)
        assertDataError(try Datasets.fashionMNIST(split: .train), path: empty + "/fashion-mnist/train-images-idx3-ubyte.gz",
                        mentions: "run scripts/setup.sh (it installs Debian's dataset-fashion-mnist package)")
    }
}
