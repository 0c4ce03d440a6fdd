/// The JSON header of a safetensors file, parsed for what the format needs and no
/// more: each tensor's dtype, shape and data offsets, in one pass over the bytes.
///
/// `JSONSerialization` builds an object per value: a 59 MB header took 3.9 GB and
/// 17 s. This parser keeps only the entries (a name and at most
/// ``maximumRank`` extents each), skips every other value without building it, and
/// nests at most ``maximumDepth`` deep, so its memory stays a small multiple of the
/// header's size, which the reader caps at 100 MB.
struct SafeTensorsHeader {
    struct Entry {
        let name: String
        var dtype: String?
        var shape: [Int]?
        var offsets: [Int]?
    }

    /// PyTorch's limit on a tensor's axes.
    static let maximumRank = 64
    static let maximumDepth = 64

    private(set) var entries: [Entry] = []

    /// A syntax error, with the byte offset where it was found.
    struct SyntaxError: Error { let problem: String }

    /// A value of an entry that has the wrong type; the reader names the tensor.
    struct EntryError: Error { let name: String, problem: String }

    init(_ bytes: [UInt8]) throws {
        var parser = Parser(bytes: bytes)
        try parser.skipSpace()
        try parser.expect(UInt8(ascii: "{"), "the header is not a JSON object")
        var names = Set<String>()
        try parser.members { name, parser in
            guard names.insert(name).inserted else { throw EntryError(name: name, problem: "appears twice in the header") }
            if name == "__metadata__" { return try parser.skipValue() }
            entries.append(try parser.entry(named: name))
        }
        try parser.skipSpace()
        guard parser.atEnd else { throw parser.error("text follows the header's JSON object") }
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position == bytes.count }

        func error(_ problem: String) -> SyntaxError { SyntaxError(problem: "\(problem) (at byte \(position))") }

        mutating func skipSpace() throws {
            while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
        }

        func peek() throws -> UInt8 {
            guard position < bytes.count else { throw error("the JSON ends early") }
            return bytes[position]
        }

        mutating func expect(_ byte: UInt8, _ problem: String) throws {
            guard try peek() == byte else { throw error(problem) }
            position += 1
        }

        /// The members of an object whose `{` was just read, handed to `body` with the parser
        /// positioned at each value; `body` must consume the value.
        mutating func members(_ body: (String, inout Parser) throws -> Void) throws {
            try skipSpace()
            if try peek() == UInt8(ascii: "}") { position += 1; return }
            while true {
                try skipSpace()
                let name = try string()
                try skipSpace()
                try expect(UInt8(ascii: ":"), "expected ':' after an object key")
                try skipSpace()
                try body(name, &self)
                try skipSpace()
                let next = try peek()
                position += 1
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { position -= 1; throw error("expected ',' or '}' in an object") }
            }
        }

        /// One tensor's entry: an object with dtype, shape and data_offsets (other keys skipped).
        mutating func entry(named name: String) throws -> Entry {
            var entry = Entry(name: name)
            guard try peek() == UInt8(ascii: "{") else {
                try skipValue()
                throw EntryError(name: name, problem: "its header entry is not a JSON object")
            }
            position += 1
            try members { key, parser in
                switch key {
                case "dtype":
                    guard try parser.peek() == UInt8(ascii: "\"") else { try parser.skipValue(); return }
                    entry.dtype = try parser.string()
                case "shape": entry.shape = try parser.integers(atMost: SafeTensorsHeader.maximumRank)
                case "data_offsets": entry.offsets = try parser.integers(atMost: 2)
                default: try parser.skipValue()
                }
            }
            return entry
        }

        /// An array of at most `limit` JSON integers, or nil (after skipping the value)
        /// when the value is anything else: a non-integer, a negative number, or too many.
        mutating func integers(atMost limit: Int) throws -> [Int]? {
            let start = position
            guard try peek() == UInt8(ascii: "[") else { try skipValue(); return nil }
            position += 1
            var values: [Int] = []
            try skipSpace()
            if try peek() == UInt8(ascii: "]") { position += 1; return values }
            while true {
                try skipSpace()
                guard values.count < limit, let value = try integer() else {
                    position = start
                    try skipValue()
                    return nil
                }
                values.append(value)
                try skipSpace()
                let next = try peek()
                position += 1
                if next == UInt8(ascii: "]") { return values }
                guard next == UInt8(ascii: ",") else { position -= 1; throw error("expected ',' or ']' in an array") }
            }
        }

