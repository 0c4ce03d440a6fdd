import Foundation

/// Writes drawing commands as SVG. Cairo's own SVG surface turns text into
/// glyph outlines; this writer keeps every title, label and tick as a `<text>`
/// element (searchable, selectable, read by screen readers) and embeds raster
/// images as PNGs that Cairo encodes.
enum SVGWriter {
    static func document(_ commands: [DrawCommand], width: Double, height: Double) throws -> String {
        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" \
        width="\(number(width))" height="\(number(height))" viewBox="0 0 \(number(width)) \(number(height))" \
        font-family="\(fontFamily), sans-serif">
        <rect width="100%" height="100%" fill="#ffffff"/>

        """
        var clipCount = 0
        try write(commands, into: &out, clipCount: &clipCount)
        out += "</svg>\n"
        return out
    }

    private static func write(_ commands: [DrawCommand], into out: inout String, clipCount: inout Int) throws {
        for command in commands {
            switch command {
            case let .polyline(points, stroke):
                let list = points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
                out += "<polyline points=\"\(list)\" fill=\"none\"\(attributes(stroke))/>\n"
            case let .rect(rect, fill, stroke):
                out += "<rect x=\"\(number(rect.x))\" y=\"\(number(rect.y))\" width=\"\(number(rect.width))\" height=\"\(number(rect.height))\""
                out += fill.map { fillAttributes($0) } ?? " fill=\"none\""
                out += stroke.map { attributes($0) } ?? ""
                out += "/>\n"
            case let .circle(center, radius, fill):
                out += "<circle cx=\"\(number(center.x))\" cy=\"\(number(center.y))\" r=\"\(number(radius))\"\(fillAttributes(fill))/>\n"
            case let .text(string, point, style):
                let anchor: String
                switch style.anchor {
                case .start: anchor = "start"
                case .middle: anchor = "middle"
                case .end: anchor = "end"
                }
                // The baseline where Cairo puts it (the text turns about its anchor point, as in Cairo).
                let baseline = style.centeredVertically ? CairoRenderer.baselineOffset(style) : 0
                var text = "<text x=\"\(number(point.x))\" y=\"\(number(point.y + baseline))\" font-size=\"\(number(style.size))\" text-anchor=\"\(anchor)\""
                if style.bold { text += " font-weight=\"bold\"" }
                if style.quarterTurns != 0 {
                    text += " transform=\"rotate(\(-90 * style.quarterTurns) \(number(point.x)) \(number(point.y)))\""
                }
                out += text + fillAttributes(style.color) + ">" + escaped(string) + "</text>\n"
            case let .image(full, rect):
                // Embedded at a whole multiple of its size near the size shown, pixels kept sharp, so that
                // viewers which smooth scaled images (ignoring image-rendering) still show crisp cells;
                // within Cairo's 32,767 pixels a side, as the PNG renderer draws it.
                let image = full.sampled(atMost: CairoRenderer.maximumSide)
                let fits = CairoRenderer.maximumSide / max(image.width, image.height)
                let factor = Double(max(1, min(32, fits, Int(max(rect.width / Double(image.width), rect.height / Double(image.height)).rounded(.up)))))
                let png = try CairoRenderer.png(
                    [.image(image, in: Rect(x: 0, y: 0, width: Double(image.width), height: Double(image.height)))],
                    width: Double(image.width), height: Double(image.height), scale: factor)
                out += "<image x=\"\(number(rect.x))\" y=\"\(number(rect.y))\" width=\"\(number(rect.width))\" height=\"\(number(rect.height))\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>\n"
            case let .clipped(rect, inner):
                clipCount += 1
                let id = "clip\(clipCount)"
                out += "<clipPath id=\"\(id)\"><rect x=\"\(number(rect.x))\" y=\"\(number(rect.y))\" width=\"\(number(rect.width))\" height=\"\(number(rect.height))\"/></clipPath>\n"
                out += "<g clip-path=\"url(#\(id))\">\n"
                try write(inner, into: &out, clipCount: &clipCount)
                out += "</g>\n"
            }
        }
    }

    private static func attributes(_ stroke: Stroke) -> String {
        var text = " stroke=\"\(stroke.color.hexString)\" stroke-width=\"\(number(stroke.width))\" stroke-linejoin=\"round\""
        if stroke.color.alpha < 1 { text += " stroke-opacity=\"\(number(stroke.color.alpha))\"" }
        if stroke.dash.isEmpty {
            text += " stroke-linecap=\"round\""
        } else {
            text += " stroke-dasharray=\"\(stroke.dash.map(number).joined(separator: ","))\""
        }
        return text
    }

    private static func fillAttributes(_ color: Color) -> String {
        " fill=\"\(color.hexString)\"" + (color.alpha < 1 ? " fill-opacity=\"\(number(color.alpha))\"" : "")
    }

    /// A coordinate with at most two decimals, without trailing zeros.
    private static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func escaped(_ string: String) -> String {
        var out = ""
        for character in string {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
