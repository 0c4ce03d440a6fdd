import XCTest
import Nabla
import NablaData
import NablaNN

// The code of the article "The nabla command" (Sources/Nabla/Nabla.docc/TheNablaCommand.md).

final class TheNablaCommandTests: XCTestCase {
    /// `nabla digits`'s pieces in a program, on 32 random 28×28 images of 10 classes (the
    /// command runs them on MNIST; `DigitsCommand` and the nabla tests check its figures).
    func testTheDigitsPiecesInAProgram() throws {
        var generator = RandomGenerator(seed: 0)
        let images = Tensor.rand([32, 1, 28, 28], generator: &generator)
        let labels = Tensor((0..<32).map { $0 % 10 })
        let train = DataLoader(inputs: images, targets: labels, batchSize: 2, shuffle: true, seed: 1)
        let valid = DataLoader(inputs: images, targets: labels, batchSize: 16)
        let (testImages, testLabels, classNames) = (images, labels, (0..<10).map(String.init))

        let model = DigitModel.cnn.make(generator: &generator)      // or any Sequential of layers
        let learner = Learner(DataLoaders(train, valid), model, optimizer: Adam.self,
                              loss: crossEntropy, metrics: [.multiClassAccuracy])
        try learner.lrFind()                                        // prints the suggestions
        try learner.fitOneCycle(2, maxLearningRate: 0.01)
        print(ConfusionMatrix(model: model, inputs: testImages, labels: testLabels, classCount: 10)
              .table(classNames: classNames))

        XCTAssertEqual(learner.recorder.values.count, 2, "the finder leaves the recorder as it was")
        XCTAssertEqual(ConfusionMatrix(model: model, inputs: testImages, labels: testLabels, classCount: 10).total, 32)
    }
}
