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
    /// declares that inflated size.
    ///
    /// Memory stays the size of what is inflated, never what a header or trailer
    /// claims, and never twice it: a first pass only counts the inflated bytes (up
    /// to deflate's maximum ratio and `maximumBytes`), a second inflates them into
    /// the result, allocated once at its size. Growing a buffer and copying it into
    /// the result held the data twice (a 1 GiB gzip bomb peaked at 2 GB); inflating
    /// twice costs time instead (about 0.3 s for Fashion-MNIST's training images).
    static func inflate(_ input: [UInt8], source: String, maximumBytes: Int,
                        rawDeflateOf declaredSize: Int? = nil) throws -> (bytes: [UInt8], complete: Bool) {
        // Deflate cannot expand data more than 1032:1.
        let maximumPlausible = input.count.multipliedReportingOverflow(by: 1032)
        let plausible = maximumPlausible.overflow ? Int.max : maximumPlausible.partialValue + 64
        // One byte beyond the limit tells "exactly the limit" from "more".
        let ceiling = min(plausible, maximumBytes == Int.max ? Int.max : maximumBytes + 1)
        let counted = try run(input, source: source, declaredSize: declaredSize, limit: ceiling, into: nil)
        let kept = min(counted.produced, maximumBytes)
        try ensureAllocatable(kept, for: source, "the inflated data")
        let bytes = try [UInt8](unsafeUninitializedCapacity: kept) { buffer, count in
            count = try run(input, source: source, declaredSize: declaredSize, limit: kept, into: UnsafeMutableRawBufferPointer(buffer)).produced
        }
        return (bytes, counted.complete && counted.produced <= maximumBytes)
    }

    /// Inflates `input` until its end or until `limit` bytes came out, into `target`
    /// (of `limit` bytes), or, without one, through a small scratch buffer only to
    /// count them. `complete` is whether the data ended within the limit.
    private static func run(_ input: [UInt8], source: String, declaredSize: Int?, limit: Int,
                            into target: UnsafeMutableRawBufferPointer?) throws -> (produced: Int, complete: Bool) {
        let scratch = target == nil ? UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16) : nil
        defer { scratch?.deallocate() }
        var produced = 0
        var stream = z_stream()
        guard nabla_inflateInit2(&stream, declaredSize == nil ? 15 + 16 : -15) == Z_OK else {
            throw DataError(path: source, problem: "zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }

        let complete = try input.withUnsafeBufferPointer { inputBuffer -> Bool in
            var consumed = 0
            while true {
                if produced == limit { return false }
                // Into the target after what is there, or over the scratch buffer each time.
                let (out, room) = target.map { ($0.baseAddress! + produced, limit - produced) } ?? (scratch!.baseAddress!, min(scratch!.count, limit - produced))
                // zlib counts in UInt32, so feed files above 4 GiB in pieces.
                let inputChunk = min(inputBuffer.count - consumed, Int(UInt32.max))
                let outputChunk = min(room, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress! + consumed)
                stream.avail_in = UInt32(inputChunk)
                stream.next_out = out.assumingMemoryBound(to: Bytef.self)
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
                    continue  // The output was full; the next turn has room again or ends at the limit.
                case Z_MEM_ERROR:
                    throw DataError(path: source, problem: "out of memory while inflating gzip data")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw DataError(path: source, problem: "corrupt \(declaredSize == nil ? "gzip" : "deflate") data (zlib: \(reason))")
                }
            }
        }
        return (produced, complete)
    }
}
