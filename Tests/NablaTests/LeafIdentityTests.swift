import XCTest
@testable import Nabla
import NablaTestSupport

/// A leaf that requires grad has an identity, as in PyTorch; every other tensor is a value.
final class LeafIdentityTests: XCTestCase {
    /// The chapter's data for `x·w + b`: a small regression with known gradients.
    private func regression() -> (x: Tensor, y: Tensor) {
        (Tensor([[1, 2], [3, 4], [5, 6]]), Tensor([[1], [0], [1]]))
    }

    func testTheBooksUpdateLoopTrainsAsWritten() {
        forEachBackend { kind in
            let (x, y) = regression()
            let weights = Tensor([[0.5], [-0.25]], requiresGrad: true)
            let bias = Tensor([0.1], requiresGrad: true)
            let params = [weights, bias]
            let lr: Float = 0.01
            func loss() -> Tensor { (x.matmul(weights) + bias - y).square().mean() }
            let before = loss().item
            for _ in 0..<3 {
                loss().backward()
                let expectedWeights = zip(weights.scalars, weights.grad!.scalars).map { $0 - lr * $1 }
                // The book's loop, as written: `p` is a copy, and the leaf still changes.
                for var p in params { noGrad { p -= p.grad! * lr } }
                for p in params { p.zeroGrad() }
                assertClose(weights.scalars, expectedWeights, "\(kind)")
            }
            XCTAssertLessThan(loss().item, before, "three steps lower the loss on \(kind)")
            XCTAssertTrue(weights.requiresGrad, "the update keeps the leaf a leaf")
        }
    }

    func testEveryInPlaceUpdateOfACopyReachesTheLeaf() {
        forEachBackend { kind in
            let w = Tensor([1, 2], requiresGrad: true)
            var copy = w
            noGrad {
                copy += 1
                copy *= Tensor([2, 3])
                copy.addScaled(Tensor([1, 1]), by: -1)
                copy[0] = Tensor(10)
                copy[1] *= 2
            }
            XCTAssertEqual(w.scalars, [10, 16], "\(kind)")
            XCTAssertEqual(copy.scalars, w.scalars)
        }
    }

    func testOrdinaryTensorsKeepValueSemantics() {
        let a = Tensor([1, 2, 3])
        var b = a
        b += 1
        b[0] = Tensor(7)
        XCTAssertEqual(a.scalars, [1, 2, 3])
        XCTAssertEqual(b.scalars, [7, 3, 4])
        // Making a copy a leaf gives it values of its own: the original never changes.
        var leaf = a
        leaf.requiresGrad = true
        noGrad { leaf -= 1 }
        XCTAssertEqual(a.scalars, [1, 2, 3])
        XCTAssertEqual(leaf.scalars, [0, 1, 2])
    }

    func testDetachedSharesTheLeafAndCloneIsASnapshot() {
        let w = Tensor([1, 2], requiresGrad: true)
        let shared = w.detached(), snapshot = w.clone()
        var copy = w
        noGrad { copy -= 1 }
        XCTAssertEqual(shared.scalars, [0, 1], "detached() shares the values, as PyTorch's detach()")
        XCTAssertEqual(snapshot.scalars, [1, 2], "clone() keeps its own values")
        var rebound = w
        noGrad { rebound = rebound * 0 }
        XCTAssertEqual(w.scalars, [0, 1], "assigning a new value rebinds the copy only")
    }

    func testUpdatingALeafOutsideNoGradStops() {
        assertFails("cannot be changed in place while gradients are recorded; update it inside noGrad") {
            var w = Tensor([1, 2], requiresGrad: true)
            w -= 1
        }
        assertFails("subscript assignment: a leaf tensor that requires grad cannot be changed in place") {
            var w = Tensor([1, 2], requiresGrad: true)
            w[0] = Tensor(3)
        }
    }
}

final class SubscriptAssignmentTests: XCTestCase {
    func testAssignsAnElementARowAndABlock() {
        forEachBackend { kind in
            var t = Tensor.zeros([4, 5])
            t[0] = Tensor([1, 2, 3, 4, 5])
            t[1, 2] = Tensor(9)
            t[2..<4, 1..<3] = Tensor([[1, 2], [3, 4]])
            t[3, 4...] = Tensor(7)  // broadcast
            XCTAssertEqual(t.scalars, [1, 2, 3, 4, 5,
                                       0, 0, 9, 0, 0,
                                       0, 1, 2, 0, 0,
                                       0, 3, 4, 0, 7], "\(kind)")
        }
    }

