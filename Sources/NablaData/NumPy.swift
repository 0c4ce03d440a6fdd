import Nabla

/// Reads and writes NumPy's `.npy` files (`numpy.save`/`numpy.load`) and `.npz` archives
/// (`numpy.savez`, `numpy.savez_compressed`), so arrays pass between NumPy and Nabla
/// without a conversion script.
///
///     let x = try NumPy.load("features.npy")            // np.save("features.npy", a)
///     try NumPy.save(x * 2, to: "doubled.npy")           // np.load("doubled.npy")
///     let archive = try NumPy.loadArchive("weights.npz") // np.savez(..., w=w, b=b)
///     let w = archive["w"]!
///
/// The reader accepts format versions 1.0, 2.0 and 3.0, little- and big-endian data, and
/// C or Fortran order; the tensor it returns is always C-ordered (row-major). The writer
/// writes what `numpy.save` writes for a C-ordered array, byte for byte: version 1.0,
/// little-endian.
///
/// Element types: a `.npy` file names its dtype with a `descr`; each dtype of Nabla's tensors
/// reads and writes as NumPy's: float32 `<f4`, float64 `<f8`, float16 `<f2`, int64 `<i8`,
/// int32 `<i4`, uint8 `|u1`, bool `|b1` (and `>` for big-endian on reading). NumPy has no
/// bfloat16, so a bfloat16 tensor is refused on writing (convert it with `to(.float32)`,
/// which is exact). Another dtype in a file (`<c8`, `|i1`, structured or object arrays) is
/// refused with a ``DataError`` naming it, never converted.
///
/// Every reader checks before it allocates: the header's dict is at most NumPy's own limit
/// of 10,000 bytes, the shape's product times the element size must equal the bytes that
/// follow the header, and both stay within ``DataLimits``; a malformed file throws a
/// ``DataError`` naming it.
public enum NumPy {
    /// Reads a `.npy` file into a tensor of its shape.
    ///
    /// With `memoryMapped`, as NumPy's `np.load(path, mmap_mode="c")`, the tensor's storage
    /// is the file itself mapped into memory where the file allows it: its elements
    /// little-endian (as every dtype is in memory here; `|u1` and `|b1` always are) and
    /// its data starting at a multiple of 64 bytes, as NumPy writes it. Pages are read
    /// when first touched, so loading is immediate whatever the size, and several
    /// processes mapping one file share its page cache. A C-order file gives a contiguous
    /// tensor; a Fortran-order one gives the transposed view of its data (shape as in the
    /// file, `Tensor.strides` of column-major order), no copy.
    /// Writing to the tensor copies the pages written (`MAP_PRIVATE`): the file never
    /// changes. The mapping lives as long as any tensor sharing the storage
    /// (views, copies not yet written to) and is unmapped with the last;
    /// `Tensor.isMemoryMapped` tells whether a tensor got one. A file that does not
    /// allow it (big-endian, an unaligned data offset, no elements) or that the system
    /// refuses to map is read as without `memoryMapped`. The header is checked the same
    /// way either way, so a file shorter than its header claims is refused, never mapped.
    /// As with NumPy's memory maps, the file must not be truncated while mapped (a read of
    /// a page past its new end stops the process with SIGBUS), and a change written into
    /// the file in place by another program may show in pages not yet written to;
    /// Nabla's own writers replace a file with a new one, which leaves a mapping of the
    /// old one intact.
    ///
    /// - Parameters:
    ///   - path: The `.npy` file.
    ///   - memoryMapped: Map the file's data instead of reading it, where the file allows it.
    ///   - limits: The largest file and element data read (or mapped).
    public static func load(_ path: String, memoryMapped: Bool = false, limits: DataLimits = .default) throws -> Tensor {
        guard memoryMapped else { return tensor(from: try readArray(path, limits: limits)) }
        return try withRegularFile(path) { fd, fileSize in
            let header = try checkedHeader(ofFile: fd, size: fileSize, path: path, limits: limits)
            if let mapped = try mappedTensor(fd, fileSize: fileSize, header: header, path: path) { return mapped }
            return tensor(from: try readData(fd, fileSize: fileSize, header: header, path: path))
        }
    }

