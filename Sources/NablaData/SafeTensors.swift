import Foundation
import Nabla

/// Reads and writes the safetensors format of Hugging Face and PyTorch
/// (`safetensors.torch.save_file` / `load_file`):
///
///     8 bytes   little-endian UInt64 N, the header's length
///     N bytes   JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
///                      "__metadata__": {"key": "value"}}, padded with spaces to a multiple of 8
///     the rest  the tensors' little-endian bytes; offsets count from here
///
/// Element types: `F64`, `F32`, `F16`, `BF16`, `I64`, `I32`, `U8` and `BOOL` read as
/// float64, float32, float16, bfloat16, int64, int32, uint8 and bool tensors and are written
/// from them; float32 tensors may also be stored as `F16` or `BF16` (``ElementType``).
/// Other types (`F8_*`, `I8`, `I16`, `U16`…) are refused, naming the tensor.
/// A checkpoint may mix them, as torch's do (BatchNorm's int64 `num_batches_tracked`).
public enum SafeTensors {
    /// Headers beyond this size are refused before parsing (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    /// Writes `tensors` in the given order, each as the element type of its dtype,
    /// atomically: a temporary file in the same folder, then a rename, so a reader never
    /// sees a half-written file.
    ///
    /// - Parameters:
    ///   - tensors: The named tensors, in the order the header lists them.
    ///   - metadata: The header's `__metadata__` strings.
    ///   - float32Storage: `.f16` or `.bf16` stores float32 tensors in half
    ///     precision, rounded to nearest even as torch's `.half()`/`.bfloat16()`; the other
    ///     dtypes are stored exactly.
    ///   - path: The file to write.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             storingFloat32As float32Storage: Float32Storage = .f32, to path: String) throws {
        var names = Set<String>()
        for (name, _) in tensors {
            guard name != "__metadata__", names.insert(name).inserted else {
                throw DataError(path: path, problem: "tensor name \"\(name)\" is reserved or appears twice")
            }
        }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        let types = tensors.map { $0.tensor.dtype == .float32 ? float32Storage.elementType : ElementType($0.tensor.dtype) }
        var offset = 0
        for ((name, tensor), type) in zip(tensors, types) {
            let byteCount = tensor.scalarCount * type.byteSize
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"\(type.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        var file = [UInt8]()
        file.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        for ((_, tensor), type) in zip(tensors, types) { file.append(contentsOf: type.bytes(of: tensor)) }
        try file.withUnsafeBytes { try writeFileAtomically($0, to: path) }
    }

    /// Reads every tensor, in the order of their data, after checking the
    /// whole file: header length against file size (and against the 100 MB limit
    /// of the reference implementation), the JSON, each dtype (one of ``ElementType``),
    /// that each shape is one a tensor can have and times its element size equals its
    /// byte range, and that the ranges lie inside the data, do not overlap and cover it
    /// exactly. The header is read first and the data only once all of that holds, so
    /// a header claiming more elements than the file holds costs no allocation.
    /// Each tensor has its element type's ``ElementType/dtype``; a `BOOL` byte other
    /// than 0 or 1 is refused.
    ///
    /// - Parameters:
    ///   - path: The safetensors file.
    ///   - limits: The largest file read (``DataLimits/maximumFileBytes``).
    ///   - checkHeader: Called with every tensor's name and shape, in the order of
    ///     their data (the order of the result), once the header has passed its checks and before any tensor data is
    ///     read or allocated: a caller that expects other tensors throws here, so that
    ///     a wrong file costs nothing however large its tensors (`Module.load(from:)` in NablaNN).
    public static func read(from path: String, limits: DataLimits = .default,
                            checkHeader: ([(name: String, shape: [Int])]) throws -> Void = { _ in }) throws -> [(name: String, tensor: Tensor)] {
        try withRegularFile(path) { fd, fileSize in
            try parse(fileSize: fileSize, path: path, limits: limits, checkHeader: checkHeader,
                      bytes: { count, offset in try readBytes(fd, count: count, at: offset, path: path) },
                      fill: { buffer, offset in try readBytes(fd, into: buffer, at: offset, path: path) })
        }
    }

