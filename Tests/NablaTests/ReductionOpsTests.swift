import Foundation
import XCTest
import NablaTestSupport
@testable import Nabla

/// The reductions of issue 10: variance, std, prod, cumsum, arg-extrema, max/min with indices, norms, all/any.
final class ReductionOpsTests: XCTestCase {
    let x = Tensor([[1, 2, 3, 4], [2, 0, -2, 8]])

    func testStatisticsByHand() {
        forEachBackend { kind in
            // Row 0: mean 2.5, squares 2.25 + 0.25 + 0.25 + 2.25 = 5; row 1: mean 2, squares 0 + 4 + 16 + 36 = 56.
            assertClose(x.variance(axis: 1).scalars, [5.0 / 3, 56.0 / 3], "\(kind)")
            assertClose(x.variance(axis: 1, correction: 0).scalars, [5.0 / 4, 56.0 / 4])
            assertClose(x.std(axis: 1).scalars, [(5.0 / 3).squareRoot(), (56.0 / 3).squareRoot()])
            XCTAssertEqual(x.variance(axis: 0, keepDims: true).shape, [1, 4])
            assertClose([x.variance().item], [Float(Self.populationSquares) / 7])
            XCTAssertTrue(Tensor([3]).variance().item.isNaN)   // n − correction = 0, as PyTorch's
            XCTAssertEqual(Tensor([3]).variance(correction: 0).item, 0)
        }
    }

    /// A lane of equal values has variance exactly 0 and std's gradient 0, as torch's;
    /// 0.1 five times summed and scaled by 1/5 is not 0.1 in Float, so this failed before
    /// the lanes were shifted by their first element.
    func testEqualLanesHaveZeroSpread() {
        forEachBackend { kind in
            let lane = Tensor([[0.1], [2.7]], requiresGrad: true)
            let spread = lane.expand(to: [2, 5]).std(axis: 1)
            XCTAssertEqual(spread.scalars, [0, 0], "\(kind)")
            spread.sum().backward()
            XCTAssertEqual(lane.grad?.scalars, [0, 0], "\(kind)")
            XCTAssertEqual(Tensor(shape: [7], scalars: Array(repeating: 1e7 + 1, count: 7)).variance().item, 0, "\(kind)")
        }
    }

    /// Σ(x − mean)² over all eight elements of `x` (mean 2.25).
    static let populationSquares: Double = [1, 2, 3, 4, 2, 0, -2, 8].reduce(0) { $0 + ($1 - 2.25) * ($1 - 2.25) }

    func testProdAndCumsumByHand() {
        forEachBackend { kind in
            XCTAssertEqual(x.prod(axis: 1).scalars, [24, 0], "\(kind)")
            XCTAssertEqual(x.prod(axis: 0).scalars, [2, 0, -6, 32])
            XCTAssertEqual(x.prod().item, 0)
            XCTAssertEqual(Tensor.zeros([0]).prod().item, 1)
            // A long lane (the eight-way vector loop and its tail) against a product in Double.
            let lane = randomTensor([3, 37], seed: 34) * 0.1 + 1
            let exact = (0..<3).map { r in Float(lane[r].scalars.reduce(1.0) { $0 * Double($1) }) }
            assertClose(lane.prod(axis: 1).scalars, exact, tolerance: 1e-5)
            assertClose(lane.cumsum(axis: 1)[0..., 36].scalars, lane.sum(axis: 1).scalars, tolerance: 1e-5)
            XCTAssertEqual(x.cumsum(axis: 1).scalars, [1, 3, 6, 10, 2, 2, 0, 8])
            XCTAssertEqual(x.cumsum(axis: 0).scalars, [1, 2, 3, 4, 3, 2, 1, 12])
            XCTAssertEqual(x.transposed.cumsum(axis: -1).scalars, [1, 3, 2, 2, 3, 1, 4, 12])
            // The gradient of prod at a zero element is the product of the others, not 0/0.
            let y = Tensor([2, 0, 3], requiresGrad: true)
            y.prod().backward()
            XCTAssertEqual(y.grad?.scalars, [0, 6, 0])
        }
    }

    func testArgExtremaAndIndices() {
        forEachBackend { kind in
            let t = Tensor([[3, 1, 3, 0], [.nan, 5, .nan, -1]])
            XCTAssertEqual(t.argmax(axis: 1).scalars, [0, 0], "\(kind)")   // the first of tied maxima; NaN counts as largest
            XCTAssertEqual(t.argmin(axis: 1).scalars, [3, 0])              // NaN counts as smallest too, as PyTorch's
            XCTAssertEqual(x.argmax().item, 7)
            XCTAssertEqual(x.argmin().item, 6)
            XCTAssertEqual(x.argmin().shape, [])
            let (values, indices) = x.maxWithIndices(axis: 0)
            XCTAssertEqual(values.scalars, [2, 2, 3, 8])
            XCTAssertEqual(indices.scalars, [1, 0, 0, 1])
            let (low, where_) = x.minWithIndices(axis: 1, keepDims: true)
            XCTAssertEqual(low.scalars, [1, -2])
            XCTAssertEqual(where_.shape, [2, 1])
            XCTAssertEqual(where_.scalars, [0, 2])
            // The gradient of max(dim) goes to the one index, even among ties.
            let tied = Tensor([[4, 4, 1]], requiresGrad: true)
            (tied.maxWithIndices(axis: 1).values * 3).sum().backward()
            XCTAssertEqual(tied.grad?.scalars, [3, 0, 0])
        }
    }

