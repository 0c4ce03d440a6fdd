import Nabla

/// Images kept as their 8-bit pixels, as image files store them, until they are used.
///
/// The book's 12,396 training 3s and 7s are 9.7 MB as bytes against 39 MB as
/// Float, small enough to stay in cache while a loader gathers batches from
/// them. Every conversion reads pixel `p` as `Float(p) / 255`, the same value
/// ``IDX/readImages(at:scale:limits:)`` gives, in one pass over the pixels it
/// needs: ``floats(rows:)`` gathers and converts a batch at once.
public struct ByteImages: Sendable {
    /// The pixels, image after image, each row-major.
    public let pixels: [UInt8]
    /// `[N, height, width]` (or any `[N, …]`).
    public let shape: [Int]

    /// Fails unless `shape` has an item axis and holds exactly `pixels.count` elements.
    public init(pixels: [UInt8], shape: [Int]) {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }), Tensor.elementCount(ofShape: shape) == pixels.count else {
            Nabla.fail("ByteImages: shape \(shape) does not hold \(pixels.count) pixels (it needs an item axis)")
        }
        self.pixels = pixels
        self.shape = shape
    }

    /// The 8-bit pixels of images in [0, 1] read from 8-bit files, `round(255 · x)`
    /// (exact for such images, which are k/255); fails on a value outside [0, 1].
    public init(quantizing images: Tensor) {
        let values = images.scalars
        if let bad = values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            Nabla.fail("ByteImages(quantizing:): pixel \(values[bad]) at position \(bad) is not in [0, 1]")
        }
        self.init(pixels: values.map { UInt8(($0 * 255).rounded()) }, shape: images.shape)
    }

    /// The number of images.
    public var count: Int { shape[0] }
    /// The shape of one image.
    public var imageShape: [Int] { Array(shape.dropFirst()) }
    /// Pixels per image.
    public var pixelsPerImage: Int { imageShape.reduce(1, *) }

    /// The images at `rows`, in that order, still as bytes.
    public func gathering(rows: [Int]) -> ByteImages {
        checkRows(rows, op: "gathering")
        let length = pixelsPerImage
        var gathered = [UInt8](repeating: 0, count: rows.count * length)
        gathered.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for (i, row) in rows.enumerated() {
                    (target.baseAddress! + i * length).update(from: source.baseAddress! + row * length, count: length)
                }
            }
        }
        return ByteImages(pixels: gathered, shape: [rows.count] + imageShape)
    }

    /// Images `range`, still as bytes.
    public subscript(range: Range<Int>) -> ByteImages { gathering(rows: Array(range)) }

    /// The images at `rows` as one contiguous Float tensor `[rows.count] + imageShape`
    /// in [0, 1], gathered and converted in one pass.
    public func floats(rows: [Int]) -> Tensor { converted(rows: rows, scale: true, op: "floats") }

    /// Images `range` as Float in [0, 1].
    public func floats(_ range: Range<Int>) -> Tensor { floats(rows: Array(range)) }

    /// Images `range` as their gray levels 0…255 in Float, unscaled: integers, so
    /// that sums of their products are exact (the closed-form fits' Gram matrices).
    public func levels(_ range: Range<Int>) -> Tensor { converted(rows: Array(range), scale: false, op: "levels") }

    private func converted(rows: [Int], scale: Bool, op: String) -> Tensor {
        checkRows(rows, op: op)
        let length = pixelsPerImage
        return Tensor(shape: [rows.count] + imageShape) { target in
            pixels.withUnsafeBufferPointer { source in
                for (i, row) in rows.enumerated() {
                    convertPixels(source.baseAddress! + row * length, to: target.baseAddress! + i * length, count: length, scale: scale)
                }
            }
        }
    }

    /// All images as Float in [0, 1].
    public var floats: Tensor { floats(0..<count) }

    /// The mean image of images `range`, of shape ``imageShape``, in [0, 1]: the
    /// byte sums are exact, so the only rounding is the final division.
    public func meanImage(_ range: Range<Int>) -> Tensor {
        guard !range.isEmpty, range.lowerBound >= 0, range.upperBound <= count else {
            Nabla.fail("meanImage: images \(range) are empty or out of range for \(count) images")
        }
        let length = pixelsPerImage
        var sums = [UInt32](repeating: 0, count: length)
        sums.withUnsafeMutableBufferPointer { sums in
            pixels.withUnsafeBufferPointer { source in
                for row in range {
                    let image = source.baseAddress! + row * length
                    for j in 0..<length { sums[j] &+= UInt32(image[j]) }
                }
            }
        }
        let divisor = 255 * Double(range.count)
        return Tensor(shape: imageShape) { mean in
            for j in 0..<length { mean[j] = Float(Double(sums[j]) / divisor) }
        }
    }

    private func checkRows(_ rows: [Int], op: String) {
        if let bad = rows.first(where: { $0 < 0 || $0 >= count }) {
            Nabla.fail("ByteImages.\(op): image \(bad) is out of range for \(count) images")
        }
    }
}
