import Nabla

/// torchvision's `Normalize` as the first layer of a model: `(x − mean) / std` per
/// channel (axis 1), with `mean` and `std` as buffers, so that they are saved in the
/// checkpoint with the weights and a model takes the same 0–1 pixels in Nabla and in
/// PyTorch. ``torchSource`` is the same layer as a `torch.nn.Module`.
public final class Normalize: Module {
    /// One value per channel, `[C]` (or `[1]` for every channel).
    public let mean: Buffer
    /// One value per channel, `[C]` (or `[1]`), all positive.
    public let std: Buffer

    /// Fails unless `mean` and `std` have the same length (at least 1) and every `std` is positive.
    public init(mean: [Float], std: [Float]) {
        guard !mean.isEmpty, mean.count == std.count else {
            Nabla.fail("Normalize: mean (\(mean.count) values) and std (\(std.count) values) need one value per channel each")
        }
        guard std.allSatisfy({ $0 > 0 }) else { Nabla.fail("Normalize: every std must be positive, got \(std)") }
        self.mean = Buffer(Tensor(mean))
        self.std = Buffer(Tensor(std))
    }

    /// `input` is `[N, C, …]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { input in
            let channels = mean.value.scalarCount
            guard input.rank >= 2, channels == 1 || input.shape[1] == channels else {
                Nabla.fail("Normalize: expected an input [N, \(channels), …], got \(input.shape)")
            }
            let shape = [channels] + Array(repeating: 1, count: input.rank - 2)
            return (input - mean.value.reshape(shape)) / std.value.reshape(shape)
        }
    }

    public var summary: String { "Normalize(mean: \(mean.value.scalars), std: \(std.value.scalars))" }

    /// The same layer in PyTorch (for `[N, C, H, W]` inputs), with the same `state_dict`
    /// names; its default buffers (0 and 1, one channel) are replaced by `load_state_dict`.
    public static let torchSource = """
        class Normalize(nn.Module):
            def __init__(self, channels=1):
                super().__init__()
                self.register_buffer("mean", torch.zeros(channels))
                self.register_buffer("std", torch.ones(channels))
            def forward(self, x):
                return (x - self.mean.view(-1, 1, 1)) / self.std.view(-1, 1, 1)
        """
}
