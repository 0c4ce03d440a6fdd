#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NablaNN

/// How pictures are drawn as text.
public enum TerminalStyle: Sendable {
    /// Braille dots for curves, half blocks for images, in ANSI 256 colours.
    case color
    /// Plain ASCII characters: a marker per series, a ramp of characters for gray levels.
    case plain

    /// ``color`` on an interactive terminal that is not `TERM=dumb`, when `NO_COLOR` is not set; ``plain`` otherwise.
    public static func detect(for console: Console) -> TerminalStyle {
        guard console.isTerminal, getenv("NO_COLOR") == nil else { return .plain }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return .plain }
        return .color
    }
}

extension Console {
    /// Writes a panel as text, in the style that suits this console (see ``TerminalStyle/detect(for:)``).
    public func show(_ panel: any Panel, width: Int = 72, height: Int = 16, style: TerminalStyle? = nil) {
        for line in panel.terminalLines(width: width, height: height, style: style ?? .detect(for: self)) { writeLine(line) }
    }

    /// Writes a figure's title and each of its panels as text, one below the other.
    public func show(_ figure: Figure, width: Int = 72, height: Int = 16, style: TerminalStyle? = nil) {
        if !figure.title.isEmpty { writeLine(centered(figure.title, width: width)) }
        for panel in figure.panels { show(panel, width: width, height: height, style: style) }
    }
}

/// ANSI escape sequences for 256-colour terminals.
enum ANSI {
    static let reset = "\u{1B}[0m"

    /// The nearest entry of the 256-colour palette: the gray ramp (232–255) for grays, the 6×6×6 cube otherwise.
    static func index(_ color: Color) -> Int {
        let (r, g, b) = color.bytes
        if r == g && g == b {
            if r < 8 { return 16 }
            if r > 248 { return 231 }
            return 232 + Int((Double(r) - 8) / 247 * 24).clamped(0, 23)
        }
        func level(_ v: UInt8) -> Int { Int((Double(v) / 255 * 5).rounded()) }
        return 16 + 36 * level(r) + 6 * level(g) + level(b)
    }

    static func foreground(_ color: Color) -> String { "\u{1B}[38;5;\(index(color))m" }
    static func background(_ color: Color) -> String { "\u{1B}[48;5;\(index(color))m" }
}

extension Comparable {
    func clamped(_ low: Self, _ high: Self) -> Self { min(max(self, low), high) }
}

/// The largest terminal picture, in columns and in lines: far wider than any
/// screen, small enough that the braille dots of a plot (8 per cell) stay small.
public let maximumTerminalSize = 10_000

/// Fails naming `panel` unless `width` and `height` are in `1...maximumTerminalSize`.
func requireTerminalSize(width: Int, height: Int, _ panel: String) {
    require((1...maximumTerminalSize).contains(width) && (1...maximumTerminalSize).contains(height),
            "\(panel).terminalLines: \(width)×\(height) characters is outside 1...\(maximumTerminalSize) in either direction")
}

/// `text` centred in `width` columns (cut when longer).
func centered(_ text: String, width: Int) -> String {
    let cut = String(text.prefix(width))
    return String(repeating: " ", count: max(0, (width - cut.count) / 2)) + cut
}

