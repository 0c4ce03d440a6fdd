import Foundation
import XCTest
import Nabla
import NablaNN
@testable import NablaPlot

final class TerminalTests: XCTestCase {
    private func diagonal() -> Plot {
        var plot = Plot(title: "rising", xLabel: "x", xLimits: 0...1, yLimits: 0...1)
        plot.line(x: [0, 1], y: [0, 1], label: "y = x")
        return plot
    }

    func testPlainPlotMarksTheDiagonalFromBottomLeftToTopRight() {
        let lines = diagonal().terminalLines(width: 40, height: 10, style: .plain)
        XCTAssertEqual(lines.first?.trimmingCharacters(in: .whitespaces), "rising")
        let canvas = Array(lines[1...10])
        let bar = canvas[0].firstIndex(of: "|")!
        let rows = canvas.map { Array($0[$0.index(after: bar)...]) }
        let first = rows.map { $0.firstIndex(of: "*") }, last = rows.map { $0.lastIndex(of: "*") }
        XCTAssertTrue(first.allSatisfy { $0 != nil }, "every row of a diagonal has a mark: \(canvas)")
        XCTAssertEqual(first.last, 0, "bottom row starts at the left")
        XCTAssertEqual(last.first, rows[0].count - 1, "top row ends at the right")
        let starts = first.compactMap { $0 }
        XCTAssertEqual(starts, starts.sorted(by: >), "the mark moves right going up")
        XCTAssertTrue(lines.contains { $0.contains("* y = x") }, "legend")
        XCTAssertFalse(lines.joined().contains("\u{1B}"), "plain text has no escapes")
        XCTAssertTrue(canvas[0].hasPrefix("1.0") && canvas[9].hasPrefix("0.0"), "y ticks: \(canvas[0]) … \(canvas[9])")
    }

    func testColourPlotUsesBrailleInTheSeriesColour() {
        let text = diagonal().terminalLines(width: 40, height: 10, style: .color).joined(separator: "\n")
        XCTAssertTrue(text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "braille dots")
        XCTAssertTrue(text.contains(ANSI.foreground(Color.palette[0])))
        XCTAssertEqual(ANSI.index(.white), 231)
        XCTAssertEqual(ANSI.index(.black), 16)
        XCTAssertEqual(ANSI.index(Color(red: 1, green: 0, blue: 0)), 196)
    }

    func testHeatMapPrintsItsNumbersOnTheirShades() {
        let map = HeatMap(Tensor([[0, 128, 255]]), colorMap: .greys, range: 0...255, showsValues: true)
        XCTAssertEqual(map.terminalLines(width: 80, height: 10, style: .plain), ["   0 128 255"])
        let shaded = map.terminalLines(width: 80, height: 10, style: .color)[0]
        XCTAssertTrue(shaded.hasPrefix(ANSI.background(.white) + ANSI.foreground(.black) + "   0"), shaded)
        XCTAssertTrue(shaded.contains(ANSI.background(.black) + ANSI.foreground(.white) + " 255"), shaded)
        XCTAssertTrue(shaded.hasSuffix(ANSI.reset))
    }

    func testImageGridInPlainTextShowsInkAndCaptions() {
        var pixels = [Float](repeating: 0, count: 2 * 4 * 4)
        pixels[0] = 1; pixels[4] = 1          // image 0: column 0 of rows 0 and 1 fully inked
        pixels[16 + 15] = 1                     // image 1: the bottom-right pixel only
        let grid = ImageGrid(Tensor(shape: [2, 4, 4], scalars: pixels), captions: ["a", "b"])
        let lines = grid.terminalLines(width: 20, height: 10, style: .plain)
        // Two pixel rows per line: full ink is "@", a half-inked pair "+".
        XCTAssertEqual(lines, ["@        ", "        +", " a    b  "])
    }

    func testAConsoleThatIsNoTerminalGetsPlainText() throws {
        let path = NSTemporaryDirectory() + "terminal-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try XCTUnwrap(fopen(path, "w"))
        let console = Console(stream: file)
        XCTAssertEqual(TerminalStyle.detect(for: console), .plain)
        console.show(Figure([diagonal(), diagonal()], title: "two panels"), width: 40, height: 6)
        fclose(file)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(centered("two panels", width: 40) + "\n"), text)
        XCTAssertEqual(text.components(separatedBy: "rising").count - 1, 2, "both panels' titles")
        XCTAssertFalse(text.contains("\u{1B}"), "no escapes in a file")
    }
}
