import XCTest
import NablaTestSupport
import Nabla
import NablaData
@testable import NablaNN

/// The chapter's fastai cells, written the way the book writes them.
final class FastaiShapeTests: XCTestCase {
    private static let data = Result { try DigitsSplit.load() }

    func testTheChaptersLearnerCells() throws {
        let split = try Self.data.get()
        let (trainX, trainY) = split.trainingSet
        let (validX, validY) = split.validationSet
        // dset = list(zip(train_x, train_y)); x, y = dset[0]
        let dset = Dataset(trainX, trainY), validDset = Dataset(validX, validY)
        let (x, y) = dset[0]
        XCTAssertEqual(x.shape, [784])
        XCTAssertEqual(y.scalars, [1])
        XCTAssertEqual(dset.count, 12_396, "the book's 6,131 3s and 6,265 7s")
        // dl = DataLoader(dset, batch_size=256); xb, yb = first(dl)
        Nabla.manualSeed(42)
        let dl = DataLoader(dset, batchSize: 256, shuffle: true)
        let validDl = DataLoader(validDset, batchSize: 256)
        let (xb, yb) = dl.first!
        XCTAssertEqual(xb.shape, [256, 784])
        XCTAssertEqual(yb.shape, [256, 1])
        XCTAssertEqual(dl.nextEpoch, 0, "first does not use up an epoch")
        // dls = DataLoaders(dl, valid_dl); learn = Learner(dls, nn.Linear(28*28, 1), opt_func=SGD, ...)
        let dls = DataLoaders(dl, validDl)
        XCTAssertEqual(dls.train.batchCount, 49, "a loader's batch count is known without passing it")
        let learn = Learner(dls, Linear(inputs: 784, outputs: 1), optimizer: SGD.self, loss: mnistLoss,
                            metrics: [batchAccuracy], console: .silent)
        let fit = try learn.fit(3, lr: 1)
        XCTAssertEqual(fit.epochs.count, 3)
        XCTAssertGreaterThanOrEqual(fit.epochs.last!.metrics[0], 0.9)
        XCTAssertEqual(learn.recorder.names, ["train_loss", "valid_loss", "batch_accuracy"])
        XCTAssertEqual(learn.recorder.losses.count, 3 * 49, "one loss per training batch")
        XCTAssertEqual(learn.recorder.learningRates, Array(repeating: 1, count: 3 * 49))
        XCTAssertEqual(learn.recorder.values.count, 3)
        XCTAssertEqual(learn.recorder.values.last?.last, fit.epochs.last!.metrics[0])
        // A second fit goes on from the trained weights and adds to the recorder.
        try learn.fit(1, lr: 0.5)
        XCTAssertEqual(learn.recorder.epochs.count, 4)
        XCTAssertEqual(learn.recorder.learningRates.last, 0.5)
    }

    /// y = 2x on four points in two batches of two.
    private func tinyLearner(_ callbacks: [any Callback] = [], lr: Float = 0.02) -> Learner {
        let inputs = Tensor([[1], [2], [3], [4]]), targets = Tensor([[2], [4], [6], [8]])
        let loader = DataLoader(inputs: inputs, targets: targets, batchSize: 2)
        let learner = Learner(DataLoaders(loader, loader), Linear(weight: Tensor([[0]]), bias: nil), loss: mseLoss,
                              metrics: [{ l1Loss($0, $1).item }], callbacks: callbacks, console: .silent)
        learner.learningRate = lr
        return learner
    }

    private final class Trace: Callback {
        var events: [String] = []
        func beforeFit(_ l: Learner) { events.append("beforeFit") }
        func beforeEpoch(_ l: Learner) { events.append("beforeEpoch \(l.epoch)") }
        func beforeBatch(_ l: Learner) { events.append("beforeBatch \(l.isTraining ? "train" : "valid") \(l.batchIndex)") }
        func afterLoss(_ l: Learner) { events.append("afterLoss") }
        func afterBackward(_ l: Learner) { events.append("afterBackward") }
        func afterBatch(_ l: Learner) { events.append("afterBatch") }
        func beforeValidate(_ l: Learner) { events.append("beforeValidate") }
        func afterEpoch(_ l: Learner) { events.append("afterEpoch \(l.recorder.epochs.count)") }
        func afterFit(_ l: Learner) { events.append("afterFit") }
    }

    func testCallbacksRunAtEveryPointInOrder() throws {
        let trace = Trace()
        try tinyLearner([trace]).fit(1)
        XCTAssertEqual(trace.events, [
            "beforeFit", "beforeEpoch 0",
            "beforeBatch train 0", "afterLoss", "afterBackward", "afterBatch",
            "beforeBatch train 1", "afterLoss", "afterBackward", "afterBatch",
            "beforeValidate", "beforeBatch valid 0", "afterBatch", "beforeBatch valid 1", "afterBatch",
            "afterEpoch 1", "afterFit",
        ])
    }

    /// A learning-rate schedule as a callback: halve the rate before every training batch.
    private final class Halving: Callback {
        func beforeBatch(_ learner: Learner) { if learner.isTraining { learner.learningRate /= 2 } }
    }

    /// Stops the fit after `batches` training batches, as lr_find does.
    private final class StopAfter: Callback {
        let batches: Int
        init(_ batches: Int) { self.batches = batches }
        func afterBatch(_ learner: Learner) {
            if learner.isTraining, learner.recorder.losses.count == batches { learner.requestStop("enough") }
        }
    }

