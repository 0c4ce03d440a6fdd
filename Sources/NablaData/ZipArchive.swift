import CZlib

/// The zip container of `.npz` files: reading members that are stored or deflated
/// (ZIP64 included, as `numpy.savez` writes it), and writing stored or deflated members.
///
/// The reader trusts nothing it reads: the central directory must lie inside the file,
/// each member's data inside the file before the directory, the declared sizes together
/// within the data limit before anything is inflated, inflation stops at the declared
/// size, and each member's CRC-32 must match.
enum ZipArchive {
    struct Member {
        let name: String
        let bytes: [UInt8]
    }

    private static let endOfDirectorySignature: UInt32 = 0x0605_4b50
    private static let zip64EndSignature: UInt32 = 0x0606_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    private static let directorySignature: UInt32 = 0x0201_4b50
    private static let localSignature: UInt32 = 0x0403_4b50

    static func read(_ bytes: [UInt8], source: String, maximumDataBytes: Int) throws -> [Member] {
        func failure(_ problem: String) -> DataError { DataError(path: source, problem: problem) }
        let reader = ByteReader(bytes: bytes)

        // The end-of-directory record: 22 bytes and a comment of at most 65,535, at the very end.
        let lowest = max(0, bytes.count - 22 - 65_535)
        guard bytes.count >= 22, let end = stride(from: bytes.count - 22, through: lowest, by: -1)
            .first(where: { reader.uint32(at: $0) == endOfDirectorySignature }) else {
            throw failure("not a .npz (zip) archive: no end-of-central-directory record")
        }
        var entryCount = Int(reader.uint16(at: end + 10)!)
        var directorySize = Int(reader.uint32(at: end + 12)!)
        var directoryOffset = Int(reader.uint32(at: end + 16)!)
        if entryCount == 0xffff || directorySize == 0xffff_ffff || directoryOffset == 0xffff_ffff {
            guard end >= 20, reader.uint32(at: end - 20) == zip64LocatorSignature,
                  let recordOffset = reader.uint64(at: end - 12), recordOffset <= UInt64(end),
                  reader.uint32(at: Int(recordOffset)) == zip64EndSignature,
                  let count = reader.uint64(at: Int(recordOffset) + 32), let size = reader.uint64(at: Int(recordOffset) + 40),
                  let offset = reader.uint64(at: Int(recordOffset) + 48) else {
                throw failure("corrupt zip archive: the ZIP64 end-of-directory record is missing or outside the file")
            }
            guard count <= UInt64(bytes.count), size <= UInt64(bytes.count), offset <= UInt64(bytes.count) else {
                throw failure("corrupt zip archive: the ZIP64 directory lies outside the file")
            }
            (entryCount, directorySize, directoryOffset) = (Int(count), Int(size), Int(offset))
        }
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset,
              entryCount <= directorySize / 46 else {
            throw failure("corrupt zip archive: the central directory (\(entryCount) entries, \(directorySize) bytes at \(directoryOffset)) lies outside the file")
        }

        struct Entry { let name: String, method: Int, crc: UInt32, compressedSize: Int, size: Int, dataOffset: Int }
        var entries: [Entry] = []
        var position = directoryOffset
        var declaredTotal = 0
        for index in 0..<entryCount {
            guard reader.uint32(at: position) == directorySignature, let nameLength = reader.uint16(at: position + 28),
                  let extraLength = reader.uint16(at: position + 30), let commentLength = reader.uint16(at: position + 32),
                  position + 46 + Int(nameLength) + Int(extraLength) + Int(commentLength) <= directoryOffset + directorySize else {
                throw failure("corrupt zip archive: central directory entry \(index) is malformed or outside the directory")
            }
            let name = String(decoding: bytes[(position + 46)..<(position + 46 + Int(nameLength))], as: UTF8.self)
            func bad(_ problem: String) -> DataError { failure("member \"\(name)\": \(problem)") }
            let flags = reader.uint16(at: position + 8)!
            guard flags & 1 == 0 else { throw bad("is encrypted") }
            let method = Int(reader.uint16(at: position + 10)!)
            guard method == 0 || method == 8 else { throw bad("uses compression method \(method); a .npz member is stored (0) or deflated (8)") }
            var compressedSize = UInt64(reader.uint32(at: position + 20)!)
            var size = UInt64(reader.uint32(at: position + 24)!)
            var localOffset = UInt64(reader.uint32(at: position + 42)!)
            // ZIP64: the fields that overflowed 32 bits are in extra field 1, in this order.
            var extra = position + 46 + Int(nameLength)
            let extraEnd = extra + Int(extraLength)
            while extra + 4 <= extraEnd {
                let (id, length) = (reader.uint16(at: extra)!, Int(reader.uint16(at: extra + 2)!))
                guard extra + 4 + length <= extraEnd else { throw bad("has an extra field that runs past its entry") }
                if id == 1 {
                    var field = extra + 4
                    func widened(_ narrow: UInt64) throws -> UInt64 {
                        guard narrow == 0xffff_ffff else { return narrow }
                        guard field + 8 <= extra + 4 + length, let wide = reader.uint64(at: field) else { throw bad("has a short ZIP64 extra field") }
                        field += 8
                        return wide
                    }
                    size = try widened(size)
                    compressedSize = try widened(compressedSize)
                    localOffset = try widened(localOffset)
                }
                extra += 4 + length
            }
            guard localOffset < UInt64(directoryOffset), size <= UInt64(Int.max),
                  let localName = reader.uint16(at: Int(localOffset) + 26), let localExtra = reader.uint16(at: Int(localOffset) + 28),
                  reader.uint32(at: Int(localOffset)) == localSignature else {
                throw bad("its local header lies outside the archive or is malformed")
            }
            let dataOffset = Int(localOffset) + 30 + Int(localName) + Int(localExtra)
            guard dataOffset <= directoryOffset, compressedSize <= UInt64(directoryOffset - dataOffset) else {
                throw bad("its \(compressedSize) bytes of data run past the start of the central directory")
            }
            guard method == 8 || compressedSize == size else { throw bad("is stored but declares \(size) bytes in \(compressedSize)") }
            let (sum, overflow) = declaredTotal.addingReportingOverflow(Int(size))
            guard !overflow, sum <= maximumDataBytes else {
                throw failure("the members declare more than \(maximumDataBytes) bytes of data, the limit (DataLimits.maximumDataBytes)")
            }
            declaredTotal = sum
            entries.append(Entry(name: name, method: method, crc: reader.uint32(at: position + 16)!,
                                 compressedSize: Int(compressedSize), size: Int(size), dataOffset: dataOffset))
            position += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }

        return try entries.map { entry in
            func bad(_ problem: String) -> DataError { failure("member \"\(entry.name)\": \(problem)") }
            let stored = Array(bytes[entry.dataOffset..<(entry.dataOffset + entry.compressedSize)])
            let data: [UInt8]
            if entry.method == 0 {
                data = stored
            } else if stored.isEmpty {
                throw bad("is deflated but has no compressed bytes")
            } else {
                let inflated: (bytes: [UInt8], complete: Bool)
                do {
                    inflated = try Gzip.inflate(stored, source: source, maximumBytes: entry.size, rawDeflateOf: entry.size)
                } catch let error as DataError {
                    throw bad(error.problem)
                }
                guard inflated.complete, inflated.bytes.count == entry.size else {
                    throw bad("inflates to \(inflated.complete ? "\(inflated.bytes.count)" : "more than \(entry.size)") bytes but declares \(entry.size)")
                }
                data = inflated.bytes
            }
            guard crc32(of: data) == entry.crc else { throw bad("CRC-32 mismatch: the data is corrupt") }
            return Member(name: entry.name, bytes: data)
        }
    }

