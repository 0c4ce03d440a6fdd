import Foundation
import XCTest
import NablaTestSupport
@testable import Nabla

/// The elementwise ops of issue 10, by hand, at their edges, and by finite differences on both backends.
final class ElementwiseOpsTests: XCTestCase {
    func testUnaryByHand() {
        forEachBackend { kind in
            let x = Tensor([-1.5, -0.5, 0, 0.5, 2.5])
            XCTAssertEqual(x.sign().scalars, [-1, -1, 0, 1, 1], "\(kind)")
            XCTAssertEqual(Tensor([.nan]).sign().item, 0)   // as PyTorch's
            XCTAssertEqual(x.floor().scalars, [-2, -1, 0, 0, 2])
            XCTAssertEqual(x.ceil().scalars, [-1, -0, 0, 1, 3])
            XCTAssertEqual(x.round().scalars, [-2, -0, 0, 0, 2])   // halves to even, as PyTorch's
            XCTAssertEqual(x.leakyRelu().scalars, [-0.015, -0.005, 0, 0.5, 2.5])
            XCTAssertEqual(x.leakyRelu(negativeSlope: 0.2).scalars[0], -0.3)
            assertClose(x.sin().scalars, [-0.99749499, -0.47942554, 0, 0.47942554, 0.59847214])
            assertClose(x.cos().scalars, [0.0707372, 0.87758256, 1, 0.87758256, -0.80114362])
            let p = Tensor([0.25, 1, 4])
            assertClose(p.rsqrt().scalars, [2, 1, 0.5])
            assertClose(p.reciprocal().scalars, [4, 1, 0.25])
            // log1p and expm1 keep their digits where 1 + x rounds to 1.
            XCTAssertEqual(Tensor([1e-10]).log1p().item, 1e-10, accuracy: 1e-16)
            XCTAssertEqual(Tensor([1e-10]).expm1().item, 1e-10, accuracy: 1e-16)
            assertClose(Tensor([1, -0.5]).log1p().scalars, [0.69314718, -0.69314718])
            assertClose(Tensor([1, -1]).expm1().scalars, [1.71828183, -0.63212056])
            // GELU: x·Φ(x) and its tanh form (values from PyTorch's formulas in Double).
            assertClose(Tensor([-1, 0, 1, 3]).gelu().scalars, [-0.15865525, 0, 0.84134475, 2.99595031])
            assertClose(Tensor([-1, 0, 1, 3]).gelu(approximate: .tanh).scalars, [-0.15880801, 0, 0.84119199, 2.99636245])
            // softplus: log(1 + eˣ), linear above the threshold, no overflow either way.
            assertClose(Tensor([-2, 0, 2]).softplus().scalars, [0.12692801, 0.69314718, 2.12692801])
            XCTAssertEqual(Tensor([100, -100]).softplus().scalars[0], 100)
            XCTAssertEqual(Tensor([100, -100]).softplus().scalars[1], Float(Foundation.exp(-100.0)), accuracy: Float.leastNonzeroMagnitude * 4)
            assertClose(Tensor([1]).softplus(beta: 2).scalars, [Float(Foundation.log(1 + Foundation.exp(2.0)) / 2)])
        }
    }

    func testNaNAndInfinityOps() {
        forEachBackend { _ in
            let x = Tensor([1, .nan, .infinity, -.infinity, 0])
            XCTAssertEqual(x.isNaN().scalars, [0, 1, 0, 0, 0])
            XCTAssertEqual(x.isFinite().scalars, [1, 0, 0, 0, 1])
            XCTAssertEqual(x.nanToNum().scalars, [1, 0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0])
            XCTAssertEqual(x.nanToNum(nan: -1, posinf: 9, neginf: -9).scalars, [1, -1, 9, -9, 0])
            let leaf = x.requiringGrad()
            leaf.nanToNum().sum().backward()
            XCTAssertEqual(leaf.grad?.scalars, [1, 0, 0, 0, 1])
        }
    }

    func testBinaryByHand() {
        forEachBackend { kind in
            let a = Tensor([[1, 5, .nan], [4, 2, 0]]), b = Tensor([3, 2, 1])
            let high = Tensor.maximum(a, b).scalars, low = Tensor.minimum(a, b).scalars
            XCTAssertEqual(Array(high[0...1]) + Array(high[3...]), [3, 5, 4, 2, 1], "\(kind)")
            XCTAssertTrue(high[2].isNaN && low[2].isNaN)   // NaN propagates, as PyTorch's
            XCTAssertEqual(Array(low[0...1]) + Array(low[3...]), [1, 2, 3, 2, 0])
            // Ties split the gradient; broadcast operands get it summed.
            let x = Tensor([1, 2, 3], requiresGrad: true), y = Tensor([2], requiresGrad: true)
            Tensor.maximum(x, y).sum().backward()
            XCTAssertEqual(x.grad?.scalars, [0, 0.5, 1])
            XCTAssertEqual(y.grad?.scalars, [1.5])
            assertClose(Tensor([2, 4, 9]).pow(Tensor([3, 0.5, 0])).scalars, [8, 2, 1])
            XCTAssertEqual(Tensor([[2], [3]]).pow(Tensor([1, 2])).scalars, [2, 4, 3, 9])
            // PyTorch's gradients at the edges: base 0 with exponent 0, exponent with base 0.
            let base = Tensor([0, 0, 2], requiresGrad: true), exponent = Tensor([0, 2, 3], requiresGrad: true)
            base.pow(exponent).sum().backward()
            XCTAssertEqual(base.grad?.scalars, [0, 0, 12])
            assertClose(exponent.grad!.scalars, [0, 0, 8 * Foundation.log(2)])
        }
    }

