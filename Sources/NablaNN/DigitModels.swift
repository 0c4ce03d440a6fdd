import Nabla

/// The classifiers of the ten-digit chapter, for `[N, 1, 28, 28]` images of 0–1
/// pixels and ten classes, built as `torch.nn.Sequential` models with PyTorch's
/// names and initialisation. Each starts with a ``Normalize`` layer (`0.mean`,
/// `0.std`), so the checkpoint carries its preprocessing: `torchSource` is the
/// same model in PyTorch (after ``Normalize/torchSource``), so that a checkpoint of
/// one loads into the other and gives the same logits on the same pixels.
public enum DigitModel: String, CaseIterable, Sendable {
    /// Softmax regression: one linear layer on the 784 pixels.
    case linear
    /// 784-128-10 with a ReLU.
    case mlp
    /// Two 3×3 convolutions with batch norm and ReLU, the first followed by 2×2
    /// max pooling, the second with stride 2, then a 128-unit hidden layer with
    /// dropout: 1×28×28 → 16×14×14 → 32×7×7 → 128 → 10. The strided second
    /// convolution costs a quarter of a pooled one (3 MFLOP per image and step in all).
    case cnn

    /// A freshly initialised model, drawing its weights from `generator`
    /// (and its dropout masks from a generator seeded by it), whose first layer
    /// normalises the pixels with `mean` and `standardDeviation` (the training set's:
    /// `LabeledImages.pixelStatistics`, 0.1307 and 0.3081 for MNIST).
    public func make(generator: inout RandomGenerator, mean: Float = 0, standardDeviation: Float = 1) -> Sequential {
        let normalize = Normalize(mean: [mean], std: [standardDeviation])
        switch self {
        case .linear:
            return Sequential(normalize, Flatten(), Linear(inputs: 784, outputs: 10, generator: &generator))
        case .mlp:
            return Sequential(normalize, Flatten(), Linear(inputs: 784, outputs: 128, generator: &generator), ReLU(),
                              Linear(inputs: 128, outputs: 10, generator: &generator))
        case .cnn:
            return Sequential(
                normalize,
                Conv2d(inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1, bias: false, generator: &generator),
                BatchNorm2d(features: 16), ReLU(), MaxPool2d(kernelSize: 2),
                Conv2d(inChannels: 16, outChannels: 32, kernelSize: 3, stride: 2, padding: 1, bias: false, generator: &generator),
                BatchNorm2d(features: 32), ReLU(),
                Flatten(), Linear(inputs: 32 * 7 * 7, outputs: 128, generator: &generator), ReLU(),
                Dropout(probability: 0.2, seed: generator.next()), Linear(inputs: 128, outputs: 10, generator: &generator))
        }
    }

    /// The same architecture as a PyTorch expression, for loading a Nabla checkpoint into
    /// `torch.nn`; it uses the class `Normalize` of ``Normalize/torchSource``.
    public var torchSource: String {
        switch self {
        case .linear:
            return "nn.Sequential(Normalize(), nn.Flatten(), nn.Linear(784, 10))"
        case .mlp:
            return "nn.Sequential(Normalize(), nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))"
        case .cnn:
            return "nn.Sequential(Normalize(), nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2), "
                + "nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), "
                + "nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))"
        }
    }
}
