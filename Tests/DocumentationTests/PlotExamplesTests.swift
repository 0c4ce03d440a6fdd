import Foundation
import XCTest
import Nabla
import NablaNN
import NablaPlot

// The examples of NablaPlot's documentation (Sources/NablaPlot/NablaPlot.docc), one per kind of picture.

final class PlotExamplesTests: XCTestCase {
    private func inFolder(_ body: () throws -> Void) throws {
        let folder = NSTemporaryDirectory() + "PlotExamples-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder))
        defer {
            XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(previous))
            try? FileManager.default.removeItem(atPath: folder)
        }
        try body()
        let written = try FileManager.default.contentsOfDirectory(atPath: folder)
        XCTAssertFalse(written.isEmpty)
        for file in written where file.hasSuffix(".png") {
            let bitmap = try Bitmap(png: [UInt8](FileManager.default.contents(atPath: folder + "/" + file)!), source: file)
            XCTAssertGreaterThan(bitmap.width, 100, file)
        }
    }

    func testLinePlot() throws {
        try inFolder {
            var plot = Plot(title: "Sigmoid", xLabel: "x", yLabel: "sigmoid(x)")
            plot.function(over: -4...4, label: "sigmoid", tensor: { $0.sigmoid() })
            plot.line(x: [-4, 0, 4], y: [0, 0.5, 1], label: "a straight guess", dashed: true)
            try plot.write(to: "sigmoid.png")
            try plot.write(to: "sigmoid.svg")
        }
    }

    func testScatterPlotOfTensors() throws {
        try inFolder {
            var generator = RandomGenerator(seed: 1)
            let time = Tensor.arange(20)
            let speed = Tensor.randn([20], generator: &generator) * 3 + 0.75 * (time - 9.5).square() + 1
            var plot = Plot(title: "Roller coaster", xLabel: "time (s)", yLabel: "speed")
            plot.scatter(time, speed, label: "measured")
            try plot.write(to: "speed.png")
        }
    }

    func testImageGrid() throws {
        try inFolder {
            var generator = RandomGenerator(seed: 2)
            let batch = Tensor.rand([8, 28, 28], generator: &generator)
            let labels = [3, 7, 3, 3, 7, 7, 3, 7]
            let grid = ImageGrid(batch, captions: labels.map { "label \($0)" }, columns: 4, title: "A batch")
            try grid.write(to: "batch.png", width: 480, height: 300)
        }
    }

    func testHeatMap() throws {
        try inFolder {
            var generator = RandomGenerator(seed: 3)
            let weights = Tensor.randn([10, 10], generator: &generator)
            let map = HeatMap(weights, title: "Weights", colorMap: .blueRed, colorBarLabel: "value")
            try map.write(to: "weights.png")
            let pixels = HeatMap(Tensor.rand([6, 8], generator: &generator) * 255, colorMap: .greys,
                                 range: 0...255, showsValues: true, decimals: 0)
            Console.silent.show(pixels)
        }
    }

    func testSubplotsAndTraining() throws {
        try inFolder {
            var generator = RandomGenerator(seed: 4)
            let inputs = Tensor.rand([64, 4], generator: &generator)
            let targets = (inputs.sum(axis: 1, keepDims: true) .> 2)
            let model = Linear(inputs: 4, outputs: 1, generator: &generator)
            let batches = BatchSource([(inputs, targets)])
            let learn = Learner(DataLoaders(batches, batches), model, loss: mnistLoss, metrics: [.accuracy], console: .silent)
            try learn.fit(10, lr: 1)
            let figure = Figure([Plot.losses(of: learn.recorder), Plot.values("accuracy", of: learn.recorder)],
                                columns: 2, title: "Training")
            try figure.write(to: "training.png", scale: 2)
            Console.silent.show(figure, width: 72, height: 12)
        }
    }
}
