import XCTest
import Nabla
import NablaData
@testable import NablaNN

final class LayerTests: XCTestCase {
    func testTheModelsHavePyTorchsStateDictNamesAndShapes() {
        var generator = RandomGenerator(seed: 1)
        let cnn = DigitModel.cnn.make(generator: &generator)
        XCTAssertEqual(cnn.namedParameters.map(\.name), ["0.weight", "1.weight", "1.bias", "4.weight", "5.weight", "5.bias",
                                                         "8.weight", "8.bias", "11.weight", "11.bias"])
        XCTAssertEqual(cnn.namedBuffers.map(\.name), ["1.running_mean", "1.running_var", "1.num_batches_tracked",
                                                      "5.running_mean", "5.running_var", "5.num_batches_tracked"])
        XCTAssertEqual(cnn.parameters.map(\.value.shape), [[16, 1, 3, 3], [16], [16], [32, 16, 3, 3], [32], [32],
                                                          [128, 1568], [128], [10, 128], [10]])
        XCTAssertEqual(cnn.parameterCount, 144 + 32 + 4608 + 64 + 200_832 + 1290)
        XCTAssertEqual(DigitModel.mlp.make(generator: &generator).namedParameters.map(\.name), ["1.weight", "1.bias", "3.weight", "3.bias"])
        XCTAssertEqual(cnn(Tensor.zeros([2, 1, 28, 28])).shape, [2, 10])
    }

    func testConv2dInitialisationIsPyTorchsKaimingUniform() {
        var generator = RandomGenerator(seed: 2)
        let conv = Conv2d(inChannels: 16, outChannels: 32, kernelSize: 3, generator: &generator)
        let bound: Float = 1 / 12  // 1/√(16·3·3)
        let weights = conv.weight.value.scalars
        XCTAssertLessThanOrEqual(weights.map(abs).max()!, bound)
        XCTAssertGreaterThan(weights.map(abs).max()!, 0.95 * bound)
        // U(−b, b) has variance b²/3.
        let variance = weights.map { $0 * $0 }.reduce(0, +) / Float(weights.count)
        XCTAssertEqual(variance, bound * bound / 3, accuracy: 0.1 * bound * bound / 3)
        XCTAssertLessThanOrEqual(conv.bias!.value.scalars.map(abs).max()!, bound)
    }

    func testTrainAndEvalSwitchBatchNormAndDropout() {
        let norm = BatchNorm2d(features: 2), drop = Dropout(probability: 0.5, seed: 3)
        let model = Sequential(norm, drop)
        var generator = RandomGenerator(seed: 4)
        let x = Tensor.randn([4, 2, 3, 3], generator: &generator) * 3 + 1
        let trained = model(x)
        XCTAssertEqual(norm.batchesTracked.value.item, 1)
        XCTAssertTrue(trained.scalars.contains(0), "dropout drops in training mode")
        XCTAssertNotEqual(norm.runningMean.value.scalars, [0, 0])
        model.eval()
        let before = norm.runningMean.value.scalars
        let evaluated = model(x)
        XCTAssertEqual(norm.runningMean.value.scalars, before, "evaluation leaves the running statistics alone")
        XCTAssertEqual(norm.batchesTracked.value.item, 1)
        var mean = norm.runningMean.value, variance = norm.runningVariance.value
        XCTAssertEqual(evaluated.scalars, x.batchNorm(runningMean: &mean, runningVariance: &variance, weight: Tensor.ones([2]),
                                                      bias: Tensor.zeros([2]), training: false).scalars)
        model.train()
        XCTAssertTrue(drop.isTraining && norm.isTraining)
    }

    /// The CNN, after a few training-mode passes (so its running statistics are not the defaults),
    /// saved by Nabla and loaded by `load_state_dict` (strict) into the same `torch.nn` model, predicts the same logits.
    func testCNNCheckpointLoadsIntoPyTorchWithTheSamePredictions() throws {
        _ = try torchPython()
        let folder = try temporaryFolder(self)
        var generator = RandomGenerator(seed: 5)
        let model = DigitModel.cnn.make(generator: &generator)
        for _ in 0..<3 { _ = model(Tensor.rand([8, 1, 28, 28], generator: &generator)) }
        model.eval()
        let images = Tensor.rand([6, 1, 28, 28], generator: &generator)
        let logits = model(images)
        try model.save(to: folder + "/cnn.safetensors")
        try SafeTensors.write([("images", images)], to: folder + "/images.safetensors")
        try runTorch("""
            import sys, torch
            from torch import nn
            from safetensors.torch import load_file, save_file
            model = \(DigitModel.cnn.torchSource)
            model.load_state_dict(load_file(sys.argv[1]), strict=True)
            model.eval()
            with torch.no_grad():
                logits = model(load_file(sys.argv[2])["images"])
            save_file({"logits": logits.contiguous()}, sys.argv[3])
            """, arguments: [folder + "/cnn.safetensors", folder + "/images.safetensors", folder + "/torch.safetensors"])
        let torchLogits = try SafeTensors.read(from: folder + "/torch.safetensors")[0].tensor
        XCTAssertEqual(torchLogits.shape, [6, 10])
        assertClose(logits.scalars, torchLogits.scalars, tolerance: 1e-4, "logits")
        XCTAssertEqual(logits.argmax(axis: 1).scalars, torchLogits.argmax(axis: 1).scalars)
    }
}
