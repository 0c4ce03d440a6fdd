import Nabla

/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// The step size.
    var learningRate: Float { get set }
    /// Applies one update from the current gradients.
    func step()
    /// Clears the gradients before the next backward pass.
    func zeroGrad()
}

/// Stochastic gradient descent with optional momentum and weight decay, as
/// `torch.optim.SGD` (no dampening, no Nesterov):
///
///     g = grad + weightDecay · p
///     v = momentum · v + g        (v = g on the first step; skipped when momentum is 0)
///     p = p − learningRate · v
///
/// With momentum and weight decay at 0 it is the book's `p -= p.grad * lr`.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    private var velocities: [Tensor?]

    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        guard momentum >= 0 && weightDecay >= 0 else {
            Nabla.fail("SGD: momentum (\(momentum)) and weight decay (\(weightDecay)) must not be negative")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocities = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        noGrad {
            for (index, parameter) in parameters.enumerated() {
                guard var direction = parameter.grad else { continue }
                if weightDecay != 0 { direction.addScaled(parameter.value, by: weightDecay) }
                if momentum != 0 {
                    if var velocity = velocities[index] {
                        velocities[index] = nil  // keeps the buffer uniquely referenced, so it is updated in place
                        velocity *= momentum
                        velocity.addScaled(direction, by: 1)
                        direction = velocity
                    }
                    velocities[index] = direction
                }
                parameter.value.addScaled(direction, by: -learningRate)
            }
        }
    }

    public func zeroGrad() {
        for parameter in parameters { parameter.value.grad = nil }
    }
}
