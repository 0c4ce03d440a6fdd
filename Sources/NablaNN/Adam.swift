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
/// float32 rounding step by step. Each parameter's moments have the parameter's
/// dtype (float32 or float64; a model may mix them) and its update computes in it,
/// the hyperparameters converted to it.
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
    /// Each parameter's moments and step count (an `AdamState` of its scalar type), nil before its first step.
    private var states: [AnyObject?]

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
        states = Array(repeating: nil, count: parameters.count)
    }

    /// β₁, which fastai's one-cycle schedule moves as SGD's momentum.
    public var momentum: Float {
        get { Float(beta1) }
        set { beta1 = Double(newValue) }
    }

    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            let updated: Tensor
            switch parameter.value.dtype {
            case .float32: updated = step(index, parameter.value, grad, Float.self)
            case .float64: updated = step(index, parameter.value, grad, Double.self)
            case .float16, .bfloat16:
                Nabla.fail("Adam: parameter \(index) is \(parameter.value.dtype); Adam steps float32 and float64 parameters (convert the model with to(.float32))")
            case let other: Nabla.fail("Adam: parameter \(index) is \(other); only float32 and float64 parameters have gradients")
            }
            // In place, so that every copy of the leaf sees the step (see Tensor's "Leaves have an identity").
            noGrad { parameter.value[.ellipsis] = updated }
        }
    }

    /// The new value of parameter `index`, computed in its scalar type `T`, and its moments updated.
    private func step<T: BinaryFloatingPoint & TensorScalar>(_ index: Int, _ value: Tensor, _ grad: Tensor, _ type: T.Type) -> Tensor {
        let count = value.scalarCount
        if states[index] == nil { states[index] = AdamState<T>(count: count, amsgrad: amsgrad) }
        guard let state = states[index] as? AdamState<T> else {
            Nabla.fail("Adam: parameter \(index) is \(T.dtype) now but was of another dtype at the previous step; make a new optimizer after converting a model")
        }
        state.steps += 1
        let t = Double(state.steps)
        let stepSize = T(Double(learningRate) / (1 - pow(beta1, t)))
        let correction2 = T(sqrt(1 - pow(beta2, t)))
        let (b1, b2, b2Complement, eps) = (T(1 - beta1), T(beta2), T(1 - beta2), T(epsilon))
        let decay = decoupledWeightDecay ? T(1 - Double(learningRate) * Double(weightDecay)) : 1, l2 = decoupledWeightDecay ? 0 : T(weightDecay)
        let amsgrad = amsgrad
        return value.withUnsafeBufferPointer(as: T.self) { p in
            grad.withUnsafeBufferPointer(as: T.self) { g in
                state.first.withUnsafeMutableBufferPointer { m in
                    state.second.withUnsafeMutableBufferPointer { v in
                        state.maximumSecond.withUnsafeMutableBufferPointer { vMax in
                            Tensor(shape: value.shape) { (out: UnsafeMutableBufferPointer<T>) in
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

/// One parameter's Adam state in its scalar type: torch's `exp_avg`, `exp_avg_sq`,
/// `max_exp_avg_sq` (amsgrad only, else empty) and `step`.
private final class AdamState<T: BinaryFloatingPoint> {
    var first: [T], second: [T], maximumSecond: [T]
    var steps = 0

    init(count: Int, amsgrad: Bool) {
        first = [T](repeating: 0, count: count)
        second = first
        maximumSecond = amsgrad ? first : []
    }
}
