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
    ///   - limits: The file size and data size allowed (``DataLimits/default`` unless raised).
    /// - Throws: ``DataError`` naming the file when it cannot be read, is not an
    ///   IDX ubyte image file, or its dimensions disagree with its size.
    public static func readImages(at path: String, scale: Bool = true, limits: DataLimits = .default) throws -> Tensor {
        try decodeImages(readFileBytes(path, limits: limits), source: path, scale: scale, limits: limits)
    }

    /// Reads an IDX label file (`.gz` or raw) into an int64 tensor of shape `[N]`
    /// holding the byte labels as class indices (for example `0...9`), as torchvision's MNIST targets.
    public static func readLabels(at path: String, limits: DataLimits = .default) throws -> Tensor {
        try decodeLabels(readFileBytes(path, limits: limits), source: path, limits: limits)
    }

    /// Reads a matching image file and label file and checks that they hold the same number of items.
    ///
    /// - Returns: images `[N, rows, columns]` (scaled like ``readImages(at:scale:limits:)``) and int64 labels `[N]`.
    public static func readLabeledImages(images imagesPath: String, labels labelsPath: String,
                                         scale: Bool = true, limits: DataLimits = .default) throws -> (images: Tensor, labels: Tensor) {
        let images = try readImages(at: imagesPath, scale: scale, limits: limits)
        let labels = try readLabels(at: labelsPath, limits: limits)
        guard images.shape[0] == labels.shape[0] else {
            throw DataError(path: labelsPath, problem: "holds \(labels.shape[0]) labels but \(imagesPath) holds \(images.shape[0]) images")
        }
        return (images, labels)
    }

    /// Decodes IDX image bytes already in memory (gzip or raw); `source` names them in errors.
    public static func decodeImages(_ bytes: [UInt8], source: String, scale: Bool = true,
                                    limits: DataLimits = .default) throws -> Tensor {
        let pixels = try decode(bytes, source: source, rank: 3, convertingTo: .float32, limits: limits)
        return scale ? pixels.to(.float32, dividedBy: 255) : pixels.to(.float32)
    }

    /// Decodes IDX label bytes already in memory (gzip or raw); `source` names them in errors.
    public static func decodeLabels(_ bytes: [UInt8], source: String, limits: DataLimits = .default) throws -> Tensor {
        try decode(bytes, source: source, rank: 1, convertingTo: .int64, limits: limits).to(.int64)
    }

    /// Reads an IDX image file (`.gz` or raw) keeping its pixels as bytes: a uint8 tensor
    /// `[N, rows, columns]`, a quarter of the memory of float32; `to(.float32, dividedBy: 255)`
    /// converts any part of it to the values ``readImages(at:scale:limits:)`` gives.
    public static func readByteImages(at path: String, limits: DataLimits = .default) throws -> Tensor {
        let (pixels, shape) = try payload(readFileBytes(path, limits: limits), source: path, rank: 3, limits: limits)
        return bytes(pixels, shape: shape)
    }

    /// ``readByteImages(at:limits:)`` and ``readLabels(at:limits:)`` of a matching pair, checked to hold the same number of items.
    public static func readLabeledByteImages(images imagesPath: String, labels labelsPath: String,
                                             limits: DataLimits = .default) throws -> (images: Tensor, labels: Tensor) {
        let images = try readByteImages(at: imagesPath, limits: limits)
        let labels = try readLabels(at: labelsPath, limits: limits)
        guard images.shape[0] == labels.shape[0] else {
            throw DataError(path: labelsPath, problem: "holds \(labels.shape[0]) labels but \(imagesPath) holds \(images.shape[0]) images")
        }
        return (images, labels)
    }

    /// The images `rows` (indices into the file's images, in the order wanted, repeats allowed) of an
    /// IDX image file as a uint8 tensor `[rows.count, rows, columns]`: the values of
    /// `readByteImages(at:limits:).gather(rows:)`, but a raw file is read a megabyte at a time and
    /// only the chosen images are kept, so memory holds them and not the whole file (MNIST's 3s and
    /// 7s are 9.7 MB of its 47). A gzip file is inflated whole, then gathered.
    /// - Throws: ``DataError`` as ``readByteImages(at:limits:)``. An index outside the file's images
    ///   is a programmer error (as `gather`'s), reported through `Nabla.fail` naming the file.
    public static func readByteImages(at path: String, rows: [Int], limits: DataLimits = .default) throws -> Tensor {
        try readByteImages(at: path, limits: limits) { count in
            if let bad = rows.first(where: { !(0..<count).contains($0) }) {
                Nabla.fail("IDX.readByteImages: row \(bad) is out of range for the \(count) images of \(path)")
            }
            return rows
        }
    }

    /// The images of an IDX image file that `choose` picks, once it knows how many the file holds
    /// (it may throw), in the order it gives; a raw file is read through ``gatherImages(_:path:shape:offset:rows:)``.
    private static func readByteImages(at path: String, limits: DataLimits,
                                       choosing choose: (_ imageCount: Int) throws -> [Int]) throws -> Tensor {
        let rank = 3, headerSize = 4 + 4 * rank
        let selected: Tensor? = try withRegularFile(path) { fd, size in
            let head = try readBytes(fd, count: headerSize, at: 0, path: path)
            if Gzip.isCompressed(head) { return nil }
            let declared = try declaredPayload(head, source: path, rank: rank, limits: limits)
            let shape = try header(head, payloadCount: size - headerSize, source: path, rank: rank, declared: declared, moreFollow: false)
            return try gatherImages(fd, path: path, shape: shape, offset: headerSize, rows: choose(shape[0]))
        }
        if let selected { return selected }
        let all = try readByteImages(at: path, limits: limits)
        return all.gather(rows: try choose(all.shape[0]))
    }

    /// The images `rows` (checked) of the open raw file `fd`, whose images of `shape` start at `offset`:
    /// the file is read front to back in chunks of about a megabyte, skipping chunks that hold no chosen image.
    private static func gatherImages(_ fd: Int32, path: String, shape: [Int], offset: Int, rows: [Int]) throws -> Tensor {
        let imageBytes = shape[1] * shape[2]
        // (row, position in the result), in file order.
        let wanted = rows.enumerated().map { (row: $0.element, position: $0.offset) }.sorted { $0.row < $1.row }
        let chunkImages = Swift.max(1, (1 << 20) / Swift.max(imageBytes, 1))
        return try Tensor(shape: [rows.count, shape[1], shape[2]], dtype: .uint8, unsafeUninitializedBytes: { output in
            guard imageBytes > 0, !rows.isEmpty else { return }
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkImages * imageBytes, alignment: 64)
            defer { chunk.deallocate() }
            var next = 0
            while next < wanted.count {
                let first = wanted[next].row - wanted[next].row % chunkImages
                let count = Swift.min(chunkImages, shape[0] - first)
                let buffer = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<(count * imageBytes)])
                let read = try readBytes(fd, into: buffer, at: offset + first * imageBytes, path: path)
                guard read == buffer.count else {
                    throw DataError(path: path, problem: "truncated while reading: image \(first + read / imageBytes) of \(shape[0]) is missing (the file shrank)")
                }
                while next < wanted.count && wanted[next].row < first + count {
                    let (row, position) = wanted[next]
                    (output.baseAddress! + position * imageBytes)
                        .copyMemory(from: chunk.baseAddress! + (row - first) * imageBytes, byteCount: imageBytes)
                    next += 1
                }
            }
        })
    }

    /// The images whose label is one of `classes`, grouped by class in the order of `classes` (within
    /// a class in the file's order), and their int64 labels: the labels file is read whole, the images
    /// as ``readByteImages(at:rows:limits:)`` reads them, so only the chosen images are held.
    public static func readLabeledByteImages(images imagesPath: String, labels labelsPath: String, classes: [Int],
                                             limits: DataLimits = .default) throws -> (images: Tensor, labels: Tensor) {
        let labels = try readLabels(at: labelsPath, limits: limits)
        let values = labels.scalars(as: Int64.self)
        let rows = classes.flatMap { label in values.indices.filter { values[$0] == Int64(label) } }
        let images = try readByteImages(at: imagesPath, limits: limits) { count in
            guard count == values.count else {
                throw DataError(path: labelsPath, problem: "holds \(values.count) labels but \(imagesPath) holds \(count) images")
            }
            return rows
        }
        return (images, Tensor(shape: [rows.count], scalars: rows.map { values[$0] }))
    }

    /// The elements of an IDX ubyte file of `rank` as a uint8 tensor, once there is
    /// memory for the copy in `dtype` that the caller converts them to.
    private static func decode(_ fileBytes: [UInt8], source: String, rank: Int, convertingTo dtype: DType, limits: DataLimits) throws -> Tensor {
        let (elements, shape) = try payload(fileBytes, source: source, rank: rank, limits: limits)
        try ensureAllocatable(elements.count * dtype.byteSize, for: source, "a tensor of \(shape)")
        return bytes(elements, shape: shape)
    }

    /// The elements of an IDX ubyte file as a uint8 tensor of `shape` (which the header check made them fill).
    private static func bytes(_ elements: [UInt8], shape: [Int]) -> Tensor {
        Tensor(shape: shape, dtype: .uint8) { storage in elements.withUnsafeBytes { storage.copyMemory(from: $0) } }
    }

    /// The elements and shape of an IDX ubyte file. Checks the header first (inflating
    /// only its bytes when the file is gzip data), then inflates no further than the
    /// payload it declares, so a small file that inflates to gigabytes costs no more
    /// than its header admits.
    /// Takes `fileBytes` over, so that a raw file's header is dropped in place without a second copy of its pixels.
    private static func payload(_ fileBytes: consuming [UInt8], source: String, rank: Int, limits: DataLimits) throws -> (elements: [UInt8], shape: [Int]) {
        let headerSize = 4 + 4 * rank
        var bytes = consume fileBytes
        var moreFollow = false  // gzip data goes on past the declared payload
        if Gzip.isCompressed(bytes) {
            let head = try Gzip.inflate(bytes, source: source, maximumBytes: headerSize).bytes
            let declared = try declaredPayload(head, source: source, rank: rank, limits: limits)
            let inflated = try Gzip.inflate(bytes, source: source, maximumBytes: headerSize + declared)
            bytes = inflated.bytes
            moreFollow = !inflated.complete
        }
        let declared = try declaredPayload(bytes, source: source, rank: rank, limits: limits)
        let shape = try header(bytes, payloadCount: bytes.count - headerSize, source: source, rank: rank, declared: declared, moreFollow: moreFollow)
        bytes.removeFirst(headerSize)
        return (bytes, shape)
    }

    /// Validates the magic number and dimensions of an IDX ubyte header of the given
    /// rank and returns the payload size they declare, at most `limits.maximumDataBytes`.
    private static func declaredPayload(_ bytes: [UInt8], source: String, rank: Int, limits: DataLimits) throws -> Int {
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
        let shape = dimensions(bytes, rank: rank)
        let dims = shape.map(String.init).joined(separator: "×")
        // The dimensions come from untrusted bytes: Tensor's own rule refuses, without
        // overflowing, a shape such as [0, 2^32, 2^32] that holds nothing but no tensor can describe.
        guard let declared = Tensor.elementCount(ofShape: shape) else {
            throw DataError(path: source, problem: "dimensions \(dims) are too large for any file (their extents multiply past 2^63)")
        }
        guard declared <= limits.maximumDataBytes else {
            throw DataError(path: source, problem: "dimensions \(dims) declare \(declared) bytes of data, more than the limit of \(limits.maximumDataBytes) (DataLimits.maximumDataBytes)")
        }
        return declared
    }

    /// The shape of a validated header; the payload (`payloadCount` bytes after the header) must be exactly as long as declared.
    private static func header(_ bytes: [UInt8], payloadCount payload: Int, source: String, rank: Int, declared: Int, moreFollow: Bool) throws -> [Int] {
        let shape = dimensions(bytes, rank: rank)
        let dims = shape.map(String.init).joined(separator: "×")
        if declared > payload {
            throw DataError(path: source, problem: "truncated: the header declares \(dims) = \(declared) bytes of data but only \(payload) follow")
        }
        if declared < payload || moreFollow {
            let extra = moreFollow ? "more" : String(payload - declared)
            throw DataError(path: source, problem: "dimensions \(dims) = \(declared) bytes disagree with the file size: \(extra) extra bytes follow the data")
        }
        return shape
    }

    private static func dimensions(_ bytes: [UInt8], rank: Int) -> [Int] {
        (0..<rank).map { Int(bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    private static func hex(_ value: UInt32, digits: Int = 8) -> String {
        let text = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
