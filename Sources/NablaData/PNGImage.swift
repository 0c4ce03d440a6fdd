import CPNG
import Nabla

/// Grayscale PNG reading and writing through libpng.
///
/// Reading accepts any PNG (1- to 16-bit; gray, gray with alpha, RGB, RGBA, palette)
/// and decodes the values the file stores, with no gamma or colour-space conversion,
/// the way Pillow's `Image.open(path).convert("L")` does:
/// - gray samples are taken as they are: `v / 255` for 8-bit (and lower depths,
///   scaled up to 8 bits as the PNG specification says), `v / 65535` for 16-bit;
/// - colour becomes `L = (19595 R + 38470 G + 7471 B + 32768) >> 16` (ITU-R 601-2
///   luma with Pillow's rounding), then `L / 255` or `L / 65535`; a palette colour
///   is looked up first;
/// - alpha, and a tRNS transparent colour, are dropped: a pixel's stored colour is
///   kept whatever its opacity (Pillow's `convert("L")` on `LA`, `RGBA` and `P`).
///
/// So an 8-bit grayscale file round-trips exactly through ``write(_:to:normalization:)``.
/// An image above ``DataLimits/maximumImagePixels`` is refused before any pixel is
/// decoded, as is one whose header promises more pixels than its bytes can hold.
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
    public static func read(at path: String, limits: DataLimits = .default) throws -> Tensor {
        try decode(readFileBytes(path, limits: limits, signatures: [signature], format: "a PNG file"),
                   source: path, limits: limits)
    }

    /// Decodes PNG bytes already in memory; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String, limits: DataLimits = .default) throws -> Tensor {
        try bytes.withUnsafeBytes { raw in
            let size = try dimensions(raw, source: source, limits: limits)
            try ensureAllocatable(size.height * size.width * MemoryLayout<Float>.stride, for: source, "a \(size.height)×\(size.width) image")
            var scratch: [UInt8] = []
            return try Tensor(shape: [size.height, size.width]) { scalars in
                _ = try decodeGray(raw, source: source, limits: limits, scratch: &scratch) { height, width in
                    guard (height, width) == size else {
                        throw DataError(path: source, problem: "corrupt PNG: libpng reads \(height)×\(width) pixels, the header says \(size.height)×\(size.width)")
                    }
                    return scalars.baseAddress!
                }
            }
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

    /// The 8 bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    /// The height and width that a PNG's first chunk (IHDR) declares, checked against
    /// `limits` and against what `fileSize` (else `bytes.count`) bytes can hold; reads
    /// only the first 26 bytes, so a caller can check many files' sizes before decoding any.
    static func dimensions(_ bytes: UnsafeRawBufferPointer, source: String, limits: DataLimits,
                           fileSize: Int? = nil) throws -> (height: Int, width: Int) {
        guard bytes.count >= 8, bytes.prefix(8).elementsEqual(signature) else {
            throw DataError(path: source, problem: "not a PNG file (its first bytes are not the PNG signature)")
        }
        guard bytes.count >= 26, bytes[12..<16].elementsEqual(Array("IHDR".utf8)) else {
            throw DataError(path: source, problem: "corrupt PNG: the file does not start with an IHDR chunk")
        }
        func word(_ at: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(bytes[at + $1]) } }
        let width = word(16), height = word(20)
        guard (1...Int(Int32.max)).contains(width), (1...Int(Int32.max)).contains(height) else {
            throw DataError(path: source, problem: "corrupt PNG: the header declares \(width)×\(height) pixels; PNG allows 1 to 2^31-1 each way")
        }
        let pixels = width * height  // Each is below 2^31, so this cannot overflow.
        guard pixels <= limits.maximumImagePixels else {
            throw DataError(path: source, problem: "the image is \(width)×\(height) = \(pixels) pixels, more than the limit of \(limits.maximumImagePixels) (DataLimits.maximumImagePixels)")
        }
        // The raw size below is only a bound if bit depth and colour type are ones PNG
        // allows (a depth of 0 made every row one byte, whatever its width).
        let bitDepth = Int(bytes[24]), colorType = Int(bytes[25])
        guard let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType],
              (colorType == 0 ? [1, 2, 4, 8, 16] : colorType == 3 ? [1, 2, 4, 8] : [8, 16]).contains(bitDepth) else {
            throw DataError(path: source, problem: "corrupt PNG: the header declares bit depth \(bitDepth) with colour type \(colorType), which PNG does not allow")
        }
        // Deflate expands at most 1032:1, so a header that promises more raw image
        // bytes (rows of width × bit depth × channels bits, plus a filter byte) than
        // that is lying; refusing it keeps a tiny corrupt file from forcing a huge
        // allocation.
        let byteCount = fileSize ?? bytes.count
        let rowBytes = 1 + (width * bitDepth * channels + 7) / 8  // below 2^41
        let rawBytes = height.multipliedReportingOverflow(by: rowBytes)
        guard !rawBytes.overflow, rawBytes.partialValue <= byteCount.multipliedReportingOverflow(by: 1032).partialValue + 64 else {
            throw DataError(path: source, problem: "corrupt PNG: the header declares \(width)×\(height) pixels, more than \(byteCount) bytes of PNG data can hold")
        }
        return (height, width)
    }

    /// Decodes PNG bytes to gray values in `[0, 1]` (see the type's documentation for
    /// the rule), written to the pointer that `destination` returns for the image's
    /// height and width; `scratch` holds the decoded samples and can be reused.
    ///
    /// Shared by ``decode(_:source:limits:)`` and ``ImageFolder``, which decodes
    /// straight into its stack of images.
    static func decodeGray(_ bytes: UnsafeRawBufferPointer, source: String, limits: DataLimits,
                           scratch: inout [UInt8],
                           into destination: (_ height: Int, _ width: Int) throws -> UnsafeMutablePointer<Float>) throws -> (height: Int, width: Int) {
        let size = try dimensions(bytes, source: source, limits: limits)
        var input = nabla_png_source()
        input.data = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        input.size = bytes.count
        var layout = nabla_png_layout()
        let bound = UInt32(clamping: limits.maximumImagePixels)
        guard nabla_png_decode(&input, bound, bound, &layout, nil, 0) != 0 else {
            throw DataError(path: source, problem: "corrupt PNG: \(message(of: input))")
        }
        guard Int(layout.height) == size.height, Int(layout.width) == size.width else {
            throw DataError(path: source, problem: "corrupt PNG: libpng reads \(layout.height)×\(layout.width) pixels, the header says \(size.height)×\(size.width)")
        }
        let sampleCount = layout.row_bytes * Int(layout.height)
        try ensureAllocatable(sampleCount, for: source, "the decoded samples")
        if scratch.count != sampleCount { scratch = [UInt8](repeating: 0, count: sampleCount) }
        let decoded = scratch.withUnsafeMutableBytes { samples in
            nabla_png_decode(&input, bound, bound, &layout, samples.baseAddress!.assumingMemoryBound(to: UInt8.self), sampleCount)
        }
        guard decoded != 0 else { throw DataError(path: source, problem: "corrupt PNG: \(message(of: input))") }
        let output = try destination(size.height, size.width)
        scratch.withUnsafeBytes { samples in
            if layout.bit_depth == 16 {
                grayLevels(samples.bindMemory(to: UInt16.self), channels: Int(layout.channels), scale: 65535, into: output)
            } else {
                grayLevels(samples.bindMemory(to: UInt8.self), channels: Int(layout.channels), scale: 255, into: output)
            }
        }
        return size
    }

    /// Stored samples (1 to 4 channels per pixel) to gray values divided by `scale`:
    /// gray as it is, colour by Pillow's integer luma, alpha dropped. One loop per
    /// channel count, with no branch inside, so each vectorizes.
    private static func grayLevels<Sample: FixedWidthInteger>(_ samples: UnsafeBufferPointer<Sample>, channels: Int, scale: Float,
                                                             into output: UnsafeMutablePointer<Float>) {
        let count = samples.count / channels
        let s = samples.baseAddress!
        switch channels {
        case 1, 2:
            for i in 0..<count { output[i] = Float(s[i * channels]) / scale }
        default:
            for i in 0..<count {
                let rgb = s + i * channels
                let luma = (UInt64(rgb[0]) * 19595 + UInt64(rgb[1]) * 38470 + UInt64(rgb[2]) * 7471 + 0x8000) >> 16
                output[i] = Float(luma) / scale
            }
        }
    }

    /// libpng's error or warning text from a `png_image`.
    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { text(of: $0) }
    }

    /// The error text the decoding shim recorded.
    private static func message(of source: nabla_png_source) -> String {
        withUnsafeBytes(of: source.message) { text(of: $0) }
    }

    private static func text(of raw: UnsafeRawBufferPointer) -> String {
        let text = raw.prefix { $0 != 0 }
        return text.isEmpty ? "unknown libpng error" : String(decoding: text, as: UTF8.self)
    }
}
