import XCTest
import Nabla
import NablaData
@testable import NablaNN
import NablaTestSupport

final class ScheduleTests: XCTestCase {
    func testOneCycleFollowsFastaisCombinedCosines() {
        let cycle = OneCycle(maxLearningRate: 0.01)
        XCTAssertEqual(cycle.learningRate(at: 0), 0.0004, accuracy: 1e-9)
        XCTAssertEqual(cycle.learningRate(at: 0.125), (0.0004 + 0.01) / 2, accuracy: 1e-8)
        XCTAssertEqual(cycle.learningRate(at: 0.25), 0.01, accuracy: 1e-9)
        XCTAssertEqual(cycle.learningRate(at: 0.625), (0.01 + 1e-7) / 2, accuracy: 1e-8)
        XCTAssertEqual(cycle.learningRate(at: 1), 1e-7, accuracy: 1e-12)
        XCTAssertEqual(cycle.momentum(at: 0), 0.95, accuracy: 1e-6)
        XCTAssertEqual(cycle.momentum(at: 0.25), 0.85, accuracy: 1e-6)
        XCTAssertEqual(cycle.momentum(at: 0.625), 0.90, accuracy: 1e-6)
        XCTAssertEqual(cycle.momentum(at: 1), 0.95, accuracy: 1e-6)
        XCTAssertEqual(Schedule.exponential(from: 1e-7, to: 10, at: 0.5), 1e-3, accuracy: 1e-9)
    }

    func testLearningRateSuggestionsAreFastaisValleyAndMinimumOverTen() {
        // A bump, a long descent to index 23, then divergence; as fastai, the suggestions
        // ignore the first tenth of the planned batches and the last five.
        let losses: [Float] = [3.0, 3.1, 2.9, 3.0] + (1...20).map { 3 - 0.1 * Float($0) } + (1...11).map { 1 + 0.3 * Float($0) }
        let rates = losses.indices.map { Float(pow(10, -7 + 8 * Double($0) / Double(losses.count))) }
        let finding = LearningRateFinding(learningRates: rates, losses: losses)
        XCTAssertEqual(finding.valley(plannedBatches: losses.count), rates[12])
        XCTAssertEqual(finding.minimumOverTen(plannedBatches: losses.count), rates[23] / 10)
        XCTAssertNil(LearningRateFinding(learningRates: [1, 2], losses: [1, 1]).valley(plannedBatches: 100))
    }

    func testConfusionMatrixCountsAndPerClassAccuracy() {
        var matrix = ConfusionMatrix(classCount: 3)
        let logits = Tensor([[5, 0, 0], [0, 5, 0], [0, 0, 5], [5, 0, 0], [0, 5, 1]])
        matrix.add(prediction: logits, target: Tensor([0, 1, 2, 2, 1] as [Int64]))
        XCTAssertEqual(matrix.counts, [[1, 0, 0], [0, 2, 0], [1, 0, 1]])
        XCTAssertEqual(matrix.total, 5)
        XCTAssertEqual(matrix.accuracy, 0.8, accuracy: 1e-12)
        XCTAssertEqual(matrix.perClassAccuracy, [1, 1, 0.5])
        let table = matrix.table(classNames: ["a", "b", "c"]).split(separator: "\n").map(String.init)
        XCTAssertEqual(table[0], "actual \\ predicted  a  b  c")
        XCTAssertEqual(table[3], "c                   1  0  1")
        XCTAssertEqual(table.last, "c                     0.5000       2")
        assertFails("ConfusionMatrix.add: class index 3 at position 1 is out of range for an axis of extent 3 (expected 0..<3)") {
            var matrix = ConfusionMatrix(classCount: 3)
            matrix.add(prediction: Tensor.zeros([2, 3]), target: Tensor([0, 3] as [Int64]))
        }
    }
}
