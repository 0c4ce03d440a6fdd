import XCTest
import NablaTestSupport
import Nabla
import NablaData
@testable import NablaNN

final class LayerTests: XCTestCase {
    func testTheModelsHavePyTorchsStateDictNamesAndShapes() {
        var generator = RandomGenerator(seed: 1)
        let cnn = DigitModel.cnn.make(generator: &generator)
        XCTAssertEqual(cnn.namedParameters.map(\.name), ["1.weight", "2.weight", "2.bias", "5.weight", "6.weight", "6.bias",
                                                         "9.weight", "9.bias", "12.weight", "12.bias"])
        XCTAssertEqual(cnn.namedBuffers.map(\.name), ["0.mean", "0.std", "2.running_mean", "2.running_var", "2.num_batches_tracked",
                                                      "6.running_mean", "6.running_var", "6.num_batches_tracked"])
        XCTAssertEqual(cnn.parameters.map(\.value.shape), [[16, 1, 3, 3], [16], [16], [32, 16, 3, 3], [32], [32],
                                                          [128, 1568], [128], [10, 128], [10]])
        XCTAssertEqual(cnn.parameterCount, 144 + 32 + 4608 + 64 + 200_832 + 1290)
        XCTAssertEqual(DigitModel.mlp.make(generator: &generator).namedParameters.map(\.name), ["2.weight", "2.bias", "4.weight", "4.bias"])
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
    /// saved by Nabla and loaded by `load_state_dict` (strict) into the same `torch.nn` model, predicts
    /// the same logits from the same 0–1 pixels: the normalisation travels in the checkpoint.
    func testCNNCheckpointLoadsIntoPyTorchWithTheSamePredictions() throws {
        _ = try requireTorchPython()
        let folder = try temporaryFolder(self)
        var generator = RandomGenerator(seed: 5)
        let model = DigitModel.cnn.make(generator: &generator, mean: 0.1307, standardDeviation: 0.3081)
        for _ in 0..<3 { _ = model(Tensor.rand([8, 1, 28, 28], generator: &generator)) }
        model.eval()
        let images = Tensor.rand([6, 1, 28, 28], generator: &generator)
        let logits = model(images)
        try model.save(to: folder + "/cnn.safetensors")
        try SafeTensors.write([("images", images)], to: folder + "/images.safetensors")
        try runTorchPython("""
            import sys, torch
            from torch import nn
            from safetensors.torch import load_file, save_file
            \(Normalize.torchSource)
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
        // Without the layer the same weights see other inputs: the logits differ.
        let unnormalized = Sequential(Array(model.layers.dropFirst()))
        XCTAssertGreaterThan((unnormalized(images) - logits).abs().max().item, 0.1)
    }

    /// The PyTorch snippet of the article "The nabla command" (Nabla.docc/TheNablaCommand.md) is the code the test above runs.
    func testTheDocumentedPyTorchSnippetIsTheTestedOne() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var pages = [root.appendingPathComponent("README.md")]
        if let articles = FileManager.default.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil) {
            pages += articles.compactMap { $0 as? URL }.filter { $0.pathExtension == "md" }
        }
        let texts = try pages.map { try String(contentsOf: $0, encoding: .utf8) }
        let snippet = Normalize.torchSource + "\n\nmodel = " + DigitModel.cnn.torchSource
        XCTAssertTrue(texts.contains { $0.contains(snippet) }, "no page shows:\n\(snippet)")
    }

    func testNormalizeIsTorchvisionsPerChannelNormalize() {
        let layer = Normalize(mean: [1, 2], std: [2, 4])
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [3, 5, 10, 2])
        XCTAssertEqual(layer(x).scalars, [1, 2, 2, 0])
        XCTAssertEqual(layer.namedBuffers.map(\.name), ["mean", "std"])
        XCTAssertTrue(layer.parameters.isEmpty)
        XCTAssertEqual(layer.summary, "Normalize(mean: [1.0, 2.0], std: [2.0, 4.0])")
    }
}
