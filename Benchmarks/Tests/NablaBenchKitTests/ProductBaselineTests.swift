import Nabla
import NablaBenchKit
import XCTest

/// The direct CBLAS call is only a fair ceiling if it computes the same
/// product as Nabla on the same data: same shapes, layouts and transposes.
final class ProductBaselineTests: XCTestCase {
    func testDirectCallComputesNablasProductForEveryProductWorkload() {
        // Every shape but the 17 GFLOP one, which would only slow the test down.
        let workloads = Workload.products(quick: false).filter { $0.flops <= 2 * 1024 * 1024 * 1024 }
        XCTAssertFalse(workloads.isEmpty)
        for workload in workloads {
            let prepared = workload.prepare()
            guard let direct = prepared.direct, let product = prepared.product else {
                return XCTFail("\(workload.name): a product workload needs a direct call and its result")
            }
            direct.run()
            let nabla = withBackend(.blas) { product() }
            XCTAssertEqual(nabla.scalarCount, direct.m * direct.n, workload.name)
            let expected = direct.output, actual = nabla.scalars
            // Inputs lie in [0, 1): an entry is a sum of k products of mean 1/4, about k/4, and
            // summation orders may differ by up to k·ε relative; a wrong layout errs by about k/4.
            let magnitude = Float(direct.k) / 4
            let tolerance = magnitude * Float(direct.k) * Float.ulpOfOne
            var worst: Float = 0
            for (a, b) in zip(actual, expected) { worst = max(worst, abs(a - b)) }
            XCTAssertLessThanOrEqual(worst, tolerance, "\(workload.name): Nabla and \(direct.routine) differ by \(worst)")
        }
    }

    func testDirectCallMatchesAHandComputedProduct() {
        // 2×3 · 3×1 with known values through the sgemv path, and 2×2·2×2 through sgemm.
        let product = DirectBLASProduct(m: 2, n: 2, k: 2)
        product.run()
        let (a, b) = (product.left, product.right)
        let expected = [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
                        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]]
        for (got, want) in zip(product.output, expected) { XCTAssertEqual(got, want, accuracy: 1e-6) }

        let transposed = DirectBLASProduct(m: 2, n: 1, k: 3, transposeLeft: true)  // A stored [3, 2]
        transposed.run()
        XCTAssertEqual(transposed.routine, "cblas_sgemv")
        let (t, x) = (transposed.left, transposed.right)
        XCTAssertEqual(transposed.output[0], t[0] * x[0] + t[2] * x[1] + t[4] * x[2], accuracy: 1e-6)
        XCTAssertEqual(transposed.output[1], t[1] * x[0] + t[3] * x[1] + t[5] * x[2], accuracy: 1e-6)
    }
}
