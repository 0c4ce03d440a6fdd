import NablaTestSupport
import XCTest
import Nabla
@testable import NablaData

final class IDXTests: XCTestCase {
    func testReadsImagesRawAndScaled() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/images-idx3-ubyte"
        try writeFile(idxBytes(dimensions: [2, 2, 3], payload: [0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 60]), to: path)

        let raw = try IDX.readImages(at: path, scale: false)
        XCTAssertEqual(raw.shape, [2, 2, 3])
        XCTAssertEqual(raw.scalars, [0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 60])

        let scaled = try IDX.readImages(at: path)
        XCTAssertEqual(scaled.scalars[5], 1)
        XCTAssertEqual(scaled.scalars[1], Float(1) / 255)
        XCTAssertEqual(scaled.scalars[6], Float(10) / 255)
    }

    func testReadsGzipImagesAndLabels() throws {
        let folder = try makeTemporaryFolder(self)
        let images = folder + "/images.gz", labels = folder + "/labels.gz"
        try writeFile(gzipped(idxBytes(dimensions: [3, 1, 2], payload: [1, 2, 3, 4, 5, 6])), to: images)
        try writeFile(gzipped(idxBytes(dimensions: [3], payload: [7, 0, 9])), to: labels)

        let pair = try IDX.readLabeledImages(images: images, labels: labels, scale: false)
        XCTAssertEqual(pair.images.shape, [3, 1, 2])
        XCTAssertEqual(pair.images.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(pair.labels.shape, [3])
        XCTAssertEqual(pair.labels.dtype, .int64)
        XCTAssertEqual(pair.labels.scalars(as: Int64.self), [7, 0, 9])
    }

    func testTruncatedImageFile() throws {
        let path = try makeTemporaryFolder(self) + "/truncated-idx3-ubyte"
        try writeFile(idxBytes(dimensions: [10, 28, 28], payload: [UInt8](repeating: 0, count: 3 * 784)), to: path)
        assertDataError(try IDX.readImages(at: path), path: path,
                        mentions: "truncated: the header declares 10×28×28 = 7840 bytes of data but only 2352 follow")
    }

    func testTruncatedHeader() throws {
        let path = try makeTemporaryFolder(self) + "/short-idx3-ubyte"
        try writeFile([0, 0, 8, 3, 0, 0], to: path)
        assertDataError(try IDX.readImages(at: path), path: path, mentions: "too short for the 16-byte header")
    }

    func testEmptyFile() throws {
        let path = try makeTemporaryFolder(self) + "/empty-idx1-ubyte"
        try writeFile([], to: path)
        assertDataError(try IDX.readLabels(at: path), path: path, mentions: "truncated: 0 bytes is too short")
    }

    func testWrongMagicNumber() throws {
        let folder = try makeTemporaryFolder(self)
        let png = folder + "/picture.png"
        try writeFile([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0], to: png)
        assertDataError(try IDX.readImages(at: png), path: png,
                        mentions: "wrong magic number 0x89504e47, expected 0x00000803 for an IDX ubyte image file (not an IDX file)")

        let labels = folder + "/labels-idx1-ubyte"
        try writeFile(idxBytes(dimensions: [2], payload: [1, 2]), to: labels)
        assertDataError(try IDX.readImages(at: labels), path: labels, mentions: "(this looks like an IDX label file)")

        let floats = folder + "/floats-idx3"
        try writeFile(idxBytes(dimensions: [1, 1, 1], payload: [0, 0, 0, 0], magic: 0x0d03), to: floats)
        assertDataError(try IDX.readImages(at: floats), path: floats, mentions: "element type 0x0d is not unsigned byte 0x08")
    }

    func testDimensionsDisagreeWithFileSize() throws {
        let path = try makeTemporaryFolder(self) + "/long-idx3-ubyte"
        try writeFile(idxBytes(dimensions: [1, 2, 2], payload: [1, 2, 3, 4, 5, 6]), to: path)
        assertDataError(try IDX.readImages(at: path), path: path,
                        mentions: "dimensions 1×2×2 = 4 bytes disagree with the file size: 2 extra bytes")
    }

    func testHugeDimensionsDoNotOverflowOrAllocate() throws {
        let path = try makeTemporaryFolder(self) + "/huge-idx3-ubyte"
        try writeFile(idxBytes(dimensions: [0xffff_ffff, 0xffff_ffff, 0xffff_ffff], payload: [1, 2, 3]), to: path)
        assertDataError(try IDX.readImages(at: path), path: path,
                        mentions: "dimensions 4294967295×4294967295×4294967295 are too large for any file")
        // No data at all, but extents that no tensor shape can hold (found by the fuzzer).
        try writeFile(idxBytes(dimensions: [0, 0xf900_0000, 0xffff_ffff], payload: []), to: path)
        assertDataError(try IDX.readImages(at: path), path: path, mentions: "are too large for any file")
    }

    func testLabelCountDiffersFromImageCount() throws {
        let folder = try makeTemporaryFolder(self)
        let images = folder + "/images-idx3-ubyte", labels = folder + "/labels-idx1-ubyte"
        try writeFile(idxBytes(dimensions: [3, 1, 1], payload: [1, 2, 3]), to: images)
        try writeFile(idxBytes(dimensions: [2], payload: [0, 1]), to: labels)
        assertDataError(try IDX.readLabeledImages(images: images, labels: labels), path: labels,
                        mentions: "holds 2 labels but \(images) holds 3 images")
    }

    func testTruncatedGzip() throws {
        let path = try makeTemporaryFolder(self) + "/cut.gz"
        let whole = try gzipped(idxBytes(dimensions: [50, 4, 4], payload: (0..<800).map { UInt8($0 % 251) }))
        try writeFile(Array(whole.prefix(whole.count / 2)), to: path)
        assertDataError(try IDX.readImages(at: path), path: path, mentions: "truncated gzip data")
    }

    func testCorruptGzip() throws {
        let path = try makeTemporaryFolder(self) + "/corrupt.gz"
        var bytes = try gzipped(idxBytes(dimensions: [50, 4, 4], payload: (0..<800).map { UInt8($0 % 251) }))
        for i in 10..<bytes.count - 8 { bytes[i] ^= 0x5a }
        try writeFile(bytes, to: path)
        assertDataError(try IDX.readImages(at: path), path: path, mentions: "corrupt gzip data")
    }

    func testMissingFileAndFolder() throws {
        let folder = try makeTemporaryFolder(self)
        let missing = folder + "/nothing-here"
        assertDataError(try IDX.readLabels(at: missing), path: missing, mentions: "cannot open: No such file or directory")
        assertDataError(try IDX.readLabels(at: folder), path: folder, mentions: "is a folder, not a file")
    }
}
