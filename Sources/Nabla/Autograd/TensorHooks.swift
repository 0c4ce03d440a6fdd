import Synchronization

/// Removes the hook it was returned for, as PyTorch's `RemovableHandle`.
///
/// Dropping the handle keeps the hook; call ``remove()``. Removing twice does nothing.
public final class HookHandle {
    private var removal: (() -> Void)?

    /// A handle whose `remove()` runs `removal` once.
    public init(removal: @escaping () -> Void) { self.removal = removal }

    /// Removes the hook.
    public func remove() {
        removal?()
        removal = nil
    }

    /// Numbers hooks, so that a handle removes its own.
    private static let counter = Atomic<Int>(0)
    /// A fresh number for a hook.
    public static func nextIdentifier() -> Int { counter.add(1, ordering: .relaxed).newValue }
}

extension Tensor {
    /// Registers `hook` to run with this tensor's gradient each time `backward()`
    /// computes it, as PyTorch's `register_hook`: it may return a gradient (of the
    /// same shape) that replaces it, or nil to leave it.
    ///
    /// On an interior result the replaced gradient flows on to the inputs and is what
    /// ``retainGrad()`` keeps; on a leaf the hook sees the pass's whole gradient once,
    /// before it is added to ``grad``. Hooks run in the order they were registered,
    /// without recording. Fails on a tensor that does not require grad.
    @discardableResult
    public func registerHook(_ hook: @escaping (_ grad: Tensor) -> Tensor?) -> HookHandle {
        guard let node = autograd else {
            fail("registerHook: cannot register a hook on a tensor that does not require grad")
        }
        let identifier = HookHandle.nextIdentifier()
        node.gradientHooks.append((identifier, hook))
        return HookHandle { [weak node] in node?.gradientHooks.removeAll { $0.identifier == identifier } }
    }
}

extension AutogradNode {
    /// `gradient` after this node's hooks.
    func applyingHooks(to gradient: Tensor) -> Tensor {
        gradientHooks.reduce(gradient) { gradient, entry in
            guard let replaced = entry.hook(gradient) else { return gradient }
            guard replaced.shape == gradient.shape else {
                fail("registerHook: a hook on the result of \(op) returned a gradient of shape \(describe(replaced.shape)) for one of shape \(describe(gradient.shape))")
            }
            return replaced.detached()
        }
    }
}
