import Foundation

private let globalGeneratorLock = NSLock()
/// PyTorch's default generator starts from the seed 67280421310721 in every process; so does this one.
nonisolated(unsafe) private var globalGenerator = RandomGenerator(seed: 67_280_421_310_721)

/// Seeds the global generator that ``Tensor/randn(_:requiresGrad:)``, `Linear(inputs:outputs:)`
/// and a loader without a seed draw from, as `torch.manual_seed(seed)`.
/// The same seed gives the same numbers on every machine; an explicit
/// `RandomGenerator` stays available and never touches this one.
public func manualSeed(_ seed: UInt64) {
    withGlobalGenerator { $0 = RandomGenerator(seed: seed) }
}

/// Runs `body` with exclusive use of the global generator (safe from any thread).
public func withGlobalGenerator<R>(_ body: (inout RandomGenerator) throws -> R) rethrows -> R {
    globalGeneratorLock.lock()
    defer { globalGeneratorLock.unlock() }
    return try body(&globalGenerator)
}

extension Tensor {
    /// Uniform samples from [0, 1), from the global generator (`torch.rand`).
    public static func rand(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Nabla.withGlobalGenerator { rand(shape, generator: &$0, requiresGrad: requiresGrad) }
    }

    /// Uniform samples from [low, high), from the global generator.
    public static func uniform(_ shape: [Int], low: Float, high: Float, requiresGrad: Bool = false) -> Tensor {
        Nabla.withGlobalGenerator { uniform(shape, low: low, high: high, generator: &$0, requiresGrad: requiresGrad) }
    }

    /// Standard normal samples, from the global generator (`torch.randn`).
    public static func randn(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Nabla.withGlobalGenerator { randn(shape, generator: &$0, requiresGrad: requiresGrad) }
    }
}