        /// A non-negative JSON integer that fits an Int, or nil (position unchanged) for any other value.
        mutating func integer() throws -> Int? {
            var end = position
            var value = 0
            while end < bytes.count, bytes[end] >= 48, bytes[end] <= 57 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(bytes[end] - 48))
                guard !o1, !o2 else { return nil }
                value = sum
                end += 1
            }
            guard end > position, end == bytes.count || ![UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[end]),
                  bytes[position] != 48 || end == position + 1 else { return nil }
            position = end
            return value
        }

        /// A JSON string, unescaped.
        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""), "expected a string")
            var text: [UInt8] = []
            while true {
                let byte = try peek()
                position += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: text, as: UTF8.self)
                case 0..<0x20: position -= 1; throw error("a control character inside a string")
                case UInt8(ascii: "\\"):
                    let escape = try peek()
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0c)
                    case UInt8(ascii: "n"): text.append(0x0a)
                    case UInt8(ascii: "r"): text.append(0x0d)
                    case UInt8(ascii: "t"): text.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xd800..<0xdc00).contains(scalar), bytes[position...].starts(with: [0x5c, 0x75]) {
                            position += 2
                            let low = try hex4()
                            guard (0xdc00..<0xe000).contains(low) else { throw error("an unpaired surrogate in a string") }
                            scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw error("an unpaired surrogate in a string") }
                        text += Array(String(Character(unicode)).utf8)
                    default: position -= 1; throw error("an unknown escape in a string")
                    }
                default: text.append(byte)
                }
            }
        }

        private mutating func hex4() throws -> UInt32 {
            guard position + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16) else {
                throw error("a bad \\u escape in a string")
            }
            position += 4
            return value
        }

        /// Steps over one JSON value of any kind without keeping it, checking its
        /// syntax; nesting is counted, not recursed, and capped at ``maximumDepth``.
        mutating func skipValue() throws {
            var closers: [UInt8] = []
            repeat {
                try skipSpace()
                switch try peek() {
                case UInt8(ascii: "{"):
                    position += 1
                    try skipSpace()
                    if try peek() == UInt8(ascii: "}") { position += 1 } else {
                        _ = try string(); try skipSpace(); try expect(UInt8(ascii: ":"), "expected ':' after an object key")
                        try open(UInt8(ascii: "}"), in: &closers)
                        continue
                    }
                case UInt8(ascii: "["):
                    position += 1
                    try skipSpace()
                    if try peek() == UInt8(ascii: "]") { position += 1 } else { try open(UInt8(ascii: "]"), in: &closers); continue }
                case UInt8(ascii: "\""): _ = try string()
                default: try skipScalar()
                }
                // After a value: close what is finished, or step to the next element.
                while let closer = closers.last {
                    try skipSpace()
                    let next = try peek()
                    position += 1
                    if next == closer { closers.removeLast(); continue }
                    guard next == UInt8(ascii: ",") else { position -= 1; throw error("expected ',' or '\(Character(Unicode.Scalar(closer)))'") }
                    if closer == UInt8(ascii: "}") {
                        try skipSpace(); _ = try string(); try skipSpace(); try expect(UInt8(ascii: ":"), "expected ':' after an object key")
                    }
                    break
                }
            } while !closers.isEmpty
        }

        private func open(_ closer: UInt8, in closers: inout [UInt8]) throws {
            closers.append(closer)
            guard closers.count <= SafeTensorsHeader.maximumDepth else {
                throw error("the JSON nests more than \(SafeTensorsHeader.maximumDepth) deep")
            }
        }

        /// A number, true, false or null.
        private mutating func skipScalar() throws {
            for literal in ["true", "false", "null"] where bytes[position...].starts(with: literal.utf8) {
                position += literal.utf8.count
                return
            }
            let start = position
            let numberBytes = Set("+-.eE0123456789".utf8)
            while position < bytes.count, numberBytes.contains(bytes[position]) { position += 1 }
            guard position > start, Double(String(decoding: bytes[start..<position], as: UTF8.self)) != nil else {
                position = start
                throw error("not a JSON value")
            }
        }
    }
}
