import Foundation
import XCTest
import Nabla
import NablaData
import NablaNN

// The rows of the tables of "Coming from PyTorch" (Sources/Nabla/Nabla.docc/ComingFromPyTorch.md)
// that ComingFromPyTorchTests does not run, each with the value PyTorch gives.

final class ComingFromPyTorchRowsTests: XCTestCase {
    func testCreationAndSelection() {
        let t: Tensor = [[1, 2], [3, 4]]
        XCTAssertEqual(t.dtype, .int64, "torch.tensor([[1, 2], [3, 4]]) is int64")
        let ts = [Tensor([0, 255]), Tensor([51, 102])]
        XCTAssertEqual((Tensor.stack(ts) / 255).scalars, [0, 1, 0.2, 0.4])

        let x = Tensor.arange(20).reshape([4, 5])
        XCTAssertEqual(x[4..<15, 4..<22].shape, [0, 1])
        XCTAssertEqual(x[(-2)...].shape, [2, 5])
        XCTAssertEqual(x[[0, 2]].shape, [2, 5])
        XCTAssertEqual(x[0..., [2, 0]].scalars, [2, 0, 7, 5, 12, 10, 17, 15])
        let mask = x .> 16
        XCTAssertEqual(x[mask].scalars, [17, 18, 19])
        let m = x .< 2
        XCTAssertEqual(x.nonzero().shape, [19, 2])
        XCTAssertEqual(x.maskedSelect(m).scalars, [0, 1])
    }

    func testWritingSelections() {
        do {
            var x = Tensor.arange(20).reshape([4, 5])
            let mask = x .> 16
            x[mask] = Tensor(0)
            XCTAssertEqual(x.max().item, 16)
        }
        do {
            var x = Tensor.zeros([3])
            let i = Tensor([0, 2, 0] as [Int64]), v = Tensor([1, 1, 1])
            x.indexPut([i], values: v, accumulate: true)
            XCTAssertEqual(x.scalars, [2, 0, 1], "the repeated index accumulates, as index_put_(accumulate=True)")
        }
    }

    func testReductionsAndElementwise() {
        let x = Tensor([[-4, 1], [9, 16]])
        XCTAssertEqual(x.mean(axis: 0).scalars, [2.5, 8.5])
        XCTAssertEqual(x.abs().mean(axes: [-1, -2]).item, 7.5)
        XCTAssertEqual(x.clamp(min: 0).sqrt().scalars, [0, 1, 3, 4])
        XCTAssertEqual(x.sqrt().scalars[3], 4)
        XCTAssertEqual(x.relu().scalars, [0, 1, 9, 16])
        XCTAssertEqual(x.sigmoid().scalars[1], 1 / (1 + exp(-1)), accuracy: 1e-6)
        let preds = Tensor([0.2, 0.9]), y = Tensor([false, true])
        XCTAssertEqual(((preds .> 0.5) .== y).scalars(as: Bool.self), [true, true])
        let a = Tensor.zeros([2, 28, 28]), b = Tensor.ones([1, 28, 28])
        XCTAssertEqual(Tensor.cat([a, b]).view(-1, 28 * 28).shape, [3, 784])
    }

    func testProductsDiagonalsAndComparisons() {
        let x = Tensor([[1, 2], [3, 4]]), v = Tensor([1, 2])
        do {
            let a = x, b = x + 1
            XCTAssertEqual(Tensor.einsum("ij,kj->ik", a, b).scalars, [8, 14, 18, 32])
        }
        XCTAssertEqual(x.diagonal(offset: 1).scalars, [2])
        XCTAssertEqual(v.diag().scalars, [1, 0, 0, 2])
        XCTAssertEqual(x.trace().item, 5)
        XCTAssertEqual(x.cumprod(axis: 0).scalars, [1, 2, 3, 8])
        var rows = 0
        for row in x { rows += 1; XCTAssertEqual(row.shape, [2]) }
        XCTAssertEqual(rows, 2)
        let a = x, b = x.clone()
        XCTAssertTrue(a.equal(b))
        XCTAssertTrue(a.allClose(b))
    }

