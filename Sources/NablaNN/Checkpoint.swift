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
    /// names the file and lists every difference. The names and shapes are checked
    /// from the file's header, before any tensor data is read, so a file for another
    /// model costs no memory however large its tensors.
    public func load(from path: String) throws {
        func misfit(_ error: StateDictError) -> DataError { DataError(path: path, problem: "does not fit the model: " + error.description) }
        let stored = try SafeTensors.read(from: path) { header in
            if let error = stateDictFit(header, strict: true).error { throw misfit(error) }
        }
        var state = StateDict()
        for (name, tensor) in stored where state[name] == nil { state[name] = tensor }
        do {
            try loadStateDict(state)
        } catch let error as StateDictError {
            throw misfit(error)
        }
    }
}
