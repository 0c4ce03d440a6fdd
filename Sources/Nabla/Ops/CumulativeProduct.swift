/// Running products along an axis.
extension Tensor {
    /// The running products along `axis`, `out[i] = x[0] · … · x[i]` (PyTorch's `cumprod(dim)`).
    ///
    /// The gradient is exact with zeros in the input, as PyTorch's is: in each lane,
    /// before the first zero it is the reversed running sum of `g · out` divided by `x`;
    /// at the first zero it is the sum over later positions of `g[i]` times the product
    /// of every other factor up to `i`; after the first zero it is 0. No division by
    /// zero happens, and the cost is linear in the lane's length.
    public func cumprod(axis: Int) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "cumprod") { $0.cumprod(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "cumprod")
        let (source, outer, length, inner) = axisBlock(resolved)
        let result = Tensor(uninitializedShape: shape)
        let x = source.basePointer, out = result.basePointer
        withExtendedLifetime(source.storage) {
            Tensor.forEachLane(outer: outer, length: length, inner: inner) { start in
                var product: Float = 1
                for l in 0..<length {
                    product *= x[start + l * inner]
                    out[start + l * inner] = product
                }
            }
        }
        let output = result.detached()
        return result.recorded("cumprod", [self]) { g, _ in
            [Tensor.cumprodGradient(input: source, output: output, grad: g, axis: resolved)]
        }
    }

    /// Calls `body` with the first element's index of each lane along an axis of
    /// `length` in a contiguous block of `outer × length × inner` elements.
    private static func forEachLane(outer: Int, length: Int, inner: Int, _ body: (Int) -> Void) {
        for o in 0..<outer {
            for i in 0..<inner { body(o * length * inner + i) }
        }
    }

    /// The gradient of `cumprod` for one pass over each lane (see ``cumprod(axis:)``).
    private static func cumprodGradient(input: Tensor, output: Tensor, grad: Tensor, axis: Int) -> Tensor {
        let (g, outer, length, inner) = grad.axisBlock(axis)
        let result = Tensor(uninitializedShape: input.shape)
        let x = input.basePointer, y = output.basePointer, gp = g.basePointer, dx = result.basePointer
        withExtendedLifetime([input.storage, output.storage, g.storage]) {
            forEachLane(outer: outer, length: length, inner: inner) { start in
                func at(_ l: Int) -> Int { start + l * inner }
                let firstZero = (0..<length).first { x[at($0)] == 0 } ?? length
                // Before the first zero: dx[k] = (Σ_{i ≥ k} g[i] y[i]) / x[k]; y[i] is 0 from the zero on.
                var tail: Float = 0
                for l in stride(from: firstZero - 1, through: 0, by: -1) {
                    tail += gp[at(l)] * y[at(l)]
                    dx[at(l)] = tail / x[at(l)]
                }
                guard firstZero < length else { return }
                // At the first zero: Σ_{i ≥ z} g[i] · y[z−1] · x[z+1] ⋯ x[i].
                var running: Float = firstZero > 0 ? y[at(firstZero - 1)] : 1
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
