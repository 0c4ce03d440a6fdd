import Nabla
/// How a series is drawn.
public enum SeriesStyle: Equatable, Sendable {
    /// Points joined by a line `width` pixels wide, dashed when `dashed`.
    case line(width: Double = 2, dashed: Bool = false)
    /// A dot of `radius` pixels at each point.
    case scatter(radius: Double = 3)
    /// A line with a dot at each point.
    case lineAndMarkers(width: Double = 2, radius: Double = 3)
}

/// One set of (x, y) points on a ``Plot``.
public struct Series {
    public var x: [Double]
    public var y: [Double]
    /// The name in the legend; nil leaves the series out of it.
    public var label: String?
    /// nil takes the next colour of ``Color/palette``.
    public var color: Color?
    public var style: SeriesStyle

    /// Non-finite points are skipped (a line breaks there).
    public init(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, style: SeriesStyle = .line()) {
        require(x.count == y.count, "Series: \(x.count) x values but \(y.count) y values")
        self.x = x; self.y = y; self.label = label; self.color = color; self.style = style
    }
}

/// Where a plot's legend sits, inside its axes.
public enum LegendPosition: Sendable {
    /// The corner that covers the fewest data points, as matplotlib's `loc="best"`.
    case best
    case upperRight, upperLeft, lowerRight, lowerLeft
    /// No legend.
    case hidden
}

/// Line and scatter plots on one pair of axes, as matplotlib's `Axes`: several series,
/// ticks and tick labels, axis labels, a title and a legend.
///
/// ```swift
/// var plot = Plot(title: "Sigmoid", xLabel: "x", yLabel: "sigmoid(x)")
/// plot.function(over: -4...4) { 1 / (1 + exp(-$0)) }
/// try plot.write(to: "sigmoid.png")
/// ```
public struct Plot: Panel {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    /// The x range shown; nil fits the data with 5% margins.
    public var xLimits: ClosedRange<Double>?
    /// The y range shown; nil fits the data with 5% margins.
    public var yLimits: ClosedRange<Double>?
    public var legend: LegendPosition = .best
    /// Light lines at the ticks.
    public var showsGrid = true

    public init(title: String = "", xLabel: String = "", yLabel: String = "",
                xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.xLimits = xLimits; self.yLimits = yLimits
    }

    /// Adds a series.
    public mutating func add(_ series: Series) { self.series.append(series) }

    /// Adds `y` against `x` joined by a line.
    public mutating func line(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                              width: Double = 2, dashed: Bool = false) {
        add(Series(x: x, y: y, label: label, color: color, style: .line(width: width, dashed: dashed)))
    }

    /// Adds `y` against `x` as dots.
    public mutating func scatter(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, radius: Double = 3) {
        add(Series(x: x, y: y, label: label, color: color, style: .scatter(radius: radius)))
    }

