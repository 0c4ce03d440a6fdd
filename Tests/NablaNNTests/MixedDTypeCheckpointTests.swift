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

    /// A model cast to float16 or bfloat16 (`model.half()`, `model.bfloat16()` in torch) saves F16 and
    /// BF16 tensors torch loads bit for bit; torch's half checkpoints load into a half model as they
    /// are, and into a float32 model converted exactly (every half value is a float32 value).
    func testHalfPrecisionCheckpointsRoundTripWithTorch() throws {
        let folder = NSTemporaryDirectory() + "nabla-half-checkpoint-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        for (dtype, kind, method) in [(DType.float16, "F16", "half"), (.bfloat16, "BF16", "bfloat16")] {
            let model = Linear(inputs: 3, outputs: 2).to(dtype)
            XCTAssertEqual(model.weight.value.dtype, dtype)
            try model.save(to: folder + "/nabla-\(kind).safetensors")
            let weights = model.weight.value.scalars(as: Double.self).map { "\($0)" }.joined(separator: ",")
            try runTorchPython(#"""
            import sys, json, struct, torch
            from safetensors.torch import load_file, save_file
            folder, kind, method, weights = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
            path = folder + "/nabla-" + kind + ".safetensors"
            header = json.loads(open(path, "rb").read()[8:8 + struct.unpack("<Q", open(path, "rb").read(8))[0]])
            assert {v["dtype"] for k, v in header.items() if k != "__metadata__"} == {kind}, header
            state = load_file(path)
            linear = getattr(torch.nn.Linear(3, 2), method)()
            linear.load_state_dict(state)
            assert linear.weight.dtype == getattr(torch, "float16" if kind == "F16" else "bfloat16")
            assert linear.weight.flatten().float().tolist() == [float(w) for w in weights.split(",")], linear.weight
            torch.manual_seed(1)
            save_file(getattr(torch.nn.Linear(3, 2), method)().state_dict(), folder + "/torch-" + kind + ".safetensors")
            """#, arguments: [folder, kind, method, weights])
            let stored = try SafeTensors.read(from: folder + "/torch-\(kind).safetensors")
            XCTAssertEqual(Set(stored.map(\.tensor.dtype)), [dtype], kind)
            let half = Linear(inputs: 3, outputs: 2).to(dtype), single = Linear(inputs: 3, outputs: 2)
            try half.load(from: folder + "/torch-\(kind).safetensors")
            try single.load(from: folder + "/torch-\(kind).safetensors")
            let torchWeight = try XCTUnwrap(stored.first { $0.name == "weight" }?.tensor)
            XCTAssertEqual(half.weight.value.dtype, dtype)
            XCTAssertEqual(half.weight.value.scalars(as: Float.self), torchWeight.scalars(as: Float.self), kind)
            XCTAssertEqual(single.weight.value.dtype, .float32)
            XCTAssertEqual(single.weight.value.scalars, torchWeight.scalars(as: Float.self), kind)
            // The half model computes: its output has its dtype.
            XCTAssertEqual(half(Tensor.ones([4, 3], dtype: dtype)).dtype, dtype)
        }
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
