import Nabla

/// `torch.nn.Dropout`: in training mode zeroes each element with probability
/// `probability` and scales the rest by 1/(1 − probability); the identity in
/// evaluation mode. Its masks come from its own seeded generator.
public final class Dropout: Module {
    public let probability: Float
    public private(set) var isTraining = true
    private var generator: RandomGenerator

    public init(probability: Float = 0.5, seed: UInt64 = 0) {
        guard probability >= 0 && probability <= 1 else { Nabla.fail("Dropout: probability has to be between 0 and 1, but got \(probability)") }
        self.probability = probability
        generator = RandomGenerator(seed: seed)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { $0.dropout(probability: probability, training: isTraining, generator: &generator) }
    }
    public func setTraining(_ training: Bool) { isTraining = training }
}

/// `torch.nn.BatchNorm2d` (also right for `[N, C]`, as `BatchNorm1d`): `weight`
/// (ones) and `bias` (zeros) are trained; the buffers `running_mean` (zeros),
/// `running_var` (ones) and `num_batches_tracked` are updated in training mode
/// and used in evaluation mode.
public final class BatchNorm2d: Module {
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Buffer
    public let runningVariance: Buffer
    /// An int64, as PyTorch keeps it (so checkpoints hold the same dtypes).
    public let batchesTracked: Buffer
    /// Python floats, as PyTorch's `eps` and `momentum`.
    public let momentum: Double
    public let epsilon: Double
    public private(set) var isTraining = true

    public init(features: Int, epsilon: Double = 1e-5, momentum: Double = 0.1) {
        guard features > 0 else { Nabla.fail("BatchNorm2d: features must be positive, got \(features)") }
        weight = Parameter(Tensor.ones([features]))
        bias = Parameter(Tensor.zeros([features]))
        runningMean = Buffer(Tensor.zeros([features]))
        runningVariance = Buffer(Tensor.ones([features]))
        batchesTracked = Buffer(Tensor(Int64(0)))
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { withHooks(input, normalize) }

    private func normalize(_ input: Tensor) -> Tensor {
        if isTraining { batchesTracked.value = Tensor(batchesTracked.value.item(as: Int64.self) + 1) }
        return input.batchNorm(runningMean: &runningMean.value, runningVariance: &runningVariance.value,
                               weight: weight.value, bias: bias.value, training: isTraining, momentum: momentum, epsilon: epsilon)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public var namedBuffers: [(name: String, buffer: Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }

    public func setTraining(_ training: Bool) { isTraining = training }
}
