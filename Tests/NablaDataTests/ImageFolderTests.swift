import XCTest
import Nabla
@testable import NablaData

final class ImageFolderTests: XCTestCase {
    /// Writes a 2×3 image whose pixels are all `level / 255`.
    private func writeImage(_ path: String, level: Int, height: Int = 2, width: Int = 3) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try PNGImage.write(Tensor(shape: [height, width], scalars: Array(repeating: Float(level) / 255, count: height * width)), to: path)
    }

    /// train/3 holds b (level 2), a (level 1), c (level 3); train/7 holds x (level 7); valid/3 and valid/7 one each.
    private func makeTree() throws -> String {
        let root = try makeTemporaryFolder(self)
        try writeImage(root + "/train/3/b.png", level: 2)
        try writeImage(root + "/train/3/a.png", level: 1)
        try writeImage(root + "/train/3/c.png", level: 3)
        try writeImage(root + "/train/7/x.png", level: 7)
        try writeFile(Array("hidden".utf8), to: root + "/train/7/.DS_Store")
        try writeImage(root + "/valid/3/v3.png", level: 30)
        try writeImage(root + "/valid/7/v7.png", level: 70)
        return root
    }

    private func levels(_ images: Tensor) -> [Int] {
        let pixels = images.shape.dropFirst().reduce(1, *)
        return stride(from: 0, to: images.scalars.count, by: pixels).map { Int((images.scalars[$0] * 255).rounded()) }
    }

    func testLoadsSplitInSortedOrder() throws {
        let root = try makeTree()
        let train = try ImageFolder.load(root: root, split: "train")
        XCTAssertEqual(train.classNames, ["3", "7"])
        XCTAssertEqual(train.images.shape, [4, 2, 3])
        XCTAssertEqual(train.labels.dtype, .int64)
        XCTAssertEqual(train.labels.scalars(as: Int64.self), [0, 0, 0, 1])
        XCTAssertEqual(levels(train.images), [1, 2, 3, 7])

        let valid = try ImageFolder.load(root: root, split: "valid", classes: ["7", "3"])
        XCTAssertEqual(valid.classNames, ["7", "3"])
        XCTAssertEqual(valid.labels.scalars(as: Int64.self), [0, 1])
        XCTAssertEqual(levels(valid.images), [70, 30])
    }

    func testLoadsManyImagesInParallelIntoTheRightSlots() throws {
        let root = try makeTemporaryFolder(self)
        for i in 0..<101 {
            try writeImage(root + "/digits/\(i % 2)/img\(String(1000 + i)).png", level: i)
        }
        let loaded = try ImageFolder.load(root: root, split: "digits")
        XCTAssertEqual(loaded.count, 101)
        XCTAssertEqual(levels(loaded.images), Array(stride(from: 0, to: 101, by: 2)) + Array(stride(from: 1, to: 101, by: 2)))
        XCTAssertEqual(loaded.labels.scalars(as: Int64.self), Array(repeating: 0, count: 51) + Array(repeating: 1, count: 50))
    }

    func testNonPNGFileInClassFolder() throws {
        let root = try makeTree()
        let bad = root + "/train/7/readme.txt"
        try writeFile(Array("not an image".utf8), to: bad)
        assertDataError(try ImageFolder.load(root: root, split: "train"), path: bad, mentions: "not a PNG file")
    }

    func testCorruptPNGInClassFolder() throws {
        let root = try makeTree()
        let bad = root + "/train/3/b.png"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: bad)))
        bytes[bytes.count - 20] ^= 0xff
        try writeFile(bytes, to: bad)
        assertDataError(try ImageFolder.load(root: root, split: "train"), path: bad, mentions: "corrupt PNG")
    }

    func testEmptyClassFolder() throws {
        let root = try makeTree()
        try FileManager.default.createDirectory(atPath: root + "/train/9", withIntermediateDirectories: true)
        try writeFile(Array("hidden".utf8), to: root + "/train/9/.keep")
        assertDataError(try ImageFolder.load(root: root, split: "train"), path: root + "/train/9", mentions: "class folder is empty")
    }

    func testImageOfDifferentSize() throws {
        let root = try makeTree()
        try writeImage(root + "/train/7/y.png", level: 9, height: 3, width: 3)
        assertDataError(try ImageFolder.load(root: root, split: "train"), path: root + "/train/7/y.png",
                        mentions: "image is 3×3 pixels but \(root)/train/3/a.png is 2×3")
    }

    func testMissingFolders() throws {
        let root = try makeTree()
        assertDataError(try ImageFolder.load(root: root, split: "test"), path: root + "/test", mentions: "folder does not exist")
        assertDataError(try ImageFolder.load(root: root, split: "train", classes: ["3", "8"]), path: root + "/train/8",
                        mentions: "folder does not exist")
        let emptySplit = root + "/empty"
        try FileManager.default.createDirectory(atPath: emptySplit, withIntermediateDirectories: true)
        assertDataError(try ImageFolder.load(root: root, split: "empty"), path: emptySplit, mentions: "holds no class folders")
    }

    /// One large first image among small ones: every size is checked from the files'
    /// headers before the stack is allocated. 40 × 13000² floats (27 GB) used to be
    /// requested from the first file alone, and the process aborted.
    func testLargeFirstImageIsRefusedBeforeAllocatingTheStack() throws {
        let root = try makeTemporaryFolder(self)
        let side = 13000
        let row = [UInt8](repeating: 0, count: 1 + (side + 7) / 8)  // filter byte + 1-bit pixels
        var raw: [UInt8] = []
        raw.reserveCapacity(row.count * side)
        for _ in 0..<side { raw += row }
        var large = PNGImage.signature
        large += chunk("IHDR", bigEndian(UInt32(side)) + bigEndian(UInt32(side)) + [1, 0, 0, 0, 0])
        large += chunk("IDAT", try zlibCompressed(raw)) + chunk("IEND", [])
        try writeFile(large, to: root + "/train/3/000.png")
        for i in 1..<40 { try writeImage(root + "/train/3/\(String(100 + i)).png", level: i, height: 28, width: 28) }
        assertDataError(try ImageFolder.load(root: root, split: "train"), path: root + "/train/3/101.png",
                        mentions: "image is 28×28 pixels but \(root)/train/3/000.png is 13000×13000; all images must have the same size")
    }
}
