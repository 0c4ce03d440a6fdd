import XCTest
@testable import Nabla

final class MatmulTests: XCTestCase {
    func testByHand() {
        forEachBackend { _ in
            let a = Tensor([[1, 2], [3, 4], [5, 6]])
            let b = Tensor([[1, 0, 2], [0, 1, 3]])
            XCTAssertEqual((a • b).scalars, [1, 2, 8, 3, 4, 18, 5, 6, 28])
            XCTAssertEqual(a.matmul(Tensor([1, 1])).scalars, [3, 7, 11])      // matrix · vector
            XCTAssertEqual(Tensor([1, 1, 1]).matmul(a).scalars, [9, 12])      // vector · matrix
            XCTAssertEqual(Tensor([1, 2, 3]).matmul(Tensor([4, 5, 6])).item, 32)  // dot
            XCTAssertEqual(Tensor([1, 2, 3]).matmul(Tensor([4, 5, 6])).shape, [])
        }
    }

    /// Random shapes, including empty, 1×N, N×1, non-square, transposed and sliced operands.
    func testAgainstNaiveProduct() {
        let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 5), (5, 7, 1), (3, 1, 4), (0, 3, 4), (3, 0, 4), (3, 4, 0),
                                         (17, 33, 9), (64, 64, 64), (256, 78, 30), (31, 129, 65)]
        forEachBackend { kind in
            for (i, (m, k, n)) in shapes.enumerated() {
                let a = randomTensor([m, k], seed: UInt64(2 * i)), b = randomTensor([k, n], seed: UInt64(2 * i + 1))
                let expected = Tensor(shape: [m, n], scalars: naiveMatmul(a.scalars, b.scalars, m: m, k: k, n: n))
                let tolerance = 1e-6 * Float(Swift.max(k, 1)).squareRoot() * 4
                assertClose(a • b, expected, tolerance: tolerance, "\(kind) \(m)x\(k)x\(n)")
                // The same product from transposed views (handed to BLAS as transpose flags).
                let at = randomTensor([k, m], seed: 0).transposed, bt = randomTensor([n, k], seed: 0).transposed
                let atDense = at.contiguous(), btDense = bt.contiguous()
                assertClose(at • bt, atDense • btDense, tolerance: tolerance, "\(kind) transposed \(m)x\(k)x\(n)")
                assertClose(at • b, atDense • b, tolerance: tolerance, "\(kind) transposed A")
                assertClose(a • bt, a • btDense, tolerance: tolerance, "\(kind) transposed B")
            }
        }
    }

    func testSlicedAndExpandedOperands() {
        forEachBackend { kind in
            let big = randomTensor([20, 30], seed: 5)
            let a = big[2..<9, 3..<14]                // leading dimension 30, not 11
            let b = randomTensor([11, 6], seed: 6)
            let expected = naiveMatmul(a.scalars, b.scalars, m: 7, k: 11, n: 6)
            assertClose((a • b).scalars, expected, tolerance: 1e-5, "\(kind)")
            // Every-other-column view: no BLAS layout fits, so it is copied first.
            let strided = Tensor(shape: [4, 6], scalars: (0..<24).map(Float.init)).permute([1, 0])[0..<6, 0..<4]
            assertClose((strided • Tensor.ones([4, 2])).scalars, naiveMatmul(strided.scalars, [Float](repeating: 1, count: 8), m: 6, k: 4, n: 2))
            let column = Tensor([1, 2, 3]).unsqueeze(axis: 1).expand(to: [3, 4])   // stride-0 columns
            assertClose((column • Tensor.ones([4, 1])).scalars, [4, 8, 12])
        }
    }

    func testBatchedWithBroadcast() {
        forEachBackend { kind in
            let a = randomTensor([2, 3, 4, 5], seed: 11)
            let b = randomTensor([3, 5, 6], seed: 12)          // broadcast over the leading 2
            let c = a • b
            XCTAssertEqual(c.shape, [2, 3, 4, 6])
            for i in 0..<2 {
                for j in 0..<3 {
                    let expected = naiveMatmul(a[i, j].scalars, b[j].scalars, m: 4, k: 5, n: 6)
                    assertClose(c[i, j].scalars, expected, tolerance: 1e-5, "\(kind) batch \(i),\(j)")
                }
            }
            // A batch times one matrix, folded into one tall product.
            let w = randomTensor([5, 2], seed: 13)
            let folded = a • w
            XCTAssertEqual(folded.shape, [2, 3, 4, 2])
            assertClose(folded[1, 2].scalars, naiveMatmul(a[1, 2].scalars, w.scalars, m: 4, k: 5, n: 2), tolerance: 1e-5)
            // Batched vector.
            XCTAssertEqual((b • Tensor.ones([6])).shape, [3, 5])
        }
    }

    func testBackendsAgreeAtLessonShapes() {
        let x = randomTensor([256, 784], seed: 21), w = randomTensor([784, 30], seed: 22), g = randomTensor([256, 30], seed: 23)
        let products = BackendKind.allCases.map { kind in
            withBackend(kind) { [x • w, x.transposed • g, g • w.transposed, x • w[0..<784, 0..<1]] }
        }
        for (blas, reference) in zip(products[0], products[1]) {
            assertClose(blas, reference, tolerance: 1e-4)
        }
    }
}
