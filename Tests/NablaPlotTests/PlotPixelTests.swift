import Foundation
import XCTest
import Nabla
import NablaData
import NablaNN
@testable import NablaPlot

/// Pictures checked by their pixels and their SVG text, not by their existence.
final class PlotPixelTests: XCTestCase {
    private let red = Color(hex: 0xd62728)

    private func isClose(_ a: Color, _ b: Color, within tolerance: Double = 0.08) -> Bool {
        abs(a.red - b.red) <= tolerance && abs(a.green - b.green) <= tolerance && abs(a.blue - b.blue) <= tolerance
    }

    private func lineFigure() -> Figure {
        var plot = Plot(title: "y = x", xLabel: "x", yLabel: "y", xLimits: 0...10, yLimits: 0...10)
        plot.showsGrid = false
        plot.legend = .hidden
        plot.line(x: [0, 10], y: [0, 10], color: red, width: 3)
        return plot.figure(width: 400, height: 300)
    }

    func testLineThroughKnownPointsLightsTheExpectedPixels() throws {
        let figure = lineFigure()
        let bitmap = try figure.bitmap()
        XCTAssertEqual(bitmap.width, 400)
        XCTAssertEqual(bitmap.height, 300)
        for t in stride(from: 1.0, through: 9.0, by: 0.5) {
            let on = figure.pixel(x: t, y: t)
            XCTAssertTrue(isClose(bitmap[Int(on.x), Int(on.y)], red), "(\(t), \(t)) at \(on) is \(bitmap[Int(on.x), Int(on.y)])")
            // Points of the other diagonal, away from the crossing, stay white.
            guard abs(t - 5) >= 1 else { continue }
            let off = figure.pixel(x: t, y: 10 - t)
            XCTAssertEqual(bitmap[Int(off.x), Int(off.y)], .white, "(\(t), \(10 - t)) at \(off) should be background")
        }
        // The data rectangle's corners sit on the axes' black frame.
        let corner = figure.pixel(x: 0, y: 10)
        XCTAssertLessThan(bitmap[Int(corner.x), Int(corner.y) + 20].red, 0.1)
        // Larger y is higher up the picture.
        XCTAssertLessThan(figure.pixel(x: 5, y: 8).y, figure.pixel(x: 5, y: 2).y)
    }

    func testScatterDotsTakeTheirSeriesColoursAtTheirPoints() throws {
        var plot = Plot(xLimits: -1...1, yLimits: -1...1)
        plot.showsGrid = false
        plot.scatter(x: [-0.5, 0.5], y: [0.5, -0.5], label: "first", radius: 4)
        plot.scatter(x: [0.5], y: [0.5], label: "second", radius: 4)
        plot.legend = .lowerLeft
        let figure = plot.figure()
        let bitmap = try figure.bitmap()
        for (x, y, series) in [(-0.5, 0.5, 0), (0.5, -0.5, 0), (0.5, 0.5, 1)] {
            let p = figure.pixel(x: x, y: y)
            XCTAssertTrue(isClose(bitmap[Int(p.x), Int(p.y)], Color.palette[series]), "series \(series) at (\(x), \(y))")
        }
        let empty = figure.pixel(x: -0.5, y: -0.5)
        XCTAssertEqual(bitmap[Int(empty.x), Int(empty.y)], .white)
    }

