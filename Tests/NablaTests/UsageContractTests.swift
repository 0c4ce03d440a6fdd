import XCTest
import Nabla

/// The programs that the README and the issues promise, line by line.
final class UsageContractTests: XCTestCase {
    func testFirstProgram() {
        forEachBackend { _ in
            let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
            let w = Tensor(shape: [3, 1], scalars: [1, 0, -1])
            XCTAssertEqual(x.matmul(w).scalars, [-2.0, -2.0])
            XCTAssertEqual(x.mean(axes: [-1]).scalars, [2.0, 5.0])
            XCTAssertEqual(x[0..<2, 1..<3].shape, [2, 2])
            XCTAssertEqual((x - x.mean(axes: [0])).abs().sum().item, 9.0)
        }
    }

    func testGradientOfSumOfSquares() {
        forEachBackend { _ in
            let x = Tensor(shape: [3], scalars: [3, 4, 10], requiresGrad: true)
            let loss = (x * x).sum()
            loss.backward()
            XCTAssertEqual(x.grad!.scalars, [6.0, 8.0, 20.0])
        }
    }

    func testBookQuadraticAtThree() {
        let x = Tensor(3, requiresGrad: true)
        let y = x.square()
        y.backward()
        XCTAssertEqual(x.grad!.item, 6)
        XCTAssertEqual(y.item, 9)
    }

    func testBookSGDOnQuadraticLowersTheLoss() {
        // The book's walk-through: a few steps of w -= lr * grad on (w - 2)² move the loss down.
        forEachBackend { _ in
            var w = Tensor([-1.5, 3.0, 0.25], requiresGrad: true)
            var losses: [Float] = []
            for _ in 0..<10 {
                let loss = ((w - 2).square()).mean()
                losses.append(loss.item)
                loss.backward()
                noGrad { w.addScaled(w.grad!, by: -0.5) }
                w.zeroGrad()
            }
            for (before, after) in zip(losses, losses.dropFirst()) { XCTAssertLessThan(after, before) }
            XCTAssertLessThan(losses.last!, 0.01 * losses.first!)
        }
    }
}
