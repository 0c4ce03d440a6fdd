import Nabla

/// Mean absolute error, `mean(|prediction − target|)` (PyTorch's `F.l1_loss`).
/// A target whose shape differs from the prediction's broadcasts, with PyTorch's warning.
public func l1Loss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    warnIfBroadcasting(prediction, target, op: "l1Loss")
    return (prediction - target).abs().mean()
}

/// Mean squared error, `mean((prediction − target)²)` (PyTorch's `F.mse_loss`).
/// A target whose shape differs from the prediction's broadcasts, with PyTorch's
/// warning: `mseLoss` of `[256, 1]` and `[256]` averages a `[256, 256]` square.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    warnIfBroadcasting(prediction, target, op: "mseLoss")
    return (prediction - target).square().mean()
}

/// PyTorch's warning for a regression loss whose target broadcasts against the input.
private func warnIfBroadcasting(_ prediction: Tensor, _ target: Tensor, op: String) {
    guard prediction.shape != target.shape else { return }
    Nabla.warn("\(op): using a target size (\(target.shape)) that is different to the input size (\(prediction.shape)). "
               + "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
               site: "\(op) \(prediction.shape) \(target.shape)")
}

/// Root mean squared error, `√mseLoss`.
public func rmseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    mseLoss(prediction, target).sqrt()
}

/// The loss of fastai's chapter 4 for a binary classifier with targets 0 and 1:
/// `mean(where(target == 1, 1 − σ(p), σ(p)))`, how far each sigmoid output is
/// from its target. It lies in [0, 1].
///
/// When `prediction` is floating and `target` has its shape (a batch's `[B, 1]` and
/// its targets), the chain runs fused: σ once, the distances in one pass, their
/// mean, and a backward pass that writes the gradient `∓ḡ/n · σ(1 − σ)` in one
/// pass, with the same arithmetic as the chain of ops, so the same bits.
public func mnistLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    guard prediction.shape == target.shape, prediction.dtype.isFloatingPoint else {
        let probability = prediction.sigmoid()
        return Tensor.where(target .== 1, 1 - probability, probability).mean()
    }
    return prediction.meanSigmoidDistance(to: target)
}

/// How a loss combines its per-element values, as PyTorch's `reduction` argument.
public enum Reduction: String, Sendable {
    /// The per-element losses, unreduced.
    case none
    /// Their mean (the default); NaN when there are none, as PyTorch's.
    case mean
    /// Their sum.
    case sum

    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .none: return losses
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        }
    }
}

/// Fails unless `prediction` and `target` have the same shape, as PyTorch's binary losses require.
private func checkSameShape(_ prediction: Tensor, _ target: Tensor, op: String) {
    guard prediction.shape == target.shape else {
        Nabla.fail("\(op): target of shape \(target.shape) does not match the input of shape \(prediction.shape); they must be the same")
    }
}

/// Binary cross-entropy on logits with a mean (PyTorch's `F.binary_cross_entropy_with_logits`).
public func binaryCrossEntropyWithLogits(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    binaryCrossEntropyWithLogits(prediction, target, reduction: .mean)
}

/// Binary cross-entropy on logits x with targets y in [0, 1], computed stably as
/// `max(x, 0) − x·y + log(1 + exp(−|x|))`. Its gradient is the formula's own,
/// `σ(x) − y` for x and `−x` for y (not composed through `relu` and `abs`, whose
/// gradients at x = 0 are 0). `prediction` and `target` have the same shape.
public func binaryCrossEntropyWithLogits(_ prediction: Tensor, _ target: Tensor, reduction: Reduction) -> Tensor {
    checkSameShape(prediction, target, op: "binaryCrossEntropyWithLogits")
    let x = prediction.detached(), y = target.detached()
    let losses = noGrad { x.relu() - x * y + (-x.abs()).exp().log1p() }
    return reduction.apply(losses.withGradient(of: "binaryCrossEntropyWithLogits", inputs: [prediction, target]) { g in
        [g * (x.sigmoid() - y), -g * x]
    })
}

/// Binary cross-entropy on probabilities with a mean (PyTorch's `F.binary_cross_entropy`).
public func binaryCrossEntropy(_ probability: Tensor, _ target: Tensor) -> Tensor {
    binaryCrossEntropy(probability, target, reduction: .mean)
}

