/// Maps numbers in [0, 1] to colours, as matplotlib's colour maps.
public enum ColorMap: Sendable {
    /// matplotlib's "Greys", fastai's choice for digits: 0 white, 1 black.
    case greys
    /// matplotlib's "gray": 0 black, 1 white.
    case gray
    /// matplotlib's "viridis": dark blue through green to yellow.
    case viridis
    /// A diverging map for signed values such as weights: blue below the middle, white at it, red above.
    case blueRed

    /// The colour of `t`, clamped to [0, 1]; NaN is drawn as the map's middle colour.
    public func color(_ t: Double) -> Color {
        let t = t.isNaN ? 0.5 : min(max(t, 0), 1)
        switch self {
        case .greys: return Color(gray: 1 - t)
        case .gray: return Color(gray: t)
        case .viridis: return interpolate(ColorMap.viridisStops, t)
        case .blueRed: return interpolate(ColorMap.blueRedStops, t)
        }
    }

    private func interpolate(_ stops: [Color], _ t: Double) -> Color {
        let position = t * Double(stops.count - 1)
        let i = min(Int(position), stops.count - 2)
        let f = position - Double(i)
        let a = stops[i], b = stops[i + 1]
        return Color(red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f, blue: a.blue + (b.blue - a.blue) * f)
    }

    /// viridis at 0, 1/8, …, 1.
    private static let viridisStops: [Color] = [
        0x440154, 0x46327e, 0x365c8d, 0x277f8e, 0x1fa187, 0x4ac16d, 0xa0da39, 0xd0e11c, 0xfde725,
    ].map { Color(hex: $0) }
    private static let blueRedStops: [Color] = [0x2166ac, 0x67a9cf, 0xf7f7f7, 0xef8a62, 0xb2182b].map { Color(hex: $0) }
}

/// The values of a grid of numbers as colours, between `range`'s bounds.
func rasterImage(_ values: [Float], width: Int, height: Int, range: ClosedRange<Float>, colorMap: ColorMap) -> RasterImage {
    let span = range.upperBound - range.lowerBound
    var rgb = [UInt8]()
    rgb.reserveCapacity(values.count * 3)
    for value in values {
        let color = colorMap.color(span > 0 ? Double((value - range.lowerBound) / span) : 0).bytes
        rgb += [color.red, color.green, color.blue]
    }
    return RasterImage(width: width, height: height, rgb: rgb)
}

/// The smallest and largest finite values (0...1 when there are none; a constant gets ±0.5 around it).
func finiteRange(_ values: [Float]) -> ClosedRange<Float> {
    let finite = values.filter(\.isFinite)
    guard let low = finite.min(), let high = finite.max() else { return 0...1 }
    return colorSpan(low, high)
}

/// `low...high` as a colour range that spans something: equal or non-finite bounds
/// (a constant heat map, a range `1...1`) get ±0.5 around the value, or ±a millionth
/// of it where 0.5 is lost in its rounding (3e38 ± 0.5 is 3e38), clipped to finite Floats.
func colorSpan(_ low: Float, _ high: Float) -> ClosedRange<Float> {
    let largest = Double(Float.greatestFiniteMagnitude)
    let (low, high) = (max(Double(low), -largest), min(Double(high), largest))
    guard !(high > low) else { return Float(low)...Float(high) }
    let middle = low.isNaN ? 0 : low, spread = max(0.5, abs(middle) * 1e-6)
    return Float(max(middle - spread, -largest))...Float(min(middle + spread, largest))
}
