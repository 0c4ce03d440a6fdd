import Nabla

/// A named measure of a batch's predictions, averaged over a validation pass
/// with each batch weighted by its size. It is called like the function it wraps:
/// `batchAccuracy(prediction, target)`.
public struct Metric {
    /// The column name in the training table.
    public let name: String
    public let measure: (_ prediction: Tensor, _ target: Tensor) -> Float

    public init(name: String, _ measure: @escaping (_ prediction: Tensor, _ target: Tensor) -> Float) {
        self.name = name
        self.measure = measure
    }

    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Float { measure(prediction, target) }

    /// fastai's `batch_accuracy`, shown as `accuracy`.
    public static let accuracy = Metric(name: "accuracy", batchAccuracy.measure)
}

/// The fraction of a batch classified right by a binary classifier that
/// outputs logits: `mean((σ(p) > 0.5) == target)`, as fastai's `batch_accuracy`.
/// Targets are 0 and 1; `prediction` and `target` have the same shape.
/// A ``Metric`` (column `batch_accuracy`), called as a function.
public let batchAccuracy = Metric(name: "batch_accuracy") { prediction, target in
    ((prediction.sigmoid() .> 0.5) .== target).mean().item
}
