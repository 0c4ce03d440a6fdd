import Synchronization

/// One vertex of the autograd graph.
///
/// A leaf (a tensor created with `requiresGrad`) holds its accumulated
/// gradient and names the storage of its values, which every copy of the
/// leaf shares and writes in place (see ``Tensor``'s "Leaves have an identity"). An interior node holds the rule that maps the gradient of the
/// op's result to the gradients of its inputs; the rule and the links to the
/// inputs are dropped once `backward()` has used them, which frees the graph.
final class AutogradNode {
    let isLeaf: Bool
    /// The name of the op that made this tensor, for error messages.
    let op: String
    /// A leaf's accumulated gradient, or an interior node's after `retainGrad()`. Behind a
    /// lock, as PyTorch's AccumulateGrad: tasks that share a parameter may run backward at once.
    var grad: Tensor? {
        get { accumulated.withLock { $0 } }
        set { accumulated.withLock { $0 = newValue } }
    }
    private let accumulated = Locked<Tensor?>(nil)
    /// A leaf's values: in-place updates of any copy of the leaf write here.
    let values: TensorStorage?
    /// Whether `backward()` keeps this interior node's gradient in `grad`.
    var retainsGrad = false
    /// The inputs' nodes; `nil` for an input that needs no gradient.
    var inputs: [AutogradNode?]
    /// Maps the gradient of the result, and which inputs need a gradient, to
    /// one gradient per input (`nil` where not needed).
    var backwardRule: ((Tensor, [Bool]) -> [Tensor?])?
    /// The gradient gathered so far during one backward pass.
    var pendingGradient: Tensor?
    /// The backward pass that last visited this node (cheaper than a set of visited nodes).
    var visitedInPass = 0
    /// `registerHook`'s hooks, in order (see TensorHooks.swift).
    var gradientHooks: [(identifier: Int, hook: (Tensor) -> Tensor?)] = []

    /// Numbers the backward passes.
    private static let passCounter = Atomic<Int>(0)
    static func nextPass() -> Int { passCounter.add(1, ordering: .relaxed).newValue }

    /// The number of nodes alive now: a training loop must keep it flat.
    static let liveCount = Atomic<Int>(0)

    init(leafWith values: TensorStorage) {
        isLeaf = true
        op = "leaf"
        self.values = values
        inputs = []
        AutogradNode.liveCount.add(1, ordering: .relaxed)
    }

    init(op: String, inputs: [AutogradNode?], backwardRule: @escaping (Tensor, [Bool]) -> [Tensor?]) {
        isLeaf = false
        self.op = op
        values = nil
        self.inputs = inputs
        self.backwardRule = backwardRule
        AutogradNode.liveCount.add(1, ordering: .relaxed)
    }

    /// Releases the graph behind this node with a loop instead of recursion, so that
    /// dropping a chain of any depth without `backward()` cannot overflow the stack:
    /// each input this node held the last reference to is emptied (its inputs and
    /// rule, whose captures may hold further nodes) before it is freed.
    deinit {
        AutogradNode.liveCount.subtract(1, ordering: .relaxed)
        var pending = inputs.compactMap { $0 }
        inputs = []
        backwardRule = nil
        while var node = pending.popLast() {
            guard isKnownUniquelyReferenced(&node) else { continue }
            pending += node.inputs.compactMap { $0 }
            node.inputs = []
            node.backwardRule = nil
        }
    }
}

/// Whether ops record the graph; `noGrad` turns it off in a scope.
enum GradMode {
    @TaskLocal static var isEnabled = true
}