    func testNormsByHand() {
        forEachBackend { kind in
            let v = Tensor([3, -4, 0])
            XCTAssertEqual(v.norm().item, 5, "\(kind)")
            XCTAssertEqual(v.norm(p: 1).item, 7)
            XCTAssertEqual(v.norm(p: .infinity).item, 4)
            XCTAssertEqual(v.norm(p: -.infinity).item, 0)
            XCTAssertEqual(v.norm(p: 0).item, 2)
            assertClose([v.norm(p: 3).item], [Float(Foundation.pow(91.0, 1.0 / 3))])
            assertClose(x.norm(axes: [1]).scalars, [Float(30).squareRoot(), Float(72).squareRoot()])
            XCTAssertEqual(x.frobeniusNorm().item, Float(102).squareRoot(), accuracy: 1e-5)
            XCTAssertEqual(x.norm(p: 1, axes: [0], keepDims: true).shape, [1, 4])
            // The 2-norm's gradient at the zero vector is 0, as PyTorch's.
            let zero = Tensor.zeros([3], requiresGrad: true)
            zero.norm().backward()
            XCTAssertEqual(zero.grad?.scalars, [0, 0, 0])
        }
    }

    func testAllAny() {
        forEachBackend { _ in
            let m = Tensor([[1, 0, .nan], [2, 3, 4]])
            XCTAssertEqual(m.all(axis: 1).scalars, [0, 1])
            XCTAssertEqual(m.any(axis: 0).scalars, [1, 1, 1])
            XCTAssertEqual(m.all().item, 0)
            XCTAssertEqual(Tensor.zeros([2]).any().item, 0)
            XCTAssertEqual(Tensor.zeros([0]).all().item, 1)
            XCTAssertEqual(Tensor.zeros([0]).any().item, 0)
            XCTAssertEqual(Tensor.zeros([2, 0]).all(axis: 1, keepDims: true).scalars, [1, 1])
        }
    }

    /// PyTorch's single-axis ops take axis 0 or −1 on a scalar and treat it as one element.
    func testScalarsAsOneElementLanes() {
        forEachBackend { _ in
            let s = Tensor(-3)
            XCTAssertEqual(s.softmax().item, 1)
            XCTAssertEqual(s.logSoftmax(axis: 0).item, 0)
            XCTAssertEqual(s.logsumexp(axis: -1).item, -3)
            XCTAssertEqual(s.sum(axis: 0).item, -3)
            XCTAssertEqual(s.max(axis: 0, keepDims: true).shape, [])
            XCTAssertEqual(s.argmax(axis: 0).item, 0)
            XCTAssertEqual(s.maxWithIndices(axis: -1).values.item, -3)
            XCTAssertEqual(s.prod(axis: 0).item, -3)
            XCTAssertEqual(s.cumsum(axis: 0).item, -3)
            XCTAssertEqual(s.all(axis: 0).item, 1)
            XCTAssertEqual(s.norm(axes: [0]).item, 3)
            XCTAssertTrue(s.variance(axis: 0).item.isNaN)
            XCTAssertEqual(s.sort().values.item, -3)
            XCTAssertEqual(s.topk(1).indices.item, 0)
            let leaf = Tensor(2, requiresGrad: true)
            (leaf.logsumexp(axis: 0) + leaf.prod(axis: 0) + leaf.sum(axis: 0)).backward()
            XCTAssertEqual(leaf.grad?.item, 3)
        }
        assertFails("softmax: axis 1 is out of range for a scalar (expected -1 or 0)") { _ = Tensor(1).softmax(axis: 1) }
        assertFails("sum: axis 1 is out of range for a tensor of rank 0") { _ = Tensor(1).sum(axis: 1) }
    }

    func testGradients() {
        let a = randomTensor([3, 4], seed: 31), positive = randomTensor([3, 4], seed: 32).abs() + 0.5
        forEachBackend { kind in
            let cases: [(String, Tensor, (Tensor) -> Tensor)] = [
                ("variance", a, { $0.variance(axis: 1) }), ("variance all", a, { $0.variance(correction: 0) }),
                ("std", a, { $0.std(axes: [0]) }), ("std all", a, { $0.std() }),
                ("prod", a, { $0.prod(axis: 0) }), ("prod last", a, { $0.prod(axis: -1, keepDims: true) }), ("prod all", a, { $0.prod() }),
                ("cumsum", a, { $0.cumsum(axis: 0) }), ("cumsum transposed", a, { $0.transposed.cumsum(axis: 1) }),
                ("max with indices", a, { $0.maxWithIndices(axis: 1).values }), ("min with indices", a, { $0.minWithIndices(axis: 0).values }),
                ("norm 2", a, { $0.norm(axes: [1]) }), ("norm 1", a, { $0.norm(p: 1) }), ("norm inf", a, { $0.norm(p: .infinity, axes: [0]) }),
                ("norm 3", positive, { $0.norm(p: 3, axes: [1]) }), ("norm 0.5", positive, { $0.norm(p: 0.5) }),
                ("frobenius", a, { $0.frobeniusNorm() }),
            ]
            for (name, input, op) in cases {
                let check = gradientCheck([input]) { op($0[0]) }
                XCTAssertTrue(check.passed, "\(kind) \(name): \(check)")
            }
        }
    }

    func testBackendsAgree() {
        let big = randomTensor([37, 300], seed: 33)
        let results = BackendKind.allCases.map { kind in
            withBackend(kind) { [big.variance(axis: 1), big.std(axis: 0), big.norm(axes: [1]), big.cumsum(axis: 1), (big * 0.1 + 1).prod(axis: 0)] }
        }
        for (a, b) in zip(results[0], results[1]) { assertClose(a, b, tolerance: 1e-4) }
    }
}
