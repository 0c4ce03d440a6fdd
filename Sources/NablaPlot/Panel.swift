import Nabla

/// Something a ``Figure`` lays out in one cell of its grid: a ``Plot``, an ``ImageGrid`` or a ``HeatMap``.
public protocol Panel {
    /// Records the panel's drawing into `frame`.
    func draw(in frame: Rect, on canvas: inout Canvas)
    /// The panel as lines of text at most `width` characters wide, about `height` lines of picture.
    func terminalLines(width: Int, height: Int, style: TerminalStyle) -> [String]
}

/// Sizes of the text a panel draws, in pixels, matplotlib's defaults scaled to a 480-pixel panel.
enum FontSize {
    static let title = 14.0
    static let label = 12.0
    static let tick = 10.0
    static let legend = 10.0
    static let caption = 11.0
}

extension Panel {
    /// Draws the panel's title, centred at the top of `frame`, and returns the frame below it.
    func drawTitle(_ title: String, in frame: Rect, on canvas: inout Canvas) -> Rect {
        guard !title.isEmpty else { return frame }
        // Kept inside the panel's cell (shrunk, then cut), not only inside the picture.
        canvas.text(title, at: Point(frame.x + frame.width / 2, frame.y + 14),
                    TextStyle(size: FontSize.title, bold: true), within: (frame.x + 4)...(frame.maxX - 4))
        return frame.inset(left: 0, top: 28, right: 0, bottom: 0)
    }

    /// The panel drawn alone in a figure of `width × height` pixels.
    public func figure(width: Double = 480, height: Double = 360) -> Figure {
        Figure([self], columns: 1, panelWidth: width, panelHeight: height)
    }

    /// Writes the panel alone as a PNG or SVG file, chosen by the path's extension; see ``Figure/write(to:scale:)``.
    public func write(to path: String, width: Double = 480, height: Double = 360, scale: Double = 1) throws {
        try figure(width: width, height: height).write(to: path, scale: scale)
    }
}

/// Stops with `message` when `condition` is false, through `Nabla.fail`, so that release builds keep the message.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { Nabla.fail(message()) }
}
