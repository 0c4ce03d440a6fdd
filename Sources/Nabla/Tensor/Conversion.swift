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
        // 8-bit images to float32 take the vector loop (the closed-form fits' gray levels).
        if self.dtype == .uint8, dtype == .float32, isContiguous { return bytesToFloat(self, dividedBy: nil) }
        return self.dtype.dispatch(ConvertElements(source: self, dtype: dtype))
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
        case .float32:
            if self.dtype == .uint8, isContiguous { return bytesToFloat(self, dividedBy: Float(divisor)) }
            return self.dtype.dispatch(ScaledConversion(source: self, divisor: Float(divisor)))
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

/// A contiguous uint8 tensor as float32, each element divided by `divisor` (none when nil),
/// in a loop over hoisted pointers with nothing else in it, which the optimizer vectorizes:
/// in one `swiftc -O` program on the development machine (AMD EPYC, AVX-512) a batch of
/// 256 MNIST images took 41 µs this way and 41 µs in hand-written SIMD16 lanes, bit for bit
/// the same values. The generic `mapElements` through `converting` stays scalar here (a
/// `cvtsi2ss` and a `divss` per pixel). Not written with SIMD types: unoptimized they cost
/// 7× this loop, which made the debug build's lesson (the tests') spend half its time here.
private func bytesToFloat(_ source: Tensor, dividedBy divisor: Float?) -> Tensor {
    let result = Tensor(uninitializedShape: source.shape, dtype: .float32)
    let count = result.storage.count
    let x = UnsafePointer(source.base(UInt8.self)), out = result.base(Float.self)
    withExtendedLifetime(source.storage) {
        if let divisor {
            for i in 0..<count { out[i] = Float(x[i]) / divisor }
        } else {
            for i in 0..<count { out[i] = Float(x[i]) }
        }
    }
    return result
}
