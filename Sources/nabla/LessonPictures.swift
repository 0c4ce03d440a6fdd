import Foundation
import Nabla
import NablaNN
import NablaPlot

/// The chapter's pictures, written as PNG files into the lesson's image folder
/// and, for the curves, shown as text when the output is a terminal.
struct LessonPictures {
    let folder: String
    let console: Console
    /// Each file written, with its title.
    private(set) var written: [(file: String, title: String)] = []

    init(folder: String, console: Console) {
        self.folder = folder
        self.console = console
    }

    private mutating func write(_ figure: Figure, _ file: String) throws {
        try figure.write(to: folder + "/" + file)
        written.append((file, figure.title.isEmpty ? (figure.panels.first as? Plot)?.title ?? file : figure.title))
    }

    /// A few training images of each class, and the two mean images.
    mutating func drawData(_ data: LessonData) throws {
        let (p, n) = (data.positiveName, data.negativeName)
        let (positiveMean, negativeMean) = (data.positiveMean, data.negativeMean)
        let count = min(8, data.trainPositiveCount, data.trainNegativeCount)
        let sample = LessonData.floats(data.trainImages.gather(rows: Array(0..<count) + Array(data.trainPositiveCount..<data.trainPositiveCount + count)))
        let captions = Array(repeating: p, count: count) + Array(repeating: n, count: count)
        try write(Figure([ImageGrid(sample, captions: captions, columns: count)],
                         title: "Training \(p)s and \(n)s", panelWidth: 640, panelHeight: 220), "training-digits.png")
        try write(Figure([ImageGrid(positiveMean, title: "The mean \(p)"), ImageGrid(negativeMean, title: "The mean \(n)")],
                         title: "Pixel similarity: the ideal \(p) and \(n)", panelWidth: 260, panelHeight: 280), "mean-images.png")
    }

    /// The first eight principal components of the training images as images
    /// (blue negative, white 0, red positive), with the variance each holds.
    /// Each component is scaled to its own largest magnitude, as matplotlib draws
    /// each subplot on its own colour scale, so that every tile shows its pattern.
    mutating func drawEigenDigits(_ pca: PrincipalComponents, height: Int, width: Int) throws {
        let count = min(8, pca.components.shape[1])
        let components = pca.components[0..<pca.components.shape[0], 0..<count].transposed.contiguous().reshape([count, height, width])
        let tiles = components / components.abs().max(axes: [1, 2], keepDims: true).clamp(min: Double(Float.leastNormalMagnitude))
        let total = pca.totalVariance
        let captions = (0..<count).map { "PC \($0 + 1): \(formatFixed(Double(100 * pca.variances[$0].item / total), decimals: 1))%" }
        try write(Figure([ImageGrid(tiles, captions: captions, columns: min(4, count), colorMap: .blueRed, range: -1...1)],
                         title: "Eigen-digits: the first \(count) principal components", panelWidth: 520, panelHeight: 300),
                  "eigen-digits.png")
    }

    /// The calculus part of the chapter: gradient descent on x², the speed model, and the two activations.
    mutating func drawCalculus(seed: UInt64) throws {
        var quadratic = Plot(title: "Gradient descent on f(x) = x² (lr 0.1)", xLabel: "x", yLabel: "f(x) = x²")
        quadratic.function(over: -3.5...3.5, label: "x²") { (x: Double) in x * x }
        let walk = QuadraticCommand.gradientWalk(start: 3, learningRate: 0.1, steps: 10)
        quadratic.add(Series(x: walk.map { Double($0.x) }, y: walk.map { Double($0.y) }, label: "steps from x = 3",
                             color: Color.palette[3], style: .lineAndMarkers(width: 1, radius: 3.5)))
        try write(Figure([quadratic]), "quadratic-gradient-descent.png")
        try write(speedFigure(seed: seed), "speed-predictions.png")

        var sigmoid = Plot(title: "Sigmoid", xLabel: "x", yLabel: "sigmoid(x)")
        sigmoid.function(over: -4...4, tensor: { $0.sigmoid() })
        var relu = Plot(title: "ReLU", xLabel: "x", yLabel: "max(x, 0)")
        relu.function(over: -2.1...2.1, tensor: { $0.relu() })
        try write(Figure([sigmoid, relu], title: "Activations: sigmoid and ReLU", panelWidth: 400, panelHeight: 300), "activations.png")
    }

