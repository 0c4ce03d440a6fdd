import Nabla
import NablaData

extension LabeledImages {
    /// The mean and standard deviation of all pixels, the constants of
    /// torchvision's `Normalize` (MNIST's training set: 0.1307, 0.3081).
    public var pixelStatistics: (mean: Float, standardDeviation: Float) {
        let mean = images.mean().item
        return (mean, (images - mean).square().mean().item.squareRoot())
    }

    /// The images as a network's input: `(x − mean) / standardDeviation` with a
    /// channel axis, `[N, 1, height, width]`, as torchvision's `ToTensor` then `Normalize`.
    public func normalizedImages(mean: Float, standardDeviation: Float) -> Tensor {
        guard standardDeviation > 0 else { Nabla.fail("normalizedImages: the standard deviation must be positive, got \(standardDeviation)") }
        return ((images - mean) / standardDeviation).unsqueeze(axis: 1)
    }
}

extension ConfusionMatrix {
    /// The confusion matrix of `model`'s predictions on `inputs` (evaluated in
    /// `batchSize` pieces, in evaluation mode and without gradients) against `labels`.
    /// The model is left in evaluation mode.
    public init(model: any Module, inputs: Tensor, labels: Tensor, classCount: Int, batchSize: Int = 1000) {
        self.init(classCount: classCount)
        model.eval()
        let count = inputs.shape[0]
        noGrad {
            for start in stride(from: 0, to: count, by: batchSize) {
                let rows = start..<min(start + batchSize, count)
                add(prediction: model(inputs[rows]), target: labels[rows])
            }
        }
    }
}
