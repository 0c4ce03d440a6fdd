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
/// A module of your own declares its layers, parameters and buffers as stored
/// properties and writes `callAsFunction`; nothing else. Its structure is found
/// by reflection, as PyTorch registers children by assignment:
///
///     final class Block: Module {
///         let fc = Linear(inputs: 4, outputs: 3)
///         let norm = BatchNorm2d(features: 3)
///         let heads = [Linear(inputs: 3, outputs: 2), Linear(inputs: 3, outputs: 2)]
///         func callAsFunction(_ x: Tensor) -> Tensor { … }
///     }
///
/// gives the parameters `fc.weight`, `fc.bias`, `norm.weight`, `norm.bias`,
/// `heads.0.weight` … `heads.1.bias` and the buffers `norm.running_mean`,
/// `norm.running_var`, `norm.num_batches_tracked` (PyTorch's names, so checkpoints
/// load in both), and `eval()` reaches the batch norm. Stored properties of these
/// kinds are found: a ``Parameter``, a ``Buffer``, a module (also `any Module`), an
/// optional of one, and arrays (`nn.ModuleList`, named by position) and
/// `[String: …]` dictionaries (`nn.ModuleDict`, named by key, in key order) of them,
/// nested to any depth. Anything else that holds one (a tuple, a struct, a `Set`,
/// an `[Int: …]` dictionary), and a `Tensor` property that requires grad, cannot be
/// discovered: the first look at the module's structure stops with a message
/// that names the property (never a parameter silently left untrained). What
/// kinds of properties a type has is worked out once per type.
///
/// A module may still implement any requirement itself, as ``BatchNorm2d`` names
/// its buffers and ``Sequential`` its layers by position.
///
/// Modules (and optimizers) are not `Sendable`: they are classes whose state changes
/// in place (parameters at each step, batch norm's running statistics, dropout's
/// generator). Keep a model on one task; send tensors, or a ``StateDict``, between tasks.
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

    /// The parameters with PyTorch `state_dict` names (`"0.weight"`, `"0.bias"`...):
    /// this module's own first, then each child's, as `named_parameters()`.
    /// Discovered from the stored properties unless implemented.
    var namedParameters: [(name: String, parameter: Parameter)] { get }

    /// The modules this one is made of, with their names (discovered unless implemented).
    var namedChildren: [(name: String, module: any Module)] { get }

    /// This module's line in a printout, without its children: by default the type's
    /// name and `()`; ``Linear`` says `Linear(inputs: 784, outputs: 30, bias: true)`.
    var summary: String { get }

    /// The buffers with PyTorch `state_dict` names (`"1.running_mean"`...), this
    /// module's own first, then each child's (discovered unless implemented).
    var namedBuffers: [(name: String, buffer: Buffer)] { get }

    /// Switches training behaviour (dropout, batch statistics) on or off, in this
    /// module and the modules it contains; see `train()` and `eval()`. By default
    /// it is passed on to every child; a module with a mode of its own implements it
    /// (and passes it on to its children, if it has any).
    func setTraining(_ training: Bool)
}

extension Module {
    public var namedParameters: [(name: String, parameter: Parameter)] {
        ModuleStructure.of(self).parameters + namedChildren.flatMap { child in
            child.module.namedParameters.map { (name: child.name + "." + $0.name, parameter: $0.parameter) }
        }
    }

    public var namedBuffers: [(name: String, buffer: Buffer)] {
        ModuleStructure.of(self).buffers + namedChildren.flatMap { child in
            child.module.namedBuffers.map { (name: child.name + "." + $0.name, buffer: $0.buffer) }
        }
    }

    public var namedChildren: [(name: String, module: any Module)] { ModuleStructure.of(self).children }

    public func setTraining(_ training: Bool) {
        for child in namedChildren { child.module.setTraining(training) }
    }

    /// This module (named `""`) and every module inside it, depth first in
    /// declaration order, with dotted names, as PyTorch's `named_modules()`.
    public var namedModules: [(name: String, module: any Module)] {
        [(name: "", module: self)] + namedChildren.flatMap { child in
            child.module.namedModules.map { (name: $0.name.isEmpty ? child.name : child.name + "." + $0.name, module: $0.module) }
        }
    }

    /// Training mode, as PyTorch's `model.train()`: dropout drops, batch norm uses and updates batch statistics.
    public func train() { setTraining(true) }

    /// Evaluation mode, as PyTorch's `model.eval()`: dropout is the identity, batch norm uses its running statistics.
    public func eval() { setTraining(false) }

    /// Casts every floating-point parameter and buffer to `dtype` in place, as PyTorch's
    /// `module.to(torch.float64)` (or `module.double()`): integer and bool buffers, such as
    /// batch norm's `num_batches_tracked`, keep theirs. The parameters stay the same
    /// objects, so hooks and references survive; make the optimizer afterwards, as in
    /// PyTorch, since its state was made for the old values. Returns the module.
    @discardableResult
    public func to(_ dtype: DType) -> Self {
        guard dtype.isFloatingPoint else {
            Nabla.fail("Module.to: only floating-point dtypes are accepted (parameters must be able to have gradients), got \(dtype)")
        }
        for (_, parameter) in namedParameters where parameter.value.dtype != dtype {
            var value = parameter.value.detached().to(dtype)
            value.requiresGrad = true
            parameter.value = value
        }
        for (_, buffer) in namedBuffers where buffer.value.dtype.isFloatingPoint && buffer.value.dtype != dtype {
            buffer.value = buffer.value.to(dtype)
        }
        return self
    }

    /// The parameters in registration order, for an optimizer.
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.scalarCount } }

    /// This module as a function, for APIs that take a `(Tensor) -> Tensor`
    /// (PyTorch's `model.forward`); `model.forward(x)` is `model(x)`.
    public var forward: (Tensor) -> Tensor { { self($0) } }

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

    public func callAsFunction(_ input: Tensor) -> Tensor { withHooks(input, function) }
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

    /// Each layer runs with its hooks (see ``Module/withHooks(_:_:)``), so that a hook
    /// on a module of your own inside a Sequential runs.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { input in layers.reduce(input) { x, layer in layer.withHooks(x) { layer($0) } } }
    }

    public var namedChildren: [(name: String, module: any Module)] {
        layers.enumerated().map { (name: String($0.offset), module: $0.element) }
    }
}

/// `max(x, 0)` elementwise.
public final class ReLU: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { withHooks(input) { $0.relu() } }
}

/// `1 / (1 + exp(-x))` elementwise.
public final class Sigmoid: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { withHooks(input) { $0.sigmoid() } }
}