    /// The book's roller-coaster: noisy speeds over 20 seconds and a quadratic a·t² + b·t + c fitted
    /// by SGD (mse, lr 1e-5), its predictions from random parameters and after each of three steps, side by side
    /// on the same axes as the book's four subplots.
    private func speedFigure(seed: UInt64) -> Figure {
        var generator = RandomGenerator(seed: seed)
        let time = Tensor.arange(20)
        let speed = Tensor.randn([20], generator: &generator) * 3 + (time - 9.5).square() * 0.75 + 1
        var params = Tensor.randn([3], generator: &generator, requiresGrad: true)
        var states: [(predictions: Tensor, loss: Float)] = []
        for _ in 0..<4 {
            let (a, b, c) = (params[0], params[1], params[2])
            let predictions = a * time.square() + b * time + c
            let loss = (predictions - speed).square().mean()
            states.append((predictions.detached(), loss.item))
            loss.backward()
            let gradient = params.grad!
            noGrad { params.addScaled(gradient, by: -1e-5) }
            params.grad = nil
        }
        let values = (states.flatMap { $0.predictions.scalars } + speed.scalars).map(Double.init)
        let margin = (values.max()! - values.min()!) * 0.05
        let panels: [any Panel] = states.enumerated().map { step, state in
            var plot = Plot(title: (step == 0 ? "Random parameters" : "After step \(step)") + ": mse \(formatFixed(Double(state.loss), decimals: 0))",
                            xLabel: "time (s)", yLabel: "speed", yLimits: (values.min()! - margin)...(values.max()! + margin))
            plot.scatter(time, speed, label: "speed", radius: 2.5)
            plot.scatter(time, state.predictions, label: "prediction", color: Color.palette[3], radius: 2.5)
            return plot
        }
        return Figure(panels, title: "Speed against time, and the quadratic's predictions (red) after successive SGD steps",
                      panelWidth: 300, panelHeight: 260)
    }

    /// A model's loss and accuracy curves, also shown as text on a terminal.
    mutating func drawTraining(_ kind: ModelKind, fit: FitResult) throws {
        let file = kind == .linear ? "linear-model-training.png" : "neural-net-training.png"
        let figure = Figure([Plot.losses(of: fit, title: "Loss"), Plot.metric(of: fit, name: "accuracy", title: "Validation accuracy")],
                            title: "Training the \(kind.title)", panelWidth: 420, panelHeight: 300)
        try write(figure, file)
        if console.isTerminal { console.show(figure, width: 72, height: 10) }
    }

    /// The validation images the net gets wrong (up to 24), each captioned with its label and the prediction.
    mutating func drawMistakes(of model: any Module, data: LessonData) throws {
        let (inputs, targets) = data.validationSet
        let predicted = noGrad { model(inputs) } .> 0
        let wrong = (0..<targets.shape[0]).filter { predicted.scalars[$0] != targets.scalars[$0] }
        let (p, n) = (data.positiveName, data.negativeName)
        let shown = Array(wrong.prefix(24))
        let title = "The net's mistakes (label → prediction): \(wrong.count) of \(targets.shape[0]) validation images"
            + (shown.count < wrong.count ? ", the first \(shown.count)" : "")
        guard !shown.isEmpty else { console.writeLine("The net classifies every validation image correctly."); return }
        let images = LessonData.floats(data.validImages.gather(rows: shown))
        let captions = shown.map { "\(targets.scalars[$0] == 1 ? p : n) → \(predicted.scalars[$0] == 1 ? p : n)" }
        try write(Figure([ImageGrid(images, captions: captions, columns: min(8, shown.count))], title: title,
                         panelWidth: 640, panelHeight: Double(60 + 86 * ((shown.count + 7) / 8))), "neural-net-mistakes.png")
    }

    /// Names each file written.
    func reportWritten() {
        console.writeLine("Pictures in \(folder):")
        for (file, title) in written { console.writeLine("  \(padded(file, 32)) \(title)") }
    }
}
