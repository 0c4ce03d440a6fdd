import XCTest
@testable import Nabla

final class ReduceTests: XCTestCase {
    func testSumsAndMeansByHand() {
        forEachBackend { _ in
            let x = Tensor([[1, 2, 3], [4, 5, 6]])
            XCTAssertEqual(x.sum().item, 21)
            XCTAssertEqual(x.sum().shape, [])
            XCTAssertEqual(x.sum(axis: 0).scalars, [5, 7, 9])
            XCTAssertEqual(x.sum(axis: -1).scalars, [6, 15])
            XCTAssertEqual(x.sum(axis: 1, keepDims: true).shape, [2, 1])
            XCTAssertEqual(x.mean(axes: [0, 1]).item, 3.5)
            XCTAssertEqual(x.mean(axis: 0).scalars, [2.5, 3.5, 4.5])
            XCTAssertEqual(x.max().item, 6)
            XCTAssertEqual(x.min(axis: 1).scalars, [1, 4])
            XCTAssertEqual(x.max(axis: 0, keepDims: true).shape, [1, 3])
            XCTAssertEqual(Tensor([[3, 9, 9], [7, 1, 2]]).argmax(axis: 1).scalars, [1, 0])
            XCTAssertEqual(x.sum(axes: []).scalars, x.scalars)
        }
    }

    func testLessonMeanOverLastTwoAxes() {
        forEachBackend { _ in
            let batch = Tensor(shape: [4, 28, 28], scalars: (0..<(4 * 784)).map { Float($0 % 784) / 784 })
            let means = batch.mean(axes: [-1, -2])
            XCTAssertEqual(means.shape, [4])
            assertClose(means.scalars, [Float](repeating: 783.0 / 2 / 784, count: 4))
        }
    }

    /// Every subset of axes of a rank-4 tensor, contiguous and permuted, against a Double loop.
    func testEveryAxisSubsetAgainstNaiveSums() {
        let shape = [2, 3, 4, 5]
        let contiguous = randomTensor(shape, seed: 7)
        let permuted = randomTensor([4, 2, 5, 3], seed: 8).permute([1, 3, 0, 2])
        forEachBackend { kind in
            for x in [contiguous, permuted] {
                let values = x.scalars
                for mask in 0..<16 {
                    let axes = (0..<4).filter { mask & (1 << $0) != 0 }
                    let outShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
                    var expected = [Double](repeating: 0, count: outShape.reduce(1, *))
                    var maxima = [Float](repeating: -.infinity, count: expected.count)
                    forEachIndex(shape) { index in
                        let target = flatIndex(index.indices.map { axes.contains($0) ? 0 : index[$0] }, outShape)
                        let value = values[flatIndex(index, shape)]
                        expected[target] += Double(value)
                        maxima[target] = Swift.max(maxima[target], value)
                    }
                    let sum = x.sum(axes: axes, keepDims: true)
                    assertClose(sum, Tensor(shape: outShape, scalars: expected.map(Float.init)), "\(kind) axes \(axes)")
                    if !axes.isEmpty {
                        XCTAssertEqual(x.max(axes: axes, keepDims: true).scalars, maxima, "\(kind) axes \(axes)")
                    }
                }
            }
        }
    }

    func testEmptyReductions() {
        forEachBackend { _ in
            let empty = Tensor.zeros([0, 3])
            XCTAssertEqual(empty.sum(axis: 0).scalars, [0, 0, 0])
            XCTAssertEqual(empty.sum(axis: 1).shape, [0])
            XCTAssertTrue(empty.mean().item.isNaN)
        }
    }

    func testLargeSumsAgreeAcrossBackends() {
        let x = randomTensor([300, 28, 28], seed: 3)
        for axes in [[0], [1, 2], [0, 1, 2], [1], [0, 2]] {
            let blas = withBackend(.blas) { x.sum(axes: axes) }
            let reference = withBackend(.reference) { x.sum(axes: axes) }
            // Different summation orders: tolerance scales with the number of terms.
            let terms = axes.reduce(1) { $0 * x.shape[$1] }
            assertClose(blas, reference, tolerance: 1e-6 * Float(terms).squareRoot() * 10, "axes \(axes)")
        }
    }

    /// Long reductions cross the pieces the BLAS backend splits them into (2048 for rows, 65536 for columns).
    func testLongReductionsAgainstDoubleSums() {
        let x = randomTensor([70_001, 3], seed: 4)
        let values = x.scalars
        var columns = [Double](repeating: 0, count: 3)
        for (i, v) in values.enumerated() { columns[i % 3] += Double(v) }
        let total = columns.reduce(0, +)
        forEachBackend { kind in
            assertClose(x.sum(axis: 0).scalars, columns.map(Float.init), tolerance: 1e-3, "\(kind) columns")
            XCTAssertEqual(Double(x.sum().item), total, accuracy: 0.05, "\(kind) all")
            XCTAssertEqual(Double(x.reshape([-1]).sum().item), total, accuracy: 0.05, "\(kind) vector")
        }
    }

    func testMaxPropagatesNaN() {
        XCTAssertTrue(Tensor([1, .nan, 3]).max().item.isNaN)
        XCTAssertEqual(Tensor([1, .nan, 3]).argmax(axis: 0).item, 1)
    }
}
