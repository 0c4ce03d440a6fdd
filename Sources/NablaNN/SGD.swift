import Nabla

/// Updates parameters from their gradients.
///
/// A learner makes its optimizer from the type (`SGD.self`) with
/// `init(_:learningRate:)`, at the first `fit`, as fastai's `opt_func`.
public protocol Optimizer: AnyObject {
    /// An optimizer of `parameters` with its default hyperparameters.
    init(_ parameters: [Parameter], learningRate: Float)
    /// The step size.
    var learningRate: Float { get set }
    /// Applies one update from the current gradients.
    func step()
    /// Clears the gradients before the next backward pass.
    func zeroGrad()
}

/// An optimizer with a momentum that a schedule may change between steps
/// (SGD's momentum, Adam's β₁), as fastai's one-cycle policy does.
public protocol MomentumOptimizer: Optimizer {
    var momentum: Float { get set }
}

/// Stochastic gradient descent with optional momentum, dampening, Nesterov
/// momentum and weight decay, as `torch.optim.SGD`:
///
///     g = grad + weightDecay · p
///     v = momentum · v + (1 − dampening) · g   (v = g on the first step; skipped when momentum is 0)
///     g = g + momentum · v  if nesterov, else g = v
///     p = p − learningRate · g
///
/// With momentum and weight decay at 0 it is the book's `p -= p.grad * lr`.
public final class SGD: MomentumOptimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var momentum: Float
    public var dampening: Float
    public var nesterov: Bool
    public var weightDecay: Float
    private var velocities: [Tensor?]

    /// Plain SGD, the book's step.
    public convenience init(_ parameters: [Parameter], learningRate: Float) {
        self.init(parameters, learningRate: learningRate, momentum: 0, weightDecay: 0)
    }

    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        // As torch.optim.SGD: a negative (or NaN) step would climb the loss.
        guard learningRate >= 0 else { Nabla.fail("SGD: invalid learning rate \(learningRate): it must not be negative") }
        guard momentum >= 0 && weightDecay >= 0 else {
            Nabla.fail("SGD: momentum (\(momentum)) and weight decay (\(weightDecay)) must not be negative")
        }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            Nabla.fail("SGD: Nesterov momentum requires a momentum and zero dampening")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocities = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        noGrad {
            for (index, parameter) in parameters.enumerated() {
                guard var direction = parameter.grad else { continue }
                if weightDecay != 0 { direction.addScaled(parameter.value, by: weightDecay) }
                if momentum != 0 {
                    var velocity = direction
                    if var previous = velocities[index] {
                        velocities[index] = nil  // keeps the buffer uniquely referenced, so it is updated in place
                        previous *= momentum
                        previous.addScaled(direction, by: 1 - dampening)
                        velocity = previous
                    }
                    velocities[index] = velocity
                    if nesterov { direction.addScaled(velocity, by: momentum) } else { direction = velocity }
                }
                parameter.value.addScaled(direction, by: -learningRate)
            }
        }
    }

    public func zeroGrad() {
        for parameter in parameters { parameter.value.grad = nil }
    }
}
