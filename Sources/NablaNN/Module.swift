import Nabla

/// A trainable tensor owned by a module.
///
/// Modules hand out their parameters by reference so that an optimizer can
/// update them in place (`value.addScaled`), without copying the weights and
/// without the module having to know about the optimizer.
public final class Parameter {
    /// The current value; it requires a gradient.
    public var value: Tensor

    /// Wraps `value` and marks it as requiring a gradient.
    public init(_ value: Tensor) {
        self.value = value.detached()
        self.value.requiresGrad = true
    }

    /// The gradient accumulated by the last `backward()`, if any.
    public var grad: Tensor? { value.grad }
}

/// State a module keeps that is not trained by gradients but belongs in its
/// checkpoint, PyTorch's buffers (batch norm's running statistics).
public final class Buffer {
    public var value: Tensor
    public init(_ value: Tensor) { self.value = value.detached() }
}

/// A layer or model: a function of one tensor with named parameters.
///
/// Models are callable: `model(x)`.
public protocol Module: AnyObject {
    /// Applies the module to a batch.
    func callAsFunction(_ input: Tensor) -> Tensor

    /// The parameters with PyTorch `state_dict` names (`"0.weight"`, `"0.bias"`...),
    /// in the order they were registered.
    var namedParameters: [(name: String, parameter: Parameter)] { get }

    /// The buffers with PyTorch `state_dict` names (`"1.running_mean"`...); none by default.
    var namedBuffers: [(name: String, buffer: Buffer)] { get }

    /// Switches training behaviour (dropout, batch statistics) on or off, in this
    /// module and the modules it contains; see `train()` and `eval()`.
    func setTraining(_ training: Bool)
}

extension Module {
    public var namedBuffers: [(name: String, buffer: Buffer)] { [] }

    /// Modules without training behaviour ignore the mode.
    public func setTraining(_ training: Bool) {}

    /// Training mode, as PyTorch's `model.train()`: dropout drops, batch norm uses and updates batch statistics.
    public func train() { setTraining(true) }

    /// Evaluation mode, as PyTorch's `model.eval()`: dropout is the identity, batch norm uses its running statistics.
    public func eval() { setTraining(false) }

    /// The parameters in registration order, for an optimizer.
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.scalarCount } }
}

/// Applies modules one after another, like `torch.nn.Sequential`.
///
/// Parameters are named by position and the inner name, as PyTorch does:
/// `Sequential(Linear, ReLU, Linear)` has `0.weight`, `0.bias`, `2.weight`, `2.bias`.
public final class Sequential: Module {
    /// The modules, applied in order.
    public let layers: [any Module]

    public init(_ layers: [any Module]) { self.layers = layers }
    public convenience init(_ layers: any Module...) { self.init(layers) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.namedParameters.map { (name: "\(index).\($0.name)", parameter: $0.parameter) }
        }
    }

    public var namedBuffers: [(name: String, buffer: Buffer)] {
        layers.enumerated().flatMap { index, layer in
            layer.namedBuffers.map { (name: "\(index).\($0.name)", buffer: $0.buffer) }
        }
    }

    public func setTraining(_ training: Bool) {
        for layer in layers { layer.setTraining(training) }
    }
}

/// `max(x, 0)` elementwise.
public final class ReLU: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.relu() }
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
}

/// `1 / (1 + exp(-x))` elementwise.
public final class Sigmoid: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.sigmoid() }
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
}
