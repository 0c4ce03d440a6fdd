import Foundation
import XCTest
@testable import Nabla

/// Results never depend on the thread count: reductions and elementwise ops large enough to
/// run threaded (in OpenBLAS or on Nabla's worker pool) give the same bits at one thread and at two.
final class ThreadCountDeterminismTests: XCTestCase {
    private var savedThreads = 1

    override func setUp() { savedThreads = Nabla.threadCount }
    override func tearDown() { Nabla.setThreadCount(savedThreads) }

    /// Every result of `compute` at `threads`, as bit patterns (NaN and −0 compare exactly).
    private func bits(threads: Int, _ compute: () -> [Tensor]) -> [[UInt64]] {
        Nabla.setThreadCount(threads)
        return compute().map { tensor in
            tensor.dtype == .float32 ? tensor.scalars(as: Float.self).map { UInt64($0.bitPattern) }
                                     : tensor.to(.float64).scalars(as: Double.self).map(\.bitPattern)
        }
    }

    private func assertSameAtOneAndTwoThreads(_ name: String, _ compute: () -> [Tensor]) {
        let one = bits(threads: 1, compute), two = bits(threads: 2, compute)
        XCTAssertEqual(one.count, two.count)
        for (index, (a, b)) in zip(one, two).enumerated() {
            XCTAssertTrue(a == b, "\(name): result \(index) differs between one thread and two")
        }
    }

    /// Over the threading thresholds, with slices that reductions cut into pieces: `tall`'s
    /// column sums are a transposed gemv of 50,001×3, which OpenBLAS threads at two threads.
    private func inputs(_ dtype: DType) -> (images: Tensor, wide: Tensor, long: Tensor) {
        (randomTensor([350, 28, 28], seed: 1).to(dtype), randomTensor([3, 50_001], seed: 3).to(dtype),
         randomTensor([300_007], seed: 5).to(dtype))
    }

    func testSumsMeansAndNormsAreTheSameAtOneAndTwoThreads() {
        for dtype in [DType.float32, .float64] {
            let (images, wide, long) = inputs(dtype)
            let tall = wide.T.contiguous()
            forEachBackend { backend in
                assertSameAtOneAndTwoThreads("\(dtype) reductions on \(backend)") {
                    return [images.sum(), images.mean(axes: [1, 2]), images.sum(axis: 0), long.sum(), wide.sum(axis: 1),
                            tall.sum(axis: 0), images.max(axes: [1, 2]), Linalg.vectorNorm(long)]
                }
            }
        }
    }
}
