extension Tensor {
    /// `mean(where(target == 1, 1 − σ(self), σ(self)))`, fastai chapter 4's `mnist_loss`,
    /// fused: σ once, the distances to the targets in one pass, their mean, and a backward
    /// pass that writes the gradient `∓ḡ/n · σ(1 − σ)` in one pass.
    ///
    /// Each step does the arithmetic of the chain of ops in the chain's order (σ as
    /// `sigmoid()`, the mean as `mean()`, its gradient `ḡ · (1/n)` rounded to the dtype as the
    /// mean's backward rounds it, then σ's `g · σ · (1 − σ)`), so the loss and the gradient
    /// have the chain's bits in every floating dtype; float16 and bfloat16 compute each pass
    /// in float32 and round once, as each op of the chain does. `self` is floating and
    /// `target` has its shape; the target is read in `self`'s dtype (a bool target as 1 and 0).
    package func meanSigmoidDistance(to target: Tensor) -> Tensor {
        guard dtype.isFloatingPoint, target.shape == shape else {
            fail("mnistLoss: the fused loss takes a floating prediction and a target of its shape, got \(dtype) \(describe(shape)) and \(describe(target.shape))")
        }
        let (probability, target) = noGrad { (detached().sigmoid(), target.to(dtype)) }
        let distances = mapFloating(probability, target, op: "mnistLoss", SigmoidDistance())
        let loss = noGrad { distances.mean() }
        let reciprocal = Tensor.meanReciprocal(count: scalarCount, dtype: dtype)
        return loss.withGradient(of: "mnistLoss", inputs: [self]) { g in
            // The mean's backward, ḡ · (1/n), as a one-element tensor rounded to the dtype.
            [mapFloating(probability, target, g * reciprocal, op: "mnistLoss", SigmoidDistanceGradient())]
        }
    }
}

/// How far the probability `p` is from the target `t`: `1 − p` where `t == 1`, else `p`.
private struct SigmoidDistance: FloatingMap2 {
    func callAsFunction<T: FloatingScalar>(_ p: T, _ t: T) -> T { t == 1 ? 1 - p : p }
}

/// The gradient of ``SigmoidDistance`` at `σ(x) = p` for the mean's share `s` of the
/// loss's gradient, in the chain's order: the `1 − p` branch negates `s`, then σ's `g·p·(1 − p)`.
private struct SigmoidDistanceGradient: FloatingMap3 {
    func callAsFunction<T: FloatingScalar>(_ p: T, _ t: T, _ s: T) -> T { (t == 1 ? -s : s) * p * (1 - p) }
}
