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
    // The built-in metrics capture nothing, so sharing them between tasks is safe.
    nonisolated(unsafe) public static let accuracy = Metric(name: "accuracy", batchAccuracy.measure)
}

/// The fraction of a batch classified right by a binary classifier that
/// outputs logits: `mean((σ(p) > 0.5) == target)`, as fastai's `batch_accuracy`.
/// Targets are 0 and 1; `prediction` and `target` have the same shape.
/// A ``Metric`` (column `batch_accuracy`), called as a function.
nonisolated(unsafe) public let batchAccuracy = Metric(name: "batch_accuracy") { prediction, target in
    ((prediction.sigmoid() .> 0.5) .== target).to(.float32).mean().item
}

/// The fraction of samples whose largest logit (or probability) is the target
/// class: `mean(argmax(prediction, axis 1) == target)`, as fastai's `accuracy`.
/// `prediction` is `[N, C]`; `target` holds `N` class indices (int64, or integral Floats, deprecated).
/// Ties go to the first largest class, as `argmax`'s.
public func accuracy(_ prediction: Tensor, _ target: Tensor) -> Float {
    guard prediction.rank == 2, target.shape == [prediction.shape[0]] else {
        Nabla.fail("accuracy: prediction of shape \(prediction.shape) and target of shape \(target.shape) do not fit: expected [N, C] and [N]")
    }
    _ = target.integerIndices(extent: prediction.shape[1], op: "accuracy", what: "class index")
    return (prediction.argmax(axis: 1) .== target).to(.float32).mean().item
}

extension Metric {
    /// Multi-class `accuracy` (argmax against class indices), shown as `accuracy`.
    nonisolated(unsafe) public static let multiClassAccuracy = Metric(name: "accuracy", NablaNN.accuracy)
}
