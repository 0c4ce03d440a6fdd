import Foundation
import XCTest
import Nabla
import NablaData
import NablaNN
import NablaPlot

// The code of the article "Chapter 4 in Swift" (Sources/Nabla/Nabla.docc/ChapterFourInSwift.md),
// cell by cell and in the chapter's order. ArticleCodeTests checks that every line of Nabla code
// the article shows is here, so the page cannot show code that does not compile and run.

/// The book's `mnist_distance`: mean absolute difference over the last two axes, one per image.
func mnistDistance(_ a: Tensor, _ b: Tensor) -> Tensor { (a - b).abs().mean(axes: [-1, -2]) }

/// The book's `init_params`, drawing from the global generator (`Nabla.manualSeed`).
func initParams(_ shape: [Int], std: Float = 1) -> Tensor { (Tensor.randn(shape) * std).requiringGrad() }

/// The book's `mnist_loss`, written out; NablaNN's `mnistLoss` is the same function.
func mnistLossAsInTheBook(_ predictions: Tensor, _ targets: Tensor) -> Tensor {
    let predictions = predictions.sigmoid()
    return Tensor.where(targets .== 1, 1 - predictions, predictions).mean()
}

final class ChapterFourTests: XCTestCase {
    /// The training 3s and 7s, then the validation 3s and 7s, loaded once.
    private static let digits = Result { () throws -> (Tensor, Tensor, Tensor, Tensor) in
        let mnist = try Datasets.mnist(split: .train)
        let threes = mnist.selectingClasses([3]).images
        let sevens = mnist.selectingClasses([7]).images
        let test = try Datasets.mnist(split: .test)
        let valid3 = test.selectingClasses([3]).images
        let valid7 = test.selectingClasses([7]).images
        return (threes, sevens, valid3, valid7)
    }

    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "ChapterFour-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testPixelSimilarity() throws {
        let (threes, sevens, valid3, valid7) = try Self.digits.get()
        let pictures = try folder()
        XCTAssertEqual(threes.shape, [6131, 28, 28])
        XCTAssertEqual(threes.rank, 3)
        try ImageGrid(threes[1]).write(to: pictures + "/three.png")
        let mean3 = threes.mean(axis: 0)
        let mean7 = sevens.mean(axis: 0)
        try Figure([ImageGrid(mean3, title: "mean 3"), ImageGrid(mean7, title: "mean 7")]).write(to: pictures + "/means.png")
        let a3 = threes[1]
        let dist3Abs = (a3 - mean3).abs().mean()
        let dist3Sqr = ((a3 - mean3) ** 2).mean().sqrt()
        let dist7Abs = (a3 - mean7).abs().mean()
        let dist7Sqr = ((a3 - mean7) ** 2).mean().sqrt()
        XCTAssertLessThan(dist3Abs.item, dist7Abs.item)
        XCTAssertLessThan(dist3Sqr.item, dist7Sqr.item)
        XCTAssertEqual(l1Loss(a3, mean7).item, dist7Abs.item, accuracy: 1e-6)
        XCTAssertEqual(mseLoss(a3, mean7).sqrt().item, dist7Sqr.item, accuracy: 1e-6)

