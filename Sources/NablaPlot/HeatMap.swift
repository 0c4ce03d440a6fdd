import Nabla

/// A matrix drawn as coloured cells with a colour bar, as matplotlib's `imshow`
/// with `colorbar()`; with ``showsValues`` each cell also prints its number, as the
/// book's pandas `background_gradient` does.
///
/// ```swift
/// let map = HeatMap(mean3[4..<15, 4..<22] * 255, title: "The mean 3", showsValues: true, decimals: 0)
/// try map.write(to: "mean3-cells.png")
/// console.show(map)
/// ```
public struct HeatMap: Panel {
    public let rows: Int
    public let columns: Int
    /// The values, row by row.
    public let values: [Float]
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var colorMap: ColorMap
    /// The values at the two ends of the colour map; nil spans the finite values.
    public var range: ClosedRange<Float>?
    /// Prints each cell's value in it.
    public var showsValues: Bool
    /// Decimals of the printed values; nil prints whole numbers when every value is one, else two decimals.
    public var decimals: Int?
    /// The colour bar's label.
    public var colorBarLabel: String

    /// A heat map of a matrix (`[rows, columns]`).
    public init(_ matrix: Tensor, title: String = "", xLabel: String = "", yLabel: String = "",
                colorMap: ColorMap = .greys, range: ClosedRange<Float>? = nil, showsValues: Bool = false,
                decimals: Int? = nil, colorBarLabel: String = "") {
        require(matrix.rank == 2, "HeatMap: expected a matrix [rows, columns], got shape \(matrix.shape)")
        require(matrix.scalarCount > 0, "HeatMap: the matrix of shape \(matrix.shape) is empty")
        rows = matrix.shape[0]
        columns = matrix.shape[1]
        values = matrix.scalars
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.colorMap = colorMap; self.range = range; self.showsValues = showsValues
        self.decimals = decimals; self.colorBarLabel = colorBarLabel
    }

    /// The range the colours span.
    var colorRange: ClosedRange<Float> { range.map { colorSpan($0.lowerBound, $0.upperBound) } ?? finiteRange(values) }

    /// `value` as the cells print it.
    func formatted(_ value: Float) -> String {
        let places = decimals ?? (values.allSatisfy { $0 == $0.rounded() } ? 0 : 2)
        return value.isFinite ? formatNumber(Double(value), decimals: places) : String(describing: value)
    }

    /// The rectangle of the cells and of the colour bar in `frame`.
    func layout(in frame: Rect) -> (cells: Rect, colorBar: Rect) {
        let tickStyle = TextStyle(size: FontSize.tick)
        let barAxis = Axis(lower: Double(colorRange.lowerBound), upper: Double(colorRange.upperBound))
        let barLabelWidth = barAxis.tickLabels(barAxis.ticks()).map { CairoRenderer.textWidth($0, tickStyle) }.max() ?? 0
        let rowLabelWidth = CairoRenderer.textWidth(String(rows - 1), tickStyle)
        let area = frame.inset(left: 8 + (yLabel.isEmpty ? 0 : 20) + rowLabelWidth + 8, top: title.isEmpty ? 10 : 32,
                               right: 12 + 14 + 6 + barLabelWidth + (colorBarLabel.isEmpty ? 0 : 20),
                               bottom: 8 + 16 + (xLabel.isEmpty ? 0 : 18))
        // Square cells, centred.
        let cell = min(area.width / Double(columns), area.height / Double(rows))
        let cells = Rect(x: area.x + (area.width - cell * Double(columns)) / 2, y: area.y,
                         width: cell * Double(columns), height: cell * Double(rows))
        return (cells, Rect(x: cells.maxX + 12, y: cells.y, width: 14, height: cells.height))
    }

