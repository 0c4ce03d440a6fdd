import Nabla
import NablaData

/// Checkpoints: a model's state dict in the safetensors format (see `SafeTensors` in NablaData).
extension Module {
    /// Saves ``stateDict()`` as a safetensors file that `safetensors.torch.load_file`
    /// reads (and `load_state_dict` accepts).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict().map { ($0.name, $0.tensor) }, metadata: metadata, to: path)
    }

    /// Replaces the parameters and buffers with those of a safetensors file, with
    /// ``loadStateDict(_:strict:)``'s strict rules: nothing is changed unless the file
    /// holds exactly the model's names with the model's shapes; otherwise the error
    /// names the file and lists every difference.
    public func load(from path: String) throws {
        let stored = try SafeTensors.read(from: path)
        var state = StateDict()
        for (name, tensor) in stored where state[name] == nil { state[name] = tensor }
        do {
            try loadStateDict(state)
        } catch let error as StateDictError {
            throw DataError(path: path, problem: "does not fit the model: " + error.description)
        }
    }
}