    /// Decodes the bytes of a `.npy` file already in memory; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String, limits: DataLimits = .default) throws -> Tensor {
        tensor(from: try decodeArray(bytes, source: source, limits: limits))
    }

    /// Writes `tensor` as a `.npy` file that `numpy.load` reads with the same shape, dtype and
    /// values (little-endian, C order), atomically (``writeFileAtomically(_:to:)``).
    /// A bfloat16 tensor, which NumPy has no dtype for, throws a ``DataError``.
    public static func save(_ tensor: Tensor, to path: String) throws {
        try requireNumPyDType(tensor, path: path)
        try encode(tensor).withUnsafeBytes { try writeFileAtomically($0, to: path) }
    }

    /// The bytes of the `.npy` file ``save(_:to:)`` writes; fails for a bfloat16 tensor,
    /// which NumPy has no dtype for.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        guard tensor.dtype.numPyCode != nil else { fail("NumPy.encode: \(noNumPyDType(tensor.dtype))") }
        // Every dtype's in-memory bytes are little-endian on every platform Swift runs on here.
        return NPYHeader.encode(elementType: tensor.dtype, shape: tensor.shape) + tensor.withUnsafeBytes { Array($0) }
    }

    /// Throws unless NumPy has `tensor`'s dtype (it has every one but bfloat16).
    private static func requireNumPyDType(_ tensor: Tensor, path: String, name: String? = nil) throws {
        guard tensor.dtype.numPyCode == nil else { return }
        throw DataError(path: path, problem: (name.map { "array \"\($0)\": " } ?? "") + noNumPyDType(tensor.dtype))
    }

    private static func noNumPyDType(_ dtype: DType) -> String {
        "NumPy has no \(dtype) dtype, so a \(dtype) tensor cannot be written as .npy; convert it with to(.float32) first (exact)"
    }

    /// Reads every array of a `.npz` archive, keyed by its name without the `.npy`
    /// suffix, as `numpy.load(...)[name]` names them. Members may be stored or
    /// deflate-compressed (`savez` and `savez_compressed`); each member's CRC-32 is checked.
    ///
    /// - Parameters:
    ///   - path: The `.npz` file.
    ///   - limits: The largest file read and the most element data inflated (all members together).
    public static func loadArchive(_ path: String, limits: DataLimits = .default) throws -> [String: Tensor] {
        let bytes = try readFileBytes(path, limits: limits)
        return try decodeArchive(bytes, source: path, limits: limits)
    }

    /// Decodes the bytes of a `.npz` archive already in memory; `source` names them in errors.
    public static func decodeArchive(_ bytes: [UInt8], source: String, limits: DataLimits = .default) throws -> [String: Tensor] {
        var arrays: [String: Tensor] = [:]
        for member in try ZipArchive.read(bytes, source: source, maximumDataBytes: limits.maximumDataBytes) {
            let name = member.name.hasSuffix(".npy") ? String(member.name.dropLast(4)) : member.name
            do {
                let tensor = tensor(from: try decodeArray(member.bytes, source: source, limits: limits))
                guard arrays.updateValue(tensor, forKey: name) == nil else {
                    throw DataError(path: source, problem: "holds two arrays named \"\(name)\"")
                }
            } catch let error as DataError {
                throw DataError(path: source, problem: "member \"\(member.name)\": \(error.problem)")
            }
        }
        return arrays
    }

    /// Writes `.npz` archive of the tensors, in the given order, each as `<name>.npy`, which
    /// `numpy.load` reads; `compressed: true` deflates each member as `numpy.savez_compressed`
    /// does. Written atomically.
    public static func saveArchive(_ tensors: [(name: String, tensor: Tensor)], to path: String, compressed: Bool = false) throws {
        var names = Set<String>()
        for (name, _) in tensors where !names.insert(name).inserted || name.isEmpty {
            throw DataError(path: path, problem: "array name \"\(name)\" is empty or appears twice")
        }
        for (name, tensor) in tensors { try requireNumPyDType(tensor, path: path, name: name) }
        let members = tensors.map { (name: $0.name + ".npy", bytes: encode($0.tensor)) }
        let archive = try ZipArchive.encode(members, compressed: compressed, destination: path)
        try archive.withUnsafeBytes { try writeFileAtomically($0, to: path) }
    }

    /// The tensor of a decoded array, of its dtype: its bytes copied once into the storage
    /// (the reader has checked that a bool array's bytes are 0 or 1).
    private static func tensor(from array: NPYArray) -> Tensor {
        Tensor(shape: array.shape, dtype: array.elementType) { storage in array.bytes.withUnsafeBytes { storage.copyMemory(from: $0) } }
    }
}