/// Runs `body` without recording any op for autograd, as PyTorch's
/// `torch.no_grad()`. Parameter updates belong here.
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Whether gradients flow to this tensor. Setting it makes a tensor a
    /// leaf whose `grad` collects gradients, as `requires_grad_()` does.
    public var requiresGrad: Bool {
        get { autograd != nil }
        set {
            if newValue {
                guard dtype.isFloatingPoint else {
                    fail("requiresGrad: only tensors of floating point dtype can require gradients, this one is \(dtype)")
                }
                // The leaf's values must be its own, so that writing them in place
                // changes no tensor that only shared the storage before.
                if autograd == nil {
                    makeUniqueAndContiguous()
                    autograd = AutogradNode(leafWith: storage)
                }
            } else if let node = autograd {
                guard node.isLeaf else {
                    fail("requiresGrad: only a leaf can stop requiring grad; this tensor was made by \(node.op) (use detached())")
                }
                autograd = nil
            }
        }
    }

    /// A copy of this tensor that requires grad.
    public func requiringGrad() -> Tensor {
        var copy = self
        copy.requiresGrad = true
        return copy
    }

    /// The gradient accumulated by `backward()` into a leaf; `nil` until then.
    ///
    /// Reading it fails, naming the problem, on a tensor that does not require
    /// grad (it never gets one) and on an interior result that did not call
    /// ``retainGrad()`` (backward does not keep those), where PyTorch warns and returns `None`.
    public var grad: Tensor? {
        get {
            guard let node = autograd else {
                fail("grad: this tensor does not require grad, so backward() never gives it a gradient; create it with requiresGrad: true (or set requiresGrad = true) before computing with it")
            }
            guard node.isLeaf || node.retainsGrad else {
                fail("grad: this tensor was made by \(node.op), it is not a leaf, so backward() does not keep its gradient; call retainGrad() on it before backward(), or read the grad of the leaves it was computed from")
            }
            return node.grad
        }
        nonmutating set {
            guard let node = autograd, node.isLeaf else {
                fail("grad: only a leaf that requires grad has a gradient to set")
            }
            if let newValue, newValue.shape != shape {
                fail("grad: a gradient of shape \(describe(newValue.shape)) cannot be assigned to a tensor of shape \(describe(shape))")
            }
            node.grad = newValue
        }
    }

    /// Makes `backward()` keep this interior result's gradient in ``grad``, as PyTorch's
    /// `retain_grad()`; on a leaf it does nothing (a leaf always keeps its gradient).
    public func retainGrad() {
        guard let node = autograd else {
            fail("retainGrad: this tensor does not require grad, so it gets no gradient to retain; create its inputs with requiresGrad: true")
        }
        if !node.isLeaf { node.retainsGrad = true }
    }

    /// Forgets the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        if let node = autograd, node.isLeaf { node.grad = nil }
    }

    /// The same values with no autograd record: gradients stop here.
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// Attaches to an op's result the rule that sends its gradient back to `inputs`.
    ///
    /// Nothing is recorded inside `noGrad` or when no input requires grad. The
    /// rule receives the result's gradient and, for each input, whether it needs
    /// one; it returns one gradient per input, `nil` where none is needed, each
    /// of that input's shape.
    func recorded(_ op: String, _ inputs: [Tensor], backward: @escaping (_ grad: Tensor, _ needs: [Bool]) -> [Tensor?]) -> Tensor {
        // An integer or bool result (a count, an index) never carries a gradient, as in PyTorch.
        guard GradMode.isEnabled, dtype.isFloatingPoint, inputs.contains(where: { $0.autograd != nil }) else { return self }
        var result = self
        result.autograd = AutogradNode(op: op, inputs: inputs.map(\.autograd), backwardRule: backward)
        return result
    }

    /// Computes the gradient of this scalar with respect to every leaf it depends on
    /// and adds it to their `grad`, then frees the graph.
    public func backward() {
        guard scalarCount == 1 else {
            fail("backward: a gradient can be created implicitly only for a one-element result; this one has shape \(describe(shape)), use backward(gradient:)")
        }
        backward(gradient: Tensor.ones(shape, dtype: dtype))
    }

    /// Back-propagates `gradient` (of this tensor's shape) to every leaf this tensor depends on.
    public func backward(gradient: Tensor) {
        guard let root = autograd else {
            fail("backward: this tensor does not require grad; create its inputs with requiresGrad: true")
        }
        guard gradient.shape == shape else {
            fail("backward: the gradient has shape \(describe(gradient.shape)) but the tensor has shape \(describe(shape))")
        }
        let gradient = gradient.to(dtype)
        noGrad {
            if root.isLeaf {
                root.accumulate(root.applyingHooks(to: gradient))
                return
            }
            let order = AutogradNode.topologicalOrder(from: root)
            root.pendingGradient = gradient.detached()
            // Leaves with hooks gather the pass's gradient first, so that each hook sees it once, as in PyTorch.
            var hookedLeaves: [AutogradNode] = []
            for node in order {
                guard var grad = node.pendingGradient, let rule = node.backwardRule else { continue }
                if !node.gradientHooks.isEmpty { grad = node.applyingHooks(to: grad) }
                if node.retainsGrad { node.accumulate(grad) }
                let inputs = node.inputs
                node.pendingGradient = nil
                node.backwardRule = nil
                node.inputs = []
                for (input, inputGrad) in zip(inputs, rule(grad, inputs.map { $0 != nil })) {
                    guard let input, let inputGrad else { continue }
                    if input.isLeaf && input.gradientHooks.isEmpty {
                        input.accumulate(inputGrad)
                    } else if let pending = input.pendingGradient {
                        input.pendingGradient = pending + inputGrad
                    } else {
                        input.pendingGradient = inputGrad
                        if input.isLeaf { hookedLeaves.append(input) }
                    }
                }
            }
            for leaf in hookedLeaves {
                leaf.accumulate(leaf.applyingHooks(to: leaf.pendingGradient!))
                leaf.pendingGradient = nil
            }
        }
    }
}

extension AutogradNode {
    /// Adds `gradient` to a leaf's `grad` in place.
    func accumulate(_ gradient: Tensor) {
        // A leaf's gradient has the leaf's dtype.
        let gradient = values.map { gradient.to($0.dtype) } ?? gradient
        accumulated.withLock { grad in
            if grad == nil {
                grad = gradient.isContiguous && gradient.storage.count == gradient.scalarCount ? gradient.detached() : gradient.materialized()
            } else {
                grad!.addScaled(gradient, by: 1)
            }
        }
    }

    /// The interior nodes reachable from `root`, each after every node that feeds it a gradient.
    static func topologicalOrder(from root: AutogradNode) -> [AutogradNode] {
        var postOrder: [AutogradNode] = []
        let pass = nextPass()
        var stack: [(node: AutogradNode, expanded: Bool)] = [(root, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { postOrder.append(node); continue }
            guard node.visitedInPass != pass else { continue }
            node.visitedInPass = pass
            guard node.backwardRule != nil else {
                fail("backward: the graph through \(node.op) was already freed by an earlier backward(); recompute the forward pass")
            }
            stack.append((node, true))
            for case let input? in node.inputs where !input.isLeaf && input.visitedInPass != pass {
                stack.append((input, false))
            }
        }
        return postOrder.reversed()
    }
}
