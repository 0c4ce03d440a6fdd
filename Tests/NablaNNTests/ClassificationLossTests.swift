import Foundation
import XCTest
import NablaTestSupport
import Nabla
@testable import NablaNN

final class ClassificationLossTests: XCTestCase {
    private let logits = Tensor([[2, 1, 0.1], [0.5, 2.5, 0.3], [-1, 0, 3], [1, 1, 1]])
    private let classes = Tensor([0, 2, 2, 1])

    /// −log softmax(row)[class], computed in Double.
    private func expectedLosses() -> [Float] {
        (0..<4).map { n in
            let row = logits[n].scalars.map(Double.init)
            let log = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
            return Float(log - row[Int(classes.scalars[n])])
        }
    }

    func testCrossEntropyByHandWithEachReduction() {
        forEachBackend { kind in
            let losses = expectedLosses()
            assertClose(crossEntropy(logits, classes, reduction: .none).scalars, losses, "\(kind)")
            XCTAssertEqual(crossEntropy(logits, classes).item, losses.reduce(0, +) / 4, accuracy: 1e-6)
            XCTAssertEqual(crossEntropy(logits, classes, reduction: .sum).item, losses.reduce(0, +), accuracy: 1e-5)
            // nllLoss on logSoftmax is the same thing; a single sample [C] with a scalar target too.
            XCTAssertEqual(nllLoss(logits.logSoftmax(axis: 1), classes).item, losses.reduce(0, +) / 4, accuracy: 1e-6)
            XCTAssertEqual(crossEntropy(logits[1], Tensor(2)).item, losses[1], accuracy: 1e-6)
            // [N, C, d]: the classes on axis 1.
            let spatial = Tensor.stack([logits, logits * 2], axis: 2).transpose(1, 2).transpose(1, 2)
            XCTAssertEqual(crossEntropy(spatial, Tensor.stack([classes, classes], axis: 1), reduction: .none).shape, [4, 2])
        }
        // Class probabilities as the target: one-hot rows give the index form's losses, soft rows the mixture.
        let oneHot = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0 % 3) == classes.scalars[$0 / 3] ? 1 : 0 })
        assertClose(crossEntropy(logits, oneHot, reduction: .none).scalars, expectedLosses())
        let soft = Tensor([0.5, 0.5, 0])
        let row = logits[0].logSoftmax().scalars
        XCTAssertEqual(crossEntropy(logits[0], soft).item, -(0.5 * row[0] + 0.5 * row[1]), accuracy: 1e-6)
        let softCheck = gradientCheck([logits]) { crossEntropy($0[0], oneHot * 0.8 + 0.2 / 3) }
        XCTAssertTrue(softCheck.passed, "\(softCheck)")
        // Huge logits stay finite: log-softmax subtracts the maximum.
        XCTAssertEqual(crossEntropy(Tensor([[1000, 0], [0, -1000]]), Tensor([1, 0]), reduction: .none).scalars, [1000, 0])
    }

    func testCrossEntropyGradient() {
        forEachBackend { kind in
            // d/dlogits = (softmax − onehot) / N.
            let x = logits.requiringGrad()
            crossEntropy(x, classes).backward()
            let softmax = logits.softmax(axis: 1).scalars
            let expected = softmax.indices.map { i in (softmax[i] - (Float(i % 3) == classes.scalars[i / 3] ? 1 : 0)) / 4 }
            assertClose(x.grad!.scalars, expected, "\(kind)")
            for loss in [crossEntropy, nllLoss] as [(Tensor, Tensor) -> Tensor] {
                let check = gradientCheck([logits]) { loss($0[0], classes) }
                XCTAssertTrue(check.passed, "\(kind): \(check)")
            }
        }
    }

    func testBinaryCrossEntropyOnProbabilities() {
        forEachBackend { kind in
            let p = Tensor([0.9, 0.2, 0.5, 0.01]), y = Tensor([1, 0, 1, 1])
            let expected: [Float] = [-log(0.9), -log(0.8), -log(0.5), -log(0.01)]
            assertClose(binaryCrossEntropy(p, y, reduction: .none).scalars, expected, "\(kind)")
            XCTAssertEqual(binaryCrossEntropy(p, y).item, expected.reduce(0, +) / 4, accuracy: 1e-6)
            // log clamped at −100, as PyTorch: p = 0 for target 1 costs 100, not inf.
            XCTAssertEqual(binaryCrossEntropy(Tensor([0, 1]), Tensor([1, 1]), reduction: .none).scalars, [100, 0])
            let check = gradientCheck([Tensor([0.3, 0.6, 0.8]), Tensor([1, 0, 0.5])]) { binaryCrossEntropy($0[0], $0[1]) }
            XCTAssertTrue(check.passed, "\(kind): \(check)")
            // It agrees with the logits form on σ(x).
            let x = Tensor([0.4, -1.2, 2])
            XCTAssertEqual(binaryCrossEntropy(x.sigmoid(), Tensor([1, 0, 1])).item,
                           binaryCrossEntropyWithLogits(x, Tensor([1, 0, 1])).item, accuracy: 1e-6)
        }
    }

    /// Bug 4: at a logit of exactly 0 the gradient is (σ(0) − y) / n, as PyTorch's.
    func testBinaryCrossEntropyWithLogitsGradientAtZero() {
        forEachBackend { kind in
            let x = Tensor([0, 0], requiresGrad: true), y = Tensor([1, 0], requiresGrad: true)
            binaryCrossEntropyWithLogits(x, y).backward()
            XCTAssertEqual(x.grad?.scalars, [-0.25, 0.25], "\(kind)")
            XCTAssertEqual(y.grad?.scalars, [0, 0], "\(kind)")
            let check = gradientCheck([Tensor([0.7, -0.3, 1.5]), Tensor([1, 0, 0.25])]) {
                binaryCrossEntropyWithLogits($0[0], $0[1], reduction: .sum)
            }
            XCTAssertTrue(check.passed, "\(kind): \(check)")
        }
    }

    func testAccuracy() {
        // Argmaxes 0, 1, 2, 0 (a tie goes to the first) against 0, 2, 2, 1.
        XCTAssertEqual(accuracy(logits, classes), 0.5)
        XCTAssertEqual(Metric.multiClassAccuracy.measure(logits, Tensor([0, 1, 2, 0])), 1)
    }

    func testClassIndexErrors() {
        assertFails("crossEntropy: class index 1.5 at position 1 is not an integer") { _ = crossEntropy(self.logits, Tensor([0, 1.5, 2, 1])) }
        assertFails("crossEntropy: class index 3 at position 3 is out of range for an axis of extent 3 (expected 0..<3)") {
            _ = crossEntropy(self.logits, Tensor([0, 1, 2, 3]))
        }
        assertFails("nllLoss: class index -1 at position 0") { _ = nllLoss(self.logits, Tensor([-1, 1, 2, 0])) }
        assertFails("crossEntropy: target of shape [4, 1] does not fit the input of shape [4, 3]: expected [4] (class indices, without the class axis 1) or [4, 3] (class probabilities)") {
            _ = crossEntropy(self.logits, self.classes.unsqueeze(axis: 1))
        }
        assertFails("accuracy: prediction of shape [3] and target of shape [4] do not fit") { _ = accuracy(Tensor([1, 2, 3]), self.classes) }
        assertFails("binaryCrossEntropy: input 1.5 at position 0 is not a probability") { _ = binaryCrossEntropy(Tensor([1.5]), Tensor([1])) }
        assertFails("binaryCrossEntropyWithLogits: target of shape [2, 1] does not match the input of shape [2]") {
            _ = binaryCrossEntropyWithLogits(Tensor([1, 2]), Tensor([[1], [0]]))
        }
    }
}