    func testAssignsThroughEllipsesAndSteps() {
        forEachBackend { kind in
            var t = Tensor.zeros([2, 2, 3])
            t[..., 1] = Tensor(5)
            t[0, .ellipsis, 2] = Tensor([7, 8])
            t[1, 0..., .every(2)] = Tensor([[1, 2], [3, 4]])
            XCTAssertEqual(t.scalars, [0, 5, 7, 0, 5, 8,
                                       1, 5, 2, 3, 5, 4], "\(kind)")
        }
    }

    func testCompoundAssignmentThroughASubscript() {
        var w = Tensor([[1, 2], [3, 4]], requiresGrad: true)
        noGrad { w[0] *= 1.5 }
        XCTAssertEqual(w.scalars, [1.5, 3, 3, 4])
        var t = Tensor([[1, 2], [3, 4]])
        t[1..<2, 0..<2] += Tensor([10, 20])
        XCTAssertEqual(t.scalars, [1, 2, 13, 24])
    }

    func testAssignmentThatDoesNotFitStops() {
        assertFails("subscript assignment: a value of shape [3] cannot be broadcast to the region of shape [2] picked from a tensor of shape [2, 2]") {
            var t = Tensor.zeros([2, 2])
            t[0] = Tensor([1, 2, 3])
        }
    }

    func testGradientFlowsThroughAnAssignment() {
        forEachBackend { kind in
            let result = gradientCheck([Tensor([[1, 2, 3], [4, 5, 6]]), Tensor([0.5, -1])]) { inputs in
                var t = inputs[0] * 2
                t[0..<2, 1] = inputs[1].square()
                return t.sigmoid()
            }
            XCTAssertTrue(result.passed, "\(kind): \(result)")
        }
    }
}

final class AutogradMessagesTests: XCTestCase {
    func testGradOfAnInteriorResultNamesRetainGrad() {
        assertFails("grad: this tensor was made by mul, it is not a leaf, so backward() does not keep its gradient; call retainGrad()") {
            let x = Tensor([1, 2], requiresGrad: true)
            let y = x * 3
            y.sum().backward()
            _ = y.grad
        }
    }

    func testRetainGradKeepsAnInteriorGradient() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = x * 3
        y.retainGrad()
        (y * y).sum().backward()
        XCTAssertEqual(y.grad?.scalars, [6, 12])
        XCTAssertEqual(x.grad?.scalars, [18, 36])
    }

    func testGradOfATensorThatNeverRequiredGradNamesTheFix() {
        assertFails("grad: this tensor does not require grad, so backward() never gives it a gradient; create it with requiresGrad: true") {
            let w = Tensor([1, 2])
            noGrad { var p = w; p -= p.grad! * 0.1 }
        }
        assertFails("retainGrad: this tensor does not require grad") { Tensor([1]).retainGrad() }
    }

    func testPrintedTensorsShowRequiresGradAndTheOpThatMadeThem() {
        let x = Tensor([1, 2], requiresGrad: true)
        XCTAssertEqual(x.description, "tensor([1., 2.], shape: [2], requiresGrad: true)")
        XCTAssertEqual((x * 2).description, "tensor([2., 4.], shape: [2], gradFn: mul)")
        XCTAssertEqual(noGrad { x * 2 }.description, "tensor([2., 4.], shape: [2])")
    }

    func testPrintedTensorsSurviveAnyValue() {
        XCTAssertEqual(Tensor([1e30, .infinity, -.infinity, .nan]).description,
                       "tensor([1.0000e+30,        inf,       -inf,        nan], shape: [4])")
    }
}

final class TorchSpellingTests: XCTestCase {
    func testTorchNamesMeanWhatTheySayInTorch() {
        forEachBackend { kind in
            let m = Tensor([[1, 2, 3], [4, 5, 6]])
            XCTAssertEqual(m.T.shape, [3, 2])
            XCTAssertEqual(m.T.scalars, [1, 4, 2, 5, 3, 6], "\(kind)")
            XCTAssertEqual(Tensor([1, 2]).T.scalars, [1, 2], "a vector is its own transpose")
            XCTAssertEqual(m.ndim, 2)
            XCTAssertEqual(m.numel, 6)
            XCTAssertEqual(m.view(3, 2).shape, [3, 2])
            XCTAssertEqual(m.view([-1]).scalars, m.scalars)
            XCTAssertEqual((m ** 2).scalars, [1, 4, 9, 16, 25, 36], "\(kind)")
            let doubledSquares: Tensor = 2 * m ** 2
            XCTAssertEqual(doubledSquares.scalars, [2, 8, 18, 32, 50, 72], "** binds tighter than *")
            XCTAssertEqual((-m ** 2).scalars, (m ** 2).scalars, "a prefix minus binds tighter, as the docs say")
        }
        assertFails("T: a tensor of shape [1, 2, 3] has 3 axes; .T is for matrices") { _ = Tensor.zeros([1, 2, 3]).T }
    }

    func testGradientFlowsThroughPower() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x ** 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 12, 27])
    }
}
