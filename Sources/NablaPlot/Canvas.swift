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

    mutating func text(_ string: String, at point: Point, _ style: TextStyle) {
        if !string.isEmpty { add(.text(string, at: point, style: style)) }
    }
}
