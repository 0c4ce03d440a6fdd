import Nabla

/// Reader for the IDX format of MNIST and Fashion-MNIST (`train-images-idx3-ubyte`
/// and friends), raw or gzip-compressed.
///
/// An IDX file is a 4-byte magic number `00 00 <type> <rank>`, then `rank`
/// big-endian UInt32 dimensions, then the elements in row-major order. NablaData
/// reads type `0x08` (unsigned bytes): images of rank 3 (magic `0x00000803`) and
/// labels of rank 1 (magic `0x00000801`). The header is checked against the file
/// size before anything is allocated, so a damaged file gives a ``DataError``,
/// never a crash or a huge allocation.
public enum IDX {
    /// Reads an IDX image file (`.gz` or raw) into a tensor of shape `[N, rows, columns]`.
    ///
    /// - Parameters:
    ///   - path: The file; gzip data is recognised by its magic number, not its name.
    ///   - scale: When true, pixel `p` becomes `Float(p) / 255`, in `[0, 1]`;
    ///     when false, the raw values `0...255` as Float.
    /// - Throws: ``DataError`` naming the file when it cannot be read, is not an
    ///   IDX ubyte image file, or its dimensions disagree with its size.
    public static func readImages(at path: String, scale: Bool = true) throws -> Tensor {
        try decodeImages(readFileBytes(path), source: path, scale: scale)
    }

    /// Reads an IDX label file (`.gz` or raw) into a tensor of shape `[N]`
    /// holding the byte labels as Float (for example `0...9`).
    public static func readLabels(at path: String) throws -> Tensor {
        try decodeLabels(readFileBytes(path), source: path)
    }

    /// Reads a matching image file and label file and checks that they hold the same number of items.
    ///
    /// - Returns: images `[N, rows, columns]` (scaled like ``readImages(at:scale:)``) and labels `[N]`.
    public static func readLabeledImages(images imagesPath: String, labels labelsPath: String,
                                         scale: Bool = true) throws -> (images: Tensor, labels: Tensor) {
        let images = try readImages(at: imagesPath, scale: scale)
        let labels = try readLabels(at: labelsPath)
        guard images.shape[0] == labels.shape[0] else {
            throw DataError(path: labelsPath, problem: "holds \(labels.shape[0]) labels but \(imagesPath) holds \(images.shape[0]) images")
        }
        return (images, labels)
    }

    /// Decodes IDX image bytes already in memory (gzip or raw); `source` names them in errors.
    public static func decodeImages(_ bytes: [UInt8], source: String, scale: Bool = true) throws -> Tensor {
        try decode(bytes, source: source, rank: 3, scale: scale)
    }

    /// Decodes IDX label bytes already in memory (gzip or raw); `source` names them in errors.
    public static func decodeLabels(_ bytes: [UInt8], source: String) throws -> Tensor {
        try decode(bytes, source: source, rank: 1, scale: false)
    }

    private static func decode(_ fileBytes: [UInt8], source: String, rank: Int, scale: Bool) throws -> Tensor {
        let bytes = try Gzip.decompressIfNeeded(fileBytes, source: source)
        let shape = try header(bytes, source: source, rank: rank)
        let headerSize = 4 + 4 * rank
        return bytes.withUnsafeBufferPointer { all in
            tensorFromPixels(UnsafeBufferPointer(rebasing: all[headerSize...]), shape: shape, scale: scale)
        }
    }

    /// Validates the magic number and dimensions of an IDX ubyte file of the given
    /// rank and returns its shape; the payload must be exactly as long as declared.
    private static func header(_ bytes: [UInt8], source: String, rank: Int) throws -> [Int] {
        let what = rank == 3 ? "image" : "label"
        let expectedMagic = UInt32(0x0800) | UInt32(rank)
        guard bytes.count >= 4 else {
            throw DataError(path: source, problem: "truncated: \(bytes.count) bytes is too short for an IDX header")
        }
        let magic = bigEndianUInt32(bytes, at: 0)
        guard magic == expectedMagic else {
            var problem = "wrong magic number \(hex(magic)), expected \(hex(expectedMagic)) for an IDX ubyte \(what) file"
            if magic == 0x0801 || magic == 0x0803 {
                problem += " (this looks like an IDX \(magic == 0x0801 ? "label" : "image") file)"
            } else if magic >> 16 != 0 {
                problem += " (not an IDX file)"
            } else if (magic >> 8) & 0xff != 0x08 {
                problem += " (element type \(hex((magic >> 8) & 0xff, digits: 2)) is not unsigned byte 0x08)"
            }
            throw DataError(path: source, problem: problem)
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(path: source, problem: "truncated: \(bytes.count) bytes is too short for the \(headerSize)-byte header of an IDX \(what) file")
        }
        let shape = (0..<rank).map { Int(bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
        let payload = bytes.count - headerSize
        // Multiply with overflow checks: the dimensions come from untrusted bytes. Zero
        // extents count as 1 for the overflow test, so that [0, 2^32, 2^32] (no data, but
        // a shape no tensor can describe) is refused as well.
        var declared = 1
        var extentProduct = 1
        var overflowed = false
        for dimension in shape {
            let product = extentProduct.multipliedReportingOverflow(by: max(dimension, 1))
            if product.overflow { overflowed = true; break }
            extentProduct = product.partialValue
            declared *= dimension
        }
        let dims = shape.map(String.init).joined(separator: "×")
        if overflowed {
            throw DataError(path: source, problem: "dimensions \(dims) are too large for any file (their extents multiply past 2^63); the file holds \(payload) bytes of data")
        }
        if declared > payload {
            throw DataError(path: source, problem: "truncated: the header declares \(dims) = \(declared) bytes of data but only \(payload) follow")
        }
        if declared < payload {
            throw DataError(path: source, problem: "dimensions \(dims) = \(declared) bytes disagree with the file size: \(payload - declared) extra bytes follow the data")
        }
        return shape
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    private static func hex(_ value: UInt32, digits: Int = 8) -> String {
        let text = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
