import XCTest
import Nabla
import NablaNN

// The code of the article "Coming from PyTorch" (Sources/Nabla/Nabla.docc/ComingFromPyTorch.md).

final class ComingFromPyTorchTests: XCTestCase {
    /// The example on Nabla's landing page.
    func testFirstProgram() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let w = Tensor(shape: [3, 1], scalars: [1, 0, -1])
        print(x.matmul(w).scalars)
        XCTAssertEqual(x.matmul(w).scalars, [-2, -2])
    }

    func testNames() {
        var generator = RandomGenerator(seed: 0)
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        let w = Tensor.randn([3, 2], generator: &generator)
        XCTAssertEqual(x.shape, [2, 3])
        Nabla.manualSeed(0)
        XCTAssertEqual(Tensor.randn([3, 2]).shape, [3, 2])
        XCTAssertEqual([x.ndim, x.numel], [2, 6])
        XCTAssertEqual(x.view(3, 2).shape, [3, 2])
        XCTAssertEqual(x.T.scalars, x.transposed.scalars)
        XCTAssertEqual((x ** 2).scalars, [1, 4, 9, 16, 25, 36])
        XCTAssertEqual((-(x ** 2)).scalars, [-1, -4, -9, -16, -25, -36])
        XCTAssertEqual(x[..., 2].scalars, [3, 6])
        XCTAssertEqual(x.reshape([3, 2]).shape, [3, 2])
        XCTAssertEqual(x.transposed.shape, [3, 2])
        XCTAssertEqual(x.permute([1, 0]).shape, [3, 2])
        XCTAssertEqual(x.unsqueeze(axis: 0).shape, [1, 2, 3])
        XCTAssertEqual(Tensor.cat([x, x], axis: 0).shape, [4, 3])
        XCTAssertEqual(Tensor.stack([x, x]).shape, [2, 2, 3])
        XCTAssertEqual((x • w).shape, [2, 2])
        XCTAssertEqual(x.matmul(w).scalars, (x • w).scalars)
        XCTAssertEqual(x.sum(axis: 1, keepDims: true).scalars, [6, 15])
        XCTAssertEqual(x.mean(axes: [-1]).scalars, [2, 5])
        XCTAssertEqual(x.max().item, 6)
        XCTAssertEqual(x.argmax(axis: 1).scalars, [2, 2])
        XCTAssertEqual(x[0..., 1].scalars, [2, 5])
        XCTAssertEqual(x[.ellipsis, 2].scalars, [3, 6])
        XCTAssertEqual(x[0..., .every(2)].scalars, [1, 3, 4, 6])
        XCTAssertEqual((x .> 2).scalars, [0, 0, 1, 1, 1, 1])
        XCTAssertEqual(Tensor.where(x .> 2, x, Tensor(0)).scalars, [0, 0, 3, 4, 5, 6])
        XCTAssertEqual(x[1, 2].item, 6)
    }

    func testValueSemantics() {
        let a = Tensor([1, 2, 3])
        var b = a
        b[0] = Tensor(10)
        XCTAssertEqual(a.scalars, [1, 2, 3])
        XCTAssertEqual(b.scalars, [10, 2, 3])

        let m = Tensor([[1, 2], [3, 4]])
        var view = m.transposed
        view += 1
        XCTAssertEqual(m.scalars, [1, 2, 3, 4])
        XCTAssertEqual(view.scalars, [2, 4, 3, 5])
        let snapshot = b.clone()
        XCTAssertEqual(snapshot.scalars, b.scalars)
    }

    func testLeavesAndNoGrad() {
        let w = Tensor([1, 2], requiresGrad: true)
        let loss = (w * w).sum()
        loss.backward()
        XCTAssertEqual(w.grad!.scalars, [2, 4])
        for var p in [w] {
            noGrad { p -= p.grad! * 0.5 }
            p.zeroGrad()
        }
        XCTAssertEqual(w.scalars, [0, 0])
        let y = noGrad { w * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertFalse(w.detached().requiresGrad)
        XCTAssertTrue(Tensor([1, 2]).requiringGrad().requiresGrad)
    }

    func testBackendsAndThreads() {
        let x = Tensor([[1, 2], [3, 4]])
        let onBLAS = (x • x).scalars
        let inSwift = withBackend(.reference) { (x • x).scalars }
        XCTAssertEqual(onBLAS, inSwift)
        XCTAssertEqual(withBackend(.reference) { Nabla.backend }, .reference)
        let threads = Nabla.threadCount
        Nabla.setThreadCount(1)
        XCTAssertEqual(Nabla.threadCount, 1)
        Nabla.setThreadCount(threads)
    }
}
