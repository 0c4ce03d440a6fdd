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
        try load(source: path) { try SafeTensors.read(from: path, checkHeader: $0) }
    }

    /// Replaces the parameters and buffers with those of safetensors bytes already in
    /// memory (`safetensors.torch.load`), checked as ``load(from:)`` checks a file;
    /// `source` names them in errors.
    public func load(safetensors bytes: [UInt8], source: String) throws {
        try load(source: source) { try SafeTensors.decode(bytes, source: source, checkHeader: $0) }
    }

    /// Loads what `read` returns after `read` has called its argument with the header's names and shapes.
    private func load(source: String,
                      read: (_ checkHeader: ([(name: String, shape: [Int])]) throws -> Void) throws -> [(name: String, tensor: Tensor)]) throws {
        func misfit(_ error: StateDictError) -> DataError { DataError(path: source, problem: "does not fit the model: " + error.description) }
        let stored = try read { header in
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
