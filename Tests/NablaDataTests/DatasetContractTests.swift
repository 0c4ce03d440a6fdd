#if canImport(Glibc)
import Glibc
#endif
import NablaTestSupport
import XCTest
import Nabla
@testable import NablaData

/// Issue 24: what the installed datasets promise (28×28 images, labels 0...9,
/// some images) is checked when they are read, naming the file; `nabla digits`
/// stopped inside training on a label of 10, 14×14 images or an empty set.
final class DatasetContractTests: XCTestCase {
    /// An MNIST folder under a temporary `$NABLA_DATA` holding `images` (each `side`×`side`) and `labels` as its training set.
    private func installMNIST(images: Int, side: Int, labels: [UInt8]) throws -> (images: String, labels: String) {
        let root = try makeTemporaryFolder(self)
        let previous = getenv("NABLA_DATA").map { String(cString: $0) }
        setenv("NABLA_DATA", root, 1)
        addTeardownBlock { if let previous { setenv("NABLA_DATA", previous, 1) } else { unsetenv("NABLA_DATA") } }
        let folder = root + "/mnist"
        let pixels = (0..<(images * side * side)).map { UInt8($0 % 256) }
        try writeFile(idxBytes(dimensions: [UInt32(images), UInt32(side), UInt32(side)], payload: pixels), to: folder + "/train-images.idx3-ubyte")
        try writeFile(idxBytes(dimensions: [UInt32(labels.count)], payload: labels), to: folder + "/train-labels.idx1-ubyte")
        return (folder + "/train-images.idx3-ubyte", folder + "/train-labels.idx1-ubyte")
    }

    func testALabelOutsideTheTenClassesNamesTheLabelFile() throws {
        let files = try installMNIST(images: 3, side: 28, labels: [1, 10, 2])
        assertDataError(try Datasets.mnist(split: .train), path: files.labels, mentions: "label 10 of image 1 is not one of the 10 classes 0...9")
        assertDataError(try Datasets.mnistPixels(split: .train), path: files.labels, mentions: "label 10 of image 1")
    }

    func testImagesOfAnotherSizeNameTheImageFile() throws {
        let files = try installMNIST(images: 2, side: 14, labels: [1, 2])
        assertDataError(try Datasets.mnist(split: .train), path: files.images, mentions: "holds images of 14×14 pixels; this dataset's images are 28×28")
    }

    func testAnEmptySetNamesTheImageFile() throws {
        let files = try installMNIST(images: 0, side: 28, labels: [])
        assertDataError(try Datasets.mnist(split: .train), path: files.images, mentions: "holds no images")
        assertDataError(try Datasets.mnistPixels(split: .train), path: files.images, mentions: "holds no images")
    }

    func testAGoodSetStillLoads() throws {
        _ = try installMNIST(images: 2, side: 28, labels: [0, 9])
        let set = try Datasets.mnist(split: .train)
        XCTAssertEqual(set.images.shape, [2, 28, 28])
        XCTAssertEqual(set.labels.scalars(as: Int64.self), [0, 9])
    }
}
