import XCTest
import Nabla
import NablaTestSupport
@testable import NablaData

/// Images kept as bytes (uint8 tensors), and loaders that convert them while batching.
final class PixelBytesTests: XCTestCase {
    /// 6 images of 2×3 pixels: image i holds 40·i + j at pixel j.
    private let pixels = (0..<6).flatMap { i in (0..<6).map { UInt8(40 * i + $0) } }
    private var images: Tensor { Tensor(shape: [6, 2, 3], scalars: pixels) }

    func testGatheredBytesDivideBy255LikeTheFloatReader() {
        let gathered = images.gather(rows: [4, 0, 4])
        XCTAssertEqual(gathered.dtype, .uint8, "the gather stays bytes")
        XCTAssertEqual(gathered.scalars(as: UInt8.self), [4, 0, 4].flatMap { Array(pixels[(6 * $0)..<(6 * $0 + 6)]) })
        let batch = gathered.to(.float32, dividedBy: 255)
        XCTAssertEqual(batch.dtype, .float32)
        XCTAssertEqual(batch.shape, [3, 2, 3])
        let expected = [4, 0, 4].flatMap { i in (0..<6).map { Float(40 * i + $0) / 255 } }
        XCTAssertEqual(batch.scalars, expected, "bit for bit the values of IDX.readImages(scale: true)")
        // A strided view converts too, and float64 divides in float64.
        XCTAssertEqual(images[0..<6, 1].to(.float32, dividedBy: 255).scalars, [0, 1, 2, 3, 4, 5].flatMap { i in (3..<6).map { Float(40 * i + $0) / 255 } })
        XCTAssertEqual(Tensor([7] as [UInt8]).to(.float64, dividedBy: 255).scalars(as: Double.self), [7.0 / 255])
        XCTAssertEqual(Tensor([2, -3] as [Int64]).to(.float32, dividedBy: 2).scalars, [1, -1.5])
    }

    func testScaledConversionRefusesFloatSourcesAndIntegerTargets() {
        assertFails("to(_:dividedBy:): takes an integer or bool tensor, got float32; divide a floating tensor after to(float64)") {
            _ = Tensor([1, 2]).to(.float64, dividedBy: 2)
        }
        assertFails("to(_:dividedBy:): converts to float32 or float64, not int64") { _ = self.images.to(.int64, dividedBy: 2) }
    }

    func testEveryByteConvertsBitForBitAsTheScalarDivision() {
        // 259 pixels: all 256 levels in the vector path, then a tail of 3; and a strided view.
        let bytes = (0..<259).map { UInt8($0 % 256) }
        let one = Tensor(shape: [1, 259], scalars: bytes)
        XCTAssertEqual(one.to(.float32, dividedBy: 255).scalars.map(\.bitPattern), bytes.map { (Float($0) / 255).bitPattern })
        XCTAssertEqual(one.to(.float32).scalars, bytes.map { Float($0) }, "the gray levels, unscaled")
        XCTAssertEqual((one.to(.float32) / 255).scalars, one.to(.float32, dividedBy: 255).scalars, "divided by 255, bit for bit")
        let everyOther = Tensor(shape: [2, 259], scalars: bytes + bytes)[0..<2, TensorSlice(nil, nil, step: 2)]
        XCTAssertEqual(everyOther.to(.float32, dividedBy: 255).scalars, (bytes + bytes).enumerated().filter { $0.offset % 259 % 2 == 0 }.map { Float($0.element) / 255 })
    }

    func testQuantizingRecoversTheBytesOfDecodedImages() {
        let quantized = images.to(.float32, dividedBy: 255).quantizedPixels()
        XCTAssertEqual(quantized.dtype, .uint8)
        XCTAssertEqual(quantized.shape, [6, 2, 3])
        XCTAssertEqual(quantized.scalars(as: UInt8.self), pixels)
        assertFails("quantizedPixels: pixel 1.5 at position 1 is not in [0, 1]") { _ = Tensor([0, 1.5]).quantizedPixels() }
    }

    func testALoaderOverImagesNeedsBytes() {
        assertFails("DataLoader(images:): takes 8-bit images (uint8), got float32; pass other tensors as inputs:") {
            _ = DataLoader(images: Tensor.zeros([2, 3]), targets: Tensor.zeros([2]), batchSize: 1)
        }
    }

    func testALoaderOverBytesGivesTheBatchesOfOneOverFloats() {
        let targets = Tensor(shape: [6], scalars: (0..<6).map(Float.init))
        for prefetch in [false, true] {
            let bytes = DataLoader(images: images, targets: targets, batchSize: 4, shuffle: true, seed: 7)
            let floats = DataLoader(inputs: images.to(.float32, dividedBy: 255), targets: targets, batchSize: 4, shuffle: true, seed: 7)
            bytes.prefetch = prefetch
            floats.prefetch = false
            for _ in 0..<3 {
                let (a, b) = (Array(bytes), Array(floats))
                XCTAssertEqual(a.map(\.inputs.scalars), b.map(\.inputs.scalars), "prefetch \(prefetch)")
                XCTAssertEqual(a.map(\.targets.scalars), b.map(\.targets.scalars), "prefetch \(prefetch)")
                XCTAssertEqual(a.map(\.inputs.shape), [[4, 2, 3], [2, 2, 3]])
            }
        }
    }

    func testPrefetchingGivesTheSameBatchesInTheSameOrder() {
        let inputs = Tensor(shape: [1000, 3], scalars: (0..<3000).map(Float.init))
        let targets = Tensor(shape: [1000], scalars: (0..<1000).map(Float.init))
        let plain = DataLoader(inputs: inputs, targets: targets, batchSize: 64, shuffle: true, seed: 3)
        let prefetching = DataLoader(inputs: inputs, targets: targets, batchSize: 64, shuffle: true, seed: 3)
        plain.prefetch = false
        prefetching.prefetch = true
        for _ in 0..<4 {
            XCTAssertEqual(Array(prefetching).map(\.targets.scalars), Array(plain).map(\.targets.scalars))
        }
        // Abandoning an epoch part-way leaves no batch behind for the next one.
        var partial = prefetching.makeIterator(), partialPlain = plain.makeIterator()
        XCTAssertEqual(partial.next()?.targets.scalars, partialPlain.next()?.targets.scalars)
        XCTAssertEqual(Array(prefetching).map(\.targets.scalars), Array(plain).map(\.targets.scalars))
    }

    func testMNISTPixelsAreTheBytesOfTheFloatImages() throws {
        guard let pixels = try? Datasets.mnistPixels(split: .test) else { throw XCTSkip("MNIST is not installed (scripts/setup.sh)") }
        let floats = try Datasets.mnist(split: .test)
        XCTAssertEqual(pixels.images.shape, [10000, 28, 28])
        XCTAssertEqual(pixels.labels.dtype, .int64)
        XCTAssertEqual(pixels.labels.scalars(as: Int64.self), floats.labels.scalars(as: Int64.self))
        XCTAssertEqual(pixels.images.dtype, .uint8)
        XCTAssertEqual(pixels.images.gather(rows: [0, 9999, 17]).to(.float32, dividedBy: 255).scalars, floats.images.gather(rows: [0, 9999, 17]).scalars)
    }
}
