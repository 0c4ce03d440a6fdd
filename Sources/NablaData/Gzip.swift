import CZlib

/// gzip decompression through zlib, used by every reader that accepts `.gz`.
enum Gzip {
    /// True when `bytes` start with the gzip magic number 1f 8b.
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Returns `bytes` inflated when they are gzip data and unchanged otherwise,
    /// so callers read "file or file.gz" the same way; either way at most
    /// `maximumBytes` come back, else a ``DataError`` naming the limit.
    static func decompressIfNeeded(_ bytes: [UInt8], source: String, maximumBytes: Int) throws -> [UInt8] {
        let data = isCompressed(bytes) ? try inflate(bytes, source: source, maximumBytes: maximumBytes) : (bytes: bytes, complete: true)
        guard data.complete && data.bytes.count <= maximumBytes else {
            throw DataError(path: source, problem: "holds more than \(maximumBytes) bytes of data, the limit (DataLimits.maximumDataBytes)")
        }
        return data.bytes
    }

    /// Inflates a gzip file (one or more concatenated members), producing at most
    /// `maximumBytes`: `complete` is false when the data goes on past them.
    /// With `rawDeflateOf`, `input` is instead raw deflate data (a zip member) that
    /// declares that inflated size, used as the first buffer's size.
    ///
    /// Memory stays proportional to what is inflated, never to what a header or
    /// trailer claims: the output buffer starts at the size the gzip trailer declares
    /// (capped by deflate's maximum ratio and by `maximumBytes`) and doubles, up to
    /// that cap, if the trailer was wrong.
    static func inflate(_ input: [UInt8], source: String, maximumBytes: Int,
                        rawDeflateOf declaredSize: Int? = nil) throws -> (bytes: [UInt8], complete: Bool) {
        // Deflate cannot expand data more than 1032:1.
        let maximumPlausible = input.count.multipliedReportingOverflow(by: 1032)
        let plausible = maximumPlausible.overflow ? Int.max : maximumPlausible.partialValue + 64
        // One byte beyond the limit tells "exactly the limit" from "more".
        let ceiling = min(plausible, maximumBytes == Int.max ? Int.max : maximumBytes + 1)
        var capacity = min(max(declaredSize ?? trailerSize(input), 4096), ceiling)
        try ensureAllocatable(capacity, for: source, "the inflated data")
        var output = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { output.deallocate() }
        var produced = 0

        var stream = z_stream()
        guard nabla_inflateInit2(&stream, declaredSize == nil ? 15 + 16 : -15) == Z_OK else {
            throw DataError(path: source, problem: "zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }

        let complete = try input.withUnsafeBufferPointer { inputBuffer -> Bool in
            var consumed = 0
            while true {
                if produced == capacity {
                    if capacity == ceiling { return false }
                    let grown = min(capacity.multipliedReportingOverflow(by: 2).overflow ? Int.max : capacity * 2, ceiling)
                    try ensureAllocatable(grown, for: source, "the inflated data")
                    let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
                    bigger.copyMemory(from: output, byteCount: produced)
                    output.deallocate()
                    output = bigger
                    capacity = grown
                }
                // zlib counts in UInt32, so feed files above 4 GiB in pieces.
                let inputChunk = min(inputBuffer.count - consumed, Int(UInt32.max))
                let outputChunk = min(capacity - produced, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress! + consumed)
                stream.avail_in = UInt32(inputChunk)
                stream.next_out = (output + produced).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = UInt32(outputChunk)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += inputChunk - Int(stream.avail_in)
                produced += outputChunk - Int(stream.avail_out)
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    let rest = inputBuffer.count - consumed
                    if rest == 0 { return true }
                    // Another gzip member follows (what `cat a.gz b.gz` makes).
                    if declaredSize == nil && rest >= 2 && inputBuffer[consumed] == 0x1f && inputBuffer[consumed + 1] == 0x8b {
                        inflateReset(&stream)
                        continue
                    }
                    throw DataError(path: source, problem: "\(rest) unexpected bytes after the end of the \(declaredSize == nil ? "gzip" : "deflate") data")
                case Z_BUF_ERROR where consumed == inputBuffer.count:
                    throw DataError(path: source, problem: "truncated \(declaredSize == nil ? "gzip" : "deflate") data: the compressed stream ends early (\(produced) bytes inflated)")
                case Z_BUF_ERROR:
                    continue  // Output buffer was full; grow it on the next turn.
                case Z_MEM_ERROR:
                    throw DataError(path: source, problem: "out of memory while inflating gzip data")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw DataError(path: source, problem: "corrupt \(declaredSize == nil ? "gzip" : "deflate") data (zlib: \(reason))")
                }
            }
        }
        return ([UInt8](UnsafeRawBufferPointer(start: output, count: min(produced, maximumBytes))), complete && produced <= maximumBytes)
    }

    /// The uncompressed size (mod 2^32) that a gzip trailer declares; a hint only.
    private static func trailerSize(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 18 else { return 0 }
        let n = bytes.count
        return Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
    }
}