/// Binary cross-entropy on probabilities p in [0, 1] with targets y:
/// `−(y·log p + (1 − y)·log(1 − p))`, each log clamped at −100 as PyTorch does so
/// that p = 0 or 1 gives a finite loss. The gradient for p is PyTorch's,
/// `(p − y) / max(p·(1 − p), 1e-12)`. Prefer the logits form, which is stable.
public func binaryCrossEntropy(_ probability: Tensor, _ target: Tensor, reduction: Reduction) -> Tensor {
    checkSameShape(probability, target, op: "binaryCrossEntropy")
    let p = probability.detached(), y = target.detached()
    if let bad = p.scalars.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
        Nabla.fail("binaryCrossEntropy: input \(p.scalars[bad]) at position \(bad) is not a probability; all elements must lie in [0, 1] (use binaryCrossEntropyWithLogits on logits)")
    }
    let (logP, logNotP) = noGrad { (p.log().clamp(min: -100), (1 - p).log().clamp(min: -100)) }
    let losses = noGrad { -(y * logP + (1 - y) * logNotP) }
    return reduction.apply(losses.withGradient(of: "binaryCrossEntropy", inputs: [probability, target]) { g in
        // PyTorch's bound is the float constant 1e-12, in float64 too.
        [g * (p - y) / (p * (1 - p)).clamp(min: Double(Float(1e-12))), g * (logNotP - logP)]
    })
}

/// The negative log-likelihood with a mean (PyTorch's `F.nll_loss`).
public func nllLoss(_ logProbabilities: Tensor, _ target: Tensor) -> Tensor {
    nllLoss(logProbabilities, target, reduction: .mean)
}

/// The negative log-likelihood `−weight[target[n]] · input[n, target[n]]` of log-probabilities
/// (as `logSoftmax` gives) of shape `[N, C]`, `[C]` or `[N, C, d1, …]`, the classes on axis 1
/// (axis 0 for `[C]`), as PyTorch's `F.nll_loss`. `target` holds class indices (int64;
/// integral Floats are deprecated), of the input's shape without the class axis; a non-integer
/// or out-of-range index fails, except `ignoreIndex`, whose positions add nothing to the loss
/// or its divisor.
///
/// - Parameters:
///   - logProbabilities: Log-probabilities `[N, C, …]` or `[C]`.
///   - target: Class indices, of the input's shape without the class axis.
///   - weight: A rescaling weight per class, `[C]` (no gradient flows to it, as in PyTorch).
///   - ignoreIndex: A target value that is skipped (PyTorch's default −100).
///   - reduction: `.mean` divides by the sum of the weights of the targets not ignored
///     (their count without `weight`), so it is NaN when every target is ignored.
public func nllLoss(_ logProbabilities: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                    reduction: Reduction) -> Tensor {
    let classAxis = classAxis(of: logProbabilities, target, op: "nllLoss")
    checkClassWeight(weight, classes: logProbabilities.shape[classAxis], op: "nllLoss")
    let picked = classTargetLogProbabilities(logProbabilities, target, classAxis: classAxis, weight: weight,
                                             ignoreIndex: ignoreIndex, op: "nllLoss")
    return picked.reduced(by: reduction)
}

/// Cross-entropy with a mean (PyTorch's `F.cross_entropy`).
public func crossEntropy(_ logits: Tensor, _ target: Tensor) -> Tensor {
    crossEntropy(logits, target, reduction: .mean)
}

/// Cross-entropy of unnormalised logits, over the class axis (axis 1, or 0 for
/// a single sample `[C]`), as PyTorch's `F.cross_entropy`, stable for any finite
/// logits. `target` is either class indices (int64; integral Floats are deprecated), of the logits'
/// shape without the class axis (`nllLoss(logSoftmax(logits))`), or class
/// probabilities of the logits' own shape (`−Σ target · logSoftmax(logits)` per sample).
///
/// - Parameters:
///   - logits: Unnormalised scores `[N, C, …]` or `[C]`.
///   - target: Class indices or class probabilities, as above.
///   - weight: A rescaling weight per class, `[C]`, as ``nllLoss(_:_:weight:ignoreIndex:reduction:)``;
///     with probabilities, each class's term is scaled by it.
///   - ignoreIndex: A class-index target that is skipped (PyTorch's default −100).
///   - reduction: `.mean` divides as ``nllLoss(_:_:weight:ignoreIndex:reduction:)`` does for class
///     indices, and by the number of samples for probabilities.
///   - labelSmoothing: ε in [0, 1]: the target becomes (1 − ε) times itself plus ε spread
///     evenly over the C classes, as PyTorch's `label_smoothing`; for class indices the loss is
///     `(1 − ε) · nll + ε / C · Σ_c −weight[c] · logSoftmax[c]`, the smoothing term reduced
///     with the same divisor.
public func crossEntropy(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                         reduction: Reduction = .mean, labelSmoothing: Double = 0) -> Tensor {
    guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
        Nabla.fail("crossEntropy: labelSmoothing must be between 0.0 and 1.0, got \(labelSmoothing)")
    }
    let probabilities = logits.rank >= 1 && target.shape == logits.shape
    let classAxis = probabilities ? (logits.rank == 1 ? 0 : 1) : classAxis(of: logits, target, op: "crossEntropy")
    let classes = logits.shape[classAxis]
    checkClassWeight(weight, classes: classes, op: "crossEntropy")
    let logP = logits.logSoftmax(axis: classAxis)
    // ε as a scalar tensor of the logits' dtype: a float64 loss smooths with float64's ε.
    func scalar(_ value: Double) -> Tensor { Tensor.full([], value, dtype: logP.dtype) }
    // logP times the class weights, shaped to broadcast along the class axis.
    func weighted() -> Tensor {
        weight.map { logP * $0.detached().reshape((0..<logits.rank).map { $0 == classAxis ? classes : 1 }) } ?? logP
    }
    if probabilities {
        let smoothed = labelSmoothing == 0 ? target : target * scalar(1 - labelSmoothing) + scalar(labelSmoothing / Double(classes))
        return reduction.apply(-(smoothed * weighted()).sum(axis: classAxis))
    }
    let picked = classTargetLogProbabilities(logP, target, classAxis: classAxis, weight: weight, ignoreIndex: ignoreIndex, op: "crossEntropy")
    guard labelSmoothing > 0 else { return picked.reduced(by: reduction) }
    let smoothing = ClassTargetLosses(losses: -weighted().sum(axis: classAxis) * picked.kept, divisor: picked.divisor)
    let nll = picked.reduced(by: reduction), smooth = smoothing.reduced(by: reduction)
    return nll * scalar(1 - labelSmoothing) + smooth * scalar(labelSmoothing / Double(classes))
}