    func testComparisonsWithScalarOnTheLeft() {
        let x = Tensor([-1, 0, 2])
        XCTAssertEqual((0 .< x).scalars, [0, 0, 1])
        XCTAssertEqual((0 .<= x).scalars, [0, 1, 1])
        XCTAssertEqual((0 .> x).scalars, [1, 0, 0])
        XCTAssertEqual((0 .>= x).scalars, [1, 1, 0])
        XCTAssertEqual((2 .== x).scalars, [0, 0, 1])
        XCTAssertEqual((2 .!= x).scalars, [1, 1, 0])
    }

    func testMaskedFillAndTriangles() {
        forEachBackend { _ in
            let m = Tensor([[1, 2, 3], [4, 5, 6], [7, 8, .infinity]])
            XCTAssertEqual(m.maskedFill(Tensor([1, 0, 1]), -1).scalars, [-1, 2, -1, -1, 5, -1, -1, 8, -1])
            XCTAssertEqual(m.tril().scalars, [1, 0, 0, 4, 5, 0, 7, 8, .infinity])
            XCTAssertEqual(m.triu().scalars, [1, 2, 3, 0, 5, 6, 0, 0, .infinity])
            XCTAssertEqual(m.triu(diagonal: 1).scalars, [0, 2, 3, 0, 0, 6, 0, 0, 0])   // inf outside the triangle becomes 0
            XCTAssertEqual(m.tril(diagonal: -1).scalars, [0, 0, 0, 4, 0, 0, 7, 8, 0])
            XCTAssertEqual(Tensor.ones([2, 2, 3]).tril().scalars, [1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0])
        }
        assertFails("maskedFill: a mask of shape [2, 3] does not broadcast to the tensor's shape [3]") {
            _ = Tensor([1, 2, 3]).maskedFill(Tensor.zeros([2, 3]), 0)
        }
        assertFails("tril: needs at least 2 axes") { _ = Tensor([1, 2]).tril() }
    }

    func testGradients() {
        let x = randomTensor([3, 4], seed: 41), positive = randomTensor([3, 4], seed: 42).abs() + 0.3
        let y = randomTensor([4], seed: 43), mask = (randomTensor([3, 1], seed: 44) .> 0)
        forEachBackend { kind in
            let unary: [(String, Tensor, (Tensor) -> Tensor)] = [
                ("sin", x, { $0.sin() }), ("cos", x, { $0.cos() }), ("log1p", positive, { $0.log1p() }), ("expm1", x, { $0.expm1() }),
                ("rsqrt", positive, { $0.rsqrt() }), ("reciprocal", positive, { $0.reciprocal() }),
                ("leakyRelu", x, { $0.leakyRelu(negativeSlope: 0.1) }), ("gelu", x, { $0.gelu() }),
                ("gelu tanh", x, { $0.gelu(approximate: .tanh) }), ("softplus", x, { $0.softplus() }),
                ("softplus beta", x, { $0.softplus(beta: 2, threshold: 1) }), ("nanToNum", x, { $0.nanToNum() }),
                ("maskedFill", x, { $0.maskedFill(mask, 2) }), ("tril", x, { $0.tril() }), ("triu", x, { $0.triu(diagonal: 1) }),
                ("sign", x, { $0.sign() }), ("floor", x, { $0.floor() }), ("round", x, { $0.round() }), ("ceil", x, { $0.ceil() }),
            ]
            for (name, input, op) in unary {
                let check = gradientCheck([input]) { op($0[0]) }
                XCTAssertTrue(check.passed, "\(kind) \(name): \(check)")
            }
            let binary: [(String, Tensor, Tensor, (Tensor, Tensor) -> Tensor)] = [
                ("maximum", x, y, { Tensor.maximum($0, $1) }), ("minimum", x, y, { Tensor.minimum($0, $1) }),
                ("pow", positive, y, { $0.pow($1) }), ("pow broadcast base", y.abs() + 0.5, positive, { $0.pow($1) }),
            ]
            for (name, a, b, op) in binary {
                let check = gradientCheck([a, b]) { op($0[0], $0[1]) }
                XCTAssertTrue(check.passed, "\(kind) \(name): \(check)")
            }
        }
    }
}
