import Nabla
import NablaNN

extension Plot {
    /// Adds tensor `y` against tensor `x` (any shapes of the same number of elements, read in order) joined by a line.
    public mutating func line(_ x: Tensor, _ y: Tensor, label: String? = nil, color: Color? = nil,
                              width: Double = 2, dashed: Bool = false) {
        let (xs, ys) = Plot.pairs(x, y, "line")
        line(x: xs, y: ys, label: label, color: color, width: width, dashed: dashed)
    }

    /// Adds tensor `y` against tensor `x` as dots.
    public mutating func scatter(_ x: Tensor, _ y: Tensor, label: String? = nil, color: Color? = nil, radius: Double = 3) {
        let (xs, ys) = Plot.pairs(x, y, "scatter")
        scatter(x: xs, y: ys, label: label, color: color, radius: radius)
    }

    /// Adds a tensor function sampled over `range`, as fastai's `plot_function(f, min, max)`:
    /// `f` receives every x at once as a tensor of shape `[samples]`.
    public mutating func function(over range: ClosedRange<Double>, samples: Int = 200, label: String? = nil,
                                  color: Color? = nil, tensor f: (Tensor) -> Tensor) {
        Plot.requireSampleCount(samples)
        let x = Tensor((0..<samples).map { Float(range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(samples - 1)) })
        line(x, noGrad { f(x) }, label: label, color: color)
    }

    private static func pairs(_ x: Tensor, _ y: Tensor, _ op: String) -> ([Double], [Double]) {
        require(x.scalarCount == y.scalarCount,
                     "Plot.\(op): x of shape \(x.shape) and y of shape \(y.shape) have different numbers of elements")
        return (x.scalars.map(Double.init), y.scalars.map(Double.init))
    }

    /// The training and validation losses of a fit against the epoch (0, 1, …, as the table numbers them), as fastai's `recorder.plot_loss()`.
    public static func losses(of fit: FitResult, title: String = "Loss") -> Plot {
        var plot = Plot(title: title, xLabel: "epoch", yLabel: "loss")
        let epochs = fit.epochs.map { Double($0.epoch) }
        plot.line(x: epochs, y: fit.epochs.map { Double($0.trainLoss) }, label: "train_loss")
        plot.line(x: epochs, y: fit.epochs.map { Double($0.validLoss) }, label: "valid_loss")
        return plot
    }

    /// Metric `index` of a fit (in the learner's metric order) against the epoch, as fastai's
    /// `plt.plot(L(learn.recorder.values).itemgot(2))`.
    public static func metric(_ index: Int = 0, of fit: FitResult, name: String = "accuracy", title: String? = nil) -> Plot {
        var plot = Plot(title: title ?? name.prefix(1).uppercased() + name.dropFirst(), xLabel: "epoch", yLabel: name)
        plot.line(x: fit.epochs.map { Double($0.epoch) }, y: fit.epochs.map { record in
            require(index < record.metrics.count, "Plot.metric: the fit recorded \(record.metrics.count) metrics, asked for metric \(index)")
            return Double(record.metrics[index])
        }, label: name)
        plot.legend = .lowerRight
        return plot
    }

    /// fastai's `learn.recorder.plot_loss()`: the loss of every training batch, and the validation
    /// loss at the end of each epoch, against the number of batches trained.
    public static func losses(of recorder: Recorder, title: String = "Loss") -> Plot {
        var plot = Plot(title: title, xLabel: "batches trained", yLabel: "loss")
        plot.line(x: recorder.losses.indices.map(Double.init), y: recorder.losses.map(Double.init), label: "train", width: 1.5)
        let perEpoch = Double(recorder.losses.count) / Double(max(recorder.epochs.count, 1))
        plot.line(x: recorder.epochs.indices.map { Double($0 + 1) * perEpoch }, y: recorder.epochs.map { Double($0.validLoss) },
                  label: "valid")
        return plot
    }

    /// One column of fastai's `learn.recorder.values` (`"train_loss"`, `"valid_loss"` or a metric's name)
    /// against the epoch, as `plt.plot(L(learn.recorder.values).itemgot(2))`.
    public static func values(_ name: String, of recorder: Recorder, title: String? = nil) -> Plot {
        guard let column = recorder.names.firstIndex(of: name) else {
            Nabla.fail("Plot.values: the recorder has no column \(name); it has \(recorder.names)")
        }
        var plot = Plot(title: title ?? name, xLabel: "epoch", yLabel: name)
        plot.line(x: recorder.epochs.map { Double($0.epoch) }, y: recorder.values.map { Double($0[column]) }, label: name)
        return plot
    }
}
