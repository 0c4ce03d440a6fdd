import CCairo
import Foundation
import NablaData

/// The font of every text: DejaVu Sans from fonts-dejavu-core, found by Cairo through fontconfig.
let fontFamily = "DejaVu Sans"

/// Rasterises drawing commands with Cairo.
enum CairoRenderer {
    /// The most pixels a Cairo image surface has on a side.
    static let maximumSide = 32_767

    /// Draws `commands` on a white image surface of `width × height` pixels,
    /// everything scaled by `scale` (2 for a high-density picture).
    private static func surface(_ commands: [DrawCommand], width: Double, height: Double, scale: Double) throws -> OpaquePointer {
        let pixelWidth = Int32((width * scale).rounded(.up)), pixelHeight = Int32((height * scale).rounded(.up))
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pixelWidth, pixelHeight),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw PlotError("Cairo cannot make a \(pixelWidth)×\(pixelHeight) image surface")
        }
        let context = cairo_create(surface)!
        defer { cairo_destroy(context) }
        cairo_scale(context, scale, scale)
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        draw(commands, on: context)
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw PlotError("Cairo failed while drawing: \(String(cString: cairo_status_to_string(status)))")
        }
        cairo_surface_flush(surface)
        return surface
    }

    /// The PNG bytes of the picture `commands` draw.
    static func png(_ commands: [DrawCommand], width: Double, height: Double, scale: Double) throws -> [UInt8] {
        let surface = try self.surface(commands, width: width, height: height, scale: scale)
        defer { cairo_surface_destroy(surface) }
        return try pngBytes(of: surface)
    }

    /// The pixels of the picture `commands` draw.
    static func bitmap(_ commands: [DrawCommand], width: Double, height: Double, scale: Double) throws -> Bitmap {
        let surface = try self.surface(commands, width: width, height: height, scale: scale)
        defer { cairo_surface_destroy(surface) }
        return Bitmap(surface: surface)
    }

    private static func pngBytes(of surface: OpaquePointer) throws -> [UInt8] {
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        let status = cairo_surface_write_to_png_stream(surface, { closure, data, length in
            let sink = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque())
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError("Cairo cannot encode the PNG: \(String(cString: cairo_status_to_string(status)))")
        }
        return sink.bytes
    }

    private static func draw(_ commands: [DrawCommand], on context: OpaquePointer) {
        for command in commands {
            switch command {
            case let .polyline(points, stroke):
                guard let first = points.first else { continue }
                cairo_move_to(context, first.x, first.y)
                for point in points.dropFirst() { cairo_line_to(context, point.x, point.y) }
                apply(stroke, to: context)
                cairo_stroke(context)
            case let .rect(rect, fill, stroke):
                cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
                if let fill {
                    setColor(fill, on: context)
                    stroke == nil ? cairo_fill(context) : cairo_fill_preserve(context)
                }
                if let stroke {
                    apply(stroke, to: context)
                    cairo_stroke(context)
                }
            case let .circle(center, radius, fill):
                cairo_new_sub_path(context)
                cairo_arc(context, center.x, center.y, radius, 0, 2 * Double.pi)
                setColor(fill, on: context)
                cairo_fill(context)
            case let .text(string, point, style):
                drawText(string, at: point, style, on: context)
            case let .image(image, rect):
                drawImage(image, in: rect, on: context)
            case let .clipped(rect, inner):
                cairo_save(context)
                cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
                cairo_clip(context)
                draw(inner, on: context)
                cairo_restore(context)
            }
        }
    }

    private static func setColor(_ color: Color, on context: OpaquePointer) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }

    private static func apply(_ stroke: Stroke, to context: OpaquePointer) {
        setColor(stroke.color, on: context)
        cairo_set_line_width(context, stroke.width)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, stroke.dash.isEmpty ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT)
        cairo_set_dash(context, stroke.dash, Int32(stroke.dash.count), 0)
    }

    private static func selectFont(_ style: TextStyle, on context: OpaquePointer) {
        cairo_select_font_face(context, fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               style.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, style.size)
    }

    private static func drawText(_ string: String, at point: Point, _ style: TextStyle, on context: OpaquePointer) {
        cairo_save(context)
        selectFont(style, on: context)
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, string, &extents)
        var font = cairo_font_extents_t()
        cairo_font_extents(context, &font)
        cairo_translate(context, point.x, point.y)
        cairo_rotate(context, -Double(style.quarterTurns) * Double.pi / 2)
        let dx: Double
        switch style.anchor {
        case .start: dx = 0
        case .middle: dx = -extents.x_advance / 2
        case .end: dx = -extents.x_advance
        }
        let dy = style.centeredVertically ? verticalCenterOffset(font) : 0
        cairo_move_to(context, dx, dy)
        setColor(style.color, on: context)
        cairo_show_text(context, string)
        cairo_restore(context)
    }

    private static func drawImage(_ image: RasterImage, in rect: Rect, on context: OpaquePointer) {
        guard image.width > 0, image.height > 0, rect.width > 0, rect.height > 0 else { return }
        // Cairo's image surfaces stop at 32,767 pixels a side (an ImageGrid of a
        // 1×100000 image crashed): a larger image is drawn from every k-th pixel,
        // which a picture of at most 16,384 pixels a side cannot tell apart.
        let image = image.sampled(atMost: maximumSide)
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(image.width)))
        guard let source = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(image.width), Int32(image.height)) else { return }
        defer { cairo_surface_destroy(source) }
        cairo_surface_flush(source)
        let data = cairo_image_surface_get_data(source)!
        for row in 0..<image.height {
            let line = (data + row * stride).withMemoryRebound(to: UInt32.self, capacity: image.width) { $0 }
            for column in 0..<image.width {
                let i = (row * image.width + column) * 3
                line[column] = UInt32(image.rgb[i]) << 16 | UInt32(image.rgb[i + 1]) << 8 | UInt32(image.rgb[i + 2])
            }
        }
        cairo_surface_mark_dirty(source)
        cairo_save(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        cairo_translate(context, rect.x, rect.y)
        cairo_scale(context, rect.width / Double(image.width), rect.height / Double(image.height))
        cairo_set_source_surface(context, source, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(context), CAIRO_FILTER_NEAREST)
        cairo_paint(context)
        cairo_restore(context)
    }

    /// The width of `string` in pixels when drawn with `style`, for laying out labels.
    static func textWidth(_ string: String, _ style: TextStyle) -> Double {
        measuringContext.withLock { context in
            selectFont(style, on: context)
            var extents = cairo_text_extents_t()
            cairo_text_extents(context, string, &extents)
            return extents.x_advance
        }
    }

    /// How far below a text's vertical centre its baseline lies.
    private static func verticalCenterOffset(_ font: cairo_font_extents_t) -> Double { (font.ascent - font.descent) / 2 }

    /// ``verticalCenterOffset(_:)`` for `style`, so that the SVG writer places text where Cairo does.
    static func baselineOffset(_ style: TextStyle) -> Double {
        measuringContext.withLock { context in
            selectFont(style, on: context)
            var font = cairo_font_extents_t()
            cairo_font_extents(context, &font)
            return verticalCenterOffset(font)
        }
    }

    /// A 1×1 surface's context that only measures text; measuring takes a lock because a Cairo context is not thread-safe.
    private static let measuringContext = LockedContext()
}

/// A Cairo context behind a lock.
private final class LockedContext: @unchecked Sendable {
    private let lock = NSLock()
    private let context: OpaquePointer

    init() {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        context = cairo_create(surface)!
        cairo_surface_destroy(surface)  // The context keeps its own reference.
    }

    func withLock<R>(_ body: (OpaquePointer) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(context)
    }
}

/// A picture cannot be drawn or written; the message names what and why.
public struct PlotError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
