import Foundation
import XCTest
@testable import Nabla
@testable import NablaData

/// `NumPy.load(_:memoryMapped: true)`: the storage is the mapped file where the file allows
/// it, the values are the read path's, and neither writes nor the file's fate after loading
/// cross between the tensor and the file.
final class NumPyMemoryMapTests: XCTestCase {
    private func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }

    /// Every file NumPy wrote (each dtype, byte order, order and version) maps where its layout
    /// allows and loads to the read path's tensor either way.
    func testMappedLoadGivesTheReadPathsTensorForEveryFile() throws {
        let folder = try makeTemporaryFolder(self)
        var mappedNames: [String] = []
        for testCase in numPyFileCases {
            let path = folder + "/\(testCase.name).npy"
            try writeFile(bytes(testCase.file), to: path)
            let read = try NumPy.load(path)
            let mapped = try NumPy.load(path, memoryMapped: true)
            XCTAssertEqual(mapped.dtype, read.dtype, testCase.name)
            XCTAssertEqual(mapped.shape, read.shape, testCase.name)
            // Encoded, the two compare bit for bit in C order (NaN payloads and -0 included).
            XCTAssertEqual(NumPy.encode(mapped), NumPy.encode(read), testCase.name)
            XCTAssertFalse(read.isMemoryMapped, testCase.name)
            if mapped.isMemoryMapped { mappedNames.append(testCase.name) }
            // A Fortran-ordered file maps as the transposed view of its data.
            let header = try NPYHeader(bytes(testCase.file))
            if mapped.isMemoryMapped { XCTAssertEqual(mapped.isContiguous, !(header.fortranOrder && header.shape.count > 1), testCase.name) }
        }
        // Little-endian (or byte-sized) elements with elements to map, in either order, map;
        // big-endian files and the empty array are read.
        XCTAssertEqual(mappedNames, ["f4", "f4_fortran", "f8", "f8_fortran", "f2", "f2_fortran", "i8", "i8_fortran", "i4", "i4_fortran",
                                     "u1", "b1", "b1_fortran", "f4_cube_fortran", "f4_version2", "f4_version3", "f4_scalar", "f4_special",
                                     "f2_special"])
    }

    /// The storage is the file: a mapped load allocates no tensor storage, is counted as a
    /// mapping, and is unmapped once, when the last tensor sharing it (here a view) goes.
    func testTheMappingIsTheStorageAndIsUnmappedWithTheLastTensor() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/big.npy"
        let values = (0..<(1 << 20)).map { Float($0) }
        try NumPy.save(Tensor(shape: [1024, 1024], scalars: values), to: path)
        let fileSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let before = Nabla.storageStatistics
        var row: Tensor?
        do {
            let mapped = try NumPy.load(path, memoryMapped: true)
            let during = Nabla.storageStatistics
            XCTAssertTrue(mapped.isMemoryMapped)
            XCTAssertEqual(during.mappedFiles, before.mappedFiles + 1)
            XCTAssertEqual(during.mappedBytes, before.mappedBytes + fileSize)
            XCTAssertEqual(during.systemAllocations, before.systemAllocations, "no storage allocated for the elements")
            XCTAssertEqual(during.cacheHits, before.cacheHits)
            row = mapped[1023]
        }
        XCTAssertEqual(Nabla.storageStatistics.mappedBytes, before.mappedBytes + fileSize, "the view keeps the mapping")
        XCTAssertEqual(row?.isMemoryMapped, true)
        XCTAssertEqual(row?.scalars, Array(values[(1023 * 1024)...]))
        row = nil
        XCTAssertEqual(Nabla.storageStatistics.mappedBytes, before.mappedBytes, "unmapped exactly once, with the last tensor")
        XCTAssertEqual(Nabla.storageStatistics.mappedFiles, before.mappedFiles + 1)
    }

    /// A write to a mapped tensor changes the tensor (its private pages), never the file.
    func testWritingToAMappedTensorLeavesTheFileAsItWas() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/w.npy"
        try NumPy.save(Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5] as [Double]), to: path)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var mapped = try NumPy.load(path, memoryMapped: true)
        let sharing = mapped
        mapped[0, 1] = Tensor(Double(99))
        XCTAssertEqual(mapped.scalars(as: Double.self), [0, 99, 2, 3, 4, 5])
        XCTAssertEqual(sharing.scalars(as: Double.self), [0, 1, 2, 3, 4, 5], "a copy sharing the storage does not change")
        var alone = try NumPy.load(path, memoryMapped: true)
        alone[1] = Tensor(shape: [3], scalars: [-1, -2, -3] as [Double])
        XCTAssertTrue(alone.isMemoryMapped, "a tensor owning its mapping alone is written in place, in private pages")
        XCTAssertEqual(alone.scalars(as: Double.self), [0, 1, 2, -1, -2, -3])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), original, "the file never changes")
        XCTAssertEqual(try NumPy.load(path, memoryMapped: true).scalars(as: Double.self), [0, 1, 2, 3, 4, 5])
    }

    /// The tensor outlives the file: removed, or replaced by a save (which writes a new file).
    func testAMappedTensorOutlivesItsFile() throws {
        let folder = try makeTemporaryFolder(self)
        let removed = folder + "/removed.npy", replaced = folder + "/replaced.npy"
        let x = Tensor(shape: [3, 2], scalars: [Int64.min, -1, 0, 1, 7, Int64.max])
        try NumPy.save(x, to: removed)
        try NumPy.save(x, to: replaced)
        let first = try NumPy.load(removed, memoryMapped: true)
        let second = try NumPy.load(replaced, memoryMapped: true)
        try FileManager.default.removeItem(atPath: removed)
        try NumPy.save(Tensor.zeros([3, 2], dtype: .int64), to: replaced)
        XCTAssertTrue(first.isMemoryMapped && second.isMemoryMapped)
        XCTAssertEqual(first.scalars(as: Int64.self), x.scalars(as: Int64.self))
        XCTAssertEqual(second.scalars(as: Int64.self), x.scalars(as: Int64.self))
        XCTAssertEqual(try NumPy.load(replaced, memoryMapped: true).scalars(as: Int64.self), [0, 0, 0, 0, 0, 0])
    }

    /// The header is checked as on the read path before anything is mapped: a huge shape, a
    /// file shorter than its header claims, a bool byte other than 0 or 1, and the limits.
    func testBadFilesAreRefusedBeforeMapping() throws {
        let folder = try makeTemporaryFolder(self)
        func header(_ dict: String) -> [UInt8] {
            // Padded as NumPy pads, so the data would start 64-byte aligned.
            var text = Array(dict.utf8)
            while (10 + text.count + 1) % 64 != 0 { text.append(0x20) }
            text.append(0x0a)
            return NPYHeader.magic + [1, 0, UInt8(text.count & 0xff), UInt8(text.count >> 8)] + text
        }
        let files: [(name: String, bytes: [UInt8], mentions: String)] = [
            ("huge", header("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }") + [UInt8](repeating: 0, count: 8), "needs"),
            ("short", header("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }") + [UInt8](repeating: 0, count: 16), "truncated"),
            ("bool", header("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }") + [0, 1, 2], "bool element 2 is the byte 2"),
        ]
        let before = Nabla.storageStatistics
        for file in files {
            let path = folder + "/\(file.name).npy"
            try writeFile(file.bytes, to: path)
            assertDataError(try NumPy.load(path, memoryMapped: true), path: path, mentions: file.mentions)
        }
        let tooLarge = folder + "/limits.npy"
        try NumPy.save(Tensor.zeros([64]), to: tooLarge)
        assertDataError(try NumPy.load(tooLarge, memoryMapped: true, limits: DataLimits(maximumFileBytes: 1 << 20, maximumDataBytes: 100)),
                        path: tooLarge, mentions: "DataLimits.maximumDataBytes")
        XCTAssertEqual(Nabla.storageStatistics.mappedBytes, before.mappedBytes, "nothing stays mapped")
    }
}
