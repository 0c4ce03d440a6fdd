import Foundation
import XCTest
import Nabla
@testable import NablaData

final class SafeTensorsTests: XCTestCase {
    func testFileLayoutIsSafetensors() throws {
        let path = try makeTemporaryFolder(self) + "/small.safetensors"
        try SafeTensors.write([("b", Tensor([1.5, -2])), ("a", Tensor(shape: [1, 1], scalars: [0.25]))], to: path)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let header = #"{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        var expected = withUnsafeBytes(of: UInt64(padded.utf8.count).littleEndian, Array.init)
        expected += Array(padded.utf8)
        for value: Float in [1.5, -2, 0.25] { expected += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
        XCTAssertEqual(bytes, expected)

        let read = try SafeTensors.read(from: path)
        XCTAssertEqual(read.map { $0.name }, ["b", "a"])
        XCTAssertEqual(read[1].tensor.shape, [1, 1])
        XCTAssertEqual(read[0].tensor.scalars, [1.5, -2])
    }

    /// A file with the given JSON header and `dataBytes` zero bytes of data.
    private func handMade(_ header: String, dataBytes: Int, lengthOverride: UInt64? = nil) throws -> String {
        let path = try makeTemporaryFolder(self) + "/hand.safetensors"
        var bytes = withUnsafeBytes(of: (lengthOverride ?? UInt64(header.utf8.count)).littleEndian, Array.init)
        bytes += Array(header.utf8) + Array(repeating: 0, count: dataBytes)
        try writeFile(bytes, to: path)
        return path
    }

    func testMalformedFilesAreRefusedNamingTheTensor() throws {
        let cases: [(header: String, data: Int, expected: String)] = [
            (#"{"w":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}}"#, 4, #"tensor "w": has dtype I16; Nabla reads F64"#),
            (#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, #"tensor "w": shape [3] needs 12 bytes of F32 but data_offsets [0, 8] hold 8"#),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, #"tensor "v": data_offsets [4, 12] overlap"#),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 4, "lie outside the 4 bytes of data"),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 12, "the tensors' data ends at byte 8 but the file has 12 bytes of data"),
            (#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, 8, #"tensor "w": shape is not a list of non-negative integers"#),
            (#"{"w":{"dtype":"F32","shape":[2]}}"#, 8, #"tensor "w": data_offsets is not a pair of integers"#),
            (#"{"w": [1, 2"#, 0, "is not a JSON object"),
            (#"[1, 2]"#, 0, "is not a JSON object"),
        ]
        for (header, data, expected) in cases {
            let path = try handMade(header, dataBytes: data)
            assertDataError(try SafeTensors.read(from: path), path: path, mentions: expected)
        }
        let huge = try handMade("{}", dataBytes: 0, lengthOverride: 1 << 40)
        assertDataError(try SafeTensors.read(from: huge), path: huge, mentions: "header length")
        let long = try handMade("{}", dataBytes: 0, lengthOverride: 64)
        assertDataError(try SafeTensors.read(from: long), path: long, mentions: "truncated: the header declares 64 bytes of JSON")
        let tiny = try handMade("", dataBytes: 0, lengthOverride: nil)
        try writeFile([1, 2, 3], to: tiny)
        assertDataError(try SafeTensors.read(from: tiny), path: tiny, mentions: "too short")
    }

    func testMissingFileFolderAndUnwritablePathAreRefused() throws {
        let folder = try makeTemporaryFolder(self)
        let absent = folder + "/absent.safetensors"
        assertDataError(try SafeTensors.read(from: absent), path: absent, mentions: "cannot open")
        assertDataError(try SafeTensors.read(from: folder), path: folder, mentions: "is a folder")
        let unwritable = folder + "/no/such/dir/x.safetensors"
        assertDataError(try SafeTensors.write([("x", Tensor([1]))], to: unwritable), path: unwritable, mentions: "cannot write")
    }

    func testMetadataAndEmptyTensorsRoundTrip() throws {
        let path = try makeTemporaryFolder(self) + "/meta.safetensors"
        try SafeTensors.write([("empty", Tensor.zeros([0, 3])), ("scalar", Tensor(2))],
                              metadata: ["format": "pt", "quote": "a\"b/c"], to: path)
        let read = try SafeTensors.read(from: path)
        XCTAssertEqual(read.map { $0.name }, ["empty", "scalar"])
        XCTAssertEqual(read[0].tensor.shape, [0, 3])
        XCTAssertEqual(read[1].tensor.shape, [])
        XCTAssertEqual(read[1].tensor.item, 2)
        // The metadata is valid JSON that keeps its strings exactly.
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let length = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any]
        XCTAssertEqual(header?["__metadata__"] as? [String: String], ["format": "pt", "quote": "a\"b/c"])
        assertDataError(try SafeTensors.write([("x", Tensor([1])), ("x", Tensor([2]))], to: path), path: path,
                        mentions: "tensor name \"x\" is reserved or appears twice")
    }
}

/// The header parser that replaced JSONSerialization (a 59 MB header took 3.9 GB in it).
final class SafeTensorsHeaderTests: XCTestCase {
    func testParsesEntriesSkipsEverythingElse() throws {
        let json = #" { "__metadata__" : {"format": "pt", "n": [1, {"x": null}, -2.5e3, true]}, "a\u00e9\ud83d\ude00" : {"dtype":"F32","shape":[2, 0],"data_offsets":[0,0],"extra":{"k":[[]]}}, "b":{"shape":[1.5],"dtype":7} } "#
        let header = try SafeTensorsHeader(Array(json.utf8))
        XCTAssertEqual(header.entries.map(\.name), ["aé😀", "b"])
        XCTAssertEqual(header.entries[0].dtype, "F32")
        XCTAssertEqual(header.entries[0].shape, [2, 0])
        XCTAssertEqual(header.entries[0].offsets, [0, 0])
        XCTAssertNil(header.entries[1].dtype)
        XCTAssertNil(header.entries[1].shape)
    }

    func testRefusesBadJSONDeepNestingAndDuplicates() {
        let deep = "{\"__metadata__\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let cases = ["", "[]", "{\"a\":{}", "{\"a\" {}}", "{\"a\":{},}", "{\"a\":{}} x", "{\"a\":\"\u{01}\"}", "{\"a\":nul}", deep]
        for text in cases {
            XCTAssertThrowsError(try SafeTensorsHeader(Array(text.utf8)), String(text.prefix(20)))
        }
        XCTAssertThrowsError(try SafeTensorsHeader(Array(#"{"a":{},"a":{}}"#.utf8))) { error in
            XCTAssertEqual((error as? SafeTensorsHeader.EntryError)?.problem, "appears twice in the header")
        }
    }

    /// Many entries (3 MB of header) parse in one pass, keeping only the entries.
    func testLargeHeaderIsParsedWithoutBuildingObjects() throws {
        var json = "{"
        for i in 0..<50_000 { json += #""t\#(i)":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"# }
        json += #""last":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#
        let header = try SafeTensorsHeader(Array(json.utf8))
        XCTAssertEqual(header.entries.count, 50_001)
        XCTAssertEqual(header.entries.last?.shape, [])
    }
}
