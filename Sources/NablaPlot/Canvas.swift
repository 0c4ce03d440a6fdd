/// How a line is stroked.
public struct Stroke: Equatable, Sendable {
    public var color: Color
    public var width: Double
    /// Dash and gap lengths in pixels; empty for a solid line.
    public var dash: [Double]
    public init(color: Color, width: Double = 1, dash: [Double] = []) {
        self.color = color; self.width = width; self.dash = dash
    }
}

/// Where a text's anchor point sits on the text.
enum TextAnchor { case start, middle, end }

/// A text's font size, weight, colour, alignment and rotation.
struct TextStyle: Equatable {
    var size: Double
    var bold = false
    var color = Color.black
    var anchor = TextAnchor.middle
    /// Vertical placement: the anchor point is at the text's vertical centre when true, on its baseline otherwise.
    var centeredVertically = true
    /// Rotation in quarter turns anticlockwise (1 for a y-axis label).
    var quarterTurns = 0
}

/// A small 8-bit RGB raster (a digit, a heat map's cells) drawn scaled into a rectangle, pixels kept sharp.
struct RasterImage: Equatable {
    let width: Int
    let height: Int
    /// `width * height` pixels, row by row, each red, green, blue.
    let rgb: [UInt8]

    /// This image, or every k-th pixel of it (nearest neighbour) with the smallest
    /// k that makes both sides at most `side`.
    func sampled(atMost side: Int) -> RasterImage {
        let step = (max(width, height) + side - 1) / side
        guard step > 1 else { return self }
        let (sampledWidth, sampledHeight) = ((width + step - 1) / step, (height + step - 1) / step)
        var pixels = [UInt8]()
        pixels.reserveCapacity(sampledWidth * sampledHeight * 3)
        for row in 0..<sampledHeight {
            for column in 0..<sampledWidth {
                let i = (row * step * width + column * step) * 3
                pixels += rgb[i..<(i + 3)]
            }
        }
        return RasterImage(width: sampledWidth, height: sampledHeight, rgb: pixels)
    }
}

/// One drawing operation. A picture is a list of these, which Cairo rasterises
/// to PNG and the SVG writer turns into SVG elements, so both files show the same thing.
enum DrawCommand {
    case polyline([Point], Stroke)
    case rect(Rect, fill: Color?, stroke: Stroke?)
    case circle(center: Point, radius: Double, fill: Color)
    case text(String, at: Point, style: TextStyle)
    case image(RasterImage, in: Rect)
    /// The commands drawn clipped to the rectangle.
    case clipped(Rect, [DrawCommand])
}

/// Records drawing commands in order; panels draw into it.
public struct Canvas {
    let width: Double
    let height: Double
    private(set) var commands: [DrawCommand] = []

    init(width: Double, height: Double) { self.width = width; self.height = height }

    mutating func add(_ command: DrawCommand) { commands.append(command) }

    /// Records what `body` draws, clipped to `rect`.
    mutating func clip(to rect: Rect, _ body: (inout Canvas) -> Void) {
        var inner = Canvas(width: width, height: height)
        body(&inner)
        commands.append(.clipped(rect, inner.commands))
    }

    mutating func line(_ from: Point, _ to: Point, _ stroke: Stroke) { add(.polyline([from, to], stroke)) }

    /// Records `string` at `point`, kept inside `bounds` along its direction (the
    /// canvas by default): no text leaves the picture (see ``fitted(_:at:_:within:)``).
    mutating func text(_ string: String, at point: Point, _ style: TextStyle, within bounds: ClosedRange<Double>? = nil) {
        guard !string.isEmpty,
              let (text, fittedStyle) = Canvas.fitted(string, at: point, style, within: bounds ?? 0...(style.quarterTurns % 2 == 0 ? width : height))
        else { return }
        add(.text(text, at: point, style: fittedStyle))
    }

    /// The smallest font size a text is shrunk to before it is cut.
    static let smallestFontSize = 7.0

    /// `string` and `style` as drawn at `point` inside `bounds` (x, or y for a turned
    /// text): unchanged when it fits; else its font shrunk to fit, down to
    /// ``smallestFontSize``, then cut with "…" (matplotlib lets a long title run off
    /// the figure: "et's mistakes (label → prediction): …, the fir"). Nil when no
    /// character fits.
    static func fitted(_ string: String, at point: Point, _ style: TextStyle,
                       within bounds: ClosedRange<Double>) -> (String, TextStyle)? {
        let position = style.quarterTurns % 2 == 0 ? point.x : point.y
        let room: Double
        switch style.anchor {
        case .middle: room = 2 * min(position - bounds.lowerBound, bounds.upperBound - position)
        case .start: room = style.quarterTurns % 2 == 0 ? bounds.upperBound - position : position - bounds.lowerBound
        case .end: room = style.quarterTurns % 2 == 0 ? position - bounds.lowerBound : bounds.upperBound - position
        }
        // A text anchored outside the bounds has no room at all.
        guard room > 0, bounds.contains(position) else { return nil }
        let width = CairoRenderer.textWidth(string, style)
        guard width > room else { return (string, style) }
        // Proportionally smaller, then a little more while hinting keeps it too wide.
        var smaller = style
        smaller.size = max(Canvas.smallestFontSize, style.size * room / width)
        while CairoRenderer.textWidth(string, smaller) > room && smaller.size > Canvas.smallestFontSize {
            smaller.size = max(Canvas.smallestFontSize, smaller.size * 0.97)
        }
        if CairoRenderer.textWidth(string, smaller) <= room { return (string, smaller) }
        // The longest prefix that fits with the ellipsis, by bisection (a title may be long).
        let characters = Array(string)
        func cut(_ count: Int) -> String { String(characters[..<count]) + "…" }
        var (fits, tooLong) = (0, characters.count)
        while tooLong - fits > 1 {
            let middle = (fits + tooLong) / 2
            if CairoRenderer.textWidth(cut(middle), smaller) <= room { fits = middle } else { tooLong = middle }
        }
        return fits > 0 || CairoRenderer.textWidth(cut(0), smaller) <= room ? (cut(fits), smaller) : nil
    }
}
