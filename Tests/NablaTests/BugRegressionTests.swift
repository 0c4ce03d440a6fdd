import XCTest
import NablaTestSupport
@testable import Nabla

/// One test per bug of issue 10; each failed (or stopped the process) before its fix.
final class BugRegressionTests: XCTestCase {
    /// Bug 1: a batch times a strided or expanded 2-D matrix took the tall-product path without a BLAS layout.
    func testBatchTimesStridedOrExpandedMatrix() {
        forEachBackend { kind in
            let a = randomTensor([2, 5, 4], seed: 1)
            let strided = randomTensor([4, 3, 2], seed: 2)[0..., 0..., 1]   // strides [6, 2]
            let row = randomTensor([1, 3], seed: 3).expand(to: [4, 3]), column = randomTensor([4, 1], seed: 4).expand(to: [4, 3])
            for (name, b) in [("strided", strided), ("expanded row", row), ("expanded column", column)] {
                let product = a • b
                XCTAssertEqual(product.shape, [2, 5, 3])
                for i in 0..<2 {
                    assertClose(product[i].scalars, naiveMatmul(a[i].scalars, b.scalars, m: 5, k: 4, n: 3), tolerance: 1e-5, "\(kind) \(name)")
                }
            }
            // The backward of x.transposed(1, 2) • expanded multiplies the gradient by the expanded matrix's transpose.
            let x = randomTensor([2, 4, 5], seed: 5)
            let check = gradientCheck([x, randomTensor([1, 3], seed: 6)]) { $0[0].transpose(1, 2) • $0[1].expand(to: [4, 3]) }
            XCTAssertTrue(check.passed, "\(kind): \(check)")
        }
    }

    /// Bug 2: a batched product with an empty inner dimension returned uninitialised memory.
    func testBatchedProductWithEmptyInnerDimensionIsZero() {
        forEachBackend { kind in
            let wide = Tensor.zeros([1, 1, 0]) • Tensor.zeros([0, 300])
            XCTAssertEqual(wide.shape, [1, 1, 300])
            XCTAssertEqual(wide.scalars, [Float](repeating: 0, count: 300), "\(kind)")
            let deep = Tensor.zeros([1, 1, 1, 0]) • Tensor.zeros([0, 5])
            XCTAssertEqual(deep.scalars, [Float](repeating: 0, count: 5), "\(kind)")
            XCTAssertEqual((Tensor.zeros([3, 0]).transposed.transposed • Tensor.zeros([0, 2]).expand(to: [0, 2])).scalars, [0, 0, 0, 0, 0, 0])
        }
        // The backends' own gemm with k = 0 and beta = 0 overwrites C, whatever it held.
        for kind in BackendKind.allCases {
            var c = [Float](repeating: .nan, count: 6)
            let a: [Float] = [1], b: [Float] = [1]
            kind.implementation.gemm(transposeA: false, transposeB: false, m: 2, n: 3, k: 0, alpha: 1,
                                     a: a, lda: 1, b: b, ldb: 3, beta: 0, c: &c, ldc: 3)
            XCTAssertEqual(c, [0, 0, 0, 0, 0, 0], "\(kind)")
        }
    }

    /// Bug 3: pow(x, 0) had a NaN gradient at 0; relu stopped the gradient at NaN.
    func testPowZeroAndReluAtNaNGradients() {
        forEachBackend { kind in
            let x = Tensor([0, 2], requiresGrad: true)
            x.pow(0).sum().backward()
            XCTAssertEqual(x.grad?.scalars, [0, 0], "\(kind)")
            let y = Tensor([.nan, -1, 0, 3], requiresGrad: true)
            (y.relu() * Tensor([5, 5, 5, 5])).sum().backward()
            XCTAssertEqual(y.grad?.scalars, [5, 0, 0, 5], "\(kind)")
        }
    }

    /// Bug 4: BCE with logits had the wrong gradient at a logit of 0; max/min with a NaN had NaN gradients everywhere.
    func testBinaryCrossEntropyAtZeroAndExtremaWithNaN() {
        forEachBackend { kind in
            for reduceAll in [true, false] {
                let x = Tensor([[1, .nan, 3, .nan], [2, 7, 1, 0]], requiresGrad: true)
                let top = reduceAll ? x.max() : x.max(axis: 1)
                let bottom = reduceAll ? x.min() : x.min(axis: 1)
                (top.sum() + 10 * bottom.sum()).backward()
                let expected: [Float] = reduceAll ? [0, 5.5, 0, 5.5, 0, 0, 0, 0] : [0, 5.5, 0, 5.5, 0, 1, 0, 10]
                XCTAssertEqual(x.grad?.scalars, expected, "\(kind) all: \(reduceAll)")
            }
        }
    }

    /// Bug 5: where PyTorch computes, Nabla stopped.
    func testPyTorchLenience() {
        forEachBackend { _ in
            let t = Tensor(shape: [5, 2], scalars: (0..<10).map(Float.init))
            XCTAssertEqual(t.squeeze(axis: 0).shape, [5, 2])
            XCTAssertEqual(Tensor([[1], [2]]).expand(to: [-1, 3]).scalars, [1, 1, 1, 2, 2, 2])
            XCTAssertEqual(Tensor([1, 2]).expand(to: [2, -1]).shape, [2, 2])
            XCTAssertEqual(t[7...].shape, [0, 2])
            XCTAssertEqual(t[(-2)...].scalars, [6, 7, 8, 9])
            XCTAssertEqual(t[..<(-3)].scalars, [0, 1, 2, 3])
            XCTAssertEqual(t[(-2)..<(-1), 0].scalars, [6])
            XCTAssertEqual(t[...(-2), 1].scalars, [1, 3, 5, 7])
            XCTAssertEqual(t[...(-1), 1].scalars, [1, 3, 5, 7, 9])
            XCTAssertEqual(t[3..<100].shape, [2, 2])
            XCTAssertEqual(t[(-100)..<1].shape, [1, 2])
            XCTAssertEqual(t[(-1)..<2].shape, [0, 2])
            XCTAssertEqual(Tensor([-1, 0.5, 4]).clamp(min: 2, max: 1).scalars, [1, 1, 1])
        }
        assertFails("expand: extent -1 at axis 0 of [-1, 2] is invalid for a tensor of shape [2]") { _ = Tensor([1, 2]).expand(to: [-1, 2]) }
    }
}
