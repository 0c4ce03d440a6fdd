import Nabla

/// NumPy's names for Nabla's dtypes in a `.npy` header's `descr`.
extension DType {
    /// NumPy's type code without the byte order: `f4`, `i8`, `b1`, ...; nil for bfloat16,
    /// which NumPy does not have.
    var numPyCode: String? {
        switch self {
        case .float32: return "f4"
        case .float64: return "f8"
        case .float16: return "f2"
        case .int64: return "i8"
        case .int32: return "i4"
        case .uint8: return "u1"
        case .bool: return "b1"
        case .bfloat16: return nil
        }
    }

    /// The `descr` NumPy writes for it little-endian: `<f4`, `<i8`, or `|u1` where byte order
    /// does not apply; fails for bfloat16 (``NumPy/encode(_:)`` refuses it first).
    var littleEndianDescr: String {
        guard let numPyCode else { fail(".npy: NumPy has no \(self) dtype") }
        return (byteSize == 1 ? "|" : "<") + numPyCode
    }
}

/// The header of a `.npy` file (NumPy's format versions 1.0, 2.0 and 3.0):
///
///     6 bytes   magic \x93NUMPY
///     2 bytes   major and minor version: 1.0, 2.0 or 3.0
///     2 or 4    little-endian header length: UInt16 in 1.0, UInt32 in 2.0 and 3.0
///     header    a Python dict literal, {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), },
///               padded with spaces and a newline so the data starts on a 64-byte boundary;
///               latin-1 in 1.0 and 2.0, UTF-8 in 3.0
///     data      shape's product × the element size bytes, in C or Fortran order
struct NPYHeader: Equatable {
    var elementType: DType
    /// True for `>` (big-endian) multi-byte elements.
    var bigEndian: Bool
    var fortranOrder: Bool
    var shape: [Int]
    /// The bytes before the data: magic, version, length and the dict.
    var byteCount: Int

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// NumPy's own limit on the dict's length when it reads (`_MAX_HEADER_SIZE`).
    static let maximumDictLength = 10_000
    /// PyTorch's limit on a tensor's axes.
    static let maximumRank = 64

    /// A header problem, in words; the reader adds the file's name.
    struct Problem: Error { let text: String }

    /// The length of the fixed prefix for a version, once its first 8 bytes are known.
    static func prefixLength(major: UInt8) -> Int { major == 1 ? 10 : 12 }

