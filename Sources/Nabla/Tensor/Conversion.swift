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

extension Tensor {
    /// This integer or bool tensor converted to the floating `dtype` and divided by
    /// `divisor`, in one pass over the elements: `pixels.to(.float32, dividedBy: 255)`
    /// maps 8-bit pixels onto [0, 1] as `Float(p) / 255` does (torchvision's `ToTensor`,
    /// fastai's `IntToFloatTensor`), each value rounded once, by the division in `dtype`.
    /// The source has no gradient, so none is recorded; a floating tensor is converted
    /// with ``to(_:)`` and divided instead.
    public func to(_ dtype: DType, dividedBy divisor: Double) -> Tensor {
        guard !self.dtype.isFloatingPoint else {
            fail("to(_:dividedBy:): takes an integer or bool tensor, got \(self.dtype); divide a floating tensor after to(\(dtype))")
        }
        switch dtype {
        case .float32: return self.dtype.dispatch(ScaledConversion(source: self, divisor: Float(divisor)))
        case .float64: return self.dtype.dispatch(ScaledConversion(source: self, divisor: divisor))
        default: fail("to(_:dividedBy:): converts to float32 or float64, not \(dtype)")
        }
    }
}

/// `source`'s elements converted to `Target` and divided by `divisor`, in one loop.
private struct ScaledConversion<Target: TensorScalar & BinaryFloatingPoint>: ScalarKernel {
    let source: Tensor
    let divisor: Target
    func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
        mapElements(source, T.self) { Target.converting($0) / divisor }
    }
}
