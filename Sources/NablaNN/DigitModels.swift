import Nabla

/// The classifiers of the ten-digit chapter, for `[N, 1, 28, 28]` images and
/// ten classes, built as `torch.nn.Sequential` models with PyTorch's names
/// and initialisation; `torchSource` is the same model in PyTorch, so that a
/// checkpoint of one loads into the other.
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
    /// (and its dropout masks from a generator seeded by it).
    public func make(generator: inout RandomGenerator) -> Sequential {
        switch self {
        case .linear:
            return Sequential(Flatten(), Linear(inputs: 784, outputs: 10, generator: &generator))
        case .mlp:
            return Sequential(Flatten(), Linear(inputs: 784, outputs: 128, generator: &generator), ReLU(),
                              Linear(inputs: 128, outputs: 10, generator: &generator))
        case .cnn:
            return Sequential(
                Conv2d(inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1, bias: false, generator: &generator),
                BatchNorm2d(features: 16), ReLU(), MaxPool2d(kernelSize: 2),
                Conv2d(inChannels: 16, outChannels: 32, kernelSize: 3, stride: 2, padding: 1, bias: false, generator: &generator),
                BatchNorm2d(features: 32), ReLU(),
                Flatten(), Linear(inputs: 32 * 7 * 7, outputs: 128, generator: &generator), ReLU(),
                Dropout(probability: 0.2, seed: generator.next()), Linear(inputs: 128, outputs: 10, generator: &generator))
        }
    }

    /// The same architecture as a PyTorch expression, for loading a Nabla checkpoint into `torch.nn`.
    public var torchSource: String {
        switch self {
        case .linear:
            return "nn.Sequential(nn.Flatten(), nn.Linear(784, 10))"
        case .mlp:
            return "nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))"
        case .cnn:
            return "nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2), "
                + "nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), "
                + "nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))"
        }
    }
}
