import XCTest
import Nabla
import NablaData
import NablaNN
import NablaTestSupport

/// PyTorch's warnings where PyTorch warns, and errors where training would print junk.
final class WarningTests: XCTestCase {
    private var warnings: [String] = []
    private var savedHandler: ((String) -> Void)?

    override func setUp() {
        savedHandler = Nabla.warningHandler
        Nabla.resetWarnings()
        Nabla.warningHandler = { [unowned self] in warnings.append($0) }
    }

    override func tearDown() {
        Nabla.warningHandler = savedHandler!
        Nabla.resetWarnings()
    }

    func testARegressionLossWhoseTargetBroadcastsWarnsOncePerShapes() {
        let prediction = Tensor.zeros([256, 1]), target = Tensor.ones([256])
        for _ in 0..<3 { XCTAssertEqual(mseLoss(prediction, target).item, 1) }
        XCTAssertEqual(warnings, ["mseLoss: using a target size ([256]) that is different to the input size ([256, 1]). "
                                  + "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size."])
        _ = l1Loss(prediction, target)
        _ = mseLoss(Tensor.zeros([4, 1]), Tensor.ones([4]))
        XCTAssertEqual(warnings.count, 3)
        _ = mseLoss(prediction, Tensor.ones([256, 1]))
        XCTAssertEqual(warnings.count, 3, "the same shapes do not warn")
        // Silenced, as warnings.filterwarnings("ignore").
        Nabla.warningHandler = { _ in }
        _ = mseLoss(Tensor.zeros([2, 1]), Tensor.ones([2]))
        XCTAssertEqual(warnings.count, 3)
    }

    func testABatchSizeLargerThanTheDataSetWarns() {
        let loader = DataLoader(inputs: Tensor.zeros([10, 2]), targets: Tensor.zeros([10]), batchSize: 64)
        XCTAssertEqual(loader.batchCount, 1)
        XCTAssertEqual(warnings, ["DataLoader: the batch size 64 is larger than the data set (10 items), so an epoch is one batch of 10"])
        _ = DataLoader(inputs: Tensor.zeros([10, 2]), targets: Tensor.zeros([10]), batchSize: 64, dropLast: true)
        XCTAssertEqual(warnings.last, "DataLoader: the batch size 64 is larger than the data set (10 items), so with dropLast an epoch has no batch at all")
        assertFails("DataLoader: inputs [0, 2] hold no items, so there is nothing to shuffle or train on") {
            _ = DataLoader(inputs: Tensor.zeros([0, 2]), targets: Tensor.zeros([0]), batchSize: 4, shuffle: true)
        }
    }

    func testATrainingEpochWithoutBatchesIsAnError() {
        let data = DataLoader(inputs: Tensor.randn([8, 2]), targets: Tensor.randn([8, 1]), batchSize: 4)
        let empty = DataLoader(inputs: Tensor.zeros([0, 2]), targets: Tensor.zeros([0, 1]), batchSize: 4)
        let learner = Learner(DataLoaders(empty, data), Linear(inputs: 2, outputs: 1), loss: mseLoss, console: .silent)
        XCTAssertThrowsError(try learner.fit(1, lr: 0.1)) { error in
            XCTAssertTrue("\(error)".hasPrefix("training stopped: the training set gave no batch at epoch 0"), "\(error)")
        }
        XCTAssertTrue(learner.recorder.values.isEmpty, "no row of NaN")
    }

    /// The loaders give int64 labels, so training on them as `nabla digits` does (crossEntropy,
    /// the accuracy metric, the confusion matrix) takes none of the float-index deprecation paths.
    func testTrainingOnALoadedDataSetsLabelsWarnsNothing() throws {
        let test = try Datasets.mnist(split: .test)
        XCTAssertEqual(test.labels.dtype, .int64)
        let images = test.images[0..<512].unsqueeze(axis: 1), labels = test.labels[0..<512]
        let (mean, deviation) = test.pixelStatistics
        var generator = RandomGenerator(seed: 1)
        let model = DigitModel.linear.make(generator: &generator, mean: mean, standardDeviation: deviation)
        let learner = Learner(DataLoaders(DataLoader(inputs: images, targets: labels, batchSize: 128, shuffle: true, seed: 2),
                                          DataLoader(inputs: images, targets: labels, batchSize: 256)),
                              model, optimizer: Adam.self, loss: crossEntropy, metrics: [.multiClassAccuracy],
                              callbacks: [DivergenceWarning()], console: .silent)
        try learner.fitOneCycle(1, maxLearningRate: 0.003, callbacks: [PlateauWarning()])
        XCTAssertEqual(ConfusionMatrix(model: model, inputs: images, labels: labels, classCount: 10).total, 512)
        XCTAssertEqual(warnings, [])
    }

    func testALossThatDoesNotFallInTheFirstEpochWarns() throws {
        var generator = RandomGenerator(seed: 2)
        let inputs = Tensor.randn([256, 4], generator: &generator)
        let targets = Tensor.where(inputs.sum(axis: 1, keepDims: true) .> 0, Tensor(1), Tensor(0))
        func fit(_ lr: Float) throws {
            var modelGenerator = RandomGenerator(seed: 1)
            let learner = Learner(DataLoaders(DataLoader(inputs: inputs, targets: targets, batchSize: 16, seed: 1),
                                              DataLoader(inputs: inputs, targets: targets, batchSize: 64)),
                                  Linear(inputs: 4, outputs: 1, generator: &modelGenerator), loss: mnistLoss, console: .silent)
            try learner.fit(2, lr: lr, callbacks: [PlateauWarning()])
        }
        try fit(1)
        XCTAssertEqual(warnings, [], "a learning rate that trains")
        try fit(1e9)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].hasPrefix("the training loss did not fall during the first epoch"), warnings[0])
        XCTAssertTrue(warnings[0].contains("the learning rate 1e+09 is probably far too high"), warnings[0])
    }
}
