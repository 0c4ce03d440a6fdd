import XCTest
import Nabla
@testable import NablaNN

final class CheckpointTests: XCTestCase {
    private func net(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential(Linear(inputs: 784, outputs: 30, generator: &generator), ReLU(),
                          Linear(inputs: 30, outputs: 1, generator: &generator))
    }

    /// The error message thrown by `body`, or a failure when it does not throw.
    private func message(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch {
            return String(describing: error)
        }
    }

    private func assertContains(_ text: String, _ parts: String..., file: StaticString = #filePath, line: UInt = #line) {
        for part in parts where !text.contains(part) {
            XCTFail("'\(text)' does not mention '\(part)'", file: file, line: line)
        }
    }

    func testSaveThenLoadGivesIdenticalPredictions() throws {
        let folder = try temporaryFolder(self)
        let path = folder + "/net.safetensors"
        let trained = net(seed: 1)
        try trained.save(to: path, metadata: ["model": "mlp"])
        let restored = net(seed: 2)
        var generator = RandomGenerator(seed: 9)
        let input = Tensor.rand([16, 784], generator: &generator)
        XCTAssertNotEqual(restored(input).scalars, trained(input).scalars)
        try restored.load(from: path)
        XCTAssertEqual(restored(input).scalars, trained(input).scalars)
        for (name, parameter) in restored.namedParameters { XCTAssertTrue(parameter.value.requiresGrad, name) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["net.safetensors"], "no temporary file left")
    }

    func testFileLayoutIsSafetensors() throws {
        let path = try temporaryFolder(self) + "/small.safetensors"
        try SafeTensors.write([("b", Tensor([1.5, -2])), ("a", Tensor(shape: [1, 1], scalars: [0.25]))], to: path)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let header = #"{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        var expected = withUnsafeBytes(of: UInt64(padded.utf8.count).littleEndian, Array.init)
        expected += Array(padded.utf8)
        for value: Float in [1.5, -2, 0.25] { expected += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
        XCTAssertEqual(bytes, expected)

        let read = try SafeTensors.read(from: path)
        XCTAssertEqual(read.map(\.name), ["b", "a"])
        XCTAssertEqual(read[1].tensor.shape, [1, 1])
        XCTAssertEqual(read[0].tensor.scalars, [1.5, -2])
    }

    func testTruncatedFileIsRefused() throws {
        let folder = try temporaryFolder(self)
        let path = folder + "/net.safetensors"
        try net(seed: 1).save(to: path)
        let bytes = FileManager.default.contents(atPath: path)!
        for keep in [bytes.count - 4, 200, 12, 5] {
            let cut = folder + "/cut\(keep).safetensors"
            XCTAssertTrue(FileManager.default.createFile(atPath: cut, contents: bytes.prefix(keep)))
            let text = message { try net(seed: 2).load(from: cut) }
            assertContains(text, cut)
            XCTAssertTrue(text.contains("truncated") || text.contains("too short"), text)
        }
    }

    func testMismatchedModelIsRefusedWithEveryDifference() throws {
        let path = try temporaryFolder(self) + "/net.safetensors"
        try net(seed: 1).save(to: path)
        var generator = RandomGenerator(seed: 3)
        let wider = Sequential(Linear(inputs: 784, outputs: 40, generator: &generator), ReLU(),
                               Linear(inputs: 40, outputs: 1, generator: &generator), ReLU(),
                               Linear(inputs: 1, outputs: 1, generator: &generator))
        let before = wider.parameters.map(\.value.scalars)
        let text = message { try wider.load(from: path) }
        assertContains(text, path, "\"0.weight\" has shape [30, 784] but the model's is [40, 784]",
                       "\"2.weight\" has shape [1, 30] but the model's is [1, 40]", "missing tensor \"4.weight\"")
        XCTAssertEqual(wider.parameters.map(\.value.scalars), before, "nothing changed")

        let linear = Linear(weight: Tensor.zeros([1, 784]), bias: Tensor.zeros([1]))
        assertContains(message { try linear.load(from: path) }, "missing tensor \"weight\"", "unexpected tensor \"0.weight\"")
    }

    /// A file with the given JSON header (padded) and `dataBytes` zero bytes of data.
    private func handMade(_ header: String, dataBytes: Int, lengthOverride: UInt64? = nil) throws -> String {
        let path = try temporaryFolder(self) + "/hand.safetensors"
        var bytes = withUnsafeBytes(of: (lengthOverride ?? UInt64(header.utf8.count)).littleEndian, Array.init)
        bytes += Array(header.utf8) + Array(repeating: 0, count: dataBytes)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testMalformedFilesAreRefusedNamingTheTensor() throws {
        let cases: [(header: String, data: Int, expected: [String])] = [
            (#"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, 4, ["\"w\"", "F16", "only F32"]),
            (#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, ["\"w\"", "[3] needs 12 bytes", "hold 8"]),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, ["\"v\"", "overlap"]),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 4, ["\"w\"", "outside the 4 bytes"]),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 12, ["ends at byte 8", "12 bytes of data"]),
            (#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, 8, ["\"w\"", "shape"]),
            (#"{"w":{"dtype":"F32","shape":[2]}}"#, 8, ["\"w\"", "data_offsets"]),
            (#"{"w": [1, 2"#, 0, ["not a JSON object"]),
            (#"[1, 2]"#, 0, ["not a JSON object"]),
        ]
        for (header, data, expected) in cases {
            let path = try handMade(header, dataBytes: data)
            let text = message { _ = try SafeTensors.read(from: path) }
            for part in [path] + expected where !text.contains(part) {
                XCTFail("for header \(header): '\(text)' does not mention '\(part)'")
            }
        }
        let huge = try handMade("{}", dataBytes: 0, lengthOverride: 1 << 40)
        assertContains(message { _ = try SafeTensors.read(from: huge) }, huge, "header length")
        let long = try handMade("{}", dataBytes: 0, lengthOverride: 64)
        assertContains(message { _ = try SafeTensors.read(from: long) }, "truncated", "64 bytes of JSON")
    }

    func testMissingFileAndFolderAreRefused() throws {
        let folder = try temporaryFolder(self)
        assertContains(message { _ = try SafeTensors.read(from: folder + "/absent.safetensors") }, "absent.safetensors", "cannot open")
        assertContains(message { _ = try SafeTensors.read(from: folder) }, folder, "not a regular file")
        assertContains(message { try SafeTensors.write([("x", Tensor([1]))], to: folder + "/no/such/dir/x.safetensors") },
                       "x.safetensors", "cannot write")
    }

    func testMetadataAndEmptyTensorsRoundTrip() throws {
        let path = try temporaryFolder(self) + "/meta.safetensors"
        try SafeTensors.write([("empty", Tensor.zeros([0, 3])), ("scalar", Tensor(2))], metadata: ["format": "pt", "quote": "a\"b"], to: path)
        let read = try SafeTensors.read(from: path)
        XCTAssertEqual(read.map(\.name), ["empty", "scalar"])
        XCTAssertEqual(read[0].tensor.shape, [0, 3])
        XCTAssertEqual(read[1].tensor.shape, [])
        XCTAssertEqual(read[1].tensor.item, 2)
        XCTAssertThrowsError(try SafeTensors.write([("x", Tensor([1])), ("x", Tensor([2]))], to: path))
    }
}
