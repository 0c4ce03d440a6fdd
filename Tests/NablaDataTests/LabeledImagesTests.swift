import XCTest
import Nabla
@testable import NablaData

final class LabeledImagesTests: XCTestCase {
    func testSelectingClassesKeepsOrderAndRelabels() {
        // Six 1×2 images whose pixels are [i, -i], labels 3, 7, 1, 7, 3, 0.
        let images = Tensor(shape: [6, 1, 2], scalars: (0..<6).flatMap { [Float($0), -Float($0)] })
        let data = LabeledImages(images: images, labels: Tensor([3, 7, 1, 7, 3, 0] as [Int64]),
                                 classNames: (0...9).map(String.init))
        let threesAndSevens = data.selectingClasses([7, 3])
        XCTAssertEqual(threesAndSevens.images.shape, [4, 1, 2])
        XCTAssertEqual(threesAndSevens.images.scalars, [0, 0, 1, -1, 3, -3, 4, -4])
        XCTAssertEqual(threesAndSevens.labels.dtype, .int64)
        XCTAssertEqual(threesAndSevens.labels.scalars(as: Int64.self), [1, 0, 0, 1])
        XCTAssertEqual(threesAndSevens.classNames, ["7", "3"])
    }
}
