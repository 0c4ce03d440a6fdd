import XCTest
import Nabla
import NablaPlot
import NablaTestSupport

/// Programmer errors stop with a message naming the type and the shapes, in release builds too.
final class ErrorMessageTests: XCTestCase {
    func testMessagesNameTheCallAndTheShapes() {
        XCTAssertEqual(failureMessage { _ = ImageGrid(Tensor.zeros([1, 1, 28, 28])) },
                       "ImageGrid: expected images of shape [N, H, W] or one image [H, W], got [1, 1, 28, 28]")
        XCTAssertEqual(failureMessage { _ = Series(x: [1, 2], y: [1]) }, "Series: 2 x values but 1 y values")
        XCTAssertEqual(failureMessage { _ = HeatMap(Tensor([1, 2, 3])) },
                       "HeatMap: expected a matrix [rows, columns], got shape [3]")
        XCTAssertEqual(failureMessage { var plot = Plot(); plot.line(Tensor([1, 2]), Tensor([[1, 2], [3, 4]])) },
                       "Plot.line: x of shape [2] and y of shape [2, 2] have different numbers of elements")
        XCTAssertEqual(failureMessage { _ = ImageGrid(Tensor.zeros([2, 28, 28])).figure().pixel(x: 0, y: 0) },
                       "Figure.pixel: panel 0 is not a Plot but ImageGrid")
    }
}
