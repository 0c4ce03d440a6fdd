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
    /// model's shapes; otherwise the error lists every difference. Names, dtypes
    /// and shapes are checked from the file's header, before any tensor data is
    /// read, so a file for another model costs no memory however large its tensors.
    public func load(from path: String) throws {
        let named = namedState
        let stored = try SafeTensors.read(from: path) { header in
            let differences = Self.differences(model: named.map { ($0.name, $0.value.shape) }, file: header)
            guard differences.isEmpty else {
                throw DataError(path: path, problem: "does not fit the model: " + differences.joined(separator: "; "))
            }
        }
        let storedByName = Dictionary(uniqueKeysWithValues: stored.map { ($0.name, $0.tensor) })
        for (name, _, assign) in named { assign(storedByName[name]!) }
    }

    /// Every way `file`'s tensors differ from the `model`'s: missing, reshaped, unexpected.
    private static func differences(model: [(name: String, shape: [Int])], file: [(name: String, shape: [Int])]) -> [String] {
        let fileShapes = Dictionary(file, uniquingKeysWith: { first, _ in first })
        var differences: [String] = []
        for (name, shape) in model {
            guard let stored = fileShapes[name] else { differences.append("missing tensor \"\(name)\" \(shape)"); continue }
            if stored != shape { differences.append("tensor \"\(name)\" has shape \(stored) but the model's is \(shape)") }
        }
        let expected = Set(model.map(\.name))
        for (name, shape) in file where !expected.contains(name) { differences.append("unexpected tensor \"\(name)\" \(shape)") }
        return differences
    }
}
