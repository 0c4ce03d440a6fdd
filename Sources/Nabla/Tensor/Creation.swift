extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        let count = elementCount(shape, op: "full")
        var result = Tensor(storage: TensorStorage(repeating: value, count: count), shape: shape, strides: contiguousStrides(shape))
        result.requiresGrad = requiresGrad
        return result
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, 0, requiresGrad: requiresGrad) }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, 1, requiresGrad: requiresGrad) }

    /// A tensor of `shape` and `dtype` filled with `value` converted to `dtype` once
    /// (as ``to(_:)`` converts: an integer is exact in int64, a Double in float64).
    public static func full<S: ScalarOperand>(_ shape: [Int], _ value: S, dtype: DType, requiresGrad: Bool = false) -> Tensor {
        var result = dtype.dispatch(FillElements(shape: shape, value: value.scalarValue, op: "full"))
        result.requiresGrad = requiresGrad
        return result
    }

    /// A tensor of zeros of `shape` and `dtype`.
    public static func zeros(_ shape: [Int], dtype: DType, requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor of ones of `shape` and `dtype`.
    public static func ones(_ shape: [Int], dtype: DType, requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor of `shape` whose element i is `element(i)` (row-major).
    static func generated(_ shape: [Int], requiresGrad: Bool = false, _ element: (Int) -> Float) -> Tensor {
        var result = Tensor(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = element(i) }
        }
        result.requiresGrad = requiresGrad
        return result
    }

    /// 0, 1, …, n − 1.
    public static func arange(_ count: Int) -> Tensor {
        generated([count]) { Float($0) }
    }

    /// `start`, `start + step`, … up to but excluding `end`, as `torch.arange`.
    public static func arange(from start: Float, to end: Float, step: Float = 1) -> Tensor {
        guard step != 0, step.isFinite else { fail("arange: step must be finite and non-zero, got \(step)") }
        let length = ((end - start) / step).rounded(.up)
        guard length.isFinite else { fail("arange: the range from \(start) to \(end) in steps of \(step) is not finite") }
        // Compared as a Float before the conversion, which traps beyond Int.max (issue 24: to 1e30).
        guard length <= Float(Nabla.maximumTensorBytes / MemoryLayout<Float>.stride) else {
            fail("arange: from \(start) to \(end) in steps of \(step) is \(length) elements, more than the \(Nabla.maximumTensorBytes) bytes of memory of this machine hold")
        }
        let count = Swift.max(0, Int(length))
        return generated([count]) { start + Float($0) * step }
    }

    /// `count` evenly spaced values from `start` to `end`, both included.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        guard count >= 0 else { fail("linspace: count must be non-negative, got \(count)") }
        let step = count > 1 ? (end - start) / Float(count - 1) : 0
        return generated([count]) { $0 == count - 1 && count > 1 ? end : start + Float($0) * step }
    }

    /// The n×n identity matrix.
    public static func eye(_ n: Int) -> Tensor {
        generated([n, n]) { $0 / n == $0 % n ? 1 : 0 }
    }

    /// Uniform samples from [0, 1).
    public static func rand(_ shape: [Int], generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        generated(shape, requiresGrad: requiresGrad) { _ in generator.nextFloat() }
    }

    /// Uniform samples from [low, high).
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        generated(shape, requiresGrad: requiresGrad) { _ in low + (high - low) * generator.nextFloat() }
    }

    /// Standard normal samples.
    public static func randn(_ shape: [Int], generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        generated(shape, requiresGrad: requiresGrad) { _ in generator.nextNormal() }
    }
}
