import Nabla
import Synchronization

/// PyTorch's module hooks: code that runs around a module's forward pass and in its backward pass.
///
/// Hooks run wherever a module is called through ``Module/withHooks(_:_:)``: every
/// NablaNN layer's `callAsFunction` does, ``Sequential`` does around each layer, and
/// the ``Learner`` around its model. A module of your own that your other modules
/// call directly (`self.block(x)`) runs its hooks there too when its `callAsFunction`
/// is written `withHooks(x) { x in … }`; calling `withHooks` twice for one call
/// (yours and a Sequential's) runs the hooks once.
extension Module {
    /// Registers `hook` to run before each forward pass with the input, as
    /// `register_forward_pre_hook`; a tensor it returns replaces the input.
    @discardableResult
    public func registerForwardPreHook(_ hook: @escaping (_ module: any Module, _ input: Tensor) -> Tensor?) -> HookHandle {
        ModuleHooks.register(on: self) { $0.preHooks.append(($1, hook)) }
    }

    /// Registers `hook` to run after each forward pass with the input and the
    /// output, as `register_forward_hook`; a tensor it returns replaces the output.
    @discardableResult
    public func registerForwardHook(_ hook: @escaping (_ module: any Module, _ input: Tensor, _ output: Tensor) -> Tensor?) -> HookHandle {
        ModuleHooks.register(on: self) { $0.forwardHooks.append(($1, hook)) }
    }

    /// Registers `hook` to run in `backward()` once the gradient of the module's input
    /// is known, with that gradient (nil when the input does not require grad) and the
    /// gradient of its output, as `register_full_backward_hook`; a tensor it returns
    /// replaces the input's gradient.
    @discardableResult
    public func registerFullBackwardHook(
        _ hook: @escaping (_ module: any Module, _ gradInput: Tensor?, _ gradOutput: Tensor) -> Tensor?
    ) -> HookHandle {
        ModuleHooks.register(on: self) { $0.backwardHooks.append(($1, hook)) }
    }

    /// `forward(input)` with this module's hooks around it, as PyTorch's `module(x)`
    /// runs `forward`: the forward pre-hooks, then `forward`, then the forward hooks,
    /// with the backward hooks attached to the input and the output.
    public func withHooks(_ input: Tensor, _ forward: (Tensor) -> Tensor) -> Tensor {
        let identifier = ObjectIdentifier(self)
        guard ModuleHooks.modulesWithHooks.load(ordering: .relaxed) > 0, ModuleHooks.running != identifier,
              let hooks = ModuleHooks.hooks(of: self) else { return forward(input) }
        return ModuleHooks.$running.withValue(identifier) { hooks.run(on: self, input, forward) }
    }
}

/// The hooks of one module, as a value: `withHooks` runs a copy taken under the table's
/// lock, so a hook registered or removed meanwhile on another task does not race with it.
/// (Unchecked: the hooks are the user's closures, which run on whichever task calls the
/// module, as PyTorch's run on whichever thread calls it.)
struct ModuleHookSet: @unchecked Sendable {
    var preHooks: [(identifier: Int, hook: (any Module, Tensor) -> Tensor?)] = []
    var forwardHooks: [(identifier: Int, hook: (any Module, Tensor, Tensor) -> Tensor?)] = []
    var backwardHooks: [(identifier: Int, hook: (any Module, Tensor?, Tensor) -> Tensor?)] = []

    var isEmpty: Bool { preHooks.isEmpty && forwardHooks.isEmpty && backwardHooks.isEmpty }

    mutating func remove(_ identifier: Int) {
        preHooks.removeAll { $0.identifier == identifier }
        forwardHooks.removeAll { $0.identifier == identifier }
        backwardHooks.removeAll { $0.identifier == identifier }
    }

    func run(on module: any Module, _ input: Tensor, _ forward: (Tensor) -> Tensor) -> Tensor {
        var input = input
        for (_, hook) in preHooks { input = hook(module, input) ?? input }
        let backwardHooks = self.backwardHooks
        // PyTorch's BackwardHook: identities on the input and the output whose backward
        // passes see the output's gradient first, then the input's, and call the hooks.
        final class Gradients { var output: Tensor? }
        let gradients = Gradients()
        let inputRequiresGrad = input.requiresGrad
        if !backwardHooks.isEmpty {
            input = input.withGradient(of: "BackwardHookFunction", inputs: [input]) { gradInput in
                guard let gradOutput = gradients.output else { return [gradInput] }
                return [backwardHooks.reduce(gradInput) { gradient, entry in entry.hook(module, gradient, gradOutput) ?? gradient }]
            }
        }
        var output = forward(input)
        for (_, hook) in forwardHooks { output = hook(module, input, output) ?? output }
        if !backwardHooks.isEmpty {
            output = output.withGradient(of: "BackwardHookFunction", inputs: [output]) { gradOutput in
                gradients.output = gradOutput
                if !inputRequiresGrad { for (_, hook) in backwardHooks { _ = hook(module, nil, gradOutput) } }
                return [gradOutput]
            }
        }
        return output
    }
}

/// Where the hooks live: modules are protocol-typed, so a table beside them keyed
/// by identity (with a weak reference, so that a freed module's entry is not taken
/// for a new object at the same address).
enum ModuleHooks {
    private struct Entry: @unchecked Sendable {
        weak var owner: AnyObject?
        var hooks = ModuleHookSet()
    }

    private static let table = Locked<[ObjectIdentifier: Entry]>([:])
    /// How many modules have hooks: with none, `withHooks` costs one atomic load.
    static let modulesWithHooks = Atomic<Int>(0)
    /// The module whose hooks are running on this task, so that a second `withHooks` for the same call does not run them again.
    @TaskLocal static var running: ObjectIdentifier?

    /// A copy of `module`'s hooks, or nil when it has none.
    static func hooks(of module: any Module) -> ModuleHookSet? {
        table.withLock { table -> ModuleHookSet? in
            guard let entry = table[ObjectIdentifier(module)], entry.owner === module, !entry.hooks.isEmpty else { return nil }
            return entry.hooks
        }
    }

    static func register(on module: any Module, _ add: (inout ModuleHookSet, Int) -> Void) -> HookHandle {
        let identifier = HookHandle.nextIdentifier()
        let key = ObjectIdentifier(module)
        table.withLock { table in
            if let stale = table[key], stale.owner !== module {
                if !stale.hooks.isEmpty { modulesWithHooks.subtract(1, ordering: .relaxed) }
                table[key] = nil
            }
            var entry = table[key] ?? Entry(owner: module)
            if entry.hooks.isEmpty { modulesWithHooks.add(1, ordering: .relaxed) }
            add(&entry.hooks, identifier)
            table[key] = entry
        }
        return HookHandle { [weak module] in
            guard let module else { return }
            table.withLock { table in
                guard var entry = table[key], entry.owner === module else { return }
                entry.hooks.remove(identifier)
                if entry.hooks.isEmpty {
                    table[key] = nil
                    modulesWithHooks.subtract(1, ordering: .relaxed)
                } else {
                    table[key] = entry
                }
            }
        }
    }
}
