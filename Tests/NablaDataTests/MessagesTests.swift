import XCTest
import Nabla
@testable import NablaData
import NablaTestSupport

/// Every argument check of NablaData stops through `Nabla.fail`, so its message prints in release builds too.
final class NablaDataMessagesTests: XCTestCase {
    func testDataLoaderChecksItsArguments() {
        assertFails("DataLoader: inputs [] and targets [2] need an item axis") {
            _ = DataLoader(inputs: Tensor(1), targets: Tensor([1, 2]), batchSize: 1)
        }
        assertFails("DataLoader: inputs [3] and targets [2] hold different numbers of items") {
            _ = DataLoader(inputs: Tensor([1, 2, 3]), targets: Tensor([1, 2]), batchSize: 1)
        }
        assertFails("DataLoader: batch size must be positive, got 0") {
            _ = DataLoader(inputs: Tensor([1, 2]), targets: Tensor([1, 2]), batchSize: 0)
        }
    }

    func testLabeledImagesChecksItsArguments() {
        assertFails("LabeledImages: images of shape [3, 1, 1] and labels of shape [2] must hold the same number of items along axis 0") {
            _ = LabeledImages(images: Tensor.zeros([3, 1, 1]), labels: Tensor([0, 1]), classNames: ["a", "b"])
        }
        let images = LabeledImages(images: Tensor.zeros([2, 1, 1]), labels: Tensor([0, 1]), classNames: ["a", "b"])
        assertFails("selectingClasses: [1, 1] repeats a class") { _ = images.selectingClasses([1, 1]) }
        assertFails("selectingClasses: class 2 is not one of the 2 classes (0..<2)") { _ = images.selectingClasses([2]) }
    }
}
