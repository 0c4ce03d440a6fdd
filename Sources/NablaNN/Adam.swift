import Foundation
import Nabla

/// Adam, as `torch.optim.Adam` (and, with `decoupledWeightDecay`, `torch.optim.AdamW`),
/// with PyTorch's operations in PyTorch's order, step t counted from 1:
///
///     p = p · (1 − lr · weightDecay)          (AdamW only)
///     g = grad + weightDecay · p              (Adam only)
///     m = m + (1 − β₁) · (g − m)               (torch's lerp)
///     v = β₂ · v + (1 − β₂) · g²
///     v̂ = max(v̂, v)                           (amsgrad only; v̂ replaces v below)
///     p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// The betas are Doubles and the bias corrections are computed in Double, as
/// PyTorch keeps and computes them in Python floats, so that the two agree to
/// float32 rounding step by step.
public final class Adam: MomentumOptimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Float
    public var weightDecay: Float
    /// AdamW's decay of the weights themselves instead of an L2 term in the gradient.
    public let decoupledWeightDecay: Bool
    /// AMSGrad's variant (torch's `amsgrad`): the step divides by the largest second moment so far.
    public let amsgrad: Bool
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]
    /// The running maximum of each second moment (amsgrad only).
    private var maximumSecondMoments: [[Float]]
    private var steps: [Int]

    /// Adam with PyTorch's defaults, as a learner makes it from `Adam.self`.
    public convenience init(_ parameters: [Parameter], learningRate: Float) {
        self.init(parameters, learningRate: learningRate, beta1: 0.9)
    }

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false, amsgrad: Bool = false) {
        guard learningRate >= 0 && epsilon >= 0 && weightDecay >= 0 else { Nabla.fail("Adam: learning rate (\(learningRate)), epsilon (\(epsilon)) and weight decay (\(weightDecay)) must not be negative") }
        guard (0..<1).contains(beta1) && (0..<1).contains(beta2) else { Nabla.fail("Adam: betas (\(beta1), \(beta2)) must lie in [0, 1)") }
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.amsgrad = amsgrad
        firstMoments = Array(repeating: [], count: parameters.count)
        secondMoments = firstMoments
        maximumSecondMoments = firstMoments
        steps = Array(repeating: 0, count: parameters.count)
    }

    /// β₁, which fastai's one-cycle schedule moves as SGD's momentum.
    public var momentum: Float {
        get { Float(beta1) }
        set { beta1 = Double(newValue) }
    }

    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            let count = parameter.value.scalarCount
            if steps[index] == 0 {
                firstMoments[index] = [Float](repeating: 0, count: count)
                secondMoments[index] = firstMoments[index]
                if amsgrad { maximumSecondMoments[index] = firstMoments[index] }
            }
            steps[index] += 1
            let t = Double(steps[index])
            let stepSize = Float(Double(learningRate) / (1 - pow(beta1, t)))
            let correction2 = Float(sqrt(1 - pow(beta2, t)))
            let (b1, b2, b2Complement, eps, lr) = (Float(1 - beta1), Float(beta2), Float(1 - beta2), epsilon, learningRate)
            let decay = decoupledWeightDecay ? Float(1 - Double(lr) * Double(weightDecay)) : 1, l2 = decoupledWeightDecay ? 0 : weightDecay
            let updated = parameter.value.withUnsafeBufferPointer { p in
                grad.withUnsafeBufferPointer { g in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            maximumSecondMoments[index].withUnsafeMutableBufferPointer { vMax in
                                Tensor(shape: parameter.value.shape) { out in
                                    for i in 0..<count {
                                        let weight = decay == 1 ? p[i] : p[i] * decay
                                        let gradient = l2 == 0 ? g[i] : g[i] + l2 * weight
                                        m[i] += b1 * (gradient - m[i])
                                        v[i] = v[i] * b2 + b2Complement * gradient * gradient
                                        var denominator = v[i]
                                        if amsgrad {
                                            // torch.maximum: a NaN wins.
                                            if !vMax[i].isNaN && !(vMax[i] >= v[i]) { vMax[i] = v[i] }
                                            denominator = vMax[i]
                                        }
                                        out[i] = weight + (-stepSize * m[i]) / (denominator.squareRoot() / correction2 + eps)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // In place, so that every copy of the leaf sees the step (see Tensor's "Leaves have an identity").
            noGrad { parameter.value[.ellipsis] = updated }
        }
    }

    public func zeroGrad() {
        for parameter in parameters { parameter.value.grad = nil }
    }
}

extension Adam {
    /// `torch.optim.AdamW`: Adam with decoupled weight decay, 0.01 by default as in PyTorch.
    public static func adamW(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 1e-2, amsgrad: Bool = false) -> Adam {
        Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true, amsgrad: amsgrad)
    }
}