    func testSchedulesAndStopsAreCallbacks() throws {
        let learner = tinyLearner([Halving()], lr: 0.08)
        try learner.fit(2)
        XCTAssertEqual(learner.recorder.learningRates, [0.04, 0.02, 0.01, 0.005])
        XCTAssertEqual(learner.recorder.names, ["train_loss", "valid_loss", "metric"], "a plain function is a metric")

        let stopped = tinyLearner([StopAfter(3)])
        let fit = try stopped.fit(5)
        XCTAssertTrue(fit.stoppedEarly)
        XCTAssertEqual(stopped.stopReason, "enough")
        XCTAssertEqual(stopped.recorder.losses.count, 3, "stopped after the batch that asked")
        XCTAssertEqual(fit.epochs.count, 1, "the interrupted epoch is not validated")
    }

    func testDivergenceIsWarnedAbout() throws {
        let file = try XCTUnwrap(tmpfile())
        defer { fclose(file) }
        let inputs = Tensor([[1], [2], [3], [4]]), targets = Tensor([[2], [4], [6], [8]])
        let learner = Learner(DataLoaders(BatchSource([(inputs, targets)]), BatchSource([(inputs, targets)])),
                              Linear(weight: Tensor([[0]]), bias: nil), loss: mseLoss,
                              callbacks: [DivergenceWarning(epochs: 3)], console: Console(stream: file))
        // Each step multiplies w − 2 by 1 − 10·15 = −149: the loss passes 1e20, where the table used to crash.
        try learner.fit(6, lr: 10)
        rewind(file)
        var text = "", buffer = [CChar](repeating: 0, count: 1024)
        while fgets(&buffer, Int32(buffer.count), file) != nil { text += String(cString: buffer) }
        XCTAssertEqual(text.components(separatedBy: "warning: the training loss has grown for 3 epochs in a row").count, 2, text)
        XCTAssertTrue(text.contains("the learning rate 10.0 is probably too high"), text)
        XCTAssertTrue(text.contains("e+"), "huge losses print in scientific notation: \(text)")
    }

    func testProgressShowsPercentRateAndTimeLeft() {
        XCTAssertEqual(progressLine(done: 12, total: 26, seconds: 0.5, phase: "train"),
                       "|█████████████·················|  46% 12/26 train batches, 24.0 batches/s, 00:00.583 left")
        XCTAssertEqual(progressLine(done: 0, total: 0, seconds: 0, phase: "valid"),
                       "|██████████████████████████████| 100% 0/0 valid batches")
    }

    func testFitChecksItsArguments() {
        assertFails("Learner.fit: epochs must be at least 1, got 0") { _ = try? self.tinyLearner().fit(0) }
        assertFails("Learner.fit: the learning rate must be finite and positive, got inf") { _ = try? self.tinyLearner().fit(1, lr: .infinity) }
        assertFails("EarlyStopping: patience must be at least 1, got 0") { _ = EarlyStopping(patience: 0) }
        assertFails("DivergenceWarning: epochs must be at least 1, got 0") { _ = DivergenceWarning(epochs: 0) }
        assertFails("Dataset: inputs of shape [2] and targets of shape [3] must hold the same number of items along axis 0") {
            _ = Dataset(Tensor([1, 2]), Tensor([1, 2, 3]))
        }
        assertFails("Dataset: index 2 is out of range for 2 items") { _ = Dataset(Tensor([1, 2]), Tensor([1, 2]))[2] }
    }

    func testTheGlobalGeneratorIsSeededLikeTorch() {
        Nabla.manualSeed(7)
        let a = Tensor.randn([3]), layer = Linear(inputs: 4, outputs: 2)
        Nabla.manualSeed(7)
        XCTAssertEqual(Tensor.randn([3]).scalars, a.scalars)
        XCTAssertEqual(Linear(inputs: 4, outputs: 2).weight.value.scalars, layer.weight.value.scalars)
        var explicit = RandomGenerator(seed: 7)
        XCTAssertEqual(Tensor.randn([3], generator: &explicit).scalars, a.scalars, "the same stream as an explicit generator")
        XCTAssertNotEqual(Tensor.randn([3]).scalars, a.scalars, "the global generator moves on")
    }
}

/// A parameter keeps its identity through every update NablaNN makes, as in PyTorch.
final class ParameterIdentityTests: XCTestCase {
    func testCopiesOfAParameterFollowOptimizersAndCheckpoints() throws {
        let model = Linear(weight: Tensor([[1, 2]]), bias: Tensor([0.5]))
        let weights = model.weight.value  // the book's `w, b = linear_model.parameters()`
        for optimizer in [SGD(model.parameters, learningRate: 0.1), Adam(model.parameters, learningRate: 0.1)] as [any Optimizer] {
            mseLoss(model(Tensor([[1, 1]])), Tensor([[0]])).backward()
            optimizer.step()
            optimizer.zeroGrad()
            XCTAssertEqual(weights.scalars, model.weight.value.scalars, "\(type(of: optimizer))")
            XCTAssertTrue(model.weight.value.requiresGrad)
        }
        let path = try temporaryFolder(self) + "/linear.safetensors"
        try Linear(weight: Tensor([[7, 8]]), bias: Tensor([9])).save(to: path)
        try model.load(from: path)
        XCTAssertEqual(weights.scalars, [7, 8], "loading copies into the parameter, as load_state_dict does")
        XCTAssertTrue(model.weight.value.requiresGrad)
    }
}