private func padLeft(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// Characters from light to dark ink, for gray levels in plain text.
private let inkRamp = Array(" .:-=+*#%@")
/// The marker of each series in plain text.
private let plainMarkers = Array("*o+x#@%&")

/// The character cell of ink level `t` in plain text.
private func inkCharacter(_ t: Double) -> Character {
    inkRamp[Int((t.isNaN ? 0 : t.clamped(0, 1)) * Double(inkRamp.count - 1) + 0.5)]
}

extension Plot {
    public func terminalLines(width: Int, height: Int, style: TerminalStyle) -> [String] {
        requireTerminalSize(width: width, height: height, "Plot")
        let (xAxis, yAxis) = axes()
        let rows = max(3, height)
        // Nice ticks, as in the picture, about one per three rows, each on the row nearest its value.
        let yTickCount = max(2, rows / 3)
        let yTicks = yAxis.ticks(about: yTickCount)
        var rowLabels = [Int: String]()
        for (tick, text) in zip(yTicks, yAxis.tickLabels(yTicks, about: yTickCount)) {
            rowLabels[Int(yAxis.map(tick, from: Double(rows - 1), to: 0).rounded())] = text
        }
        let labelWidth = rowLabels.values.map(\.count).max() ?? 0
        let columns = max(8, width - labelWidth - 2)
        // Dots per cell: braille has 2 × 4; plain text one.
        let (dotsX, dotsY) = style == .color ? (2, 4) : (1, 1)
        let (dotWidth, dotHeight) = (columns * dotsX, rows * dotsY)
        var dots = [Int](repeating: -1, count: dotWidth * dotHeight)  // series index per dot
        func dot(_ x: Double, _ y: Double) -> (Int, Int)? {
            guard x.isFinite, y.isFinite else { return nil }
            let px = Int(xAxis.map(x, from: 0, to: Double(dotWidth - 1)).rounded())
            let py = Int(yAxis.map(y, from: Double(dotHeight - 1), to: 0).rounded())
            return (px, py)
        }
        func set(_ px: Int, _ py: Int, _ index: Int) {
            if px >= 0, px < dotWidth, py >= 0, py < dotHeight { dots[py * dotWidth + px] = index }
        }
        for (index, s) in series.enumerated() {
            var previous: (Int, Int)?
            let joined: Bool
            switch s.style { case .scatter: joined = false; default: joined = true }
            for (x, y) in zip(s.x, s.y) {
                guard let point = dot(x, y) else { previous = nil; continue }
                if joined, let from = previous {
                    // Bresenham's line between consecutive points.
                    var (x0, y0) = from
                    let (dx, dy) = (abs(point.0 - x0), -abs(point.1 - y0))
                    let (sx, sy) = (x0 < point.0 ? 1 : -1, y0 < point.1 ? 1 : -1)
                    var error = dx + dy
                    while true {
                        set(x0, y0, index)
                        if x0 == point.0 && y0 == point.1 { break }
                        let e2 = 2 * error
                        if e2 >= dy { error += dy; x0 += sx }
                        if e2 <= dx { error += dx; y0 += sy }
                    }
                } else {
                    set(point.0, point.1, index)
                }
                previous = point
            }
        }
        var lines: [String] = []
        if !title.isEmpty { lines.append(centered(title, width: width)) }
        for row in 0..<rows {
            var line = padLeft(rowLabels[row] ?? "", labelWidth) + (style == .color ? " ┤" : " |")
            for column in 0..<columns {
                if style == .plain {
                    let index = dots[row * columns + column]
                    line.append(index < 0 ? " " : plainMarkers[index % plainMarkers.count])
                    continue
                }
                // Braille: bit of dot (dx, dy) in the cell.
                let bits = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
                var pattern = 0, owner = -1
                for dy in 0..<4 {
                    for dx in 0..<2 {
                        let index = dots[(row * 4 + dy) * dotWidth + column * 2 + dx]
                        if index >= 0 { pattern |= bits[dy][dx]; owner = index }
                    }
                }
                if owner < 0 {
                    line += " "
                } else {
                    line += ANSI.foreground(color(ofSeries: owner)) + String(UnicodeScalar(0x2800 + pattern)!) + ANSI.reset
                }
            }
            lines.append(line)
        }
        let indent = String(repeating: " ", count: labelWidth + 1)
        lines.append(indent + (style == .color ? "└" + String(repeating: "─", count: columns) : "+" + String(repeating: "-", count: columns)))
        // x tick labels centred under their columns, about one per 12 columns, none overlapping another.
        let xTickCount = max(2, columns / 12)
        let xTicks = xAxis.ticks(about: xTickCount)
        var axisLine = Array(repeating: Character(" "), count: columns + 2)
        var free = 0
        for (tick, text) in zip(xTicks, xAxis.tickLabels(xTicks, about: xTickCount)) {
            let center = 1 + Int(xAxis.map(tick, from: 0, to: Double(columns - 1)).rounded())
            let start = min(max(center - text.count / 2, free), axisLine.count - text.count)
            guard start >= free else { continue }
            for (offset, character) in text.enumerated() { axisLine[start + offset] = character }
            free = start + text.count + 1
        }
        lines.append(indent + String(axisLine))
        if !xLabel.isEmpty { lines.append(indent + centered(xLabel, width: columns)) }
        var legendLine = yLabel.isEmpty ? "" : "y: \(yLabel)"
        for (index, s) in series.enumerated() {
            guard let label = s.label, legend != .hidden else { continue }
            let key = style == .color ? ANSI.foreground(color(ofSeries: index)) + "━━" + ANSI.reset : String(plainMarkers[index % plainMarkers.count])
            legendLine += (legendLine.isEmpty ? "" : "   ") + key + " " + label
        }
        if !legendLine.isEmpty { lines.append(indent + legendLine) }
        return lines
    }
}

/// Text rows of an image: half blocks (two pixel rows per line) in colour, or one ink character per pixel
/// and two pixel rows per line in plain text. `t(row, column)` is the colour-map position of a pixel.
private func imageRows(width: Int, height: Int, colorMap: ColorMap, style: TerminalStyle,
                       _ t: (Int, Int) -> Double) -> [String] {
    stride(from: 0, to: height, by: 2).map { row in
        var line = ""
        var previous: (Int, Int)?
        for column in 0..<width {
            let upper = t(row, column), lower = row + 1 < height ? t(row + 1, column) : .nan
            if style == .plain {
                line.append(inkCharacter(lower.isNaN ? upper : (upper + lower) / 2))
                continue
            }
            let colors = (ANSI.index(colorMap.color(upper)), ANSI.index(lower.isNaN ? Color.white : colorMap.color(lower)))
            // Escapes only where the colours change keep a 28-pixel row short.
            if previous.map({ $0 != colors }) ?? true { line += "\u{1B}[38;5;\(colors.0);48;5;\(colors.1)m" }
            previous = colors
            line += "▀"
        }
        return style == .plain ? line : line + ANSI.reset
    }
}

extension ImageGrid {
    public func terminalLines(width: Int, height: Int, style: TerminalStyle) -> [String] {
        requireTerminalSize(width: width, height: height, "ImageGrid")
        // Every `step`-th pixel, so that an image fits the width.
        let step = max(1, (imageWidth + width - 1) / max(width, 1))
        let (shownWidth, shownHeight) = ((imageWidth + step - 1) / step, (imageHeight + step - 1) / step)
        let perRow = max(1, min(columns ?? images.count, (width + 1) / (shownWidth + 1)))
        let span = Double(range.upperBound - range.lowerBound)
        var lines: [String] = []
        if !title.isEmpty { lines.append(centered(title, width: width)) }
        for first in stride(from: 0, to: images.count, by: perRow) {
            let members = Array(first..<min(first + perRow, images.count))
            let blocks = members.map { i in
                imageRows(width: shownWidth, height: shownHeight, colorMap: colorMap, style: style) { row, column in
                    span > 0 ? (Double(images[i][row * step * imageWidth + column * step]) - Double(range.lowerBound)) / span : 0
                }
            }
            for line in blocks[0].indices { lines.append(blocks.map { $0[line] }.joined(separator: " ")) }
            let captionLine = members.map { i -> String in
                let caption = i < captions.count ? String(captions[i].prefix(shownWidth)) : ""
                let text = centered(caption, width: shownWidth)
                return text + String(repeating: " ", count: shownWidth - text.count)
            }.joined(separator: " ")
            if captionLine.contains(where: { $0 != " " }) { lines.append(captionLine) }
        }
        return lines
    }
}

extension HeatMap {
    /// With ``showsValues``, each cell's number on its colour (plain text: the numbers alone);
    /// otherwise the cells as an image.
    public func terminalLines(width: Int, height: Int, style: TerminalStyle) -> [String] {
        requireTerminalSize(width: width, height: height, "HeatMap")
        let range = colorRange
        let span = range.upperBound - range.lowerBound
        func t(_ value: Float) -> Double { span > 0 ? Double((value - range.lowerBound) / span) : 0 }
        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        guard showsValues else {
            lines += imageRows(width: columns, height: rows, colorMap: colorMap, style: style) { row, column in
                t(values[row * columns + column])
            }
            lines.append("\(formatted(range.lowerBound)) … \(formatted(range.upperBound))")
            return lines
        }
        let cellWidth = (values.map { formatted($0).count }.max() ?? 1) + 1
        for row in 0..<rows {
            var line = ""
            for column in 0..<columns {
                let value = values[row * columns + column]
                let cell = padLeft(formatted(value), cellWidth)
                if style == .plain { line += cell; continue }
                let background = colorMap.color(t(value))
                line += ANSI.background(background) + ANSI.foreground(background.luminance < 0.5 ? .white : .black) + cell
            }
            lines.append(style == .plain ? line : line + ANSI.reset)
        }
        return lines
    }
}
