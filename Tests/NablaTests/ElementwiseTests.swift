import Foundation
import XCTest
@testable import Nabla

final class ElementwiseTests: XCTestCase {
    func testArithmeticByHand() {
        forEachBackend { _ in
            let a = Tensor([[1, 2, 3], [4, 5, 6]])
            let b = Tensor([10, 20, 30])
            XCTAssertEqual((a + b).scalars, [11, 22, 33, 14, 25, 36])
            XCTAssertEqual((a - b).scalars, [-9, -18, -27, -6, -15, -24])
            XCTAssertEqual((a * b).scalars, [10, 40, 90, 40, 100, 180])
            XCTAssertEqual((b / Tensor([[2], [10]])).scalars, [5, 10, 15, 1, 2, 3])
            XCTAssertEqual((a + 1).scalars, [2, 3, 4, 5, 6, 7])
            XCTAssertEqual((1 - a).scalars, [0, -1, -2, -3, -4, -5])
            XCTAssertEqual((2 * a).scalars, [2, 4, 6, 8, 10, 12])
            XCTAssertEqual((12 / a).scalars, [12, 6, 4, 3, 2.4, 2])
            XCTAssertEqual((-a).scalars, [-1, -2, -3, -4, -5, -6])
        }
    }

    func testBroadcastingAgainstNaiveLoops() {
        let cases: [([Int], [Int])] = [([3, 1, 5], [4, 1]), ([1], [2, 3]), ([2, 3, 4], [2, 3, 4]), ([0, 3], [3]), ([5, 1], [1, 6])]
        forEachBackend { _ in
            for (i, (sa, sb)) in cases.enumerated() {
                let a = randomTensor(sa, seed: UInt64(i)), b = randomTensor(sb, seed: UInt64(100 + i))
                let out = broadcastShape(sa, sb, op: "test")
                var expected = [Float](repeating: 0, count: out.reduce(1, *))
                let av = a.scalars, bv = b.scalars
                forEachIndex(out) { index in
                    func pick(_ shape: [Int]) -> Int {
                        let lead = out.count - shape.count
                        return flatIndex(shape.indices.map { shape[$0] == 1 ? 0 : index[$0 + lead] }, shape)
                    }
                    expected[flatIndex(index, out)] = av[pick(sa)] * bv[pick(sb)] + av[pick(sa)]
                }
                assertClose(a * b + a, Tensor(shape: out, scalars: expected), "case \(sa) \(sb)")
            }
        }
    }

    func testNonContiguousOperands() {
        forEachBackend { _ in
            let base = Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))
            let t = base.transposed          // [4, 3], strides [1, 4]
            XCTAssertEqual((t + 0).scalars, [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
            let slice = base[1..<3, 1..<3]   // [[5, 6], [9, 10]]
            XCTAssertEqual((slice * slice).scalars, [25, 36, 81, 100])
            XCTAssertEqual((base[0] + base[2]).scalars, [8, 10, 12, 14])
        }
    }

    func testUnaryMathByHand() {
        forEachBackend { _ in
            let x = Tensor([-2, -0.5, 0, 0.5, 2])
            XCTAssertEqual(x.abs().scalars, [2, 0.5, 0, 0.5, 2])
            XCTAssertEqual(x.relu().scalars, [0, 0, 0, 0.5, 2])
            XCTAssertEqual(x.square().scalars, [4, 0.25, 0, 0.25, 4])
            XCTAssertEqual(x.clamp(min: -1, max: 1).scalars, [-1, -0.5, 0, 0.5, 1])
            XCTAssertEqual(x.clamp(min: 0).scalars, [0, 0, 0, 0.5, 2])
            assertClose(x.sigmoid().scalars, [0.11920292, 0.37754067, 0.5, 0.62245933, 0.88079708])
            assertClose(x.tanh().scalars, [-0.96402758, -0.46211716, 0, 0.46211716, 0.96402758])
            assertClose(x.exp().scalars, [0.13533528, 0.60653066, 1, 1.64872127, 7.3890561])
            let p = Tensor([0.25, 1, 4])
            assertClose(p.sqrt().scalars, [0.5, 1, 2])
            assertClose(p.log().scalars, [-1.38629436, 0, 1.38629436])
            assertClose(p.pow(1.5).scalars, [0.125, 1, 8])
        }
    }

    func testSigmoidDoesNotOverflow() {
        let s = Tensor([-1000, 1000]).sigmoid().scalars
        XCTAssertEqual(s, [0, 1])
    }

    func testMasksAndWhere() {
        forEachBackend { _ in
            let target = Tensor([1, 0, 1])
            let p = Tensor([0.9, 0.4, 0.2])
            XCTAssertEqual((target .== 1).scalars, [1, 0, 1])
            XCTAssertEqual((p .> 0.5).scalars, [1, 0, 0])
            XCTAssertEqual((p .<= Tensor([0.9, 0.3, 0.3])).scalars, [1, 0, 1])
            assertClose(Tensor.where(target .== 1, 1 - p, p).scalars, [0.1, 0.4, 0.8])
            // The three operands broadcast together.
            XCTAssertEqual(Tensor.where(Tensor([[1], [0]]), Tensor([1, 2]), Tensor(7)).scalars, [1, 2, 7, 7])
        }
    }

    func testInPlaceUpdatesKeepValueSemantics() {
        var a = Tensor([1, 2, 3])
        let b = a
        a += Tensor([1, 1, 1])
        a *= 2
        XCTAssertEqual(a.scalars, [4, 6, 8])
        XCTAssertEqual(b.scalars, [1, 2, 3])
        var c = a
        c.addScaled(Tensor([1, 1, 1]), by: -4)
        XCTAssertEqual(c.scalars, [0, 2, 4])
        XCTAssertEqual(a.scalars, [4, 6, 8])
    }

    func testBackendsAgreeOnRandomElementwiseChains() {
        let a = randomTensor([7, 1, 33], seed: 1), b = randomTensor([5, 33], seed: 2)
        let results = BackendKind.allCases.map { kind in
            withBackend(kind) { ((a * b).sigmoid() - (a - b).tanh() / 3).relu() }
        }
        assertClose(results[0], results[1])
    }
}
