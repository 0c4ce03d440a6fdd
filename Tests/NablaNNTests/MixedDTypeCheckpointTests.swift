import Foundation
import XCTest
import NablaTestSupport
import Nabla
import NablaData
@testable import NablaNN

/// Checkpoints that mix dtypes, as torch's do: BatchNorm's `num_batches_tracked` is int64.
final class MixedDTypeCheckpointTests: XCTestCase {
    func testBatchNormCheckpointLoadsFromTorchAndBackWithItsInt64Counter() throws {
        let folder = NSTemporaryDirectory() + "nabla-mixed-checkpoint-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        try runTorchPython(#"""
        import sys, torch
        from safetensors.torch import save_file
        torch.manual_seed(0)
        norm = torch.nn.BatchNorm1d(3)
        for _ in range(7):
            norm(torch.randn(4, 3) * 2 + 1)
        save_file(norm.state_dict(), sys.argv[1] + "/torch.safetensors")
        """#, arguments: [folder])

        let stored = Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: folder + "/torch.safetensors").map { ($0.name, $0.tensor) })
        XCTAssertEqual(stored["num_batches_tracked"]?.dtype, .int64)
        XCTAssertEqual(stored["running_mean"]?.dtype, .float32)
        let norm = BatchNorm2d(features: 3)
        XCTAssertEqual(norm.batchesTracked.value.dtype, .int64)
        try norm.load(from: folder + "/torch.safetensors")
        XCTAssertEqual(norm.batchesTracked.value.dtype, .int64)
        XCTAssertEqual(norm.batchesTracked.value.item(as: Int64.self), 7)
        XCTAssertEqual(norm.runningMean.value.scalars, stored["running_mean"]?.scalars)
        XCTAssertEqual(norm.runningVariance.value.scalars, stored["running_var"]?.scalars)

        // A training step counts on in int64; the checkpoint torch reads back holds 8 and the statistics.
        _ = norm(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(norm.batchesTracked.value.item(as: Int64.self), 8)
        try norm.save(to: folder + "/nabla.safetensors")
        let mean = norm.runningMean.value.scalars.map { "\($0)" }.joined(separator: ",")
        try runTorchPython(#"""
        import sys, torch
        from safetensors.torch import load_file
        state = load_file(sys.argv[1] + "/nabla.safetensors")
        assert state["num_batches_tracked"].dtype == torch.int64 and state["num_batches_tracked"].item() == 8, state
        assert state["running_mean"].dtype == torch.float32
        assert torch.equal(state["running_mean"], torch.tensor([float(v) for v in sys.argv[2].split(",")], dtype=torch.float32)), state
        norm = torch.nn.BatchNorm1d(3)
        norm.load_state_dict(state)
        assert norm.num_batches_tracked.item() == 8
        """#, arguments: [folder, mean])
    }

    /// A float checkpoint (older Nabla, or a float64 one) loads converting to the model's dtypes.
    func testLoadStateDictConvertsToTheModelsDTypes() throws {
        let norm = BatchNorm2d(features: 2)
        var state = StateDict()
        state["weight"] = Tensor([2, 3] as [Double])
        state["bias"] = Tensor([0.5, 0.25])
        state["running_mean"] = Tensor([1, 1])
        state["running_var"] = Tensor([4, 4])
        state["num_batches_tracked"] = Tensor(5)
        try norm.loadStateDict(state)
        XCTAssertEqual(norm.weight.value.dtype, .float32)
        XCTAssertEqual(norm.weight.value.scalars, [2, 3])
        XCTAssertEqual(norm.batchesTracked.value.dtype, .int64)
        XCTAssertEqual(norm.batchesTracked.value.item(as: Int64.self), 5)
    }
}
