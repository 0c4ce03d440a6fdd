import XCTest
import Nabla
import NablaTestSupport
@testable import NablaPlot

/// Issue 24: axes over a zero or infinite range, constant heat maps, images wider
/// than Cairo's 32,767 pixels and impossible sample counts or terminal sizes
/// crashed (a NaN converted to Int, a failed Cairo surface, an allocation). Each
/// case runs in a forked copy, so a regression fails the test, not the run.
final class DegenerateRangeTests: XCTestCase {
    /// Draws `figure` as PNG, SVG and text; returns what went wrong, or nil.
    private func drawingProblem(_ make: @escaping () -> (any Panel)) -> String? {
        let result = outcome { _ in
            capAddressSpace(extraBytes: 2 << 30)
            let panel = make()
            do {
                let bitmap = try panel.figure().bitmap()
                _ = try panel.figure().svgText()
                _ = panel.terminalLines(width: 72, height: 16, style: .color)
                // Something was drawn besides the white background.
                var inked = false
                for y in 0..<bitmap.height where !inked { for x in 0..<bitmap.width where bitmap[x, y] != .white { inked = true; break } }
                return inked ? "" : "nothing drawn"
            } catch { return "\(error)" }
        }
        return result.result == "" ? nil : (result.result ?? result.failure)
    }

    func testAxesOverHugeTinyAndConstantRangesDraw() {
        let cases: [(String, [Double])] = [("−1e308 to 1e308", [-1e308, 1e308]), ("0 to 5e−324", [0, 5e-324]),
                                           ("constant 7", [7, 7]), ("largest Doubles", [-.greatestFiniteMagnitude, .greatestFiniteMagnitude])]
        for (name, y) in cases {
            XCTAssertNil(drawingProblem { var plot = Plot(); plot.line(x: [0, 1], y: y); return plot }, name)
        }
        // matplotlib's choices: clipped margins, a constant's unit range, scientific labels for huge ticks.
        var huge = Plot()
        huge.line(x: [0, 1], y: [-1e308, 1e308])
        let axis = huge.axes().y
        XCTAssertTrue(axis.lower.isFinite && axis.upper.isFinite && axis.lower < -1e308 && axis.upper > 1e308, "\(axis)")
        XCTAssertEqual(axis.tickLabels(axis.ticks()), ["-1e+308", "-5e+307", "0e+00", "5e+307", "1e+308"])
        var tiny = Plot()
        tiny.line(x: [0, 1], y: [0, 5e-324])
        XCTAssertEqual([tiny.axes().y.lower, tiny.axes().y.upper], [-1, 1])
    }

    func testConstantHeatMapsAndEmptyColourRangesDraw() {
        XCTAssertNil(drawingProblem { HeatMap(Tensor.full([2, 3], 3e38)) })
        XCTAssertNil(drawingProblem { HeatMap(Tensor([[1, 2], [3, 4]]), range: 1...1) })
        XCTAssertNil(drawingProblem { HeatMap(Tensor([[-3e38, 3e38]])) })
        XCTAssertEqual(HeatMap(Tensor([[1, 2]]), range: 1...1).colorRange, 0.5...1.5)
    }

    func testAnImageWiderThanCairosLimitIsDrawnSampled() throws {
        // 100 rows of 40,000 pixels, black on the left half: drawn from every second pixel, still inked.
        XCTAssertNil(drawingProblem { ImageGrid(Tensor(shape: [100, 40_000]) { for i in $0.indices { $0[i] = i % 40_000 < 20_000 ? 1 : 0 } }) })
        let image = RasterImage(width: 100_000, height: 1, rgb: [UInt8](repeating: 9, count: 300_000)).sampled(atMost: 32_767)
        XCTAssertEqual([image.width, image.height, image.rgb.count], [25_000, 1, 75_000])
    }

