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
/// sixteen at a time in SIMD vectors: the compiler leaves the plain loop scalar (a
/// `cvtsi2ss` and a `divss` per pixel, 17% of the whole lesson's time by `perf`, most
/// of it the training batches; a batch of 256 images converts in half the time this
/// way). A vector division rounds each lane as the scalar one does, so the values are
/// the same bit for bit.
private func bytesToFloat(_ source: Tensor, dividedBy divisor: Float?) -> Tensor {
    let result = Tensor(uninitializedShape: source.shape, dtype: .float32)
    let count = result.storage.count, lanes = 16
    let x = UnsafePointer(source.base(UInt8.self)), out = result.base(Float.self)
    let vectorDivisor = SIMD16<Float>(repeating: divisor ?? 1)
    var i = 0
    withExtendedLifetime(source.storage) {
        while i + lanes <= count {
            let bytes = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<UInt8>.self)
            // 2²³ + x has x in its low mantissa bits: the bit pattern 0x4B000000 | x, less 2²³,
            // is x exactly (the generic SIMD integer-to-float init is not inlined, and runs per lane).
            let biased = SIMD16<UInt32>(truncatingIfNeeded: bytes) | 0x4B00_0000
            let floats = unsafeBitCast(biased, to: SIMD16<Float>.self) - 8_388_608
            UnsafeMutableRawPointer(out + i).storeBytes(of: divisor == nil ? floats : floats / vectorDivisor, as: SIMD16<Float>.self)
            i += lanes
        }
        while i < count {
            out[i] = divisor.map { Float(x[i]) / $0 } ?? Float(x[i])
            i += 1
        }
    }
    return result
}