    public func draw(in frame: Rect, on canvas: inout Canvas) {
        _ = drawTitle(title, in: frame, on: &canvas)
        let (cells, bar) = layout(in: frame)
        let range = colorRange
        canvas.add(.image(rasterImage(values, width: columns, height: rows, range: range, colorMap: colorMap), in: cells))
        let tickStyle = TextStyle(size: FontSize.tick)
        let cellWidth = cells.width / Double(columns), cellHeight = cells.height / Double(rows)
        if showsValues {
            // The widest number fills at most 90% of a cell.
            let widest = values.map { CairoRenderer.textWidth(formatted($0), TextStyle(size: FontSize.tick)) }.max() ?? 1
            let size = min(FontSize.tick, cellHeight * 0.6, FontSize.tick * cellWidth * 0.9 / max(widest, 1))
            let span = range.upperBound - range.lowerBound
            for row in 0..<rows {
                for column in 0..<columns {
                    let value = values[row * columns + column]
                    let t = span > 0 ? Double((value - range.lowerBound) / span) : 0
                    let background = colorMap.color(t)
                    canvas.text(formatted(value), at: Point(cells.x + (Double(column) + 0.5) * cellWidth, cells.y + (Double(row) + 0.5) * cellHeight),
                                TextStyle(size: size, color: background.luminance < 0.5 ? .white : .black))
                }
            }
        }
        canvas.add(.rect(cells, fill: nil, stroke: Stroke(color: .black, width: 1)))
        // Index ticks along both sides, at nice steps.
        let columnAxis = Axis(lower: 0, upper: Double(columns - 1))
        for tick in columns > 1 ? columnAxis.ticks() : [0] {
            canvas.text(String(Int(tick)), at: Point(cells.x + (tick + 0.5) * cellWidth, cells.maxY + 10), tickStyle)
        }
        let rowAxis = Axis(lower: 0, upper: Double(rows - 1))
        for tick in rows > 1 ? rowAxis.ticks() : [0] {
            canvas.text(String(Int(tick)), at: Point(cells.x - 6, cells.y + (tick + 0.5) * cellHeight), TextStyle(size: FontSize.tick, anchor: .end))
        }
        canvas.text(xLabel, at: Point(cells.x + cells.width / 2, cells.maxY + 30), TextStyle(size: FontSize.label),
                    within: (frame.x + 4)...(frame.maxX - 4))
        canvas.text(yLabel, at: Point(frame.x + 16, cells.y + cells.height / 2), TextStyle(size: FontSize.label, quarterTurns: 1),
                    within: (frame.y + 4)...(frame.maxY - 4))
        drawColorBar(in: bar, range: range, on: &canvas)
    }

    private func drawColorBar(in bar: Rect, range: ClosedRange<Float>, on canvas: inout Canvas) {
        let steps = 256
        // Top row is the largest value.
        let ramp = (0..<steps).map { range.upperBound - (range.upperBound - range.lowerBound) * Float($0) / Float(steps - 1) }
        canvas.add(.image(rasterImage(ramp, width: 1, height: steps, range: range, colorMap: colorMap), in: bar))
        canvas.add(.rect(bar, fill: nil, stroke: Stroke(color: .black, width: 1)))
        let axis = Axis(lower: Double(range.lowerBound), upper: Double(range.upperBound))
        let ticks = axis.ticks()
        var labelRight = bar.maxX
        for (tick, text) in zip(ticks, axis.tickLabels(ticks)) {
            let y = axis.map(tick, from: bar.maxY, to: bar.y)
            canvas.line(Point(bar.maxX, y), Point(bar.maxX + 4, y), Stroke(color: .black, width: 1))
            canvas.text(text, at: Point(bar.maxX + 6, y), TextStyle(size: FontSize.tick, anchor: .start))
            labelRight = max(labelRight, bar.maxX + 6 + CairoRenderer.textWidth(text, TextStyle(size: FontSize.tick)))
        }
        canvas.text(colorBarLabel, at: Point(labelRight + 12, bar.y + bar.height / 2), TextStyle(size: FontSize.label, quarterTurns: 1))
    }
}
