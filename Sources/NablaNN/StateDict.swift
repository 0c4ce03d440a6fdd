import Nabla

/// A model's tensors by name, in order: PyTorch's `state_dict()` in memory.
///
/// `model.stateDict()` gives the parameters and buffers under their PyTorch names,
/// each module's own parameters then its own buffers, module by module depth
/// first (PyTorch's order). The tensors are the values at that moment (PyTorch's
/// share storage with the parameters, so a later step changes them; these do not):
/// a state dict can be kept, averaged, sent over MPI or loaded into another model
/// with ``Module/loadStateDict(_:strict:)`` without a file.
public struct StateDict: RandomAccessCollection, CustomStringConvertible, Sendable {
    /// The names, in order.
    public private(set) var names: [String] = []
    private var tensors: [String: Tensor] = [:]

    /// An empty state dict.
    public init() {}

    /// The entries in the given order; a name may appear once.
    public init(_ entries: [(name: String, tensor: Tensor)]) {
        for (name, tensor) in entries {
            guard tensors[name] == nil else { Nabla.fail("StateDict: the name \"\(name)\" appears twice") }
            self[name] = tensor
        }
    }

    /// The tensor named `name`; assigning a new name appends it, assigning nil removes it.
    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set {
            if let newValue {
                if tensors.updateValue(newValue.detached(), forKey: name) == nil { names.append(name) }
            } else if tensors.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { names.count }
    public subscript(position: Int) -> (name: String, tensor: Tensor) { (names[position], tensors[names[position]]!) }

    /// One line per entry, `name [shape]`.
    public var description: String {
        "StateDict(\n" + map { "  \($0.name) \($0.tensor.shape)" }.joined(separator: "\n") + (isEmpty ? ")" : "\n)")
    }
}

/// Why a state dict does not fit a model: the lines of PyTorch's `load_state_dict` error.
public struct StateDictError: Error, CustomStringConvertible {
    /// The model's type, as PyTorch names it in the message.
    public let model: String
    /// Names the model has and the state dict lacks (an error only when strict).
    public let missingKeys: [String]
    /// Names the state dict has and the model lacks (an error only when strict).
    public let unexpectedKeys: [String]
    /// One line per tensor whose shape differs (an error even when not strict).
    public let sizeMismatches: [String]

    /// PyTorch's message: `Error(s) in loading state_dict for …:` and a line per kind.
    public var description: String {
        var lines = ["Error(s) in loading state_dict for \(model):"]
        if !missingKeys.isEmpty { lines.append("\tMissing key(s) in state_dict: " + missingKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        if !unexpectedKeys.isEmpty { lines.append("\tUnexpected key(s) in state_dict: " + unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        lines += sizeMismatches.map { "\t" + $0 }
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// The parameters and buffers by name, in PyTorch's `state_dict()` order, as values (see ``StateDict``).
    public func stateDict() -> StateDict {
        StateDict(stateEntries.map { ($0.name, $0.isParameter ? $0.value.clone() : $0.value) })
    }

    /// Copies the tensors of `state` into this model's parameters (in place, so an
    /// optimizer holding them follows) and buffers, as PyTorch's `load_state_dict`,
    /// converting each to the dtype the model's tensor has.
    ///
    /// With `strict` (the default), a name the model has and `state` lacks, or the
    /// other way round, is an error; without it those are returned and the rest is
    /// loaded. A shape that differs is always an error. On an error nothing changes,
    /// and the error lists every difference (``StateDictError``).
    @discardableResult
    public func loadStateDict(_ state: StateDict, strict: Bool = true) throws -> (missingKeys: [String], unexpectedKeys: [String]) {
        let entries = stateEntries
        let (missing, unexpected, error) = stateDictFit(state.map { ($0.name, $0.tensor.shape) }, strict: strict)
        if let error { throw error }
        for entry in entries {
            // Converted to the model's dtype, as PyTorch's copy_ does (a float checkpoint's
            // num_batches_tracked into an int64 buffer, a float64 one into float32 weights).
            if let tensor = state[entry.name] { entry.assign(tensor.to(entry.value.dtype)) }
        }
        return (missing, unexpected)
    }

    /// How tensors with these names and shapes fit this model: the missing and
    /// unexpected names, and the error ``loadStateDict(_:strict:)`` throws for them
    /// (nil when they load). Shapes alone decide, so a checkpoint's header can be
    /// checked before its data is read (``load(from:)``).
    func stateDictFit(_ shapes: [(name: String, shape: [Int])], strict: Bool)
        -> (missing: [String], unexpected: [String], error: StateDictError?) {
        let entries = stateEntries
        let given = Dictionary(shapes, uniquingKeysWith: { first, _ in first })
        let known = Set(entries.map(\.name))
        let missing = entries.map(\.name).filter { given[$0] == nil }
        let unexpected = shapes.map(\.name).filter { !known.contains($0) }
        let mismatches = entries.compactMap { entry -> String? in
            guard let shape = given[entry.name], shape != entry.value.shape else { return nil }
            return "size mismatch for \(entry.name): copying a param with shape \(shape) from checkpoint, "
                + "the shape in current model is \(entry.value.shape)."
        }
        guard !mismatches.isEmpty || (strict && !(missing.isEmpty && unexpected.isEmpty)) else { return (missing, unexpected, nil) }
        return (missing, unexpected, StateDictError(model: String(describing: type(of: self)), missingKeys: strict ? missing : [],
                                                    unexpectedKeys: strict ? unexpected : [], sizeMismatches: mismatches))
    }

    /// Every tensor of the state dict in PyTorch's order, with a way to replace it.
    private var stateEntries: [(name: String, value: Tensor, isParameter: Bool, assign: (Tensor) -> Void)] {
        let parameters = namedParameters.map { name, parameter in
            // Written in place, as PyTorch's load_state_dict copies into the parameters, so copies of the leaf follow.
            (name: name, value: parameter.value, isParameter: true, assign: { (value: Tensor) in noGrad { parameter.value[.ellipsis] = value } })
        }
        let buffers = namedBuffers.map { name, buffer in
            (name: name, value: buffer.value, isParameter: false, assign: { (value: Tensor) in buffer.value = value.detached() })
        }
        // PyTorch's order: module by module (depth first), each one's parameters then its buffers.
        let moduleOrder = Dictionary(namedModules.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        func owner(_ name: String) -> Int {
            moduleOrder[name.lastIndex(of: ".").map { String(name[..<$0]) } ?? ""] ?? moduleOrder.count
        }
        return (parameters + buffers).enumerated()
            .sorted { (owner($0.element.name), $0.offset) < (owner($1.element.name), $1.offset) }
            .map(\.element)
    }
}
