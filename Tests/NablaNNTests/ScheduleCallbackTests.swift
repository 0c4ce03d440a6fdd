import XCTest
import Nabla
import NablaData
@testable import NablaNN

final class ScheduleCallbackTests: XCTestCase {
    /// A small ten-class problem: points around ten centres.
    private func learner(batches: Int = 10, optimizer: any Optimizer.Type = SGD.self) -> Learner {
        var generator = RandomGenerator(seed: 3)
        let classes = (0..<batches * 16).map { $0 % 10 }
        let labels = Tensor(classes.map { Int64($0) })
        let centres = Tensor.randn([10, 4], generator: &generator) * 3
        let inputs = centres.gather(rows: classes) + Tensor.randn([batches * 16, 4], generator: &generator)
        let data = DataLoaders(DataLoader(inputs: inputs, targets: labels, batchSize: 16, shuffle: true, seed: 1),
                               DataLoader(inputs: inputs, targets: labels, batchSize: 80))
        let model = Sequential(Linear(inputs: 4, outputs: 10, generator: &generator))
        return Learner(data, model, optimizer: optimizer, loss: crossEntropy, metrics: [.multiClassAccuracy], console: .silent)
    }

    func testFitOneCycleSetsEveryBatchsLearningRateAndMomentum() throws {
        let learner = learner(optimizer: Adam.self)
        let initialLoss = learner.validate().loss
        try learner.fitOneCycle(2, maxLearningRate: 0.05)
        let cycle = OneCycle(maxLearningRate: 0.05)
        XCTAssertEqual(learner.recorder.learningRates.count, 20)
        for (index, rate) in learner.recorder.learningRates.enumerated() {
            XCTAssertEqual(rate, cycle.learningRate(at: Double(index) / 20), accuracy: 1e-9, "batch \(index)")
        }
        XCTAssertEqual((learner.optimizer as! Adam).beta1, Double(cycle.momentum(at: 19.0 / 20)), accuracy: 1e-7)
        XCTAssertLessThan(learner.recorder.epochs.last!.validLoss, 0.7 * initialLoss)
    }

    func testLRFindSweepsExponentiallyStopsOnDivergenceAndRestoresTheModel() throws {
        let learner = learner(batches: 10)
        let before = learner.model.parameters.map(\.value.scalars)
        let initialLoss = learner.validate().loss
        let finding = try learner.lrFind(start: 1e-5, end: 1e3, iterations: 50)
        XCTAssertEqual(finding.learningRates.first!, 1e-5, accuracy: 1e-12)
        for (index, rate) in finding.learningRates.enumerated() {
            XCTAssertEqual(rate, Schedule.exponential(from: 1e-5, to: 1e3, at: Double(index) / 49), accuracy: rate * 1e-5)
        }
        XCTAssertLessThan(finding.learningRates.count, 50, "a learning rate of 10³ diverges before the sweep ends")
        XCTAssertEqual(finding.losses.count, finding.learningRates.count)
        XCTAssertEqual(learner.model.parameters.map(\.value.scalars), before, "the model is put back")
        let suggestion = try XCTUnwrap(finding.valley(plannedBatches: 50))
        XCTAssertTrue(suggestion > 1e-4 && suggestion < 10, "valley \(suggestion)")
        // Training afterwards starts from a fresh optimizer.
        let fit = try learner.fitOneCycle(1, maxLearningRate: suggestion)
        XCTAssertEqual(fit.epochs.count, 1)
        XCTAssertLessThan(fit.epochs[0].validLoss, initialLoss)
    }

    func testLrFindLeavesTheRecorderTheModelAndTheOptimizerAsTheyWere() throws {
        let learner = learner(optimizer: Adam.self)
        try learner.fit(1, lr: 0.01)
        let optimizer = learner.optimizer as! Adam
        let state = learner.model.stateDict()
        let (losses, rates, rows) = (learner.recorder.losses, learner.recorder.learningRates, learner.recorder.values)
        let finding = try learner.lrFind(iterations: 30)
        XCTAssertGreaterThan(finding.losses.count, 5)
        XCTAssertEqual(learner.recorder.losses, losses)
        XCTAssertEqual(learner.recorder.learningRates, rates)
        XCTAssertEqual(learner.recorder.values, rows)
        XCTAssertTrue(learner.optimizer === optimizer, "the same optimizer, with its moments")
        XCTAssertEqual(learner.learningRate, 0.01)
        for (name, tensor) in learner.model.stateDict() { XCTAssertEqual(tensor.scalars, state[name]!.scalars, name) }
        // fastai's lr_find(); fit(2) leaves 2 more rows, not the finder's too.
        try learner.fit(2)
        XCTAssertEqual(learner.recorder.values.count, 3)
        XCTAssertEqual(learner.recorder.losses.count, 30)
        // Before any fit there is no optimizer, and none after the finder either.
        let fresh = self.learner()
        try fresh.lrFind(iterations: 20)
        XCTAssertTrue(fresh.recorder.values.isEmpty && fresh.recorder.losses.isEmpty)
        try fresh.fit(1, lr: 0.05)
        XCTAssertEqual(fresh.optimizer.learningRate, 0.05)
    }

    func testTheLearnerSwitchesTheModelBetweenTrainingAndEvaluation() throws {
        final class ModeProbe: Module {
            var modes: [Bool] = []
            private var training = true
            func callAsFunction(_ input: Tensor) -> Tensor { modes.append(training); return input }
            var namedParameters: [(name: String, parameter: Parameter)] { [] }
            func setTraining(_ training: Bool) { self.training = training }
        }
        let base = learner(batches: 2)
        let probe = ModeProbe()
        let model = Sequential(probe, base.model)
        let learner = Learner(base.dls, model, optimizer: SGD.self, loss: crossEntropy, console: .silent)
        try learner.fit(1, lr: 0.1)
        XCTAssertEqual(probe.modes, [true, true, false])
    }
}