    /// Adds `f` sampled at `samples` evenly spaced points of `range`, as fastai's `plot_function`.
    public mutating func function(over range: ClosedRange<Double>, samples: Int = 200, label: String? = nil,
                                  color: Color? = nil, _ f: (Double) -> Double) {
        Plot.requireSampleCount(samples)
        let x = (0..<samples).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(samples - 1) }
        line(x: x, y: x.map(f), label: label, color: color)
    }

    /// The most points ``function(over:samples:label:color:_:)`` samples: ten
    /// million, 160 MB of coordinates, far beyond any figure's pixels.
    public static let maximumSamples = 10_000_000

    /// Fails unless `samples` is in `2...maximumSamples`, before anything is allocated.
    static func requireSampleCount(_ samples: Int) {
        require(samples >= 2, "Plot.function: needs at least 2 samples, got \(samples)")
        require(samples <= maximumSamples, "Plot.function: \(samples) samples is more than the \(maximumSamples) a plot samples")
    }

    /// The colour series `index` is drawn in.
    func color(ofSeries index: Int) -> Color {
        series[index].color ?? Color.palette[index % Color.palette.count]
    }

    /// The axes' data ranges.
    func axes() -> (x: Axis, y: Axis) {
        (Axis(limits: xLimits, values: series.flatMap(\.x)), Axis(limits: yLimits, values: series.flatMap(\.y)))
    }

    /// The rectangle the data is drawn in, inside `frame`, after the title, the labels and the tick labels.
    func plotArea(in frame: Rect) -> Rect {
        let (_, yAxis) = axes()
        let tickStyle = TextStyle(size: FontSize.tick)
        let widest = yAxis.tickLabels(yAxis.ticks()).map { CairoRenderer.textWidth($0, tickStyle) }.max() ?? 0
        let top = (title.isEmpty ? 10.0 : 28) + 4
        let bottom = 8 + 4 + 16 + (xLabel.isEmpty ? 0.0 : 18)
        let left = 8 + (yLabel.isEmpty ? 0 : 20) + widest + 4 + 4
        let area = frame.inset(left: left, top: top, right: 16, bottom: bottom)
        // Edges on pixel centres, so that 1-pixel axis lines are sharp.
        let x = area.x.rounded(.down) + 0.5, y = area.y.rounded(.down) + 0.5
        return Rect(x: x, y: y, width: (area.maxX - x).rounded(.down), height: (area.maxY - y).rounded(.down))
    }

    /// The pixel of data point (x, y) when the plot is drawn in `frame`.
    func pixel(x: Double, y: Double, in frame: Rect) -> Point {
        let area = plotArea(in: frame)
        let (xAxis, yAxis) = axes()
        return Point(xAxis.map(x, from: area.x, to: area.maxX), yAxis.map(y, from: area.maxY, to: area.y))
    }

    public func draw(in frame: Rect, on canvas: inout Canvas) {
        _ = drawTitle(title, in: frame, on: &canvas)
        let area = plotArea(in: frame)
        let (xAxis, yAxis) = axes()
        let tickStyle = TextStyle(size: FontSize.tick)
        let gridStroke = Stroke(color: Color(gray: 0.9), width: 1)
        let axisStroke = Stroke(color: .black, width: 1)
        let xTicks = xAxis.ticks(), yTicks = yAxis.ticks()
        for (tick, text) in zip(xTicks, xAxis.tickLabels(xTicks)) {
            let px = xAxis.map(tick, from: area.x, to: area.maxX)
            if showsGrid { canvas.line(Point(px, area.y), Point(px, area.maxY), gridStroke) }
            canvas.line(Point(px, area.maxY), Point(px, area.maxY + 4), axisStroke)
            canvas.text(text, at: Point(px, area.maxY + 12), tickStyle)
        }
        for (tick, text) in zip(yTicks, yAxis.tickLabels(yTicks)) {
            let py = yAxis.map(tick, from: area.maxY, to: area.y)
            if showsGrid { canvas.line(Point(area.x, py), Point(area.maxX, py), gridStroke) }
            canvas.line(Point(area.x - 4, py), Point(area.x, py), axisStroke)
            canvas.text(text, at: Point(area.x - 7, py), TextStyle(size: FontSize.tick, anchor: .end))
        }
        canvas.clip(to: area) { inner in
            for index in series.indices { drawSeries(index, xAxis, yAxis, area, on: &inner) }
        }
        canvas.add(.rect(area, fill: nil, stroke: axisStroke))
        canvas.text(xLabel, at: Point(area.x + area.width / 2, area.maxY + 32), TextStyle(size: FontSize.label),
                    within: (frame.x + 4)...(frame.maxX - 4))
        canvas.text(yLabel, at: Point(frame.x + 16, area.y + area.height / 2), TextStyle(size: FontSize.label, quarterTurns: 1),
                    within: (frame.y + 4)...(frame.maxY - 4))
        drawLegend(in: area, on: &canvas)
    }

    private func drawSeries(_ index: Int, _ xAxis: Axis, _ yAxis: Axis, _ area: Rect, on canvas: inout Canvas) {
        let s = series[index]
        let color = color(ofSeries: index)
        var points: [Point?] = []
        for (x, y) in zip(s.x, s.y) {
            points.append(x.isFinite && y.isFinite
                ? Point(xAxis.map(x, from: area.x, to: area.maxX), yAxis.map(y, from: area.maxY, to: area.y)) : nil)
        }
        func strokeLine(width: Double, dashed: Bool) {
            var run: [Point] = []
            for point in points + [nil] {
                if let point { run.append(point); continue }
                if run.count > 1 { canvas.add(.polyline(run, Stroke(color: color, width: width, dash: dashed ? [6, 4] : []))) }
                run = []
            }
        }
        func dots(radius: Double) {
            for case let point? in points { canvas.add(.circle(center: point, radius: radius, fill: color)) }
        }
        switch s.style {
        case let .line(width, dashed): strokeLine(width: width, dashed: dashed)
        case let .scatter(radius): dots(radius: radius)
        case let .lineAndMarkers(width, radius): strokeLine(width: width, dashed: false); dots(radius: radius)
        }
    }

    private func drawLegend(in area: Rect, on canvas: inout Canvas) {
        let entries = series.indices.filter { series[$0].label != nil }
        guard legend != .hidden, !entries.isEmpty else { return }
        let style = TextStyle(size: FontSize.legend, anchor: .start)
        let rowHeight = 16.0, sample = 22.0
        // Labels wider than the axes are shrunk or cut to fit inside them.
        let textWidth = min(entries.map { CairoRenderer.textWidth(series[$0].label!, style) }.max() ?? 0, max(0, area.width - 16 - (8 + sample + 6 + 8)))
        let size = (width: 8 + sample + 6 + textWidth + 8, height: 6 + rowHeight * Double(entries.count) + 2)
        func box(_ position: LegendPosition) -> Rect {
            let left = position == .upperLeft || position == .lowerLeft
            let top = position == .upperLeft || position == .upperRight
            return Rect(x: left ? area.x + 8 : area.maxX - 8 - size.width,
                        y: top ? area.y + 8 : area.maxY - 8 - size.height, width: size.width, height: size.height)
        }
        let box = box(legend != .best ? legend : bestCorner(area: area, box))
        canvas.add(.rect(box, fill: Color(red: 1, green: 1, blue: 1, alpha: 0.85), stroke: Stroke(color: Color(gray: 0.8), width: 1)))
        for (row, index) in entries.enumerated() {
            let y = box.y + 6 + rowHeight * (Double(row) + 0.5)
            let color = color(ofSeries: index)
            let start = Point(box.x + 8, y), end = Point(box.x + 8 + sample, y)
            switch series[index].style {
            case let .line(width, dashed): canvas.add(.polyline([start, end], Stroke(color: color, width: width, dash: dashed ? [6, 4] : [])))
            case let .scatter(radius): canvas.add(.circle(center: Point(box.x + 8 + sample / 2, y), radius: radius, fill: color))
            case let .lineAndMarkers(width, radius):
                canvas.add(.polyline([start, end], Stroke(color: color, width: width)))
                canvas.add(.circle(center: Point(box.x + 8 + sample / 2, y), radius: radius, fill: color))
            }
            canvas.text(series[index].label!, at: Point(end.x + 6, y), style, within: (end.x + 6)...(end.x + 6 + textWidth))
        }
    }

    /// The corner whose legend box covers the fewest data points (the first such of upper right, upper left, lower left, lower right).
    private func bestCorner(area: Rect, _ box: (LegendPosition) -> Rect) -> LegendPosition {
        let (xAxis, yAxis) = axes()
        let points = series.flatMap { s in
            zip(s.x, s.y).map { Point(xAxis.map($0, from: area.x, to: area.maxX), yAxis.map($1, from: area.maxY, to: area.y)) }
        }
        let corners: [LegendPosition] = [.upperRight, .upperLeft, .lowerLeft, .lowerRight]
        let covered = corners.map { corner -> Int in
            let rect = box(corner)
            return points.filter { $0.x >= rect.x && $0.x <= rect.maxX && $0.y >= rect.y && $0.y <= rect.maxY }.count
        }
        return corners[covered.firstIndex(of: covered.min()!)!]
    }
}
