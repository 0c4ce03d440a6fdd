extension Tensor {
    /// This tensor's values as the result of an op on `inputs` whose gradient
    /// `backward` computes, as a `torch.autograd.Function` does: for a loss or
    /// a layer whose own derivative is simpler or more exact than the one
    /// autograd would compose (binary cross-entropy on logits: σ(x) − y).
    ///
    /// The values are detached from any graph they were computed by. `backward`
    /// runs without recording, receives the result's gradient and returns one
    /// gradient per input, of that input's shape, or `nil` for none. Nothing is
    /// recorded inside `noGrad` or when no input requires grad.
    public func withGradient(of op: String, inputs: [Tensor], backward: @escaping (_ grad: Tensor) -> [Tensor?]) -> Tensor {
        let inputShapes = inputs.map(\.shape)
        return detached().recorded(op, inputs) { g, needs in
            let gradients = backward(g)
            guard gradients.count == inputShapes.count else {
                fail("\(op): backward returned \(gradients.count) gradients for \(inputShapes.count) inputs")
            }
            return gradients.indices.map { i in
                guard needs[i], let gradient = gradients[i] else { return nil }
                guard gradient.shape == inputShapes[i] else {
                    fail("\(op): backward returned a gradient of shape \(describe(gradient.shape)) for input \(i) of shape \(describe(inputShapes[i]))")
                }
                return gradient
            }
        }
    }
}
