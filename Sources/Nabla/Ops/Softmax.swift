/// Softmax and its relatives along one axis, numerically stable: the maximum
/// of each lane is subtracted before `exp`, so no finite input overflows.
/// A lane holding NaN or +inf gives NaN, as PyTorch's; the sums run on the backend.
extension Tensor {
    /// `exp(x) / Σ exp(x)` along `axis` (PyTorch's `softmax(x, dim)`).
    /// The gradient is `y · (g − Σ g·y)`.
    public func softmax(axis: Int = -1) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "softmax") { $0.softmax(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "softmax")
        let x = detached()
        let exponentials = (x - x.laneMaximum(resolved, op: "softmax")).exp()
        let y = exponentials / exponentials.sum(axis: resolved, keepDims: true)
        return y.recorded("softmax", [self]) { g, _ in
            [y * (g - (g * y).sum(axis: resolved, keepDims: true))]
        }
    }

    /// `x − log Σ exp(x)` along `axis` (PyTorch's `log_softmax(x, dim)`), exact
    /// where softmax underflows to 0. The gradient is `g − softmax · Σ g`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "logSoftmax") { $0.logSoftmax(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "logSoftmax")
        let x = detached()
        let shifted = x - x.laneMaximum(resolved, op: "logSoftmax")
        let y = shifted - shifted.exp().sum(axis: resolved, keepDims: true).log()
        return y.recorded("logSoftmax", [self]) { g, _ in
            [g - y.exp() * g.sum(axis: resolved, keepDims: true)]
        }
    }

    /// `log Σ exp(x)` over `axis` (PyTorch's `logsumexp`). An infinite maximum
    /// is not subtracted, so a lane of −inf gives −inf and one holding +inf gives +inf.
    /// The gradient is `g · exp(x − result)`, the softmax.
    public func logsumexp(axis: Int, keepDims: Bool = false) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "logsumexp") { $0.logsumexp(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "logsumexp")
        let x = detached()
        struct FiniteOrZero: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x.isInfinite ? 0 : x } }
        let maximum = mapFloating(x.laneMaximum(resolved, op: "logsumexp"), op: "logsumexp", FiniteOrZero())
        let kept = (x - maximum).exp().sum(axis: resolved, keepDims: true).log() + maximum
        return kept.droppingAxes([resolved], keepDims: keepDims).recorded("logsumexp", [self]) { g, _ in
            [g.reshape(kept.shape) * (x - kept).exp()]
        }
    }

    /// The maximum of each lane along `axis` (`max`'s, NaN included: a lane holding NaN
    /// gives NaN either way), kept at extent 1; zeros for an empty axis, whose lanes are empty.
    /// Fails naming `op` on a dtype that is not floating.
    private func laneMaximum(_ axis: Int, op: String) -> Tensor {
        guard shape[axis] > 0 else { return Tensor.zeros(shape.indices.map { $0 == axis ? 1 : shape[$0] }, dtype: dtype) }
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let source: Tensor, axis: Int, op: String
            func widened(_ operands: WidenedOperands) -> Self { Self(source: operands.input(source), axis: axis, op: op) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { source.extrema([axis], op: op, largest: true, T.self) }
        }
        return dtype.dispatch(Kernel(source: self, axis: axis, op: op), op: op)
    }
}
