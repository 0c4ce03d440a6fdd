/// Running products along an axis.
extension Tensor {
    /// The running products along `axis`, `out[i] = x[0] · … · x[i]` (PyTorch's `cumprod(dim)`).
    /// float32, float64 and int64 keep their dtype; int32, uint8 and bool multiply in
    /// int64, as torch's do (int64 wraps on overflow).
    ///
    /// The gradient is exact with zeros in the input, as PyTorch's is: in each lane,
    /// before the first zero it is the reversed running sum of `g · out` divided by `x`;
    /// at the first zero it is the sum over later positions of `g[i]` times the product
    /// of every other factor up to `i`; after the first zero it is 0. No division by
    /// zero happens, and the cost is linear in the lane's length.
    public func cumprod(axis: Int) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "cumprod") { $0.cumprod(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "cumprod")
        let (source, outer, length, inner) = (dtype.isFloatingPoint || dtype == .int64 ? self : to(.int64)).axisBlock(resolved)
        let result = source.dtype.dispatch(RunningProduct(source: source, outer: outer, length: length, inner: inner), op: "cumprod")
        let output = result.detached()
        return result.recorded("cumprod", [self]) { g, _ in
            [g.dtype.dispatch(RunningProductGradient(input: source, output: output, grad: g, axis: resolved), op: "cumprod")]
        }
    }
}

/// Calls `body` with the first element's index of each lane along an axis of
/// `length` in a contiguous block of `outer × length × inner` elements.
private func forEachLane(outer: Int, length: Int, inner: Int, _ body: (Int) -> Void) {
    for o in 0..<outer {
        for i in 0..<inner { body(o * length * inner + i) }
    }
}

/// The running products of the contiguous `source`, an `outer × length × inner` block.
private struct RunningProduct: NumericKernel, HalfPrecisionKernel {
    let source: Tensor
    let outer: Int, length: Int, inner: Int
    func widened(_ operands: WidenedOperands) -> Self { Self(source: operands.input(source), outer: outer, length: length, inner: inner) }

    func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
        let result = Tensor(uninitializedShape: source.shape, dtype: T.dtype)
        let x = UnsafePointer(source.base(T.self)), out = result.base(T.self)
        withExtendedLifetime(source.storage) {
            forEachLane(outer: outer, length: length, inner: inner) { start in
                var product = T.one
                for l in 0..<length {
                    product = T.times(product, x[start + l * inner])
                    out[start + l * inner] = product
                }
            }
        }
        return result
    }
}

/// The gradient of `cumprod` for one pass over each lane (see ``Tensor/cumprod(axis:)``).
private struct RunningProductGradient: FloatingKernel, HalfPrecisionKernel {
    let input: Tensor, output: Tensor, grad: Tensor
    let axis: Int
    func widened(_ operands: WidenedOperands) -> Self { Self(input: operands.input(input), output: operands.input(output), grad: operands.input(grad), axis: axis) }

    func run<T: FloatingScalar>(_ type: T.Type) -> Tensor {
        let (g, outer, length, inner) = grad.axisBlock(axis)
        let result = Tensor(uninitializedShape: input.shape, dtype: T.dtype)
        let x = input.base(T.self), y = output.base(T.self), gp = g.base(T.self), dx = result.base(T.self)
        withExtendedLifetime([input.storage, output.storage, g.storage]) {
            forEachLane(outer: outer, length: length, inner: inner) { start in
                func at(_ l: Int) -> Int { start + l * inner }
                let firstZero = (0..<length).first { x[at($0)] == 0 } ?? length
                // Before the first zero: dx[k] = (Σ_{i ≥ k} g[i] y[i]) / x[k]; y[i] is 0 from the zero on.
                var tail: T = 0
                for l in stride(from: firstZero - 1, through: 0, by: -1) {
                    tail += gp[at(l)] * y[at(l)]
                    dx[at(l)] = tail / x[at(l)]
                }
                guard firstZero < length else { return }
                // At the first zero: Σ_{i ≥ z} g[i] · y[z−1] · x[z+1] ⋯ x[i].
                var running: T = firstZero > 0 ? y[at(firstZero - 1)] : 1
                var sum = gp[at(firstZero)] * running
                for l in (firstZero + 1)..<Swift.max(firstZero + 1, length) {
                    running *= x[at(l)]
                    sum += gp[at(l)] * running
                }
                dx[at(firstZero)] = sum
                for l in (firstZero + 1)..<Swift.max(firstZero + 1, length) { dx[at(l)] = 0 }
            }
        }
        return result
    }
}