    func testImpossibleSampleCountsAndTerminalSizesFailNamingTheCall() {
        assertFails("Plot.function: 1099511627776 samples is more than the 10000000 a plot samples") {
            var plot = Plot()
            plot.function(over: 0...1, samples: 1 << 40) { (x: Double) -> Double in x }
        }
        assertFails("Plot.terminalLines: 1048576×16 characters is outside 1...10000 in either direction") {
            var plot = Plot()
            plot.line(x: [0, 1], y: [0, 1])
            _ = plot.terminalLines(width: 1 << 20, height: 16, style: .color)
        }
        assertFails("HeatMap.terminalLines: 72×0 characters") { _ = HeatMap(Tensor([[1]])).terminalLines(width: 72, height: 0, style: .plain) }
    }

    /// Every text of `figure` as drawn: its string, style and extent along its direction.
    private func texts(_ figure: Figure) -> [(text: String, style: TextStyle, extent: ClosedRange<Double>, bound: Double)] {
        func flattened(_ commands: [DrawCommand]) -> [DrawCommand] {
            commands.flatMap { command -> [DrawCommand] in
                if case let .clipped(_, inner) = command { return flattened(inner) }
                return [command]
            }
        }
        return flattened(figure.commands).compactMap { command in
            guard case let .text(text, point, style) = command else { return nil }
            let width = CairoRenderer.textWidth(text, style), turned = style.quarterTurns % 2 != 0
            let position = turned ? point.y : point.x
            let start: Double
            switch style.anchor {
            case .middle: start = position - width / 2
            case .start: start = turned ? position - width : position
            case .end: start = turned ? position : position - width
            }
            return (text, style, start...(start + width), turned ? figure.height : figure.width)
        }
    }

    /// Issue 24: a title wider than its figure was cut off at both ends (the
    /// lesson's neural-net-mistakes.png read "et's mistakes (label → prediction):
    /// 36 of 2038 validation images, the fir"). Titles, labels and captions are
    /// shrunk, then cut with "…", so that every text lies inside the picture,
    /// measured by Cairo, and the picture's edge columns stay white.
    func testNoTextLeavesTheCanvas() throws {
        let mistakes = "The net's mistakes (label → prediction): 36 of 2038 validation images, the first 32"
        let long = String(repeating: "a very long title that no figure holds ", count: 20)
        var plot = Plot(title: long, xLabel: long, yLabel: long)
        plot.line(x: [0, 1], y: [0, 1], label: long)
        let figures = [
            Figure([ImageGrid(Tensor.zeros([32, 28, 28]), captions: Array(repeating: "3 → 7", count: 32), columns: 8)],
                   title: mistakes, panelWidth: 640, panelHeight: 60 + 86 * 4),
            plot.figure(width: 200, height: 150),
            Figure([plot, HeatMap(Tensor([[1, 2], [3, 4]]), title: long, colorBarLabel: long)], columns: 2, title: long, panelWidth: 160, panelHeight: 160),
            ImageGrid(Tensor.zeros([2, 28, 28]), captions: [long, "7"], title: long).figure(width: 300, height: 200),
        ]
        for (index, figure) in figures.enumerated() {
            let drawn = texts(figure)
            XCTAssertFalse(drawn.isEmpty)
            for text in drawn {
                XCTAssertTrue(text.extent.lowerBound >= -0.5 && text.extent.upperBound <= text.bound + 0.5,
                              "figure \(index): \"\(text.text)\" at \(text.extent) leaves 0...\(text.bound)")
            }
            let bitmap = try figure.bitmap()
            for y in 0..<bitmap.height {
                for x in [0, bitmap.width - 1] {
                    XCTAssertEqual(bitmap[x, y], .white, "figure \(index): ink at the picture's edge (\(x), \(y))")
                }
            }
        }
        // The lesson's title is whole, shrunk to the figure; the very long one is cut.
        let title = try XCTUnwrap(texts(figures[0]).first)
        XCTAssertEqual(title.text, mistakes)
        XCTAssertLessThan(title.style.size, FontSize.title + 2)
        XCTAssertTrue(texts(figures[1]).contains { $0.text.hasPrefix("a very long title") && $0.text.hasSuffix("…") })
    }
}
