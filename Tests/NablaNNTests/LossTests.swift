import XCTest
import Nabla
@testable import NablaNN

final class LossTests: XCTestCase {
    private let prediction = Tensor([[0.5], [-1], [2], [0]])
    private let target = Tensor([[1], [0], [1], [0]])

    private func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    func testRegressionLosses() {
        forEachBackend { kind in
            let p = Tensor([1, 2, 4]), t = Tensor([2, 2, 1])
            XCTAssertEqual(l1Loss(p, t).item, 4.0 / 3, accuracy: 1e-6, "l1 on \(kind)")  // (1 + 0 + 3) / 3
            XCTAssertEqual(mseLoss(p, t).item, 10.0 / 3, accuracy: 1e-6, "mse on \(kind)")  // (1 + 0 + 9) / 3
            XCTAssertEqual(rmseLoss(p, t).item, (10.0 / 3).squareRoot(), accuracy: 1e-6, "rmse on \(kind)")
        }
    }

    func testMNISTLossIsTheBooksFormula() {
        forEachBackend { kind in
            // where(target == 1, 1 − σ(p), σ(p)), then the mean.
            let expected = ((1 - sigmoid(0.5)) + sigmoid(-1) + (1 - sigmoid(2)) + sigmoid(0)) / 4
            XCTAssertEqual(mnistLoss(prediction, target).item, expected, accuracy: 1e-6, "on \(kind)")
        }
        // The book's example: predictions [0.9, 0.4, 0.2] for targets [1, 0, 1] (before the sigmoid).
        let bookLoss = mnistLoss(Tensor([0.9, 0.4, -0.2]), Tensor([1, 0, 1])).item
        XCTAssertEqual(bookLoss, ((1 - sigmoid(0.9)) + sigmoid(0.4) + (1 - sigmoid(-0.2))) / 3, accuracy: 1e-6)
    }

    func testBinaryCrossEntropyWithLogits() {
        forEachBackend { kind in
            let expected = [(Float(0.5), Float(1)), (-1, 0), (2, 1), (0, 0)].map { p, t in
                -(t * log(sigmoid(p)) + (1 - t) * log(1 - sigmoid(p)))
            }.reduce(0, +) / 4
            XCTAssertEqual(binaryCrossEntropyWithLogits(prediction, target).item, expected, accuracy: 1e-6, "on \(kind)")
        }
        // Stable far from zero, where log(σ(p)) underflows: loss ≈ |p| for the wrong side.
        let extreme = binaryCrossEntropyWithLogits(Tensor([-200, 200]), Tensor([1, 0])).item
        XCTAssertEqual(extreme, 200, accuracy: 1e-3)
    }

    func testLossGradientsMatchFiniteDifferences() {
        let p = Tensor([[0.3], [-0.7], [1.2], [-0.1]])
        for (name, loss) in [("mnistLoss", mnistLoss), ("bce", binaryCrossEntropyWithLogits), ("mse", mseLoss),
                             ("rmse", rmseLoss)] as [(String, (Tensor, Tensor) -> Tensor)] {
            let result = gradientCheck([p]) { loss($0[0], target) }
            XCTAssertTrue(result.passed, "\(name): \(result)")
        }
    }

    func testFusedMNISTLossGivesTheChainsBits() {
        var generator = RandomGenerator(seed: 4)
        // 108 rows as well as 256: the lesson's last batch, whose 1/n is not a power of two.
        for rows in [256, 108] {
            let logits = Tensor.randn([rows, 1], generator: &generator) * 3
            let targets = Tensor.rand([rows, 1], generator: &generator) .> 0.5
            for dtype in [DType.float32, .float64, .float16, .bfloat16] {
                forEachBackend { kind in
                    var fusedInput = logits.to(dtype), chainInput = logits.to(dtype)
                    fusedInput.requiresGrad = true
                    chainInput.requiresGrad = true
                    let fused = mnistLoss(fusedInput, targets)
                    let probability = chainInput.sigmoid()
                    let chain = Tensor.where(targets .== 1, 1 - probability, probability).mean()
                    XCTAssertEqual(fused.dtype, dtype)
                    XCTAssertEqual(fused.scalars(as: Double.self), chain.scalars(as: Double.self), "\(dtype), \(rows) rows on \(kind)")
                    fused.backward()
                    chain.backward()
                    XCTAssertEqual(fusedInput.grad?.scalars(as: Double.self), chainInput.grad?.scalars(as: Double.self),
                                   "\(dtype), \(rows) rows on \(kind)")
                }
            }
        }
    }

    func testFusedMNISTLossGradientMatchesFiniteDifferencesInFloat64() {
        // Float targets of the prediction's shape take the fused path; 1 and 0 as the book's.
        let logits = Tensor([[0.3], [-0.7], [1.2], [-0.1], [2.5]]), targets = Tensor([[1], [0], [0], [1], [1]]).to(.float64)
        let result = float64Check([logits]) { mnistLoss($0[0], targets) }
        XCTAssertTrue(result.passed, "\(result)")
    }

    func testBatchAccuracy() {
        // σ(p) > 0.5 predicts 1: predictions 1, 0, 1, 0 against targets 1, 0, 0, 1.
        XCTAssertEqual(batchAccuracy(Tensor([[3], [-2], [0.1], [-0.1]]), Tensor([[1], [0], [0], [1]])), 0.5)
        // p = 0 gives σ = 0.5, which is not above 0.5: it predicts 0, and the target is 0.
        XCTAssertEqual(batchAccuracy(prediction, target), 1)
    }
}
