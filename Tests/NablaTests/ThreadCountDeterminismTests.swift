import Foundation
import XCTest
@testable import Nabla

/// Elementwise ops and reductions large enough to run on the worker pool give the same
/// bits at one thread and at two, and the right values where a block boundary cuts a row.
final class ThreadCountDeterminismTests: XCTestCase {
    private var savedThreads = 1

    override func setUp() { savedThreads = Nabla.threadCount }
    override func tearDown() { Nabla.setThreadCount(savedThreads) }

    /// Every result of `compute` at each thread count, as bit patterns (NaN and −0 compare exactly).
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

    /// Over the parallel threshold, with row lengths that blocks cut and slices cut into pieces.
    private func inputs(_ dtype: DType) -> (images: Tensor, scale: Tensor, wide: Tensor, column: Tensor, long: Tensor) {
        (randomTensor([600, 28, 28], seed: 1).to(dtype), randomTensor([600, 1, 1], seed: 2).to(dtype),
         randomTensor([3, 100_003], seed: 3).to(dtype), randomTensor([3, 1], seed: 4).to(dtype),
         randomTensor([1_000_003], seed: 5).to(dtype))
    }

    func testSumsMeansAndNormsAreTheSameAtOneAndTwoThreads() {
        for dtype in [DType.float32, .float64] {
            forEachBackend { backend in
                assertSameAtOneAndTwoThreads("\(dtype) reductions on \(backend)") {
                    let (images, _, wide, _, long) = inputs(dtype)
                    let tall = wide.T
                    return [images.sum(), images.mean(), images.sum(axes: [-2, -1]), images.mean(axes: [1, 2]),
                            images.sum(axis: 0), images.mean(axis: 1), long.sum(), wide.sum(axis: 0), wide.sum(axis: 1),
                            tall.sum(axis: 0), images.max(axes: [1, 2]), images.argmax(axis: 2), long.max(),
                            Linalg.vectorNorm(long), Linalg.vectorNorm(images, axes: [1, 2]),
                            Linalg.vectorNorm(images, order: 1)]
                }
            }
        }
    }

    func testElementwiseOpsAreTheSameAtOneAndTwoThreads() {
        for dtype in [DType.float32, .float64] {
            assertSameAtOneAndTwoThreads("\(dtype) elementwise") {
                let (images, scale, wide, column, long) = inputs(dtype)
                return [images + 1, images * scale, images - images[0], (images * scale).exp(), long.tanh(), long / 3,
                        wide + column, wide.T * 2, Tensor.where(images .> 0, images, scale),
                        images.relu(), long.to(dtype == .float32 ? .float64 : .float32)]
            }
        }
    }

    /// A backward pass runs the same kernels: its gradients too are the same at both counts.
    func testGradientsAreTheSameAtOneAndTwoThreads() {
        for dtype in [DType.float32, .float64] {
            assertSameAtOneAndTwoThreads("\(dtype) gradients") {
                let (images, scale, _, _, _) = inputs(dtype)
                let x = images.requiringGrad(), s = scale.requiringGrad()
                ((x * s).exp().mean(axes: [1, 2]) * (x.sum(axis: 0).square().sum())).sum().backward()
                return [x.grad!, s.grad!]
            }
        }
    }

    /// Where a block boundary falls inside a row, each part of the row still pairs the right
    /// elements: rows of 100,003 broadcast against a column, and a transposed (strided) source.
    func testValuesWhereBlocksCutRows() {
        Nabla.setThreadCount(2)
        let (_, _, wide, column, _) = inputs(.float64)
        let w = wide.scalars(as: Double.self), c = column.scalars(as: Double.self)
        let sum = (wide + column).scalars(as: Double.self)
        let transposedTwice = (wide.T * 2).scalars(as: Double.self)
        var sumMismatches = 0, transposeMismatches = 0
        for row in 0..<3 {
            for j in 0..<100_003 {
                if sum[row * 100_003 + j] != w[row * 100_003 + j] + c[row] { sumMismatches += 1 }
                if transposedTwice[j * 3 + row] != 2 * w[row * 100_003 + j] { transposeMismatches += 1 }
            }
        }
        XCTAssertEqual(sumMismatches, 0)
        XCTAssertEqual(transposeMismatches, 0)
    }

    /// A sum cut into pieces adds the pieces up to the right value (float64 against a plain
    /// loop over the same numbers, within the rounding of a million terms).
    func testPiecewiseSumsAreRight() {
        Nabla.setThreadCount(2)
        let (_, _, wide, _, long) = inputs(.float64)
        let values = long.scalars(as: Double.self)
        XCTAssertEqual(long.sum().item(as: Double.self), values.reduce(0, +), accuracy: 1e-9)
        let w = wide.scalars(as: Double.self)
        let rowSums = wide.sum(axis: 1).scalars(as: Double.self)
        let columnSums = wide.T.contiguous().sum(axis: 0).scalars(as: Double.self)
        for row in 0..<3 {
            let expected = w[(row * 100_003)..<((row + 1) * 100_003)].reduce(0, +)
            XCTAssertEqual(rowSums[row], expected, accuracy: 1e-9)
            XCTAssertEqual(columnSums[row], expected, accuracy: 1e-9)
        }
    }
}
