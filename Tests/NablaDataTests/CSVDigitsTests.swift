import XCTest
import Nabla
import NablaTestSupport
@testable import NablaData

final class CSVDigitsTests: XCTestCase {
    /// Issue 24: two gzip bombs of "0," rows reached 2.07 and 2.57 GB inside the
    /// 1 GiB data limit: the inflated text was held twice (buffer, then array), the
    /// values twice (array, then tensor), and they were not limited at all. Now the
    /// values obey `maximumDataBytes` like the text, and each is held once. With an
    /// 8 MiB limit: 3.9 MB of text (7.9 MB of values) loads under an address-space
    /// cap of 18 MiB more than the process holds, and twice the rows are refused
    /// before their values are parsed (they loaded: the values had no limit).
    func testGzipBombsStayWithinTheLimitsAtTheirPeak() throws {
        let row = Array((Array(repeating: "0", count: 785).joined(separator: ",") + "\n").utf8)
        var limits = DataLimits.default
        limits.maximumDataBytes = 8 << 20
        for (rows, expected) in [(2_500, "loaded 2500 rows of 784 pixels"), (5_000, "more than 8388608 bytes of values, the limit")] {
            let file = try gzipped(Array([[UInt8]](repeating: row, count: rows).joined()))
            let result = outcome { _ in
                capAddressSpace(extraBytes: 18 << 20)
                do {
                    let (images, labels) = try CSVDigits.decode(file, source: "bomb.csv.gz", labelColumn: 0, limits: limits)
                    return "loaded \(labels.shape[0]) rows of \(images.shape[1]) pixels"
                } catch { return "\(error)" }
            }
            XCTAssertTrue(result.result?.contains(expected) ?? false, "\(rows) rows: \(result)")
        }
    }

    func testLabelLastColumnWithImageShape() throws {
        let path = try makeTemporaryFolder(self) + "/digits.csv"
        try writeFile(Array("0,51,102,255,3\n255,0, 0 ,0,7\r\n\n".utf8), to: path)
        let (images, labels) = try CSVDigits.read(at: path, labelColumn: -1, imageShape: [2, 2])
        XCTAssertEqual(images.shape, [2, 2, 2])
        XCTAssertEqual(images.scalars, [0, 0.2, 0.4, 1, 1, 0, 0, 0])
        XCTAssertEqual(labels.dtype, .int64)
        XCTAssertEqual(labels.scalars(as: Int64.self), [3, 7])
    }

    func testHeaderAndLabelFirstColumnGzip() throws {
        let path = try makeTemporaryFolder(self) + "/train.csv.gz"
        try writeFile(gzipped(Array("label,pixel0,pixel1,pixel2\n5,1,2.5,1e2\n9,-4,0.25,+3\n".utf8)), to: path)
        let (images, labels) = try CSVDigits.read(at: path, labelColumn: 0, scale: false)
        XCTAssertEqual(images.shape, [2, 3])
        XCTAssertEqual(images.scalars, [1, 2.5, 100, -4, 0.25, 3])
        XCTAssertEqual(labels.scalars(as: Int64.self), [5, 9])
    }

    func testSingleRowWithoutFinalNewline() throws {
        // Found by the fuzzer: a last line without "\n" once stepped past the end.
        let (images, labels) = try CSVDigits.decode(Array("\t\t\t2,2".utf8), source: "tabs", labelColumn: -1, scale: false)
        XCTAssertEqual(images.scalars, [2])
        XCTAssertEqual(labels.scalars(as: Int64.self), [2])
    }

    func testLabelInMiddleColumn() throws {
        let path = try makeTemporaryFolder(self) + "/middle.csv"
        try writeFile(Array("1,8,2\n3,6,4".utf8), to: path)
        let (images, labels) = try CSVDigits.read(at: path, labelColumn: 1, scale: false)
        XCTAssertEqual(images.scalars, [1, 2, 3, 4])
        XCTAssertEqual(labels.scalars(as: Int64.self), [8, 6])
    }

