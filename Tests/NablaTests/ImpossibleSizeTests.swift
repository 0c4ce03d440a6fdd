import XCTest
import NablaTestSupport
@testable import Nabla

/// Issue 24: sizes computed from an op's arguments are counted with overflow
/// checks and compared with the machine's memory before anything is allocated;
/// each of these trapped on an overflow or stopped in the allocator, without a message.
final class ImpossibleSizeTests: XCTestCase {
    let image = Tensor.ones([1, 1, 2, 2]), kernel = Tensor.ones([1, 1, 1, 1])

    func testConvolutionPaddingBeyondMemoryFailsNamingTheOpAndTheSize() {
        // 2^40: the output plane 2^41 × 2^41 overflows an Int.
        assertFails("conv2d: the output plane 2199023255554 × 2199023255554 is too large to count") {
            _ = self.image.conv2d(self.kernel, padding: Size2D(1 << 40, 1 << 40))
        }
        // 2^20: [1, 1, 2097154, 2097154] is 17.6 TB, the size PyTorch tries to allocate.
        assertFails("conv2d: the output [1, 1, 2097154, 2097154] needs 17592219598864 bytes, more than the") {
            _ = self.image.conv2d(self.kernel, padding: Size2D(1 << 20, 1 << 20))
        }
        assertFails("conv2d: padding (4611686018427387903, 0) is too large for the input plane 2×2") {
            _ = self.image.conv2d(self.kernel, padding: Size2D(Int.max / 2, 0))
        }
        assertFails("unfold: the output [1, 1, 4398054899716] needs 17592219598864 bytes") {
            _ = self.image.unfold(kernelSize: 1, padding: Size2D(1 << 20, 1 << 20))
        }
        assertFails("fold: the output plane 1099511627776 × 1099511627776 is too large to count") {
            _ = Tensor.ones([1, 1, 1]).fold(outputSize: Size2D(1 << 40, 1 << 40), kernelSize: 1)
        }
        assertFails("fold: the kernel size 4294967296 × 4294967296 is too large to count") {
            _ = Tensor.ones([1, 1, 1]).fold(outputSize: 1, kernelSize: Size2D(1 << 32, 1 << 32))
        }
    }

    func testPoolingToImpossibleSizesFailsNamingTheOpAndTheSize() {
        assertFails("adaptiveAvgPool2d: the output [1, 1, 1073741824, 1073741824] needs 4611686018427387904 bytes, more than the") {
            _ = self.image.adaptiveAvgPool2d(outputSize: Size2D(1 << 30, 1 << 30))
        }
        // A large but possible adaptive size computes its windows without overflow.
        forEachBackend { kind in
            XCTAssertEqual(self.image.adaptiveAvgPool2d(outputSize: Size2D(1, 3)).scalars, [1, 1, 1], "\(kind)")
        }
    }

    func testArangeBeyondMemoryFailsNamingTheOpAndTheSize() {
        assertFails("arange: from 0.0 to 1e+30 in steps of 1.0 is 1e+30 elements, more than the") { _ = Tensor.arange(from: 0, to: 1e30) }
        assertFails("arange: the range from 0.0 to inf in steps of 1.0 is not finite") { _ = Tensor.arange(from: 0, to: .infinity) }
        XCTAssertEqual(Tensor.arange(from: 0, to: 2.5, step: 0.5).scalars, [0, 0.5, 1, 1.5, 2])
        XCTAssertEqual(Tensor.arange(from: 3, to: 1).scalars, [])
    }
}
