import Foundation
import NablaTestSupport
import XCTest
import Nabla
@testable import NablaData

/// Files built to exhaust a reader: bombs, FIFOs, sparse giants, impossible shapes.
/// Each must be refused with a DataError, quickly and without a large allocation.
final class HostileInputTests: XCTestCase {
    /// `count` zero bytes after `prefix`, gzip-compressed (about 1000:1).
    private func zeroBomb(prefix: [UInt8], count: Int) throws -> [UInt8] {
        try gzipped(prefix + [UInt8](repeating: 0, count: count))
    }

    /// A 1 MB gzip IDX file of 1 GB used to peak at 2 GB before the header was read.
    /// Now the header is inflated first and the payload no further than it declares:
    /// one that declares more than the limit is refused from 16 inflated bytes.
    func testGzipIDXInflatesNoFurtherThanItsHeader() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/bomb-idx3-ubyte.gz"
        // Declares 1024×1024×1024 bytes (exactly the default limit), holds 64 MB.
        try writeFile(try zeroBomb(prefix: idxBytes(dimensions: [1024, 1024, 1024], payload: []), count: 64 << 20), to: path)
        assertDataError(try IDX.readImages(at: path), path: path,
                        mentions: "truncated: the header declares 1024×1024×1024 = 1073741824 bytes of data but only 67108864 follow")
        let small = DataLimits(maximumDataBytes: 1 << 20)
        assertDataError(try IDX.readImages(at: path, limits: small), path: path,
                        mentions: "dimensions 1024×1024×1024 declare 1073741824 bytes of data, more than the limit of 1048576 (DataLimits.maximumDataBytes)")

        // A header that declares less than follows: inflating stops one byte past it.
        let long = folder + "/long-idx1-ubyte.gz"
        try writeFile(try zeroBomb(prefix: idxBytes(dimensions: [4], payload: []), count: 64 << 20), to: long)
        assertDataError(try IDX.readLabels(at: long), path: long, mentions: "disagree with the file size: more extra bytes follow the data")
    }

    /// gzip CSVs reached 2.6 GB: the inflated text now stops at the limit.
    func testGzipCSVStopsAtTheDataLimit() throws {
        let path = try makeTemporaryFolder(self) + "/bomb.csv.gz"
        try writeFile(try zeroBomb(prefix: Array("1,2\n".utf8), count: 8 << 20), to: path)
        let limits = DataLimits(maximumDataBytes: 1 << 20)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0, limits: limits), path: path,
                        mentions: "holds more than 1048576 bytes of data, the limit (DataLimits.maximumDataBytes)")
    }

    /// A FIFO used to hang the reader forever in open(): now every reader refuses it at once.
    func testFIFOIsRefusedWithoutBlocking() throws {
        let path = try makeTemporaryFolder(self) + "/pipe.png"
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        assertDataError(try PNGImage.read(at: path), path: path, mentions: "is a FIFO (named pipe), not a regular file")
        assertDataError(try IDX.readLabels(at: path), path: path, mentions: "is a FIFO")
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path, mentions: "is a FIFO")
        assertDataError(try SafeTensors.read(from: path), path: path, mentions: "is a FIFO")
        assertDataError(try IDX.readLabels(at: "/dev/null"), path: "/dev/null", mentions: "is a device, not a regular file")
    }

    /// A sparse 2.5 GB file named x.png used to be read whole (2.58 GB) before "not a PNG".
    /// Its first bytes decide; a file over the size limit is refused from fstat.
    func testLargeFilesAreRefusedBeforeTheyAreRead() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/x.png"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        XCTAssertEqual(truncate(path, off_t(2_500_000_000)), 0)
        assertDataError(try PNGImage.read(at: path), path: path, mentions: "not a PNG file")
        let small = DataLimits(maximumFileBytes: 1 << 20)
        assertDataError(try IDX.readImages(at: path, limits: small), path: path,
                        mentions: "is 2500000000 bytes, larger than the limit of 1048576 bytes (DataLimits.maximumFileBytes)")
        assertDataError(try SafeTensors.read(from: path, limits: small), path: path, mentions: "larger than the limit")
    }

    /// [2^62, 0, 4] holds nothing, but its extents multiply past 2^63: it used to stop
    /// the process in Tensor(shape:) after SafeTensors.read accepted it.
    func testSafetensorsShapesThatNoTensorCanHaveAreRefused() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/empty-giant.safetensors"
        let header = #"{"w":{"dtype":"F32","shape":[4611686018427387904,0,4],"data_offsets":[0,0]}}"#
        let bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
        try writeFile(bytes, to: path)
        assertDataError(try SafeTensors.read(from: path), path: path,
                        mentions: #"tensor "w": shape [4611686018427387904, 0, 4] is too large for any tensor"#)
        // The in-memory decoder, which the fuzzer drives, checks the same way.
        assertDataError(try SafeTensors.decode(bytes, source: "in-memory"), path: "in-memory", mentions: "is too large for any tensor")
        XCTAssertNil(Tensor.elementCount(ofShape: [1 << 62, 0, 4]))
        XCTAssertEqual(Tensor.elementCount(ofShape: [1 << 20, 0, 4]), 0)
        XCTAssertEqual(Tensor.elementCount(ofShape: [3, 4]), 12)
        XCTAssertNil(Tensor.elementCount(ofShape: [3, -4]))
    }

    /// A header over the reference implementation's 100 MB is refused before a byte of it is read.
    func testSafetensorsHeaderOver100MBIsRefusedUnread() throws {
        let path = try makeTemporaryFolder(self) + "/huge-header.safetensors"
        try writeFile(withUnsafeBytes(of: UInt64(100_000_001).littleEndian, Array.init) + Array("{}".utf8), to: path)
        assertDataError(try SafeTensors.read(from: path), path: path, mentions: "the header length 100000001 is larger than the limit 100000000")
    }

    /// An allocation the machine cannot make is a thrown error naming the file, not an abort.
    func testImpossibleAllocationThrows() {
        assertDataError(try ensureAllocatable(1 << 50, for: "huge.idx", "a tensor"), path: "huge.idx",
                        mentions: "cannot allocate 1125899906842624 bytes for a tensor: out of memory")
        XCTAssertNoThrow(try ensureAllocatable(1 << 25, for: "small.idx", "a tensor"))
    }
}