    func testRowOfWrongWidth() throws {
        let path = try makeTemporaryFolder(self) + "/ragged.csv"
        try writeFile(Array("1,2,3,0\n4,5,6,1\n7,8,1\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: -1), path: path,
                        mentions: "line 3 has 3 fields, expected 4 like line 1")
    }

    func testLabelThatIsNotAnInteger() throws {
        let path = try makeTemporaryFolder(self) + "/fractions.csv"
        try writeFile(Array("1,2,3\n4,5,6.5\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: -1), path: path,
                        mentions: "line 2, field 3: the label 6.5 is not an integer")
    }

    func testLabelsAboveFloatPrecisionStayExactAndPixelsBeyondFloatRangeAreRefused() throws {
        let path = try makeTemporaryFolder(self) + "/large.csv"
        // 16,777,217 = 2²⁴ + 1, the first integer a Float rounds (to 2²⁴).
        try writeFile(Array("16777217,1\n9007199254740992,2\n".utf8), to: path)
        let (_, labels) = try CSVDigits.read(at: path, labelColumn: 0, scale: false)
        XCTAssertEqual(labels.scalars(as: Int64.self), [16_777_217, 9_007_199_254_740_992])
        try writeFile(Array("1,2\n3,1e39\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path,
                        mentions: "line 2, field 2: 1e+39 is outside float32's range")
    }

    func testFieldThatIsNotANumber() throws {
        let path = try makeTemporaryFolder(self) + "/words.csv"
        try writeFile(Array("1,2,3\n4,five,6\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path,
                        mentions: "line 2, field 2: 'five' is not a finite number")
        // A first line that mixes numbers and words is a bad row, not a header.
        try writeFile(Array("1,x,3\n4,5,6\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path, mentions: "line 1, field 2: 'x'")
        try writeFile(Array("1,nan,3\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path, mentions: "'nan' is not a finite number")
        try writeFile(Array("1,,3\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path, mentions: "line 1, field 2: ''")
    }

    func testLabelColumnAndShapeMustFit() throws {
        let path = try makeTemporaryFolder(self) + "/small.csv"
        try writeFile(Array("1,2,3\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 3), path: path,
                        mentions: "label column 3 is outside rows of 3 fields")
        assertDataError(try CSVDigits.read(at: path, labelColumn: -4), path: path,
                        mentions: "label column -4 is outside rows of 3 fields")
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0, imageShape: [28, 28]), path: path,
                        mentions: "image shape [28, 28] does not match the 2 pixel columns")
    }

    func testFileWithoutRows() throws {
        let path = try makeTemporaryFolder(self) + "/header-only.csv"
        try writeFile(Array("label,pixel0\n\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path, mentions: "holds no data rows")
        try writeFile(Array("7\n".utf8), to: path)
        assertDataError(try CSVDigits.read(at: path, labelColumn: 0), path: path,
                        mentions: "line 1 has 1 field; a row needs a label and at least one pixel")
    }

    func testParseNumberEdgeCases() {
        func parse(_ text: String) -> Double? {
            Array(text.utf8).withUnsafeBufferPointer { CSVDigits.parseNumber($0) }
        }
        XCTAssertEqual(parse("255"), 255)
        XCTAssertEqual(parse(" 7 "), 7)
        XCTAssertEqual(parse("4294967296"), 4294967296)
        XCTAssertEqual(parse("-0.5"), -0.5)
        XCTAssertEqual(parse(".5"), 0.5)
        XCTAssertEqual(parse("5."), 5)
        XCTAssertEqual(parse("2E-1"), 0.2)
        for bad in ["", " ", "-", ".", "1e", "1e+", "0x10", "inf", "1,0", "1 2", "\"3\"", "1e999"] {
            XCTAssertNil(parse(bad), "'\(bad)' should not parse")
        }
    }
}