    /// A zip archive of the members, each stored or deflated through zlib. Archives past
    /// 4 GiB would need ZIP64, which this writer does not produce; they are refused.
    static func encode(_ members: [(name: String, bytes: [UInt8])], compressed: Bool, destination: String) throws -> [UInt8] {
        var archive: [UInt8] = []
        var directory: [UInt8] = []
        for member in members {
            let data = compressed ? try deflate(member.bytes, destination: destination) : member.bytes
            let name = Array(member.name.utf8)
            guard archive.count + 30 + name.count + data.count < 0xffff_ffff, member.bytes.count < 0xffff_ffff, name.count <= 0xffff else {
                throw DataError(path: destination, problem: "the archive would pass 4 GiB, which needs ZIP64; NumPy.saveArchive writes archives below 4 GiB")
            }
            // version needed 2.0, no flags, method, DOS time 00:00 and date 1980-01-01, CRC, sizes, name length, no extra.
            var common = le16(20) + le16(0) + le16(compressed ? 8 : 0) + le16(0) + le16(0x21)
            common += le32(crc32(of: member.bytes)) + le32(UInt32(data.count)) + le32(UInt32(member.bytes.count))
            common += le16(UInt16(name.count)) + le16(0)
            directory += le32(directorySignature) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(UInt32(archive.count)) + name
            archive += le32(localSignature) + common + name + data
        }
        guard archive.count + directory.count < 0xffff_ffff, members.count < 0xffff else {
            throw DataError(path: destination, problem: "the archive would pass 4 GiB or 65,535 members, which needs ZIP64; NumPy.saveArchive does not write it")
        }
        let count = le16(UInt16(members.count))
        let end = le32(endOfDirectorySignature) + le16(0) + le16(0) + count + count
            + le32(UInt32(directory.count)) + le32(UInt32(archive.count)) + le16(0)
        return archive + directory + end
    }