/// The elements of a `.npy` file as little-endian bytes in C order, whatever order and
/// byte order the file used.
struct NPYArray {
    var elementType: DType
    var shape: [Int]
    var bytes: [UInt8]
}

extension NumPy {
    /// Reads a `.npy` file: the header first, the data only once its size is checked.
    static func readArray(_ path: String, limits: DataLimits) throws -> NPYArray {
        try withRegularFile(path) { fd, fileSize in
            let header = try checkedHeader(ofFile: fd, size: fileSize, path: path, limits: limits)
            return try readData(fd, fileSize: fileSize, header: header, path: path)
        }
    }

    /// The header of the open `.npy` file `fd`, checked against the file's size and `limits`.
    private static func checkedHeader(ofFile fd: Int32, size fileSize: Int, path: String, limits: DataLimits) throws -> NPYHeader {
        guard fileSize <= limits.maximumFileBytes else {
            throw DataError(path: path, problem: "is \(fileSize) bytes, larger than the limit of \(limits.maximumFileBytes) bytes (DataLimits.maximumFileBytes)")
        }
        return try checkedHeader(fileSize: fileSize, source: path, limits: limits) { count, offset in
            try readBytes(fd, count: count, at: offset, path: path)
        }
    }

    /// The data of the open `.npy` file `fd` whose checked header is `header`, decoded.
    private static func readData(_ fd: Int32, fileSize: Int, header: NPYHeader, path: String) throws -> NPYArray {
        try decodeData(header, source: path, try readBytes(fd, count: fileSize - header.byteCount, at: header.byteCount, path: path))
    }

    /// The open `.npy` file `fd` mapped as a tensor's storage, or nil where its layout does
    /// not allow it or the system refuses (see ``NumPy/load(_:memoryMapped:limits:)``).
    private static func mappedTensor(_ fd: Int32, fileSize: Int, header: NPYHeader, path: String) throws -> Tensor? {
        let type = header.elementType
        guard !header.bigEndian || type.byteSize == 1, header.byteCount % 64 == 0 else { return nil }
        // Fortran order is C order of the reversed shape; the transposed view restores the file's shape.
        let fortran = header.fortranOrder && header.shape.count > 1
        guard let mapped = try Tensor(mappingFile: fd, fileSize: fileSize, byteOffset: header.byteCount,
                                      shape: fortran ? header.shape.reversed() : header.shape, dtype: type, check: { bytes in
            if type == .bool, let bad = bytes.firstIndex(where: { $0 > 1 }) { throw boolFailure(path, element: bad, byte: bytes[bad]) }
        }) else { return nil }
        return fortran ? mapped.permute(Array((0..<header.shape.count).reversed())) : mapped
    }

    static func decodeArray(_ bytes: [UInt8], source: String, limits: DataLimits) throws -> NPYArray {
        let header = try checkedHeader(fileSize: bytes.count, source: source, limits: limits) { count, offset in
            Array(bytes[min(offset, bytes.count)..<min(offset + count, bytes.count)])
        }
        return try decodeData(header, source: source, Array(bytes[header.byteCount...]))
    }

    private static func boolFailure(_ source: String, element: Int, byte: UInt8) -> DataError {
        DataError(path: source, problem: "bool element \(element) is the byte \(byte); a bool is 0 or 1")
    }

