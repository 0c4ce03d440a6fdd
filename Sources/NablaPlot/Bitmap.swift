import Nabla
import CCairo

/// The pixels of a rendered picture or a decoded PNG, 8-bit RGB on white, for checking what a picture shows.
public struct Bitmap {
    public let width: Int
    public let height: Int
    private let rgb: [UInt8]

    /// Decodes PNG bytes (any PNG Cairo reads), compositing transparency onto white.
    ///
    /// - Throws: ``PlotError`` naming `source` when the bytes are not a PNG Cairo can read.
    public init(png bytes: [UInt8], source: String = "<png>") throws {
        final class Reader { var bytes: [UInt8]; var offset = 0; init(_ b: [UInt8]) { bytes = b } }
        let reader = Reader(bytes)
        let surface = cairo_image_surface_create_from_png_stream({ closure, data, length in
            let reader = Unmanaged<Reader>.fromOpaque(closure!).takeUnretainedValue()
            let count = Int(length)
            guard reader.offset + count <= reader.bytes.count else { return CAIRO_STATUS_READ_ERROR }
            reader.bytes.withUnsafeBufferPointer { data!.update(from: $0.baseAddress! + reader.offset, count: count) }
            reader.offset += count
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(reader).toOpaque())!
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError("\(source): not a readable PNG (\(String(cString: cairo_status_to_string(status))))")
        }
        self.init(surface: surface)
    }

    /// Reads a Cairo image surface (ARGB32 or RGB24), flattening onto white.
    init(surface: OpaquePointer) {
        cairo_surface_flush(surface)
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let hasAlpha = cairo_image_surface_get_format(surface) == CAIRO_FORMAT_ARGB32
        let data = cairo_image_surface_get_data(surface)!
        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        for row in 0..<height {
            let line = UnsafeRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
            for column in 0..<width {
                let pixel = line[column]
                // Premultiplied: on white, each channel is c + (255 − alpha).
                let missing = hasAlpha ? 255 - Int(pixel >> 24) : 0
                let i = (row * width + column) * 3
                rgb[i] = UInt8(min(255, Int((pixel >> 16) & 0xFF) + missing))
                rgb[i + 1] = UInt8(min(255, Int((pixel >> 8) & 0xFF) + missing))
                rgb[i + 2] = UInt8(min(255, Int(pixel & 0xFF) + missing))
            }
        }
        self.rgb = rgb
    }

    /// The colour at column `x`, row `y` (0, 0 is the top left).
    public subscript(x: Int, y: Int) -> Color {
        require(x >= 0 && x < width && y >= 0 && y < height,
                     "Bitmap: pixel (\(x), \(y)) is outside the \(width)×\(height) picture")
        let i = (y * width + x) * 3
        return Color(red: Double(rgb[i]) / 255, green: Double(rgb[i + 1]) / 255, blue: Double(rgb[i + 2]) / 255)
    }
}