    /// Raw deflate (no zlib or gzip wrapper), as zip stores it, at zlib's default level.
    private static func deflate(_ input: [UInt8], destination: String) throws -> [UInt8] {
        var stream = z_stream()
        guard nabla_deflateInitRaw(&stream, Z_DEFAULT_COMPRESSION) == Z_OK else {
            throw DataError(path: destination, problem: "zlib could not start deflating (out of memory?)")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var produced = 0
        try input.withUnsafeBufferPointer { inputBuffer in
            try output.withUnsafeMutableBufferPointer { outputBuffer in
                var consumed = 0
                while true {
                    // zlib counts in UInt32, so feed large inputs in pieces.
                    let inputChunk = min(inputBuffer.count - consumed, Int(UInt32.max))
                    let outputChunk = min(outputBuffer.count - produced, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress.map { $0 + consumed })
                    stream.avail_in = UInt32(inputChunk)
                    stream.next_out = outputBuffer.baseAddress! + produced
                    stream.avail_out = UInt32(outputChunk)
                    let last = consumed + inputChunk == inputBuffer.count
                    let status = CZlib.deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                    consumed += inputChunk - Int(stream.avail_in)
                    produced += outputChunk - Int(stream.avail_out)
                    if status == Z_STREAM_END { return }
                    guard status == Z_OK || status == Z_BUF_ERROR, produced < outputBuffer.count || !last else {
                        throw DataError(path: destination, problem: "zlib failed to deflate (status \(status))")
                    }
                }
            }
        }
        return Array(output[..<produced])
    }

    static func crc32(of bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32(0, nil, 0)
            var done = 0
            while done < buffer.count {
                let chunk = min(buffer.count - done, Int(UInt32.max))
                crc = CZlib.crc32(crc, buffer.baseAddress! + done, uInt(chunk))
                done += chunk
            }
            return UInt32(crc)
        }
    }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// Little-endian fields at offsets that may lie outside the bytes (then nil).
    private struct ByteReader {
        let bytes: [UInt8]
        func value(at offset: Int, size: Int) -> UInt64? {
            guard offset >= 0, offset <= bytes.count - size else { return nil }
            return (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        }
        func uint16(at offset: Int) -> UInt16? { value(at: offset, size: 2).map { UInt16($0) } }
        func uint32(at offset: Int) -> UInt32? { value(at: offset, size: 4).map { UInt32($0) } }
        func uint64(at offset: Int) -> UInt64? { value(at: offset, size: 8) }
    }
}
