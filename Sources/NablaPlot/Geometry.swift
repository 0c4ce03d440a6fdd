/// A point in a figure's pixel space: x to the right, y downwards, as Cairo and SVG have it.
public struct Point: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// A rectangle in pixel space.
public struct Rect: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }

    /// The rectangle shrunk by the given margins (never below zero size).
    func inset(left: Double, top: Double, right: Double, bottom: Double) -> Rect {
        Rect(x: x + left, y: y + top, width: max(0, width - left - right), height: max(0, height - top - bottom))
    }
}

/// An sRGB colour with opacity, each component in [0, 1].
public struct Color: Equatable, Sendable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red; self.green = green; self.blue = blue; self.alpha = alpha
    }

    /// A colour from a 24-bit `0xRRGGBB` value.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    /// A gray level: 0 is black, 1 white.
    public init(gray: Double) { self.init(red: gray, green: gray, blue: gray) }

    public static let black = Color(gray: 0)
    public static let white = Color(gray: 1)

    /// matplotlib's default cycle ("tab10"), which fastai's pictures use: series `i` gets `palette[i % 10]`.
    public static let palette: [Color] = [
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    ].map { Color(hex: $0) }

    /// The colour as `#rrggbb`, for SVG.
    var hexString: String {
        func byte(_ v: Double) -> String {
            let text = String(Int((min(max(v, 0), 1) * 255).rounded()), radix: 16)
            return text.count == 1 ? "0" + text : text
        }
        return "#" + byte(red) + byte(green) + byte(blue)
    }

    /// Relative luminance (Rec. 709 weights), to pick black or white text on the colour.
    var luminance: Double { 0.2126 * red + 0.7152 * green + 0.0722 * blue }

    /// The colour's 8-bit components, for raster images and the terminal.
    var bytes: (red: UInt8, green: UInt8, blue: UInt8) {
        func byte(_ v: Double) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
        return (byte(red), byte(green), byte(blue))
    }
}
