import CPNG
import CZlib
import Foundation
import XCTest
import Nabla
@testable import NablaData

/// Encodes 8-bit pixels in a libpng format (such as PNG_FORMAT_RGB) with libpng
/// itself, to make color test files independently of NablaData's writer.
func encodePNG(width: Int, height: Int, format: UInt32, pixels: [UInt8]) -> [UInt8] {
    var image = png_image()
    image.version = png_uint_32(PNG_IMAGE_VERSION)
    image.width = png_uint_32(width)
    image.height = png_uint_32(height)
    image.format = format
    let channels = pixels.count / (width * height)
    var size = 0
    var png = [UInt8](repeating: 0, count: 1 << 16)
    let ok = pixels.withUnsafeBytes { source in
        png.withUnsafeMutableBytes { out in
            size = out.count
            return png_image_write_to_memory(&image, out.baseAddress, &size, 0, source.baseAddress, png_int_32(width * channels), nil)
        }
    }
    precondition(ok != 0, "libpng could not encode the test image")
    return Array(png.prefix(size))
}

final class PNGImageTests: XCTestCase {
    func testGrayRoundTripIsExact() throws {
        let path = try makeTemporaryFolder(self) + "/gray.png"
        let levels = (0..<(7 * 5)).map { Float(($0 * 37) % 256) / 255 }
        let image = Tensor(shape: [7, 5], scalars: levels)
        try PNGImage.write(image, to: path)
        let back = try PNGImage.read(at: path)
        XCTAssertEqual(back.shape, [7, 5])
        XCTAssertEqual(back.scalars, levels)
        // The file is a real PNG: signature, then an IHDR with width 5, height 7, bit depth 8, gray.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(bytes[0..<8]), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        XCTAssertEqual(Array(bytes[12..<26]), Array("IHDR".utf8) + [0, 0, 0, 5, 0, 0, 0, 7, 8, 0])
    }

    func testWriteClampsAndNormalises() throws {
        let folder = try makeTemporaryFolder(self)
        let values = Tensor(shape: [1, 4], scalars: [-1, 0.5, 2, .nan])
        try PNGImage.write(values, to: folder + "/clamped.png")
        XCTAssertEqual(try PNGImage.read(at: folder + "/clamped.png").scalars, [0, 128 / 255, 1, 0])

        let weights = Tensor(shape: [2, 2], scalars: [-3, 1, 0, -1])
        try PNGImage.write(weights, to: folder + "/weights.png", normalization: .minMax)
        // -3 -> 0, 1 -> 255, 0 -> round(3/4 * 255) = 191, -1 -> round(2/4 * 255) = 128
        XCTAssertEqual(try PNGImage.read(at: folder + "/weights.png").scalars, [0, 1, 191 / 255, 128 / 255])

        try PNGImage.write(Tensor(shape: [1, 2], scalars: [4, 4]), to: folder + "/flat.png", normalization: .minMax)
        XCTAssertEqual(try PNGImage.read(at: folder + "/flat.png").scalars, [0, 0])
    }

