import Foundation
import Nabla

/// Reads and writes the safetensors format of Hugging Face and PyTorch
/// (`safetensors.torch.save_file` / `load_file`), for `F32` tensors:
///
///     8 bytes   little-endian UInt64 N, the header's length
///     N bytes   JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
///                      "__metadata__": {"key": "value"}}, padded with spaces to a multiple of 8
///     the rest  the tensors' little-endian bytes; offsets count from here
public enum SafeTensors {
    /// Headers beyond this size are refused before parsing (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    /// Writes `tensors` in the given order, atomically: a temporary file in the
    /// same folder, then a rename, so a reader never sees a half-written file.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws {
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
        var offset = 0
        for (name, tensor) in tensors {
            let byteCount = tensor.scalarCount * MemoryLayout<Float>.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        var file = [UInt8]()
        file.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { scalars in
                // Float's in-memory bytes are little-endian on every platform Swift runs on here.
                file.append(contentsOf: UnsafeRawBufferPointer(scalars))
            }
        }
        try file.withUnsafeBytes { try writeFileAtomically($0, to: path) }
    }

    /// Reads every tensor, in the order of their data, after checking the
    /// whole file: header length against file size (and against the 100 MB limit
    /// of the reference implementation), the JSON, each dtype (`F32` only), that
    /// each shape is one a tensor can have and × 4 bytes equals its byte range, and
    /// that the ranges lie inside the data, do not overlap and cover it exactly.
    /// The header is read first and the data only once all of that holds.
    ///
    /// - Parameters:
    ///   - path: The safetensors file.
    ///   - limits: The largest file read (``DataLimits/maximumFileBytes``).
    ///   - checkHeader: Called with every tensor's name and shape, in the order of
    ///     their data (the order of the result), once the header has passed its checks and before any tensor data is
    ///     read or allocated: a caller that expects other tensors throws here, so that
    ///     a wrong file costs nothing however large its tensors (``Module/load(from:)``).
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
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for entry in header.entries {
            func bad(_ problem: String) -> DataError { failure("tensor \"\(entry.name)\": \(problem)") }
            guard let dtype = entry.dtype else { throw bad("has no dtype") }
            guard dtype == "F32" else { throw bad("has dtype \(dtype); only F32 is supported") }
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
            guard let count = Tensor.elementCount(ofShape: shape) else {
                throw bad("shape \(shape) is too large for any tensor (its extents, an empty one counting as 1, multiply past 2^63)")
            }
            guard count * 4 == end - begin else {
                throw bad("shape \(shape) needs \(count * 4) bytes of F32 but data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            entries.append((entry.name, shape, begin, end))
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
            try ensureAllocatable(entry.end - entry.begin, for: path, "tensor \"\(entry.name)\"")
            let tensor = try Tensor(shape: entry.shape) { scalars in
                guard try fill(UnsafeMutableRawBufferPointer(scalars), dataStart + entry.begin) == entry.end - entry.begin else {
                    throw failure("truncated: the file shrank while it was read")
                }
            }
            return (entry.name, tensor)
        }
    }

    /// `text` as a JSON string literal, escaped by Foundation's encoder.
    private static func jsonString(_ text: String) -> String {
        // Encoding a String cannot fail.
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
