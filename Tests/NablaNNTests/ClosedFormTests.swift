import XCTest
import Nabla
import NablaTestSupport
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

    /// Pixel-like rows: 0...255 levels / 255, a quarter of the columns always blank
    /// (rank-deficient, like MNIST's borders), a few nearly blank, with 0/1 targets.
    private func pixelRows(_ count: Int, features: Int, seed: UInt64) -> (rows: Tensor, targets: Tensor) {
        var generator = RandomGenerator(seed: seed)
        let levels = (Tensor.rand([count, features], generator: &generator) * 255).floor() / 255
        let mask = Tensor(shape: [features], scalars: (0..<features).map { $0 % 4 == 0 ? 0 : ($0 % 7 == 0 ? 0.01 : 1) })
        let rows = levels * mask
        let targets = (rows[0..<count, 1..<2] + rows[0..<count, 2..<3] .> 1).to(.float32).reshape([count, 1])
        return (rows, targets)
    }

    func testLeastSquaresInBlocksAgreesWithLstsqOnTheWholeDesign() throws {
        let (rows, targets) = pixelRows(600, features: 40, seed: 7)
        let design = Tensor.cat([rows, Tensor.ones([600, 1])], axis: 1)
        let whole = try withBackend(.blas) { try Linalg.lstsq(design, targets) }
        for blockRows in [600, 128, 7] {
            let blocks = RowBlocks(count: 600, blockRows: blockRows) { rows[$0.lowerBound..<$0.upperBound] }
            let model = try withBackend(.blas) { try LeastSquaresClassifier(blocks: blocks, targets: targets) }
            XCTAssertEqual(model.rank, Int(whole.rank.item), "blocks of \(blockRows)")
            XCTAssertEqual(model.rank, 31, "10 blank columns of 40, plus the bias")
            // The answer compared as the scores it gives: the largest difference from lstsq's over all rows.
            let difference = (model.scores(rows) - design • whole.solution).abs().max().item
            XCTAssertLessThan(difference, 1e-4, "blocks of \(blockRows)")
            XCTAssertEqual(model.accuracy(blocks, targets: targets), model.accuracy(rows, targets: targets))
        }
    }

    func testPrincipalComponentsInBlocksAgreeWithTheWholeSet() throws {
        let (rows, _) = pixelRows(500, features: 30, seed: 8)
        let whole = try PrincipalComponents(rows, count: 5)
        let blocks = RowBlocks(count: 500, blockRows: 64) { rows[$0.lowerBound..<$0.upperBound] }
        let blocked = try PrincipalComponents(blocks: blocks, count: 5)
        assertClose(blocked.mean.scalars, whole.mean.scalars, tolerance: 1e-6)
        assertClose(blocked.variances.scalars, whole.variances.scalars, tolerance: 1e-4)
        XCTAssertEqual(blocked.totalVariance, whole.totalVariance, accuracy: 1e-4)
        // Components are unit vectors up to sign: |cos| of each pair is 1.
        for i in 0..<5 {
            let cosine = (blocked.components[0..<30, i] * whole.components[0..<30, i]).sum().item
            XCTAssertEqual(abs(cosine), 1, accuracy: 1e-4, "component \(i)")
        }
        let projected = blocked.project(blocks, components: 3)
        XCTAssertEqual(projected.shape, [500, 3])
        XCTAssertLessThan((projected.abs() - whole.project(rows, components: 3).abs()).abs().max().item, 1e-4)
    }

    func testByteLevelsDividedIn256RowPiecesGiveTheSameFitAsTheirFloats() throws {
        // Levels 0…255 of 700 "images" (3 pieces of 256 rows in the last block), the blocks divided by 255.
        let (rows, targets) = pixelRows(700, features: 24, seed: 9)
        let levels = (rows * 255).round()
        let bytes = RowBlocks(count: 700, blockRows: 512, divisor: 255) { levels[$0.lowerBound..<$0.upperBound] }
        let floats = levels / 255
        let fromBytes = try LeastSquaresClassifier(blocks: bytes, targets: targets)
        let fromFloats = try LeastSquaresClassifier(inputs: floats, targets: targets)
        XCTAssertEqual(fromBytes.rank, fromFloats.rank)
        XCTAssertLessThan((fromBytes.scores(floats) - fromFloats.scores(floats)).abs().max().item, 1e-5)
        XCTAssertEqual(fromBytes.accuracy(bytes, targets: targets), fromFloats.accuracy(floats, targets: targets))
        let pcaBytes = try PrincipalComponents(blocks: bytes, count: 3), pcaFloats = try PrincipalComponents(floats, count: 3)
        assertClose(pcaBytes.variances.scalars, pcaFloats.variances.scalars, tolerance: 1e-5)
        assertClose(pcaBytes.mean.scalars, pcaFloats.mean.scalars, tolerance: 1e-6)
    }

    func testOneGramMatrixServesBothFitsExactly() throws {
        // Byte levels: the Gram matrix is exact, so the one with the targets appended gives both fits bit for bit.
        let (rows, targets) = pixelRows(700, features: 24, seed: 4)
        let levels = (rows * 255).round()
        let bytes = RowBlocks(count: 700, blockRows: 256, divisor: 255) { levels[$0.lowerBound..<$0.upperBound] }
        let gram = RowGram(bytes) { targets[$0.lowerBound..<$0.upperBound] }
        XCTAssertEqual(gram.matrix.shape, [26, 26])
        XCTAssertEqual([gram.rowCount, gram.features, gram.extraColumns], [700, 24, 1])
        // N in the corner of [X 1], Σy beside it.
        XCTAssertEqual(gram.matrix[24, 24].item(as: Double.self), 700)
        XCTAssertEqual(gram.matrix[24, 25].item(as: Double.self), Double(targets.sum().item))
        let shared = try LeastSquaresClassifier(gram: gram), own = try LeastSquaresClassifier(blocks: bytes, targets: targets)
        XCTAssertEqual(shared.rank, own.rank)
        XCTAssertEqual(shared.weights.scalars, own.weights.scalars)
        let sharedPCA = try PrincipalComponents(gram: gram, count: 3), ownPCA = try PrincipalComponents(blocks: bytes, count: 3)
        XCTAssertEqual(sharedPCA.variances.scalars, ownPCA.variances.scalars)
        XCTAssertEqual(sharedPCA.components.scalars, ownPCA.components.scalars)
        XCTAssertEqual(sharedPCA.mean.scalars, ownPCA.mean.scalars)
        assertFails("LeastSquaresClassifier: the Gram matrix must have the targets appended as one extra column, it has 0") {
            _ = try? LeastSquaresClassifier(gram: RowGram(bytes))
        }
    }

    func testRowBlocksCoverTheRowsOnceInOrderAndRefuseAWrongBlock() {
        XCTAssertEqual(RowBlocks(count: 10, blockRows: 4) { Tensor.zeros([$0.count, 1]) }.ranges, [0..<4, 4..<8, 8..<10])
        XCTAssertEqual(RowBlocks(count: 0, blockRows: 4) { Tensor.zeros([$0.count, 1]) }.ranges, [])
        let wrong = RowBlocks(count: 6, blockRows: 3) { Tensor.zeros([$0.count, $0.lowerBound == 0 ? 2 : 3]) }
        assertFails("PrincipalComponents: block 3..<6 must be [3, 2], got shape [3, 3]") {
            _ = try? PrincipalComponents(blocks: wrong, count: 1)
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
