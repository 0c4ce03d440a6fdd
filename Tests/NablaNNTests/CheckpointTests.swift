import XCTest
import NablaTestSupport
import Nabla
import NablaData
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

    /// Issue 24: `load` read every tensor of the file before comparing it with the
    /// model (a 3 GiB tensor took a 6.2 GB peak). Names and shapes come from the
    /// header now: a file whose weight is 1 GiB (sparse on disk) is refused under an
    /// address-space cap of 256 MB more than the process holds.
    func testAWrongCheckpointIsRefusedFromItsHeaderBeforeAnyDataIsRead() throws {
        let path = try temporaryFolder(self) + "/huge.safetensors"
        let header = Array(#"{"weight":{"dtype":"F32","shape":[16384,16384],"data_offsets":[0,1073741824]},"bias":{"dtype":"F32","shape":[1],"data_offsets":[1073741824,1073741828]}}"#.utf8)
        var prefix = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        prefix += header
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(prefix)))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(prefix.count + (1 << 30) + 4))
        try handle.close()
        let result = outcome { _ in
            capAddressSpace(extraBytes: 256 << 20)
            let model = Linear(weight: Tensor.zeros([1, 2]), bias: Tensor.zeros([1]))
            do { try model.load(from: path); return "loaded" } catch { return "\(error)" }
        }
        XCTAssertEqual(result.result, "\(path): does not fit the model: Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: "
                       + "copying a param with shape [16384, 16384] from checkpoint, the shape in current model is [1, 2].", "\(result)")
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
        assertContains(text, path, "size mismatch for 0.weight: copying a param with shape [30, 784] from checkpoint, the shape in current model is [40, 784]",
                       "size mismatch for 2.weight: copying a param with shape [1, 30] from checkpoint, the shape in current model is [1, 40]",
                       "Missing key(s) in state_dict: \"4.weight\", \"4.bias\".")
        XCTAssertEqual(wider.parameters.map(\.value.scalars), before, "nothing changed")

        let linear = Linear(weight: Tensor.zeros([1, 784]), bias: Tensor.zeros([1]))
        assertContains(message { try linear.load(from: path) }, "Missing key(s) in state_dict: \"weight\", \"bias\".",
                       "Unexpected key(s) in state_dict: ", "\"0.weight\"", "\"2.bias\"")
    }
}