    func testWriteReplacesAtomicallyAndRejectsBadShapes() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/image.png"
        try PNGImage.write(Tensor(shape: [1, 1], scalars: [1]), to: path)
        try PNGImage.write(Tensor(shape: [1, 2], scalars: [0, 1]), to: path)
        XCTAssertEqual(try PNGImage.read(at: path).shape, [1, 2])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["image.png"], "no temporary file left behind")

        assertDataError(try PNGImage.write(Tensor(shape: [2, 2, 2], scalars: Array(repeating: 0, count: 8)), to: path),
                        path: path, mentions: "a PNG needs a non-empty tensor of shape [height, width], got [2, 2, 2]")
        let unwritable = folder + "/no-such-folder/image.png"
        assertDataError(try PNGImage.write(Tensor(shape: [1, 1], scalars: [1]), to: unwritable),
                        path: unwritable, mentions: "cannot write")
    }

    /// Every kind of PNG decodes to the stored values, as Pillow reads them: 16-bit
    /// gray over 65535 (a gAMA chunk changes nothing), colour by Pillow's luma, alpha
    /// and tRNS dropped. libpng's simplified API read 32768 as 0.729 and RGBA gray 128
    /// with alpha 128 as 0.733, working in linear light.
    func testEveryKindOfPNGDecodesAsPillowReadsIt() throws {
        XCTAssertEqual(pillowPNGCases.count, 8)
        for testCase in pillowPNGCases {
            let bytes = [UInt8](Data(base64Encoded: testCase.base64)!)
            let image = try PNGImage.decode(bytes, source: testCase.name)
            XCTAssertEqual(image.shape, [testCase.height, testCase.width], testCase.name)
            XCTAssertEqual(image.scalars, testCase.levels.map { Float($0) / testCase.scale }, testCase.name)
        }
        let gray16 = try PNGImage.decode([UInt8](Data(base64Encoded: pillowPNGCases[0].base64)!), source: "gray16")
        XCTAssertEqual(gray16.scalars[3], 32768 / 65535)
        let rgba = try PNGImage.decode([UInt8](Data(base64Encoded: pillowPNGCases[5].base64)!), source: "rgba")
        XCTAssertEqual(rgba.scalars[0], 128 / 255)
    }

    func testNotAPNG() throws {
        let path = try makeTemporaryFolder(self) + "/notes.png"
        try writeFile(Array("just some text".utf8), to: path)
        assertDataError(try PNGImage.read(at: path), path: path, mentions: "not a PNG file")
    }

    func testTruncatedPNG() throws {
        let path = try makeTemporaryFolder(self) + "/cut.png"
        let whole = try PNGImage.encode(Tensor(shape: [16, 16], scalars: (0..<256).map { Float($0) / 255 }))
        try writeFile(Array(whole.prefix(whole.count - 30)), to: path)
        assertDataError(try PNGImage.read(at: path), path: path, mentions: "corrupt PNG: ")
        try writeFile(Array(whole.prefix(20)), to: path)
        assertDataError(try PNGImage.read(at: path), path: path, mentions: "corrupt PNG: ")
    }

    func testCorruptPNG() throws {
        let path = try makeTemporaryFolder(self) + "/flipped.png"
        var bytes = try PNGImage.encode(Tensor(shape: [16, 16], scalars: (0..<256).map { Float($0) / 255 }))
        bytes[bytes.count - 20] ^= 0xff  // inside the image data: its CRC no longer matches
        try writeFile(bytes, to: path)
        assertDataError(try PNGImage.read(at: path), path: path, mentions: "corrupt PNG: ")
    }

    func testHeaderClaimingHugeImageIsRefusedBeforeAllocating() throws {
        let path = try makeTemporaryFolder(self) + "/liar.png"
        var bytes = try PNGImage.encode(Tensor(shape: [2, 2], scalars: [0, 1, 1, 0]))
        // IHDR width and height (bytes 16..<24) become 100000 × 100000; fix the IHDR CRC so
        // libpng accepts the header and only the size check can stop it.
        let side: [UInt8] = [0x00, 0x01, 0x86, 0xa0]
        bytes.replaceSubrange(16..<24, with: side + side)
        let crc = crc32(Array(bytes[12..<29]))
        bytes.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 0xff), UInt8((crc >> 8) & 0xff), UInt8(crc & 0xff)])
        try writeFile(bytes, to: path)
        assertDataError(try PNGImage.read(at: path), path: path,
                        mentions: "the image is 100000×100000 = 10000000000 pixels, more than the limit of 178956970 (DataLimits.maximumImagePixels)")
        // A caller may raise the limit; the header still cannot promise more than its bytes hold.
        let raised = DataLimits(maximumImagePixels: 1 << 40)
        assertDataError(try PNGImage.read(at: path, limits: raised), path: path,
                        mentions: "corrupt PNG: the header declares 100000×100000 pixels, more than \(bytes.count) bytes of PNG data can hold")
    }

    /// Found by the fuzzer: an IHDR of 3485515776 × 3255631673 pixels overflowed
    /// width × height before any check. PNG allows 1 to 2^31-1 each way.
    func testDimensionsBeyondPNGsRangeAreRefusedWithoutOverflow() {
        let bytes: [UInt8] = PNGImage.signature + [0, 0, 0, 0x0d] + Array("IHDR".utf8)
            + [0xcf, 0xc0, 0xc0, 0x00, 0xc2, 0x0c, 0xff, 0x39, 0x39, 0x39, 0x01, 0x1a, 0x2a, 0x03, 0x19, 0xee]
        assertDataError(try PNGImage.decode(bytes, source: "wide.png"), path: "wide.png",
                        mentions: "corrupt PNG: the header declares 3485515776×3255631673 pixels; PNG allows 1 to 2^31-1 each way")
    }

    /// Found by the fuzzer in CI: a 79-byte PNG of 16777216×8 pixels at bit depth 0
    /// passed the raw-size bound (one byte per row) and made the reader probe a
    /// 512 MiB allocation before libpng refused the depth.
    func testInvalidBitDepthIsRefusedBeforeAllocating() {
        var header = PNGImage.signature + [0, 0, 0, 0x0d] + Array("IHDR".utf8)
        header += [0x01, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0]
        let png = header + chunk("IDAT", [0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 0x02, 0, 0x01]) + chunk("IEND", [])
        assertDataError(try PNGImage.decode(png, source: "depth0.png"), path: "depth0.png",
                        mentions: "corrupt PNG: the header declares bit depth 0 with colour type 0, which PNG does not allow")
        var rgb16 = header
        rgb16.replaceSubrange(24..<26, with: [16, 3])
        assertDataError(try PNGImage.decode(rgb16 + chunk("IEND", []), source: "palette16.png"), path: "palette16.png",
                        mentions: "bit depth 16 with colour type 3")
    }

    /// A 109 KB bomb declaring 30000×30000 used to take 4.3 GB: over the default
    /// pixel limit it is refused from its header alone.
    func testDecompressionBombIsRefusedByThePixelLimit() throws {
        let side = 30000
        let row = [UInt8](repeating: 0, count: side / 8 + 1)  // filter byte + 1-bit pixels
        var raw: [UInt8] = []
        raw.reserveCapacity(row.count * side)
        for _ in 0..<side { raw += row }
        let idat = try zlibCompressed(raw)
        var png = PNGImage.signature
        png += chunk("IHDR", bigEndian(UInt32(side)) + bigEndian(UInt32(side)) + [1, 0, 0, 0, 0])
        png += chunk("IDAT", idat) + chunk("IEND", [])
        XCTAssertLessThan(png.count, 200_000)
        assertDataError(try PNGImage.decode(png, source: "bomb.png"), path: "bomb.png",
                        mentions: "the image is 30000×30000 = 900000000 pixels, more than the limit")
    }
}

/// CRC-32 as PNG chunks use it (the bitwise textbook form; test files are tiny).
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xedb8_8320 : 0) }
    }
    return ~crc
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
}

/// A PNG chunk: length, type, data, CRC of type and data.
func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
}

/// zlib-compressed bytes (a PNG's IDAT payload), made with zlib's one-shot compress.
func zlibCompressed(_ bytes: [UInt8]) throws -> [UInt8] {
    var size = compressBound(uLong(bytes.count))
    var out = [UInt8](repeating: 0, count: Int(size))
    let status = compress2(&out, &size, bytes, uLong(bytes.count), 9)
    XCTAssertEqual(status, Z_OK)
    return Array(out.prefix(Int(size)))
}
