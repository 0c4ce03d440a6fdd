import Foundation
import XCTest
import NablaTestSupport
@testable import Nabla

final class SoftmaxTests: XCTestCase {
    func testByHand() {
        forEachBackend { kind in
            let x = Tensor([[1, 2, 3], [0, 0, 0]])
            let e: [Float] = [Foundation.exp(1), Foundation.exp(2), Foundation.exp(3)], total = e.reduce(0, +)
            assertClose(x.softmax(axis: 1).scalars, e.map { $0 / total } + [1.0 / 3, 1.0 / 3, 1.0 / 3], "\(kind)")
            assertClose(x.logSoftmax().scalars, e.map { Foundation.log($0 / total) } + [Float](repeating: -Foundation.log(3), count: 3))
            assertClose(x.logsumexp(axis: 1).scalars, [Foundation.log(total), Foundation.log(3)])
            XCTAssertEqual(x.logsumexp(axis: 1, keepDims: true).shape, [2, 1])
            // Along axis 0 (not the last): each column.
            assertClose(x.softmax(axis: 0).scalars, [1, 2, 3].map { (v: Float) in 1 / (1 + Foundation.exp(-v)) } + [1, 2, 3].map { (v: Float) in 1 / (1 + Foundation.exp(v)) })
            assertClose(x.logsumexp(axis: 0).scalars, [1, 2, 3].map { (v: Float) in Foundation.log(1 + Foundation.exp(v)) })
        }
    }

    func testStableAtHugeLogitsAndEdges() {
        forEachBackend { kind in
            let x = Tensor([[1000, 0, -1000], [-1000, -1000, -1000]])
            XCTAssertEqual(x.softmax().scalars, [1, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3], "\(kind)")
            XCTAssertEqual(x.logSoftmax().scalars[0...2], [0, -1000, -2000])
            assertClose(x.logsumexp(axis: 1).scalars, [1000, -1000 + Float(Foundation.log(3.0))])
            // PyTorch's conventions: a lane of −inf has logsumexp −inf, and a NaN spreads over its lane.
            XCTAssertEqual(Tensor([-Float.infinity, -.infinity]).logsumexp(axis: 0).item, -.infinity)
            XCTAssertEqual(Tensor([Float.infinity, 1]).logsumexp(axis: 0).item, .infinity)
            XCTAssertTrue(Tensor([[1, .nan], [1, 2]]).softmax().scalars[0...1].allSatisfy(\.isNaN))
            XCTAssertFalse(Tensor([[1, .nan], [1, 2]]).softmax().scalars[2...3].contains(where: \.isNaN))
            // Empty lanes give empty results (and −inf for logsumexp, a sum of nothing).
            XCTAssertEqual(Tensor.zeros([3, 0]).softmax().shape, [3, 0])
            XCTAssertEqual(Tensor.zeros([3, 0]).logsumexp(axis: 1).scalars, [-.infinity, -.infinity, -.infinity])
        }
    }

    func testGradients() {
        let x = randomTensor([3, 4, 5], seed: 7)
        forEachBackend { kind in
            for axis in [0, 1, -1] {
                for (name, op) in [("softmax", { (t: Tensor) in t.softmax(axis: axis) }), ("logSoftmax", { $0.logSoftmax(axis: axis) }),
                                   ("logsumexp", { $0.logsumexp(axis: axis) })] {
                    let check = gradientCheck([x]) { op($0[0]) }
                    XCTAssertTrue(check.passed, "\(kind) \(name) axis \(axis): \(check)")
                }
            }
            // A transposed view as the input.
            let check = gradientCheck([randomTensor([5, 3], seed: 8)]) { $0[0].transposed.softmax() }
            XCTAssertTrue(check.passed, "\(kind): \(check)")
        }
    }

    func testBackendsAgree() {
        let x = randomTensor([64, 300], seed: 9) * 10
        let results = BackendKind.allCases.map { kind in withBackend(kind) { [x.softmax(), x.logSoftmax(axis: 0), x.logsumexp(axis: 1)] } }
        for (a, b) in zip(results[0], results[1]) { assertClose(a, b, tolerance: 1e-5) }
    }
}