    /// Python's //, % and the bitwise operators, with torch's values.
    func testIntegerDivisionAndBitwiseOperators() {
        let a = Tensor([7, -7] as [Int64]), b = Tensor([2, 2] as [Int64])
        XCTAssertEqual(a.floorDivide(b).scalars(as: Int64.self), [3, -4], "torch: a // b")
        XCTAssertEqual(a.remainder(b).scalars(as: Int64.self), [1, 1], "torch: a % b")
        XCTAssertEqual(a.fmod(b).scalars(as: Int64.self), [1, -1])
        let x = Tensor([[10, 11], [12, 13]] as [[Int64]]), i = Tensor([3, -4] as [Int64])
        XCTAssertEqual(x.take(i).scalars(as: Int64.self), [13, 10])
        let mask = Tensor([true, false])
        XCTAssertEqual((~mask).scalars(as: Bool.self), [false, true])
        XCTAssertEqual((a & b).scalars(as: Int64.self), [2, 0])
        XCTAssertEqual((a ^ b).scalars(as: Int64.self), [5, -5])
        XCTAssertEqual(a.logicalAnd(b).scalars(as: Bool.self), [true, true])
    }

    func testGradientFlags() {
        var w = Tensor([1, 2])
        w.requiresGrad = true
        let y = w * 3
        y.retainGrad()
        y.sum().backward()
        XCTAssertEqual(y.grad!.scalars, [1, 1])
        XCTAssertEqual(w.grad!.scalars, [3, 3])
        w.grad = nil
        XCTAssertNil(w.grad)
    }

    func testLayersLossesAndOptimizers() {
        manualSeed(0)
        let model = Sequential(Linear(inputs: 784, outputs: 30), ReLU(), Linear(inputs: 30, outputs: 1))
        XCTAssertEqual(model.parameters.count, 4)
        XCTAssertEqual(Linear(inputs: 784, outputs: 1).weight.value.shape, [1, 784])
        print(model)
        XCTAssertEqual(model.forward(Tensor.zeros([2, 784])).shape, [2, 1])
        let a = Tensor([1, 2]), b = Tensor([4, 6])
        XCTAssertEqual(l1Loss(a, b).item, 3.5)
        XCTAssertEqual(rmseLoss(a, b).item, mseLoss(a, b).sqrt().item)
        let x = Tensor([[2, 0, 0], [0, 2, 0]]), y = Tensor([0, -100] as [Int64]), w = Tensor([1, 1, 1])
        let smoothed = crossEntropy(x, y, weight: w, ignoreIndex: -100, labelSmoothing: 0.1)
        XCTAssertEqual(smoothed.shape, [])
        var g = RandomGenerator(seed: 0)
        let c = 2
        let conv = Conv2d(inChannels: c, outChannels: 2 * c, kernelSize: 3, groups: c, generator: &g)
        XCTAssertEqual(conv.weight.value.shape, [4, 1, 3, 3])
        do {
            let x = Tensor.ones([1, 1, 5, 5])
            XCTAssertEqual(x.maxPool2d(kernelSize: 2, ceilMode: true).shape, [1, 1, 3, 3], "ceil mode keeps the last partial window")
        }
        let p = conv.parameters
        XCTAssertTrue(Adam(p, amsgrad: true).amsgrad)
    }

    func testDataAndTheLearner() throws {
        let x = Tensor.rand([512, 784]), y = Tensor.ones([512, 1])
        let dset = Dataset(x, y)
        XCTAssertEqual(dset[0].0.shape, [784])
        let dl = DataLoader(dset, batchSize: 256), validDl = DataLoader(dset, batchSize: 256)
        XCTAssertEqual(dl.first!.0.shape, [256, 784])
        let dls = DataLoaders(dl, validDl)
        let model = Linear(inputs: 784, outputs: 1), lr: Float = 0.1
        let learn = Learner(dls, model, optimizer: SGD.self, loss: mnistLoss, metrics: [batchAccuracy])
        try learn.fit(10, lr: lr)
        XCTAssertEqual(learn.recorder.values.count, 10)
        XCTAssertEqual(learn.recorder.values.last![2], 1, "every target is 1, and the net learns to say so")
    }

    func testNumPyFiles() throws {
        let folder = NSTemporaryDirectory() + "ComingFromPyTorch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder))
        defer { XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(previous)) }
        let x = Tensor([[1, 2], [3, 4]]), w = Tensor([0.5, 0.25] as [Double]), f = folder + "/weights.npz"
        try NumPy.save(x, to: "x.npy")
        XCTAssertTrue(try NumPy.load("x.npy").equal(x))
        try NumPy.saveArchive([("w", w)], to: f, compressed: true)
        XCTAssertTrue(try NumPy.loadArchive(f)["w"]!.equal(w))
    }
}