        let validDist3 = mnistDistance(valid3, mean3)
        XCTAssertEqual(validDist3.shape, [1010])
        func is3(_ x: Tensor) -> Tensor { mnistDistance(x, mean3) .< mnistDistance(x, mean7) }
        let accuracy3s = is3(valid3).to(.float32).mean()
        let accuracy7s = (1 - is3(valid7).to(.float32)).mean()
        XCTAssertGreaterThan(accuracy3s.item, 0.9)
        XCTAssertGreaterThan(accuracy7s.item, 0.95)
    }

    func testTensors() {
        let tns = Tensor([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(tns[1].scalars, [4, 5, 6])
        XCTAssertEqual(tns[0..., 1].scalars, [2, 5])
        XCTAssertEqual(tns[..., 1].scalars, [2, 5])
        XCTAssertEqual(tns[1, 1..<3].scalars, [5, 6])
        XCTAssertEqual((tns + 1).scalars, [2, 3, 4, 5, 6, 7])
        XCTAssertEqual((tns * 1.5).scalars, [1.5, 3, 4.5, 6, 7.5, 9])
        XCTAssertEqual((Tensor([1, 2, 3]) + Tensor(1)).scalars, [2, 3, 4])
    }

    func testDerivatives() throws {
        func f(_ x: Tensor) -> Tensor { x ** 2 }
        var plot = Plot(xLabel: "x", yLabel: "x**2")
        plot.function(over: -2...2, tensor: f)
        try plot.write(to: try folder() + "/square.png")
        let xt = Tensor(3, requiresGrad: true)
        let yt = f(xt)
        yt.backward()
        XCTAssertEqual(xt.grad!.item, 6)

        let xs = Tensor([3, 4, 10], requiresGrad: true)
        let total = f(xs).sum()
        total.backward()
        XCTAssertEqual(xs.grad!.scalars, [6, 8, 20])
    }

    func testSpeedModelEndToEnd() throws {
        Nabla.manualSeed(42)
        let time = Tensor.arange(20)
        let speed = Tensor.randn([20]) * 3 + 0.75 * (time - 9.5) ** 2 + 1
        func f(_ t: Tensor, _ params: Tensor) -> Tensor {
            let (a, b, c) = (params[0], params[1], params[2])
            return a * (t ** 2) + (b * t) + c
        }
        func mse(_ preds: Tensor, _ targets: Tensor) -> Tensor { ((preds - targets) ** 2).mean() }
        var params = Tensor.randn([3]).requiringGrad()
        let lr: Float = 1e-5
        func applyStep() -> Tensor {
            let preds = f(time, params)
            let loss = mse(preds, speed)
            loss.backward()
            noGrad { params -= params.grad! * lr }
            params.grad = nil
            return loss
        }
        let first = applyStep().item
        var losses: [Float] = []
        for _ in 0..<10 { losses.append(applyStep().item) }
        XCTAssertLessThan(losses.last!, first, "SGD lowers the loss")

        var plot = Plot(title: "speed", xLabel: "time", yLabel: "speed")
        plot.scatter(time, speed)
        plot.scatter(time, f(time, params).detached(), color: Color.palette[3])
        try plot.write(to: try folder() + "/speed.png")
    }

    /// The book's `train_x`, `train_y` and their validation twins: flattened images, targets 1 for a 3.
    private func flattenedSets() throws -> (trainX: Tensor, trainY: Tensor, validX: Tensor, validY: Tensor) {
        let (threes, sevens, valid3, valid7) = try Self.digits.get()
        let trainX = Tensor.cat([threes, sevens]).view(-1, 28 * 28)
        let trainY = Tensor(Array(repeating: 1, count: threes.shape[0]) + Array(repeating: 0, count: sevens.shape[0])).unsqueeze(axis: 1)
        let validX = Tensor.cat([valid3, valid7]).view(-1, 28 * 28)
        let validY = Tensor(Array(repeating: 1, count: valid3.shape[0]) + Array(repeating: 0, count: valid7.shape[0])).unsqueeze(axis: 1)
        return (trainX, trainY, validX, validY)
    }

    func testLinearModelFromScratch() throws {
        let (trainX, trainY, validX, validY) = try flattenedSets()
        XCTAssertEqual(trainX.shape, [12396, 784])
        XCTAssertEqual(trainY.shape, [12396, 1])

        Nabla.manualSeed(42)
        let weights = initParams([28 * 28, 1])
        let bias = initParams([1])
        XCTAssertEqual(((trainX[0] * weights.T).sum() + bias).shape, [1])
        func linear1(_ xb: Tensor) -> Tensor { xb • weights + bias }
        let preds = linear1(trainX)
        let corrects = (preds .> 0) .== trainY
        XCTAssertGreaterThanOrEqual(corrects.to(.float32).mean().item, 0)

        let dset = Dataset(trainX, trainY)
        let validDset = Dataset(validX, validY)
        let (x, y) = dset[0]
        XCTAssertEqual(x.shape, [784])
        XCTAssertEqual(y.scalars, [1])
        let dl = DataLoader(dset, batchSize: 256, shuffle: true)
        let validDl = DataLoader(validDset, batchSize: 256)
        let (xb, yb) = dl.first!
        XCTAssertEqual(xb.shape, [256, 784])
        XCTAssertEqual(mnistLossAsInTheBook(linear1(xb), yb).item, mnistLoss(linear1(xb), yb).item, accuracy: 1e-6)
        func calcGrad(_ xb: Tensor, _ yb: Tensor, _ model: (Tensor) -> Tensor) {
            let loss = mnistLoss(model(xb), yb)
            loss.backward()
        }
        func trainEpoch(_ model: (Tensor) -> Tensor, lr: Float, params: [Tensor]) {
            for (xb, yb) in dl {
                calcGrad(xb, yb, model)
                for var p in params {
                    noGrad { p -= p.grad! * lr }
                    p.zeroGrad()
                }
            }
        }
        func validateEpoch(_ model: (Tensor) -> Tensor) -> Float {
            let accs = validDl.map { xb, yb in batchAccuracy(model(xb), yb) }
            return accs.reduce(0, +) / Float(accs.count)
        }
        let before = validateEpoch(linear1)
        for _ in 0..<20 { trainEpoch(linear1, lr: 1, params: [weights, bias]) }
        let after = validateEpoch(linear1)
        XCTAssertGreaterThan(after, max(before, 0.9), "the linear model learns 3s from 7s")
    }

    func testLearnerTrainsTheNet() throws {
        let (trainX, trainY, validX, validY) = try flattenedSets()
        Nabla.manualSeed(42)
        let dl = DataLoader(Dataset(trainX, trainY), batchSize: 256, shuffle: true)
        let validDl = DataLoader(Dataset(validX, validY), batchSize: 256)

        let linearModel = Linear(inputs: 28 * 28, outputs: 1)
        let opt = SGD(linearModel.parameters, learningRate: 1)
        XCTAssertEqual(linearModel.parameters.map(\.value.shape), [[1, 784], [1]])
        for (xb, yb) in dl {
            mnistLoss(linearModel(xb), yb).backward()
            opt.step()
            opt.zeroGrad()
        }

        let simpleNet = Sequential(
            Linear(inputs: 28 * 28, outputs: 30),
            ReLU(),
            Linear(inputs: 30, outputs: 1))
        let dls = DataLoaders(dl, validDl)
        let learn = Learner(dls, simpleNet, optimizer: SGD.self, loss: mnistLoss, metrics: [batchAccuracy], console: .silent)
        try learn.fit(40, lr: 0.1)
        let finalAccuracy = learn.recorder.values.last![2]
        XCTAssertGreaterThan(finalAccuracy, 0.97)

        let pictures = try folder()
        try Plot.values("batch_accuracy", of: learn.recorder).write(to: pictures + "/accuracy.png")
        try Plot.losses(of: learn.recorder).write(to: pictures + "/losses.png")
        var relu = Plot(title: "ReLU")
        relu.function(over: -2...2, tensor: { $0.relu() })
        var sigmoid = Plot(title: "sigmoid")
        sigmoid.function(over: -4...4, tensor: { $0.sigmoid() })
        try Figure([relu, sigmoid], columns: 2).write(to: pictures + "/activations.png")
    }
}