    /// Checks the header of a `.npy` file of `fileSize` bytes whose ranges `readRange(count, offset)`
    /// reads: its dtype and shape, and that exactly the shape's bytes follow it, within `limits`.
    private static func checkedHeader(fileSize: Int, source: String, limits: DataLimits,
                                      bytes readRange: (_ count: Int, _ offset: Int) throws -> [UInt8]) throws -> NPYHeader {
        func failure(_ problem: String) -> DataError { DataError(path: source, problem: problem) }
        let header: NPYHeader
        do {
            // The longest header NumPy reads: a 12-byte prefix and a 10,000-byte dict.
            header = try NPYHeader(try readRange(min(fileSize, 12 + NPYHeader.maximumDictLength), 0))
        } catch let problem as NPYHeader.Problem {
            throw failure(problem.text)
        }
        let type = header.elementType
        guard let count = Tensor.elementCount(ofShape: header.shape, dtype: type) else {
            throw failure("shape \(header.shape) is too large for any tensor (its extents multiply past 2^63 bytes)")
        }
        let dataBytes = count * type.byteSize
        guard dataBytes <= limits.maximumDataBytes else {
            throw failure("shape \(header.shape) of \(type) needs \(dataBytes) bytes, more than the limit of \(limits.maximumDataBytes) (DataLimits.maximumDataBytes)")
        }
        let present = fileSize - header.byteCount
        guard present == dataBytes else {
            throw failure(present < dataBytes
                ? "truncated: shape \(header.shape) of \(type) needs \(dataBytes) bytes of data but \(present) follow the header"
                : "shape \(header.shape) of \(type) needs \(dataBytes) bytes of data but \(present) follow the header")
        }
        return header
    }

    /// The array of `data`, the bytes that followed the checked `header`, in C order and little-endian.
    /// Takes `data` over, so that a big-endian file's bytes are swapped in place, not in a copy.
    private static func decodeData(_ header: NPYHeader, source: String, _ data: consuming [UInt8]) throws -> NPYArray {
        let type = header.elementType
        guard data.count == header.shape.reduce(1, *) * type.byteSize else {
            throw DataError(path: source, problem: "truncated: the file shrank while it was read")
        }
        if header.bigEndian { reverseEachElement(&data, size: type.byteSize) }
        if header.fortranOrder && header.shape.count > 1 { data = fortranToC(data, shape: header.shape, size: type.byteSize) }
        if type == .bool, let bad = data.firstIndex(where: { $0 > 1 }) { throw boolFailure(source, element: bad, byte: data[bad]) }
        return NPYArray(elementType: type, shape: header.shape, bytes: data)
    }

    /// Swaps each `size`-byte element between big- and little-endian.
    private static func reverseEachElement(_ data: inout [UInt8], size: Int) {
        guard size > 1 else { return }
        data.withUnsafeMutableBufferPointer { bytes in
            for start in stride(from: 0, to: bytes.count, by: size) {
                var (low, high) = (start, start + size - 1)
                while low < high { bytes.swapAt(low, high); low += 1; high -= 1 }
            }
        }
    }

    /// Reorders Fortran-ordered (first axis fastest) elements into C order (last axis fastest).
    private static func fortranToC(_ data: [UInt8], shape: [Int], size: Int) -> [UInt8] {
        var fortranStrides = [Int](repeating: size, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        let count = data.count / size
        var result = [UInt8](repeating: 0, count: data.count)
        var index = [Int](repeating: 0, count: shape.count)
        var source = 0
        data.withUnsafeBytes { input in
            result.withUnsafeMutableBytes { output in
                for element in 0..<count {
                    output.baseAddress!.advanced(by: element * size).copyMemory(from: input.baseAddress! + source, byteCount: size)
                    // Step the C-order odometer and the Fortran offset with it.
                    var axis = shape.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        source += fortranStrides[axis]
                        if index[axis] < shape[axis] { break }
                        source -= fortranStrides[axis] * shape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return result
    }
}
