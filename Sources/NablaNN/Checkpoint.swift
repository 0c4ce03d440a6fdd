import Nabla
import NablaData

/// Checkpoints: a model's parameters in the safetensors format (see `SafeTensors` in NablaData).
extension Module {
    /// Saves the parameters and buffers under their `state_dict` names as a safetensors
    /// file that `safetensors.torch.load_file` reads (and `load_state_dict` accepts).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(namedState.map { ($0.name, $0.value) }, metadata: metadata, to: path)
    }

    /// Every tensor of the `state_dict`, parameters then buffers, with a way to replace it.
    private var namedState: [(name: String, value: Tensor, assign: (Tensor) -> Void)] {
        namedParameters.map { name, parameter in
            // Written in place, as PyTorch's load_state_dict copies into the parameters, so copies of the leaf follow.
            (name, parameter.value, { value in noGrad { parameter.value[.ellipsis] = value } })
        } + namedBuffers.map { name, buffer in (name, buffer.value, { buffer.value = $0 }) }
    }

    /// Replaces the parameters with those of a safetensors file. Nothing is
    /// changed unless the file holds exactly the model's names with the
    /// model's shapes; otherwise the error lists every difference.
    public func load(from path: String) throws {
        let stored = try SafeTensors.read(from: path)
        let storedByName = Dictionary(stored.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let named = namedState
        var differences: [String] = []
        for (name, value, _) in named {
            guard let tensor = storedByName[name] else { differences.append("missing tensor \"\(name)\" \(value.shape)"); continue }
            if tensor.shape != value.shape {
                differences.append("tensor \"\(name)\" has shape \(tensor.shape) but the model's is \(value.shape)")
            }
        }
        let expected = Set(named.map(\.name))
        for (name, tensor) in stored where !expected.contains(name) {
            differences.append("unexpected tensor \"\(name)\" \(tensor.shape)")
        }
        guard differences.isEmpty else {
            throw DataError(path: path, problem: "does not fit the model: " + differences.joined(separator: "; "))
        }
        for (name, _, assign) in named { assign(storedByName[name]!) }
    }
}
