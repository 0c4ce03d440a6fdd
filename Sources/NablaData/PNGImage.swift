import CPNG
import Nabla

/// Grayscale PNG reading and writing through libpng's simplified API.
///
/// Reading accepts any PNG that libpng reads (8- or 16-bit, gray, RGB, palette,
/// with or without alpha) and lets libpng convert it to 8-bit gray: color is
/// reduced to luminance, and transparent pixels are composited onto black (the
/// MNIST background). Pixel `p` becomes `Float(p) / 255`, so an 8-bit grayscale
/// file round-trips exactly through ``write(_:to:normalization:)``.
public enum PNGImage {
    /// How ``write(_:to:normalization:)`` maps tensor values onto the 0...255 gray levels.
    public enum Normalization: Sendable {
        /// Values are clamped to `[0, 1]` and `v` becomes `round(v * 255)`; NaN becomes 0.
        /// Use it for images whose pixels are already in `[0, 1]`.
        case clamp
        /// The smallest value becomes 0 and the largest 255, linearly in between;
        /// a constant image becomes all 0 and NaN becomes 0. Use it for weights and other
        /// values of any range.
        case minMax
    }

    /// Reads a PNG file into a tensor of shape `[height, width]` with values in `[0, 1]`.
    ///
    /// - Throws: ``DataError`` naming the file when it cannot be read, is not a PNG,
    ///   or is corrupt or truncated (with libpng's own description).
    public static func read(at path: String) throws -> Tensor {
        try decode(readFileBytes(path), source: path)
    }

    /// Decodes PNG bytes already in memory; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> Tensor {
        var gray: [UInt8] = []
        let size = try bytes.withUnsafeBytes { try decodeGray($0, source: source, into: &gray) }
        return gray.withUnsafeBufferPointer {
            tensorFromPixels($0, shape: [size.height, size.width], scale: true)
        }
    }

    /// Writes a tensor of shape `[height, width]` as an 8-bit grayscale PNG, atomically
    /// (a temporary file in the same folder, then a rename).
    ///
    /// - Throws: ``DataError`` naming the file when the tensor is not of rank 2 or
    ///   is empty, or when the file cannot be written.
    public static func write(_ image: Tensor, to path: String, normalization: Normalization = .clamp) throws {
        let png = try encode(image, source: path, normalization: normalization)
        try png.withUnsafeBytes { try writeFileAtomically($0, to: path) }
    }

    /// Encodes a tensor of shape `[height, width]` as the bytes of an 8-bit grayscale PNG;
    /// `source` names the destination in errors.
    public static func encode(_ image: Tensor, source: String = "<png>", normalization: Normalization = .clamp) throws -> [UInt8] {
        guard image.shape.count == 2, image.shape[0] > 0, image.shape[1] > 0 else {
            throw DataError(path: source, problem: "a PNG needs a non-empty tensor of shape [height, width], got \(image.shape)")
        }
        let height = image.shape[0], width = image.shape[1]
        guard height <= Int(Int32.max) && width <= Int(Int32.max) else {
            throw DataError(path: source, problem: "an image of \(height)×\(width) pixels is too large for PNG")
        }
        let gray = grayLevels(image, normalization: normalization)

        var header = png_image()
        header.version = png_uint_32(PNG_IMAGE_VERSION)
        header.width = png_uint_32(width)
        header.height = png_uint_32(height)
        header.format = png_uint_32(PNG_FORMAT_GRAY)
        return try gray.withUnsafeBytes { pixels in
            var size = 0
            // First call measures, second call writes.
            guard png_image_write_to_memory(&header, nil, &size, 0, pixels.baseAddress, png_int_32(width), nil) != 0 else {
                throw DataError(path: source, problem: "libpng could not encode the image: \(message(of: header))")
            }
            var png = [UInt8](repeating: 0, count: size)
            let written = png.withUnsafeMutableBytes { out in
                png_image_write_to_memory(&header, out.baseAddress, &size, 0, pixels.baseAddress, png_int_32(width), nil)
            }
            guard written != 0 else {
                throw DataError(path: source, problem: "libpng could not encode the image: \(message(of: header))")
            }
            png.removeLast(png.count - size)
            return png
        }
    }

    /// Maps the tensor's values onto 8-bit gray levels.
    private static func grayLevels(_ image: Tensor, normalization: Normalization) -> [UInt8] {
        image.withUnsafeBufferPointer { values -> [UInt8] in
            var low: Float = 0, high: Float = 1
            if normalization == .minMax {
                low = .infinity; high = -.infinity
                for v in values where !v.isNaN { low = min(low, v); high = max(high, v) }
            }
            // A constant (or all-NaN) image maps to 0.
            let scale: Float = high > low ? 255 / (high - low) : 0
            return values.map { v in
                guard !v.isNaN else { return 0 }
                return UInt8(((min(max(v, low), high) - low) * scale).rounded())
            }
        }
    }

    /// Decodes PNG bytes to 8-bit gray levels in `gray` (resized to height × width).
    ///
    /// Shared by ``decode(_:source:)`` and ``ImageFolder``, which reuses one `gray`
    /// buffer per worker.
    static func decodeGray(_ bytes: UnsafeRawBufferPointer, source: String,
                           into gray: inout [UInt8]) throws -> (height: Int, width: Int) {
        let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
        guard bytes.count >= 8, zip(bytes.prefix(8), signature).allSatisfy({ $0 == $1 }) else {
            throw DataError(path: source, problem: "not a PNG file (its first bytes are not the PNG signature)")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw DataError(path: source, problem: "corrupt PNG: \(message(of: image))")
        }
        let width = Int(image.width), height = Int(image.height)
        // Deflate expands at most 1032:1 and a 1-bit image packs 8 pixels per byte, so
        // a header that promises more pixels than that is lying; refusing it keeps a
        // tiny corrupt file from forcing a huge allocation.
        let pixelLimit = bytes.count.multipliedReportingOverflow(by: 8 * 1100).partialValue
        guard width.multipliedReportingOverflow(by: height).partialValue <= pixelLimit else {
            png_image_free(&image)
            throw DataError(path: source, problem: "corrupt PNG: the header declares \(width)×\(height) pixels, more than \(bytes.count) bytes of PNG data can hold")
        }
        image.format = png_uint_32(PNG_FORMAT_GRAY)
        if gray.count != width * height {
            gray = [UInt8](repeating: 0, count: width * height)
        }
        var black = png_color(red: 0, green: 0, blue: 0)
        let finished = gray.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, &black, out.baseAddress, png_int_32(width), nil)
        }
        guard finished != 0 else {
            png_image_free(&image)
            throw DataError(path: source, problem: "corrupt PNG: \(message(of: image))")
        }
        return (height, width)
    }

    /// libpng's error or warning text from a `png_image`.
    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let text = raw.prefix { $0 != 0 }
            return text.isEmpty ? "unknown libpng error" : String(decoding: text, as: UTF8.self)
        }
    }
}
