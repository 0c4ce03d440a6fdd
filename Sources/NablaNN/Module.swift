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
/// Models are callable, `model(x)`, and where a function `(Tensor) -> Tensor` is
/// expected, pass `model.forward` (a function never needs a module: wrap one in
/// ``Lambda`` to put it in a ``Sequential``). `print(model)` shows the structure,
/// as PyTorch's `repr` does:
///
///     Sequential(
///       (0): Linear(inputs: 784, outputs: 30, bias: true)
///       (1): ReLU()
///       (2): Linear(inputs: 30, outputs: 1, bias: true)
///     )
public protocol Module: AnyObject, CustomStringConvertible {
    /// Applies the module to a batch.
    func callAsFunction(_ input: Tensor) -> Tensor

    /// The parameters with PyTorch `state_dict` names (`"0.weight"`, `"0.bias"`...),
    /// in the order they were registered.
    var namedParameters: [(name: String, parameter: Parameter)] { get }

    /// The modules this one is made of, with their names, for printing (none by default).
    var namedChildren: [(name: String, module: any Module)] { get }

    /// This module's line in a printout, without its children: by default the type's
    /// name and `()`; ``Linear`` says `Linear(inputs: 784, outputs: 30, bias: true)`.
    var summary: String { get }

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

    /// This module as a function, for APIs that take a `(Tensor) -> Tensor`
    /// (PyTorch's `model.forward`); `model.forward(x)` is `model(x)`.
    public var forward: (Tensor) -> Tensor { { self($0) } }

    public var namedChildren: [(name: String, module: any Module)] { [] }

    public var summary: String { "\(type(of: self))()" }

    /// The structure, as PyTorch prints a module: the summary, then each child
    /// on its own indented line.
    public var description: String {
        let children = namedChildren
        guard !children.isEmpty else { return summary }
        let lines = children.map { name, module in
            "  (\(name)): " + module.description.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  ")
        }
        return "\(type(of: self))(\n" + lines.joined(separator: "\n") + "\n)"
    }
}

/// A function as a module without parameters, as fastai's `Lambda`:
/// `Sequential(Linear(...), Lambda { $0.relu() }, Linear(...))`.
public final class Lambda: Module {
    private let function: (Tensor) -> Tensor
    /// Shown when the module is printed.
    public let name: String

    public init(_ name: String = "Lambda", _ function: @escaping (Tensor) -> Tensor) {
        self.name = name
        self.function = function
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { function(input) }
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    public var summary: String { "\(name)()" }
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

    public var namedChildren: [(name: String, module: any Module)] {
        layers.enumerated().map { (name: String($0.offset), module: $0.element) }
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
