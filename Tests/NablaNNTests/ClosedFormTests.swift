import XCTest
import Nabla
@testable import NablaNN

final class ClosedFormTests: XCTestCase {
    func testLeastSquaresClassifierFitsALinearRuleWithABlankFeature() throws {
        // Targets are exactly 0.25·x₀ − 0.5·x₁ + 0.5 thresholded; feature 2 is always blank.
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.cat([Tensor.rand([40, 2], generator: &generator), Tensor.zeros([40, 1])], axis: 1)
        let exact = x[0..<40, 0..<1] * 0.25 - x[0..<40, 1..<2] * 0.5 + 0.5
        // The blank column makes the design rank-deficient: the BLAS backend's gelsd.
        let model = try withBackend(.blas) { try LeastSquaresClassifier(inputs: x, targets: exact) }
        XCTAssertEqual(model.rank, 3)
        assertClose(model.weights.scalars, [0.25, -0.5, 0, 0.5], tolerance: 1e-5)
        XCTAssertEqual(model.accuracy(x, targets: (exact .> 0.5)), 1)
    }

    func testPrincipalComponentsFindTheDirectionsOfLargestVariance() throws {
        // Points spread 10× more along (1, 1)/√2 than along (1, −1)/√2, none along the third axis.
        var generator = RandomGenerator(seed: 6)
        let t = Tensor.randn([200, 2], generator: &generator) * Tensor([10, 1])
        let s = Float(0.5).squareRoot()
        let rows = t • Tensor([[s, s, 0], [s, -s, 0]]) + Tensor([1, 2, 3])
        try forEachBackend { kind in
            let pca = try PrincipalComponents(rows, count: 2)
            assertClose(pca.mean.scalars, [1, 2, 3], tolerance: 0.2)
            let first = pca.components[0..<3, 0].scalars
            XCTAssertEqual(abs(first[0] * s + first[1] * s), 1, accuracy: 1e-4, "\(kind)")
            XCTAssertGreaterThan(pca.variances[0].item, 50 * pca.variances[1].item)
            XCTAssertEqual(pca.explainedVariance(components: 2), 1, accuracy: 1e-4)
            XCTAssertEqual(pca.project(rows, components: 1).shape, [200, 1])
        }
    }

    func testNearestMeanClassifier() {
        let rows = Tensor([[0, 0], [0, 1], [5, 5], [6, 5]])
        let classifier = NearestMeanClassifier(rows: rows, labels: [0, 0, 1, 1], classes: 2)
        assertClose(classifier.means.scalars, [0, 0.5, 5.5, 5])
        XCTAssertEqual(classifier.predict(Tensor([[1, 1], [4, 4], [10, 0]])), [0, 1, 1])
        XCTAssertEqual(classifier.accuracy(Tensor([[1, 1], [4, 4]]), labels: [0, 0]), 0.5)
    }
}
