extension Tensor {
    /// This tensor with its elements converted to `dtype` (PyTorch's `to(dtype)`);
    /// the tensor itself when it already has that dtype. Floating to integer
    /// truncates toward zero; see ``TensorScalar`` for every rule.
    ///
    /// Between floating dtypes the conversion is differentiable: the gradient
    /// comes back converted to this tensor's dtype. A result of another dtype
    /// records nothing, as in PyTorch.
    public func to(_ dtype: DType) -> Tensor {
        guard dtype != self.dtype else { return self }
        let result = converted(to: dtype)
        guard dtype.isFloatingPoint && self.dtype.isFloatingPoint else { return result }
        let sourceType = self.dtype
        return result.recorded("to", [self]) { g, _ in [g.to(sourceType)] }
    }

    /// The same as ``to(_:)`` (NumPy's and MLX's spelling).
    public func asType(_ dtype: DType) -> Tensor { to(dtype) }

    /// A contiguous copy converted to `dtype`, with no autograd record.
    func converted(to dtype: DType) -> Tensor {
        self.dtype.dispatch(ConvertElements(source: self, dtype: dtype))
    }
}