    func testWrittenPNGHoldsTheRenderedPixels() throws {
        let folder = try temporaryFolder(self)
        let figure = lineFigure()
        try figure.write(to: folder + "/line.png", scale: 2)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: folder + "/line.png"))
        let decoded = try Bitmap(png: [UInt8](bytes), source: "line.png")
        XCTAssertEqual(decoded.width, 800)
        XCTAssertEqual(decoded.height, 600)
        let on = figure.pixel(x: 4, y: 4)
        XCTAssertTrue(isClose(decoded[Int(on.x * 2), Int(on.y * 2)], red))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["line.png"], "no temporary file left")
        XCTAssertThrowsError(try Bitmap(png: Array("not a png".utf8), source: "bad.png")) { error in
            XCTAssertTrue("\(error)".contains("bad.png"), "\(error)")
        }
    }

    func testImageGridPutsADigitsBrightestPixelWhereItMustBe() throws {
        // Six 28×28 images on a faint background (0.1, light gray in the Greys map); image 4,
        // in row 1 and column 1 of a 3-column grid, has its one full-ink pixel at row 5, column 20.
        var scalars = [Float](repeating: 0.1, count: 6 * 28 * 28)
        scalars[4 * 784 + 5 * 28 + 20] = 1
        let grid = ImageGrid(Tensor(shape: [6, 28, 28], scalars: scalars), columns: 3)
        let bitmap = try grid.figure(width: 420, height: 300).bitmap()
        var darkest = (x: 0, y: 0, level: 2.0)
        for y in 0..<bitmap.height {
            for x in 0..<bitmap.width where bitmap[x, y].red < darkest.level { darkest = (x, y, bitmap[x, y].red) }
        }
        XCTAssertLessThan(darkest.level, 0.05, "the full-ink pixel is drawn black")
        // The runs of drawn (non-white) pixels through the darkest pixel are the images of its row and column.
        func runs(_ count: Int, _ isDrawn: (Int) -> Bool) -> [Range<Int>] {
            var result: [Range<Int>] = [], start: Int?
            for i in 0...count {
                if i < count && isDrawn(i) { start = start ?? i } else if let s = start { result.append(s..<i); start = nil }
            }
            return result
        }
        let across = runs(bitmap.width) { bitmap[$0, darkest.y] != .white }
        let down = runs(bitmap.height) { bitmap[darkest.x, $0] != .white }
        XCTAssertEqual(across.count, 3, "three images in a row: \(across)")
        XCTAssertEqual(down.count, 2, "two images in a column: \(down)")
        guard across.count == 3, down.count == 2 else { return }
        let column = Double(darkest.x - across[1].lowerBound) / Double(across[1].count) * 28
        let row = Double(darkest.y - down[1].lowerBound) / Double(down[1].count) * 28
        XCTAssertTrue(across[1].contains(darkest.x) && down[1].contains(darkest.y), "the pixel is in image 4")
        XCTAssertEqual(column, 20.5, accuracy: 0.6)
        XCTAssertEqual(row, 5.5, accuracy: 0.6)
    }

    func testHeatMapCellsAndColourBarFollowTheColourMap() throws {
        let map = HeatMap(Tensor([[0, 1], [0.5, 0.25]]), title: "cells", colorBarLabel: "value")
        let frame = Rect(x: 0, y: 0, width: 400, height: 300)
        let bitmap = try map.figure(width: 400, height: 300).bitmap()
        let (cells, bar) = map.layout(in: frame)
        let (w, h) = (cells.width / 2, cells.height / 2)
        for (row, column, value) in [(0, 0, 0.0), (0, 1, 1.0), (1, 0, 0.5), (1, 1, 0.25)] {
            let pixel = bitmap[Int(cells.x + (Double(column) + 0.5) * w), Int(cells.y + (Double(row) + 0.5) * h)]
            XCTAssertEqual(pixel.red, 1 - value, accuracy: 0.02, "cell (\(row), \(column))")
        }
        XCTAssertLessThan(bitmap[Int(bar.x + bar.width / 2), Int(bar.y + 3)].red, 0.05, "the bar's top is the largest value")
        XCTAssertGreaterThan(bitmap[Int(bar.x + bar.width / 2), Int(bar.maxY - 3)].red, 0.95, "the bar's bottom the smallest")
        let svg = try map.figure().svgText()
        for label in ["cells", "value", "0.0", "1.0"] { XCTAssertTrue(svg.contains(">\(label)</text>"), label) }
    }

    func testSVGHoldsTitleAxisLabelsTicksAndLegendAsText() throws {
        var plot = Plot(title: "Loss & accuracy <epoch>", xLabel: "epoch", yLabel: "loss")
        plot.line(x: [1, 2, 3], y: [0.5, 0.25, 0.125], label: "train_loss")
        let svg = try plot.figure().svgText()
        XCTAssertTrue(svg.hasPrefix("<?xml"))
        XCTAssertTrue(svg.contains(">Loss &amp; accuracy &lt;epoch&gt;</text>"), "title, escaped")
        XCTAssertTrue(svg.contains(">epoch</text>"))
        XCTAssertTrue(svg.contains("rotate(-90") && svg.contains(">loss</text>"), "the y label, turned")
        XCTAssertTrue(svg.contains(">train_loss</text>"))
        for tick in ["1.0", "2.0", "3.0", "0.2", "0.4"] { XCTAssertTrue(svg.contains(">\(tick)</text>"), "tick \(tick)") }
        let folder = try temporaryFolder(self)
        try plot.write(to: folder + "/loss.SVG")
        XCTAssertEqual(try String(contentsOfFile: folder + "/loss.SVG", encoding: .utf8), svg)
    }

    func testImageGridSVGEmbedsTheImagesAndCaptions() throws {
        let grid = ImageGrid(Tensor.zeros([2, 28, 28]), captions: ["label 3", "pred 7"], title: "digits")
        let svg = try grid.figure().svgText()
        XCTAssertEqual(svg.components(separatedBy: "data:image/png;base64,").count - 1, 2)
        XCTAssertTrue(svg.contains(">label 3</text>") && svg.contains(">pred 7</text>") && svg.contains(">digits</text>"))
    }

    func testBadPathsAreClearErrors() throws {
        let plot = Plot(title: "t")
        XCTAssertThrowsError(try plot.write(to: "/tmp/picture.jpg")) { error in
            XCTAssertTrue("\(error)".contains("picture.jpg") && "\(error)".contains(".png or .svg"), "\(error)")
        }
        XCTAssertThrowsError(try plot.write(to: "/nonexistent-folder/picture.png")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-folder/picture.png"), "\(error)")
        }
    }

    func testTensorSeriesAndFitCurves() throws {
        var plot = Plot()
        plot.function(over: -2...2, samples: 5, tensor: { $0.square() })
        XCTAssertEqual(plot.series[0].x, [-2, -1, 0, 1, 2])
        XCTAssertEqual(plot.series[0].y, [4, 1, 0, 1, 4])
        plot.scatter(Tensor([[1, 2], [3, 4]]), Tensor([5, 6, 7, 8]))
        XCTAssertEqual(plot.series[1].x, [1, 2, 3, 4])

        let inputs = Tensor(shape: [8, 2], scalars: [0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1])
        let targets = Tensor(shape: [8, 1], scalars: [0, 1, 1, 1, 0, 1, 1, 1])
        var generator = RandomGenerator(seed: 1)
        let model = Linear(inputs: 2, outputs: 1, generator: &generator)
        let batches = BatchSource([(inputs, targets)])
        let learner = Learner(DataLoaders(batches, batches), model, loss: mnistLoss, metrics: [.accuracy], console: .silent)
        let fit = try learner.fit(3, lr: 0.5)
        let losses = Plot.losses(of: fit)
        XCTAssertEqual(losses.series.map(\.label), ["train_loss", "valid_loss"])
        XCTAssertEqual(losses.series[0].x, [0, 1, 2])
        XCTAssertEqual(losses.series[1].y, fit.epochs.map { Double($0.validLoss) })
        let accuracy = Plot.metric(of: fit)
        XCTAssertEqual(accuracy.yLabel, "accuracy")
        XCTAssertEqual(accuracy.series[0].y, fit.epochs.map { Double($0.metrics[0]) })

        let batchLosses = Plot.losses(of: learner.recorder)
        XCTAssertEqual(batchLosses.series[0].y, learner.recorder.losses.map(Double.init))
        XCTAssertEqual(batchLosses.series[1].x, [1, 2, 3], "one batch per epoch: valid_loss after each")
        XCTAssertEqual(Plot.values("accuracy", of: learner.recorder).series[0].y, learner.recorder.values.map { Double($0[2]) })
    }
}

/// A fresh empty folder for files a test writes, removed at the end of the test.
func temporaryFolder(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "NablaPlotTests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}
