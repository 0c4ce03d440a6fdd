import Foundation
import XCTest
import NablaTestSupport
import Nabla
@testable import NablaData

final class NumPyTests: XCTestCase {
    private func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }

    /// Every file NumPy wrote (each dtype, byte order, order and version) decodes to the
    /// shape and C-order bytes NumPy reads from it.
    func testEveryNumPyWrittenFileDecodesToNumPysElements() throws {
        for testCase in numPyFileCases {
            let array = try NumPy.decodeArray(bytes(testCase.file), source: testCase.name, limits: .default)
            XCTAssertEqual("\(array.elementType)", testCase.dtype, testCase.name)
            XCTAssertEqual(array.shape, testCase.shape, testCase.name)
            XCTAssertEqual(array.bytes, bytes(testCase.elements), testCase.name)
        }
        // Every dtype but bfloat16, which NumPy does not have.
        XCTAssertEqual(Set(numPyFileCases.map(\.dtype)), Set(DType.allCases.filter { $0 != .bfloat16 }.map { "\($0)" }))
    }

    /// Each file loads as a tensor of NumPy's dtype, shape and values, and writes back as NumPy
    /// wrote its little-endian C-order form.
    func testEveryDTypeLoadsAsATensorAndWritesBack() throws {
        let folder = try makeTemporaryFolder(self)
        for testCase in numPyFileCases {
            let path = folder + "/\(testCase.name).npy"
            try writeFile(bytes(testCase.file), to: path)
            let tensor = try NumPy.load(path)
            XCTAssertEqual("\(tensor.dtype)", testCase.dtype, testCase.name)
            XCTAssertEqual(tensor.shape, testCase.shape, testCase.name)
            let written = NumPy.encode(tensor)
            XCTAssertEqual(Array(written[try NPYHeader(written).byteCount...]), bytes(testCase.elements), testCase.name)
        }
        let f8 = try XCTUnwrap(numPyFileCases.first { $0.name == "f8_big" })
        XCTAssertEqual(try NumPy.decode(bytes(f8.file), source: "f8").scalars(as: Double.self), [-1.5, -0.75, 0, 0.75, 1.5, 2.25])
        let i8 = try XCTUnwrap(numPyFileCases.first { $0.name == "i8_fortran" })
        XCTAssertEqual(try NumPy.decode(bytes(i8.file), source: "i8").scalars(as: Int64.self), [-2, -1, 0, 1, 2, 3])
        let b1 = try XCTUnwrap(numPyFileCases.first { $0.name == "b1_fortran" })
        XCTAssertEqual(try NumPy.decode(bytes(b1.file), source: "b1").scalars(as: Bool.self), [true, false, false, true, true, true])
    }

    /// `encode` writes what `numpy.save` writes, byte for byte.
    func testSaveWritesNumPysBytes() throws {
        for name in ["f4", "f8", "f2", "i8", "i4", "u1", "b1", "f4_scalar", "f4_empty", "f4_special", "f2_special"] {
            let testCase = try XCTUnwrap(numPyFileCases.first { $0.name == name })
            let tensor = try NumPy.decode(bytes(testCase.file), source: name)
            XCTAssertEqual(NumPy.encode(tensor), bytes(testCase.file), name)
        }
        // A view (transpose) is written in its own row-major order.
        let x = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5]).transposed
        XCTAssertEqual(try NumPy.decode(NumPy.encode(x), source: "t").scalars, [0, 3, 1, 4, 2, 5])
    }

    func testArchivesNumPyWroteDecode() throws {
        for testCase in numPyArchiveCases {
            let members = try ZipArchive.read(bytes(testCase.file), source: testCase.name, maximumDataBytes: 1 << 20)
            XCTAssertEqual(members.map(\.name).sorted(), testCase.arrays.map { $0.name + ".npy" }.sorted(), testCase.name)
            for member in members {
                let expected = try XCTUnwrap(testCase.arrays.first { $0.name + ".npy" == member.name })
                let array = try NumPy.decodeArray(member.bytes, source: member.name, limits: .default)
                XCTAssertEqual(array.shape, expected.shape)
                XCTAssertEqual("\(array.elementType)", expected.dtype)
                XCTAssertEqual(array.bytes, bytes(expected.elements), "\(testCase.name) \(member.name)")
            }
        }
    }

    func testArchiveRoundTripStoredAndDeflated() throws {
        let folder = try makeTemporaryFolder(self)
        let a = Tensor(shape: [3, 2], scalars: [1, -2, 3.5, 0, .infinity, -0.0])
        let b = Tensor(shape: [1000], scalars: (0..<1000).map { Float($0 % 7) })
        for compressed in [false, true] {
            let path = folder + "/round-\(compressed).npz"
            try NumPy.saveArchive([("a", a), ("b", b)], to: path, compressed: compressed)
            let read = try NumPy.loadArchive(path)
            XCTAssertEqual(Set(read.keys), ["a", "b"])
            XCTAssertEqual(read["a"]?.shape, [3, 2])
            XCTAssertEqual(read["a"]?.scalars.map(\.bitPattern), a.scalars.map(\.bitPattern))
            XCTAssertEqual(read["b"]?.scalars, b.scalars)
            let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            if compressed { XCTAssertLessThan(size, 1000) } else { XCTAssertGreaterThan(size, 4000) }
        }
        assertDataError(try NumPy.saveArchive([("a", a), ("a", b)], to: folder + "/twice.npz"), path: folder + "/twice.npz",
                        mentions: "appears twice")
    }

    /// NumPy reads what Nabla writes, with the same shapes and values.
    func testNumPyReadsWhatNablaWrites() throws {
        let folder = try makeTemporaryFolder(self)
        let x = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) * 0.5 - 2 })
        try NumPy.save(x, to: folder + "/x.npy")
        try NumPy.save(Tensor(7), to: folder + "/scalar.npy")
        try NumPy.saveArchive([("w", x), ("b", Tensor([1, 2]))], to: folder + "/stored.npz")
        try NumPy.saveArchive([("w", x), ("b", Tensor([1, 2]))], to: folder + "/deflated.npz", compressed: true)
        let typed: [(String, Tensor)] = [
            ("f8", Tensor(shape: [2, 2], scalars: [0.1, -2.5, 1e300, .pi] as [Double])),
            ("i8", Tensor([Int64.min, -1, 0, Int64.max])), ("i4", Tensor(shape: [2, 1], scalars: [Int32.min, 7])),
            ("u1", Tensor([0, 128, 255] as [UInt8])), ("b1", Tensor([true, false, true])),
            ("f2", Tensor([0.1, 65504, -0.0, 6e-8] as [Float16])),
        ]
        for (name, tensor) in typed { try NumPy.save(tensor, to: folder + "/\(name).npy") }
        try NumPy.saveArchive(typed, to: folder + "/typed.npz", compressed: true)
        let script = """
        import sys, numpy as np
        d = sys.argv[1]
        x = np.arange(12, dtype=np.float32).reshape(4, 3) * 0.5 - 2
        a = np.load(d + "/x.npy"); assert a.dtype == np.float32 and a.shape == (4, 3) and (a == x).all(), a
        s = np.load(d + "/scalar.npy"); assert s.shape == () and s == 7, s
        for name in ["stored", "deflated"]:
            z = np.load(d + "/" + name + ".npz")
            assert list(z.keys()) == ["w", "b"], z.keys()
            assert (z["w"] == x).all() and (z["b"] == np.array([1, 2], np.float32)).all()
        typed = {"f8": np.array([[0.1, -2.5], [1e300, np.pi]]), "i8": np.array([-2**63, -1, 0, 2**63 - 1]),
                 "i4": np.array([[-2**31], [7]], np.int32), "u1": np.array([0, 128, 255], np.uint8), "b1": np.array([True, False, True]),
                 "f2": np.array([0.1, 65504, -0.0, 6e-8], np.float16)}
        z = np.load(d + "/typed.npz")
        for name, expected in typed.items():
            for a in [np.load(d + "/" + name + ".npy"), z[name]]:
                assert a.dtype == expected.dtype and a.shape == expected.shape and (a == expected).all(), (name, a)
                assert a.tobytes() == expected.tobytes(), (name, a)
        print("ok")
        """
        XCTAssertEqual(try runTorchPython(script, arguments: [folder]), "ok\n")
    }

    /// NumPy has no bfloat16: writing one is refused, naming the dtype, and nothing is written.
    func testBFloat16IsRefusedOnWriting() throws {
        let folder = try makeTemporaryFolder(self)
        let b = Tensor([1, 2] as [Float]).to(.bfloat16)
        assertDataError(try NumPy.save(b, to: folder + "/b.npy"), path: folder + "/b.npy",
                        mentions: "NumPy has no bfloat16 dtype, so a bfloat16 tensor cannot be written as .npy; convert it with to(.float32) first (exact)")
        assertDataError(try NumPy.saveArchive([("a", Tensor([1])), ("w", b)], to: folder + "/b.npz"), path: folder + "/b.npz",
                        mentions: "array \"w\": NumPy has no bfloat16 dtype")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/b.npy") || FileManager.default.fileExists(atPath: folder + "/b.npz"))
        assertFails("NumPy.encode: NumPy has no bfloat16 dtype") { _ = NumPy.encode(b) }
    }

    // MARK: hostile input

    /// A .npy file with a hand-written header dict and `data` bytes after it.
    private func npy(_ dict: String, data: [UInt8] = [], version: UInt8 = 1, declaredLength: Int? = nil) -> [UInt8] {
        let text = Array(dict.utf8)
        let length = declaredLength ?? text.count
        var bytes = NPYHeader.magic + [version, 0]
        for index in 0..<(version == 1 ? 2 : 4) { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * index))) }
        return bytes + text + data
    }

    func testMalformedNPYIsRefusedWithItsProblem() {
        let cases: [([UInt8], String)] = [
            ([1, 2, 3], "not a .npy file"),
            (NPYHeader.magic + [4, 0, 0, 0], "unsupported .npy format version 4.0"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }", data: [0, 0, 0, 0]),
             "needs 4398046511104 bytes, more than the limit"),
            (npy("{'descr': '<i8', 'fortran_order': True, 'shape': (1024, 1073741824), }", data: [0, 0, 0, 0, 0, 0, 0, 0]),
             "shape [1024, 1073741824] of int64 needs 8796093022208 bytes, more than the limit"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"), "too large for any tensor"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"), "larger than"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data: [0, 0, 0, 0]), "truncated: shape [3] of float32 needs 12 bytes"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0, 0]), "needs 4 bytes of data but 5 follow"),
            (npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"), "dtype '<c8' is not one Nabla reads"),
            (npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1099511627776,), }", data: [0, 0]),
             "shape [1099511627776] of float16 needs 2199023255552 bytes, more than the limit"),
            (npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", data: [0, 0, 0, 0]), "truncated: shape [3] of float16 needs 6 bytes"),
            (npy("{'descr': '<V2', 'fortran_order': False, 'shape': (1,), }"), "dtype '<V2' is not one Nabla reads"),
            (npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }"), "structured or object dtype"),
            (npy("{'descr': '<f4', 'shape': (1,), }"), "a .npy header has exactly descr, fortran_order and shape"),
            (npy("{'descr': '<f4', 'fortran_order': 1, 'shape': (1,), }"), "fortran_order is not True or False"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), "shape is not a tuple of non-negative integers"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }"), "shape is not a tuple"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x"), "text follows the dict"),
            (npy("{'descr': '<f4', 'descr': '<f4'"), "appears twice"),
            (npy("{'descr': '<f4", version: 2), "a string is not closed"),
            (npy("{}", version: 1, declaredLength: 60_000), "more than NumPy's limit of 10000"),
            (npy("{}", version: 3, declaredLength: 5_000), "truncated: the header declares 5000 bytes"),
            (npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", data: [1, 2]), "bool element 1 is the byte 2"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (" + String(repeating: "1, ", count: 65) + "), }"), "more than 64 items"),
            (npy("{'descr': (((((((((('<f4',),),),),),),),),),), 'fortran_order': False, 'shape': (1,), }"), "nest too deeply"),
        ]
        for (file, expected) in cases {
            assertDataError(try NumPy.decode(file, source: "hand.npy"), path: "hand.npy", mentions: expected)
        }
    }

    func testMalformedArchivesAreRefusedNamingTheMember() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/a.npz"
        try NumPy.saveArchive([("w", Tensor([1, 2, 3]))], to: path, compressed: true)
        let good = try XCTUnwrap(FileManager.default.contents(atPath: path)).map { $0 }
        func changed(_ edit: (inout [UInt8]) -> Void) -> [UInt8] { var copy = good; edit(&copy); return copy }
        let directory = good.count - 22 - (46 + 5)
        let dataStart = 30 + 5
        let cases: [([UInt8], String)] = [
            ([0x50, 0x4b, 3, 4], "no end-of-central-directory record"),
            (changed { $0[dataStart + 2] ^= 0xff }, "member \"w.npy\""),
            (changed { $0[directory + 16] ^= 1 }, "CRC-32 mismatch"),
            (changed { $0[directory + 10] = 12 }, "compression method 12"),
            (changed { $0[directory + 8] = 1 }, "is encrypted"),
            (changed { $0[directory + 24] = 0xff; $0[directory + 25] = 0xff; $0[directory + 26] = 0xff; $0[directory + 27] = 0x7f },
             "more than 1073741824 bytes of data"),
            (changed { $0[directory + 20] = 0xff; $0[directory + 21] = 0xff }, "run past the start of the central directory"),
            (changed { $0[directory + 42] = 0x40 }, "local header lies outside"),
            (changed { $0[good.count - 6] = 0xff }, "lies outside the file"),
        ]
        for (file, expected) in cases {
            assertDataError(try NumPy.decodeArchive(file, source: "a.npz"), path: "a.npz", mentions: expected)
        }
        // Inflation stops at the declared size: a member that inflates further is refused.
        let tiny = DataLimits(maximumDataBytes: 100)
        assertDataError(try NumPy.decodeArchive(good, source: "a.npz", limits: tiny), path: "a.npz", mentions: "limit")
    }
}