/// Per-position losses of class-index targets and what `.mean` divides their sum by.
private struct ClassTargetLosses {
    let losses: Tensor
    /// Σ weight[target] over the targets not ignored (in the weights' dtype); nil when that is simply every position.
    var divisor: Tensor?
    /// 1 where the target is not ignored, 0 where it is.
    var kept: Tensor = Tensor(1)

    func reduced(by reduction: Reduction) -> Tensor {
        guard reduction == .mean, let divisor else { return reduction.apply(losses) }
        // Every target ignored: a NaN loss whose gradient is zero, as PyTorch's (not 0/0's NaN gradient).
        guard divisor.item(as: Double.self) != 0 else { return losses.sum() + Float.nan }
        return losses.sum() / divisor
    }
}

/// Fails unless `weight`, when given, holds one value per class.
private func checkClassWeight(_ weight: Tensor?, classes: Int, op: String) {
    if let weight, weight.shape != [classes] {
        Nabla.fail("\(op): weight must hold one value per class, [\(classes)], got \(weight.shape)")
    }
}

/// `−weight[t] · logP[…, t, …]` at each position's class index t (0 where t is `ignoreIndex`),
/// after checking every other index is an integer in 0..<C; `weight` is checked already.
private func classTargetLogProbabilities(_ logP: Tensor, _ target: Tensor, classAxis: Int, weight: Tensor?,
                                         ignoreIndex: Int, op: String) -> ClassTargetLosses {
    let classes = logP.shape[classAxis]
    let ignored = target .== Tensor.full([], Double(ignoreIndex), dtype: target.dtype.isFloatingPoint ? .float64 : .int64)
    guard weight != nil || ignored.any().item(as: Bool.self) else {
        // Every position counts with weight 1: the plain mean, as without these arguments.
        _ = target.integerIndices(extent: classes, op: op, what: "class index")
        return ClassTargetLosses(losses: -logP.gather(axis: classAxis, indices: target.unsqueeze(axis: classAxis)).squeeze(axis: classAxis))
    }
    let kept = Tensor.where(ignored, Tensor.zeros([], dtype: logP.dtype), Tensor.ones([], dtype: logP.dtype))
    let safe = Tensor.where(ignored, Tensor.zeros([], dtype: target.dtype), target)
    _ = safe.integerIndices(extent: classes, op: op, what: "class index")
    // The class weights stay in their own dtype (float64 weights are not rounded to float32) and are not differentiated, as in torch.
    let positionWeights = weight.map { $0.detached().indexSelect(axis: 0, safe.reshape([-1]).to(.int64)).reshape(target.shape) * kept } ?? kept
    let picked = logP.gather(axis: classAxis, indices: safe.unsqueeze(axis: classAxis)).squeeze(axis: classAxis)
    return ClassTargetLosses(losses: -picked * positionWeights, divisor: positionWeights.sum(), kept: kept)
}

/// The class axis of a classifier's output, checking that `target` has the output's shape without it.
private func classAxis(of input: Tensor, _ target: Tensor, op: String) -> Int {
    guard input.rank >= 1 else { Nabla.fail("\(op): the input needs a class axis, got a scalar") }
    let axis = input.rank == 1 ? 0 : 1
    var expected = input.shape
    expected.remove(at: axis)
    guard target.shape == expected else {
        Nabla.fail("\(op): target of shape \(target.shape) does not fit the input of shape \(input.shape): expected \(expected) (class indices, without the class axis \(axis))\(op == "crossEntropy" ? " or \(input.shape) (class probabilities)" : "")")
    }
    return axis
}
