import Nabla

/// Mean absolute error, `mean(|prediction − target|)` (PyTorch's `F.l1_loss`).
public func l1Loss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    (prediction - target).abs().mean()
}

/// Mean squared error, `mean((prediction − target)²)` (PyTorch's `F.mse_loss`).
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    (prediction - target).square().mean()
}

/// Root mean squared error, `√mseLoss`.
public func rmseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    mseLoss(prediction, target).sqrt()
}

/// The loss of fastai's chapter 4 for a binary classifier with targets 0 and 1:
/// `mean(where(target == 1, 1 − σ(p), σ(p)))`, how far each sigmoid output is
/// from its target. It lies in [0, 1].
public func mnistLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    let probability = prediction.sigmoid()
    return Tensor.where(target .== 1, 1 - probability, probability).mean()
}

/// Binary cross-entropy on logits (PyTorch's `F.binary_cross_entropy_with_logits`),
/// computed stably as `mean(max(p, 0) − p·t + log(1 + exp(−|p|)))`.
public func binaryCrossEntropyWithLogits(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    (prediction.relu() - prediction * target + ((-prediction.abs()).exp() + 1).log()).mean()
}