    /// Decodes safetensors bytes already in memory, checked as ``read(from:limits:checkHeader:)``
    /// checks a file; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String, limits: DataLimits = .default,
                              checkHeader: ([(name: String, shape: [Int])]) throws -> Void = { _ in }) throws -> [(name: String, tensor: Tensor)] {
        func range(_ count: Int, _ offset: Int) -> Range<Int> { min(offset, bytes.count)..<min(offset + count, bytes.count) }
        return try parse(fileSize: bytes.count, path: source, limits: limits, checkHeader: checkHeader,
                         bytes: { count, offset in Array(bytes[range(count, offset)]) },
                         fill: { buffer, offset in
                             let part = range(buffer.count, offset)
                             bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[part])) }
                             return part.count
                         })
    }

    /// Checks and decodes a file of `fileSize` bytes: `readRange(count, offset)` reads
    /// the header's bytes, `fill(buffer, offset)` a tensor's data straight into its
    /// storage (returning how many bytes it found), so no copy of the data is held.
    private static func parse(fileSize: Int, path: String, limits: DataLimits,
                              checkHeader: ([(name: String, shape: [Int])]) throws -> Void,
                              bytes readRange: (_ count: Int, _ offset: Int) throws -> [UInt8],
                              fill: (_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int) throws -> Int) throws -> [(name: String, tensor: Tensor)] {
        func failure(_ problem: String) -> DataError { DataError(path: path, problem: problem) }

        guard fileSize <= limits.maximumFileBytes else {
            throw failure("is \(fileSize) bytes, larger than the limit of \(limits.maximumFileBytes) bytes (DataLimits.maximumFileBytes)")
        }
        let lengthBytes = try readRange(8, 0)
        guard lengthBytes.count == 8 else {
            throw failure("not a safetensors file: \(lengthBytes.count) bytes is too short for the 8-byte header length (truncated?)")
        }
        let declared = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(maximumHeaderLength) else {
            throw failure("not a safetensors file: the header length \(declared) is larger than the limit \(maximumHeaderLength)")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= fileSize else {
            throw failure("truncated: the header declares \(headerLength) bytes of JSON but the file has only \(fileSize - 8) after the length")
        }
        let headerBytes = try readRange(headerLength, 8)
        let header: SafeTensorsHeader
        do {
            header = try SafeTensorsHeader(headerBytes)
        } catch let error as SafeTensorsHeader.SyntaxError {
            throw failure("not a safetensors file: the \(headerLength)-byte header is not a JSON object: \(error.problem)")
        } catch let error as SafeTensorsHeader.EntryError {
            throw failure("tensor \"\(error.name)\": \(error.problem)")
        }

        let dataStart = 8 + headerLength
        let dataLength = fileSize - dataStart
        var entries: [(name: String, type: ElementType, shape: [Int], count: Int, begin: Int, end: Int)] = []
        for entry in header.entries {
            func bad(_ problem: String) -> DataError { failure("tensor \"\(entry.name)\": \(problem)") }
            guard let dtype = entry.dtype else { throw bad("has no dtype") }
            guard let type = ElementType(rawValue: dtype) else {
                throw bad("has dtype \(dtype); Nabla reads \(ElementType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let shape = entry.shape else {
                throw bad("shape is not a list of non-negative integers (at most \(SafeTensorsHeader.maximumRank))")
            }
            guard let offsets = entry.offsets, offsets.count == 2 else {
                throw bad("data_offsets is not a pair of integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= dataLength else {
                throw bad("data_offsets [\(begin), \(end)] lie outside the \(dataLength) bytes of data (truncated file?)")
            }
            guard let count = Tensor.elementCount(ofShape: shape, dtype: type.dtype) else {
                throw bad("shape \(shape) is too large for any tensor (its extents, an empty one counting as 1, times the \(type.dtype.byteSize) bytes of one \(type.dtype) element pass 2^63)")
            }
            guard count * type.byteSize == end - begin else {
                throw bad("shape \(shape) needs \(count * type.byteSize) bytes of \(type.rawValue) but data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            entries.append((entry.name, type, shape, count, begin, end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for entry in entries {
            guard entry.begin == covered else {
                throw failure(entry.begin < covered
                    ? "tensor \"\(entry.name)\": data_offsets [\(entry.begin), \(entry.end)] overlap the previous tensor's data, which ends at \(covered)"
                    : "tensor \"\(entry.name)\": data_offsets [\(entry.begin), \(entry.end)] leave a gap after byte \(covered)")
            }
            covered = entry.end
        }
        guard covered == dataLength else {
            throw failure("the tensors' data ends at byte \(covered) but the file has \(dataLength) bytes of data")
        }

        try checkHeader(entries.map { ($0.name, $0.shape) })
        return try entries.map { entry in
            try ensureAllocatable(entry.count * entry.type.dtype.byteSize, for: path, "tensor \"\(entry.name)\"")
            let tensor = try entry.type.tensor(shape: entry.shape, count: entry.count, fill: { fileBytes in
                guard try fill(fileBytes, dataStart + entry.begin) == entry.end - entry.begin else {
                    throw failure("truncated: the file shrank while it was read")
                }
            }, invalid: { failure("tensor \"\(entry.name)\": \($0)") })
            return (entry.name, tensor)
        }
    }

    /// `text` as a JSON string literal, escaped by Foundation's encoder.
    private static func jsonString(_ text: String) -> String {
        // Encoding a String cannot fail.
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