    /// Parses the header at the start of `bytes`, which must hold at least the whole
    /// header (the reader reads the prefix, then the length it declares).
    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 8, bytes.starts(with: NPYHeader.magic) else {
            throw Problem(text: "not a .npy file (it does not start with \\x93NUMPY)")
        }
        let (major, minor) = (bytes[6], bytes[7])
        guard [1, 2, 3].contains(major), minor == 0 else {
            throw Problem(text: "unsupported .npy format version \(major).\(minor) (NumPy writes 1.0, 2.0 and 3.0)")
        }
        let prefix = NPYHeader.prefixLength(major: major)
        guard bytes.count >= prefix else { throw Problem(text: "truncated: the file ends inside the .npy header") }
        let declared = bytes[8..<prefix].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard declared <= NPYHeader.maximumDictLength else {
            throw Problem(text: "the header declares a \(declared)-byte dict, more than NumPy's limit of \(NPYHeader.maximumDictLength)")
        }
        guard bytes.count >= prefix + declared else {
            throw Problem(text: "truncated: the header declares \(declared) bytes but the file ends first")
        }
        var parser = DictParser(bytes: Array(bytes[prefix..<(prefix + declared)]))
        let dict = try parser.dict()
        guard Set(dict.keys) == ["descr", "fortran_order", "shape"] else {
            throw Problem(text: "the header's keys are \(dict.keys.sorted()); a .npy header has exactly descr, fortran_order and shape")
        }
        guard case .string(let descr)? = dict["descr"] else {
            throw Problem(text: "descr is not a string: a structured or object dtype, which Nabla does not read")
        }
        guard case .boolean(let fortranOrder)? = dict["fortran_order"] else { throw Problem(text: "fortran_order is not True or False") }
        guard case .integers(let shape)? = dict["shape"], shape.allSatisfy({ $0 >= 0 }) else {
            throw Problem(text: "shape is not a tuple of non-negative integers")
        }
        guard shape.count <= NPYHeader.maximumRank else { throw Problem(text: "shape has \(shape.count) axes, more than \(NPYHeader.maximumRank)") }
        (elementType, bigEndian) = try NPYHeader.parseDescr(descr)
        self.fortranOrder = fortranOrder
        self.shape = shape
        byteCount = prefix + declared
    }

    /// The element type and byte order of a `descr` such as `<f4`, `>i8` or `|b1`.
    static func parseDescr(_ descr: String) throws -> (DType, bigEndian: Bool) {
        var code = Substring(descr)
        var order: Character = "="
        if let first = code.first, "<>|=".contains(first) { order = first; code = code.dropFirst() }
        // NumPy's one-character aliases for the same types.
        let aliases: [Substring: String] = ["?": "b1", "B": "u1", "e": "f2", "f": "f4", "d": "f8", "q": "i8", "l": "i8", "i": "i4"]
        let normalized = aliases[code] ?? String(code)
        guard let type = DType.allCases.first(where: { $0.numPyCode == normalized }) else {
            throw Problem(text: "dtype '\(descr)' is not one Nabla reads (float32, float64, float16, int64, int32, uint8, bool: <f4 <f8 <f2 <i8 <i4 |u1 |b1, or > for big-endian)")
        }
        // Native order ('=' or none) is little-endian on every platform Nabla runs on.
        return (type, order == ">" && type.byteSize > 1)
    }

    /// The bytes of a version 1.0 header (2.0 if the dict needs more than 65,535 bytes),
    /// little-endian C order, byte for byte what `numpy.save` writes: the dict with its keys
    /// sorted, the spare spaces NumPy leaves for the first axis to grow, and the padding
    /// that starts the data on a 64-byte boundary.
    static func encode(elementType: DType, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(elementType.littleEndianDescr)', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        let version: UInt8 = dict.utf8.count + 1 + 64 + 10 <= 65_535 ? 1 : 2
        let prefix = prefixLength(major: version)
        let withNewline = dict.utf8.count + 1
        let padding = 64 - (prefix + withNewline) % 64
        let length = withNewline + padding
        var bytes = magic + [version, 0]
        for index in 0..<(prefix - 8) { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * index))) }
        bytes += Array(dict.utf8) + Array(repeating: UInt8(ascii: " "), count: padding) + [UInt8(ascii: "\n")]
        return bytes
    }

    /// A Python literal value as a `.npy` header holds it.
    enum Value: Equatable { case string(String), boolean(Bool), integers([Int]), other }

    /// Reads the dict literal of a header: string keys; values that are strings, True/False,
    /// tuples of integers, or anything else (a list descr, a number, None), which is read as `.other`.
    /// Nesting is bounded, so a hostile header cannot recurse deeply.
    private struct DictParser {
        let bytes: [UInt8]
        var position = 0

        func problem(_ text: String) -> Problem { Problem(text: "the header is not a Python dict literal: \(text) (at byte \(position) of the dict)") }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ character: Character) throws {
            skipSpace()
            guard position < bytes.count, bytes[position] == character.asciiValue! else { throw problem("expected '\(character)'") }
            position += 1
        }

        /// Consumes `character` if it is next.
        mutating func take(_ character: Character) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == character.asciiValue! else { return false }
            position += 1
            return true
        }

        mutating func dict() throws -> [String: Value] {
            try expect("{")
            var result: [String: Value] = [:]
            while !take("}") {
                skipSpace()
                let key = try string()
                try expect(":")
                guard result.updateValue(try value(depth: 0), forKey: key) == nil else { throw problem("the key '\(key)' appears twice") }
                if !take(",") { try expect("}"); break }
            }
            skipSpace()
            guard position == bytes.count else { throw problem("text follows the dict") }
            return result
        }

        /// A quoted string (single or double quotes; a backslash escapes the next byte).
        mutating func string() throws -> String {
            guard position < bytes.count, let quote = [UInt8(ascii: "'"), UInt8(ascii: "\"")].first(where: { $0 == bytes[position] }) else {
                throw problem("expected a quoted string")
            }
            position += 1
            var text: [UInt8] = []
            while position < bytes.count, bytes[position] != quote {
                if bytes[position] == UInt8(ascii: "\\") { position += 1 }
                if position < bytes.count { text.append(bytes[position]); position += 1 }
            }
            guard position < bytes.count else { throw problem("a string is not closed") }
            position += 1
            return String(decoding: text, as: UTF8.self)
        }

        mutating func value(depth: Int) throws -> Value {
            guard depth < 8 else { throw problem("values nest too deeply") }
            skipSpace()
            guard position < bytes.count else { throw problem("the dict ends early") }
            switch bytes[position] {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "("), UInt8(ascii: "["):
                let closer: Character = bytes[position] == UInt8(ascii: "(") ? ")" : "]"
                position += 1
                var items: [Value] = []
                var integers: [Int] = []
                while !take(closer) {
                    skipSpace()
                    if let integer = try integer() { integers.append(integer); items.append(.other) } else { items.append(try value(depth: depth + 1)) }
                    guard items.count <= NPYHeader.maximumRank else { throw problem("a tuple has more than \(NPYHeader.maximumRank) items") }
                    if !take(",") { try expect(closer); break }
                }
                return closer == ")" && integers.count == items.count ? .integers(integers) : .other
            default:
                if try integer() != nil { return .other }
                for (word, value) in [("True", Value.boolean(true)), ("False", .boolean(false)), ("None", .other)]
                where bytes[position...].starts(with: word.utf8) {
                    position += word.utf8.count
                    return value
                }
                throw problem("expected a string, a tuple, a number, True or False")
            }
        }

        /// A decimal integer (Python 2's trailing `L` allowed), or nil when none is next.
        /// Values past Int.max are refused, not wrapped.
        mutating func integer() throws -> Int? {
            var end = position
            if end < bytes.count, bytes[end] == UInt8(ascii: "-") { end += 1 }
            let digitsStart = end
            var magnitude = 0
            while end < bytes.count, (48...57).contains(bytes[end]) {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(bytes[end] - 48))
                guard !o1, !o2 else { throw problem("an integer is larger than \(Int.max)") }
                magnitude = sum
                end += 1
            }
            guard end > digitsStart else { return nil }
            let negative = bytes[position] == UInt8(ascii: "-")
            if end < bytes.count, bytes[end] == UInt8(ascii: "L") { end += 1 }
            position = end
            return negative ? -magnitude : magnitude
        }
    }
}
