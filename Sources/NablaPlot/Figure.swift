import Nabla
import Foundation
import NablaData

/// A picture: panels in a grid of subplots (matplotlib's `plt.subplots(rows, columns)`),
/// with an optional title over them, written as PNG (drawn by Cairo) or SVG.
///
/// ```swift
/// let figure = Figure([lossPlot, accuracyPlot], columns: 2, title: "The linear model")
/// try figure.write(to: "linear-training.png")   // or .svg
/// ```
public struct Figure {
    public var panels: [any Panel]
    /// Panels per row; rows follow from the number of panels.
    public var columns: Int
    public var title: String
    /// The size of each panel's cell, in pixels (points in SVG).
    public var panelWidth: Double
    public var panelHeight: Double

    public init(_ panels: [any Panel], columns: Int? = nil, title: String = "",
                panelWidth: Double = 480, panelHeight: Double = 360) {
        require(!panels.isEmpty, "Figure: needs at least one panel")
        require(panelWidth >= 16 && panelHeight >= 16 && panelWidth <= 8192 && panelHeight <= 8192,
                     "Figure: panel size \(panelWidth)×\(panelHeight) is outside 16...8192 pixels")
        self.panels = panels
        self.columns = min(max(columns ?? panels.count, 1), panels.count)
        self.title = title
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
    }

    public var rows: Int { (panels.count + columns - 1) / columns }
    private var titleHeight: Double { title.isEmpty ? 0 : 32 }
    public var width: Double { panelWidth * Double(columns) }
    public var height: Double { titleHeight + panelHeight * Double(rows) }

    /// The cell of panel `index`.
    public func frame(ofPanel index: Int) -> Rect {
        Rect(x: Double(index % columns) * panelWidth, y: titleHeight + Double(index / columns) * panelHeight,
             width: panelWidth, height: panelHeight)
    }

    /// The pixel where data point (x, y) of the ``Plot`` in panel `index` is drawn.
    public func pixel(x: Double, y: Double, inPanel index: Int = 0) -> Point {
        require(panels.indices.contains(index), "Figure.pixel: no panel \(index) in a figure of \(panels.count)")
        guard let plot = panels[index] as? Plot else {
            Nabla.fail("Figure.pixel: panel \(index) is not a Plot but \(type(of: panels[index]))")
        }
        return plot.pixel(x: x, y: y, in: frame(ofPanel: index))
    }

    /// The drawing of the whole figure.
    var commands: [DrawCommand] {
        var canvas = Canvas(width: width, height: height)
        canvas.text(title, at: Point(width / 2, 18), TextStyle(size: FontSize.title + 2, bold: true), within: 4...(width - 4))
        for (index, panel) in panels.enumerated() { panel.draw(in: frame(ofPanel: index), on: &canvas) }
        return canvas.commands
    }

    /// The PNG file's bytes, `scale` pixels per point (2 for a high-density screen).
    public func pngData(scale: Double = 1) throws -> [UInt8] {
        try CairoRenderer.png(commands, width: width, height: height, scale: validated(scale))
    }

    /// The pixels the PNG file would hold.
    public func bitmap(scale: Double = 1) throws -> Bitmap {
        try CairoRenderer.bitmap(commands, width: width, height: height, scale: validated(scale))
    }

    /// The SVG document, every text a `<text>` element.
    public func svgText() throws -> String {
        try SVGWriter.document(commands, width: width, height: height)
    }

    /// Writes the figure atomically (a temporary file, then a rename) as PNG or SVG, by the
    /// extension of `path` (`.png` or `.svg`, any case); `scale` applies to PNG.
    ///
    /// - Throws: ``PlotError`` for another extension; `DataError` naming the file when it cannot be written.
    public func write(to path: String, scale: Double = 1) throws {
        let lowered = path.lowercased()
        let bytes: [UInt8]
        if lowered.hasSuffix(".png") {
            bytes = try pngData(scale: scale)
        } else if lowered.hasSuffix(".svg") {
            bytes = Array(try svgText().utf8)
        } else {
            throw PlotError("\(path): a figure is written as .png or .svg, not .\((path as NSString).pathExtension)")
        }
        try bytes.withUnsafeBytes { try writeFileAtomically($0, to: path) }
    }

    private func validated(_ scale: Double) throws -> Double {
        let side = Double(CairoRenderer.maximumSide)
        guard scale > 0, scale <= 8, (width * scale) * (height * scale) <= 16384 * 16384, width * scale <= side, height * scale <= side else {
            throw PlotError("Figure: scale \(scale) is outside (0, 8] or makes the \(width)×\(height) picture too large")
        }
        return scale
    }
}
