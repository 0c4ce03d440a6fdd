import XCTest
@testable import Nabla
import NablaTestSupport

/// Finite-difference checks of the decompositions' gradients on both backends.
/// Singular and eigenvectors are unique only up to sign, so the checked functions
/// use them through sign-free quantities (their squares); eigh and the symmetric
/// rules see the symmetric part of the input, as the routines read one triangle.
final class LinalgGradientTests: XCTestCase {
    func check(_ name: String, _ inputs: [Tensor], _ function: @escaping ([Tensor]) throws -> Tensor,
               file: StaticString = #filePath, line: UInt = #line) {
        forEachBackend { kind in
            let result = gradientCheck(inputs) { try! function($0) }
            XCTAssertTrue(result.passed, "\(name) on \(kind): \(result)", file: file, line: line)
        }
    }

    func symmetric(_ x: Tensor) -> Tensor { 0.5 * (x + x.transposed) }

    func testQR() {
        for shape in [[5, 3], [4, 4], [3, 5], [2, 4, 3]] {
            check("qr \(shape)", [randomTensor(shape, seed: 60)]) { x in
                let (q, r) = Linalg.qr(x[0])
                return Tensor.cat([q.reshape([-1]), r.reshape([-1])])
            }
        }
        check("complete qr of a wide matrix", [randomTensor([3, 4], seed: 61)]) { x in
            let (q, r) = Linalg.qr(x[0], mode: .complete)
            return Tensor.cat([q.reshape([-1]), r.reshape([-1])])
        }
        assertFails("qr: the complete factorisation of a tall matrix (shape [4, 2]) is not differentiable") {
            Linalg.qr(randomTensor([4, 2], seed: 62).requiringGrad(), mode: .complete).q.sum().backward()
        }
    }

    func testEigh() {
        check("eigh", [randomTensor([4, 4], seed: 63)]) { x in
            let (w, v) = try Linalg.eigh(self.symmetric(x[0]))
            return Tensor.cat([w, (v * v).reshape([-1])])
        }
        check("batched eigh", [randomTensor([2, 3, 3], seed: 64)]) { x in
            let (w, v) = try Linalg.eigh(self.symmetric(x[0]))
            return Tensor.cat([w.reshape([-1]), (v * v).reshape([-1])])
        }
        // A repeated eigenvalue: the values alone stay differentiable.
        check("eigvalsh", [randomTensor([4, 4], seed: 65)]) { x in try Linalg.eigvalsh(self.symmetric(x[0])) }
    }

    func testSVD() {
        for shape in [[5, 3], [3, 3], [3, 5]] {
            check("svd \(shape)", [randomTensor(shape, seed: 66)]) { x in
                let (u, s, vh) = try Linalg.svd(x[0], fullMatrices: false)
                return Tensor.cat([s, (u * u).reshape([-1]), (vh * vh).reshape([-1])])
            }
        }
        check("svd with full matrices", [randomTensor([4, 2], seed: 67)]) { x in
            let (u, s, vh) = try Linalg.svd(x[0])
            // Only U's first two columns are determined by A.
            return Tensor.cat([s, u[0..<4, 0..<2].square().reshape([-1]), vh.square().reshape([-1])])
        }
        check("svdvals", [randomTensor([2, 3, 4], seed: 68)]) { x in try Linalg.svdvals(x[0]) }
        check("nuclear norm", [randomTensor([3, 4], seed: 69)]) { x in try Linalg.matrixNorm(x[0], .nuclear) }
        check("pinv", [randomTensor([4, 3], seed: 70)]) { x in try Linalg.pinv(x[0]) }
    }

    func testLeastSquares() {
        for shape in [[6, 3], [3, 3], [3, 5]] {
            check("lstsq \(shape)", [randomTensor(shape, seed: 71), randomTensor([shape[0], 2], seed: 72)]) { x in
                try Linalg.lstsq(x[0], x[1]).solution
            }
        }
        check("batched lstsq, vector B", [randomTensor([2, 5, 3], seed: 73), randomTensor([2, 5], seed: 74)]) { x in
            try Linalg.lstsq(x[0], x[1]).solution
        }
        assertFails("lstsq: the gradient needs A of full rank, but matrix 0 of shape [4, 3] has rank 1 < 3") {
            let a = (randomTensor([4, 1], seed: 75) • randomTensor([1, 3], seed: 76)).requiringGrad()
            (try! Linalg.lstsq(a, Tensor.ones([4]))).solution.sum().backward()
        }
    }
}
