import XCTest
import Nabla
import NablaTestSupport
@testable import NablaData

/// Images kept as bytes, and loaders that convert them while batching.
final class ByteImagesTests: XCTestCase {
    /// 6 images of 2×3 pixels: image i holds 40·i + j at pixel j.
    private let images = ByteImages(pixels: (0..<6).flatMap { i in (0..<6).map { UInt8(40 * i + $0) } }, shape: [6, 2, 3])

    func testFloatsGatherAndDivideBy255LikeTheFloatReader() {
        let batch = images.floats(rows: [4, 0, 4])
        XCTAssertEqual(batch.shape, [3, 2, 3])
        let expected = [4, 0, 4].flatMap { i in (0..<6).map { Float(40 * i + $0) / 255 } }
        XCTAssertEqual(batch.scalars, expected, "bit for bit the values of IDX.readImages(scale: true)")
        XCTAssertEqual(images.floats.shape, [6, 2, 3])
        XCTAssertEqual(images[2..<4].pixels, Array(images.pixels[12..<24]))
    }

    func testLevelsAreTheBytesUnscaled() {
        let levels = images.levels(2..<4)
        XCTAssertEqual(levels.shape, [2, 2, 3])
        XCTAssertEqual(levels.scalars, (2..<4).flatMap { i in (0..<6).map { Float(40 * i + $0) } })
        XCTAssertEqual((levels / 255).scalars, images.floats(2..<4).scalars, "divided by 255, bit for bit the floats")
        assertFails("ByteImages.levels: image 6 is out of range for 6 images") { _ = self.images.levels(5..<8) }
    }

    func testEveryByteConvertsBitForBitAsTheScalarDivision() {
        // 259 pixels: all 256 levels in the vector path, then a tail of 3.
        let bytes = (0..<259).map { UInt8($0 % 256) }
        let one = ByteImages(pixels: bytes, shape: [1, 259])
        XCTAssertEqual(one.floats(0..<1).scalars.map(\.bitPattern), bytes.map { (Float($0) / 255).bitPattern })
        XCTAssertEqual(one.levels(0..<1).scalars, bytes.map { Float($0) })
    }

    func testMeanImageIsTheMeanOfTheFloats() {
        let mean = images.meanImage(1..<5)
        XCTAssertEqual(mean.shape, [2, 3])
        // Pixel j: mean of 40·i + j over i = 1…4 is 100 + j, over 255.
        XCTAssertEqual(mean.scalars, (0..<6).map { Float(Double(100 + $0) / 255) })
    }

    func testQuantizingRecoversTheBytesOfDecodedImages() {
        let decoded = images.floats
        XCTAssertEqual(ByteImages(quantizing: decoded).pixels, images.pixels)
        XCTAssertEqual(ByteImages(quantizing: decoded).shape, images.shape)
    }

    func testALoaderOverBytesGivesTheBatchesOfOneOverFloats() {
        let targets = Tensor(shape: [6], scalars: (0..<6).map(Float.init))
        for prefetch in [false, true] {
            let bytes = DataLoader(images: images, targets: targets, batchSize: 4, shuffle: true, seed: 7)
            let floats = DataLoader(inputs: images.floats, targets: targets, batchSize: 4, shuffle: true, seed: 7)
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
        XCTAssertEqual(pixels.labels.scalars, floats.labels.scalars)
        XCTAssertEqual(pixels.images.floats(rows: [0, 9999, 17]).scalars, floats.images.gather(rows: [0, 9999, 17]).scalars)
    }
}
