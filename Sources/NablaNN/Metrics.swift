import Nabla

/// The fraction of a batch classified right by a binary classifier that
/// outputs logits: `mean((σ(p) > 0.5) == target)`, as fastai's `batch_accuracy`.
/// Targets are 0 and 1; `prediction` and `target` have the same shape.
public func batchAccuracy(_ prediction: Tensor, _ target: Tensor) -> Float {
    ((prediction.sigmoid() .> 0.5) .== target).mean().item
}

/// A named measure of a batch's predictions, averaged over a validation pass
/// with each batch weighted by its size.
public struct Metric {
    public let name: String
    public let measure: (_ prediction: Tensor, _ target: Tensor) -> Float

    public init(name: String, _ measure: @escaping (_ prediction: Tensor, _ target: Tensor) -> Float) {
        self.name = name
        self.measure = measure
    }

    /// fastai's `batch_accuracy`, shown as `accuracy`.
    public static let accuracy = Metric(name: "accuracy", batchAccuracy)
}
