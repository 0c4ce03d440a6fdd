/// Writing through a subscript, as NumPy's and PyTorch's `t[...] = v`:
/// `w[0] = Tensor(1)`, `t[4..<15, 4..<22] = patch`, `w[0] *= 1.0001` in `noGrad`.
extension Tensor {
    /// Writes `value`, broadcast to the picked region's shape, into the positions
    /// that `self[indices]` views. The subscripts' setters call this.
    ///
    /// An ordinary tensor copies its storage first if it is shared, so other
    /// tensors never change. A leaf that requires grad may be written only inside
    /// `noGrad`, and then every copy of it sees the change (see ``Tensor``).
    /// Outside `noGrad`, when this tensor or `value` requires grad, the result
    /// records the write: the gradient flows to `value` from the picked region and
    /// to the old values from everywhere else.
    mutating func assign(_ value: Tensor, at indices: [TensorIndex]) {
        if indices.contains(where: { $0 is AdvancedTensorIndex }) { return indexPut(indices, values: value) }
        checkInPlaceUpdate("subscript assignment")
        let regionShape = noGrad { self[indices] }.shape
        guard value.rank <= regionShape.count,
              zip(value.shape.reversed(), regionShape.reversed()).allSatisfy({ $0 == $1 || $0 == 1 }) else {
            fail("subscript assignment: a value of shape \(describe(value.shape)) cannot be broadcast to the region of shape \(describe(regionShape)) picked from a tensor of shape \(describe(shape))")
        }
        let inputs = [autograd, value.autograd]
        makeUniqueAndContiguous()
        noGrad { self[indices] }.assign(from: value)
        guard GradMode.isEnabled, inputs.contains(where: { $0 != nil }) else { return }
        let valueShape = value.shape
        autograd = AutogradNode(op: "subscript assignment", inputs: inputs) { g, needs in
            var elsewhere: Tensor?
            if needs[0] {
                var zeroed = g.clone()
                noGrad { zeroed.assign(Tensor.zeros([]), at: indices) }
                elsewhere = zeroed
            }
            return [elsewhere, needs[1] ? g[indices].summed(toShape: valueShape) : nil]
        }
    }

    /// A copy with storage of its own, as PyTorch's `clone()`: later writes to either
    /// never show in the other. Gradients flow through it unchanged.
    public func clone() -> Tensor {
        materialized().recorded("clone", [self]) { g, _ in [g] }
    }
}
