import NablaTestSupport
import XCTest
import Nabla
@testable import NablaData

/// Reading only some images of an IDX file (the lesson's 3s and 7s): the same bytes as reading
/// the whole file and gathering, raw or gzip, across the reader's chunks, with the file's errors.
final class IDXRowSelectionTests: XCTestCase {
    /// 3000 images of 20×20 (1.1 MiB of pixels: the raw reader's chunks of 2621 images end inside the file),
    /// image i filled from i, and labels i mod 10.
    private func writeSet(gzip: Bool) throws -> (images: String, labels: String, all: [UInt8]) {
        let folder = try makeTemporaryFolder(self)
        let count = 3000, pixels = 400
        let all = (0..<count * pixels).map { UInt8(truncatingIfNeeded: $0 / pixels &* 7 &+ $0 % pixels) }
        let images = folder + (gzip ? "/images.gz" : "/images-idx3-ubyte"), labels = folder + "/labels-idx1-ubyte"
        let imageBytes = idxBytes(dimensions: [UInt32(count), 20, 20], payload: all)
        try writeFile(gzip ? gzipped(imageBytes) : imageBytes, to: images)
        try writeFile(idxBytes(dimensions: [UInt32(count)], payload: (0..<count).map { UInt8($0 % 10) }), to: labels)
        return (images, labels, all)
    }

    func testChosenRowsAreTheGatheredRowsRawAndGzip() throws {
        for gzip in [false, true] {
            let (images, _, _) = try writeSet(gzip: gzip)
            let whole = try IDX.readByteImages(at: images)
            // Out of order, repeated, and on both sides of a chunk boundary (2621).
            let rows = [2999, 5, 2620, 2621, 0, 5, 1400]
            let chosen = try IDX.readByteImages(at: images, rows: rows)
            XCTAssertEqual(chosen.shape, [rows.count, 20, 20])
            XCTAssertEqual(chosen.dtype, .uint8)
            XCTAssertEqual(chosen.scalars(as: UInt8.self), whole.gather(rows: rows).scalars(as: UInt8.self), "gzip \(gzip)")
            XCTAssertEqual(try IDX.readByteImages(at: images, rows: []).shape, [0, 20, 20])
        }
    }

    func testClassesComeGroupedInTheOrderAskedWithTheirLabels() throws {
        for gzip in [false, true] {
            let (images, labels, all) = try writeSet(gzip: gzip)
            let (chosen, chosenLabels) = try IDX.readLabeledByteImages(images: images, labels: labels, classes: [7, 3])
            let rows = Array(stride(from: 7, to: 3000, by: 10)) + Array(stride(from: 3, to: 3000, by: 10))
            XCTAssertEqual(chosenLabels.scalars(as: Int64.self), rows.map { Int64($0 % 10) })
            XCTAssertEqual(chosen.scalars(as: UInt8.self), rows.flatMap { all[($0 * 400)..<($0 * 400 + 400)] }, "gzip \(gzip)")
        }
    }

    func testARowOutsideTheFileFailsNamingIt() throws {
        let (images, _, _) = try writeSet(gzip: false)
        assertFails("IDX.readByteImages: row 3000 is out of range for the 3000 images of \(images)") {
            _ = try? IDX.readByteImages(at: images, rows: [1, 3000])
        }
    }

    func testTheFilesErrorsStillNameTheFile() throws {
        let folder = try makeTemporaryFolder(self)
        let truncated = folder + "/truncated-idx3-ubyte"
        try writeFile(idxBytes(dimensions: [10, 28, 28], payload: [UInt8](repeating: 0, count: 3 * 784)), to: truncated)
        assertDataError(try IDX.readByteImages(at: truncated, rows: [0]), path: truncated,
                        mentions: "truncated: the header declares 10×28×28 = 7840 bytes of data but only 2352 follow")
        let images = folder + "/images-idx3-ubyte", labels = folder + "/labels-idx1-ubyte"
        try writeFile(idxBytes(dimensions: [3, 1, 1], payload: [1, 2, 3]), to: images)
        try writeFile(idxBytes(dimensions: [2], payload: [0, 1]), to: labels)
        assertDataError(try IDX.readLabeledByteImages(images: images, labels: labels, classes: [1]), path: labels,
                        mentions: "holds 2 labels but \(images) holds 3 images")
    }

    func testMNISTClassesAreTheSelectedImagesOfTheWholeSet() throws {
        guard let whole = try? Datasets.mnistPixels(split: .test) else { throw XCTSkip("MNIST is not installed (scripts/setup.sh)") }
        let (images, labels) = try Datasets.mnistPixels(split: .test, classes: [3, 7])
        let values = whole.labels.scalars(as: Int64.self)
        let rows = values.indices.filter { values[$0] == 3 } + values.indices.filter { values[$0] == 7 }
        XCTAssertEqual(labels.scalars(as: Int64.self), rows.map { values[$0] })
        XCTAssertEqual(images.scalars(as: UInt8.self), whole.images.gather(rows: rows).scalars(as: UInt8.self))
        assertFails("Datasets: class 10 is not one of the 10 classes 0...9") { _ = try? Datasets.mnistPixels(split: .test, classes: [10]) }
    }
}
