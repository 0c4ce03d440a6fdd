import Foundation

/// Variance, standard deviation and norms over any set of axes, built on the
/// backend's sums; each states its gradient beside its forward.
extension Tensor {
    /// The variance over all elements, `Σ(x − mean)² / (n − correction)`, as
    /// PyTorch's `var(correction=1)` (Bessel's correction by default; 0 gives the
    /// population variance). With n ≤ correction the divisor is 0 and the result inf or NaN, as PyTorch's.
    public func variance(correction: Int = 1) -> Tensor { variance(axes: Array(0..<rank), correction: correction) }

    public func variance(axis: Int, correction: Int = 1, keepDims: Bool = false) -> Tensor {
        variance(axes: [axis], correction: correction, keepDims: keepDims)
    }

    /// The variances over `axes`. The gradient is `2·(x − mean)·g / (n − correction)`.
    public func variance(axes: [Int], correction: Int = 1, keepDims: Bool = false) -> Tensor {
        let (reduced, centered, kept, divisor) = centeredSquares(axes, correction: correction, op: "variance")
        let factor = centered.dtype == .float32 ? Double(2 / Float(divisor)) : 2 / divisor
        return kept.droppingAxes(reduced, keepDims: keepDims).recorded("variance", [self]) { g, _ in
            [g.reshape(kept.shape) * centered * factor]
        }
    }

    /// The standard deviation over all elements, √variance (PyTorch's `std`, same correction).
    public func std(correction: Int = 1) -> Tensor { std(axes: Array(0..<rank), correction: correction) }

    public func std(axis: Int, correction: Int = 1, keepDims: Bool = false) -> Tensor {
        std(axes: [axis], correction: correction, keepDims: keepDims)
    }

    /// The standard deviations over `axes`. The gradient is `(x − mean)·g / ((n − correction)·std)`,
    /// and 0 where the deviation is 0, as PyTorch's (not 0/0).
    public func std(axes: [Int], correction: Int = 1, keepDims: Bool = false) -> Tensor {
        let (reduced, centered, squares, divisor) = centeredSquares(axes, correction: correction, op: "std")
        let kept = squares.sqrt()
        return kept.droppingAxes(reduced, keepDims: keepDims).recorded("std", [self]) { g, _ in
            struct Scale: FloatingMap2 {
                let divisor: Double
                func callAsFunction<T: FloatingScalar>(_ g: T, _ s: T) -> T { s == 0 ? 0 : g / (T(divisor) * s) }
            }
            return [mapFloating(g.reshape(kept.shape), kept, op: "std", Scale(divisor: divisor)) * centered]
        }
    }

    /// The vector p-norm over `axes` (all when `nil`), as `torch.linalg.vector_norm`:
    /// `(Σ|x|^p)^(1/p)` for p > 0, `max|x|` for p = ∞, `min|x|` for p = −∞ and
    /// the count of non-zeros for p = 0. Gradients are PyTorch's: 0 where the norm
    /// is 0 (p = 2 and others), `sign(x)·g` for p = 1, and for p = ±∞ the gradient
    /// shared among the elements whose |x| ties the norm.
    /// `p` is a Double, as Python's float is, so that a float64 tensor's norm of order 3 raises to
    /// exactly 1/3 in float64; a float32 tensor computes with `1 / Float(p)`.
    public func norm(p: Double = 2, axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        norm(p: p, axes: axes, keepDims: keepDims, op: "norm")
    }

    /// ``norm(p:axes:keepDims:)``, its errors naming `op` (`Linalg.vectorNorm` shares it).
    func norm(p: Double, axes: [Int]?, keepDims: Bool, op: String) -> Tensor {
        let reduced = normalizedAxes(axes ?? Array(0..<rank), rank: rank, op: op)
        guard !p.isNaN else { fail("\(op): the order must be a number, got nan") }
        let x = detached(), magnitude = x.abs()
        let kept: Tensor
        switch p {
        case .infinity: kept = magnitude.max(axes: reduced, keepDims: true)
        case -.infinity: kept = magnitude.min(axes: reduced, keepDims: true)
        case 0: kept = (magnitude .!= 0).to(magnitude.dtype).sum(axes: reduced, keepDims: true)
        case 1: kept = magnitude.sum(axes: reduced, keepDims: true)
        case 2: kept = x.square().sum(axes: reduced, keepDims: true).sqrt()
        default:
            let inverse = dtype == .float64 ? 1 / p : Double(1 / Float(p))
            kept = magnitude.pow(p).sum(axes: reduced, keepDims: true).pow(inverse)
        }
        return kept.droppingAxes(reduced, keepDims: keepDims).recorded("norm", [self]) { g, _ in
            let upstream = g.reshape(kept.shape)
            struct Tie: FloatingMap2 {
                func callAsFunction<T: FloatingScalar>(_ m: T, _ n: T) -> T { m == n || (m.isNaN && n.isNaN) ? 1 : 0 }
            }
            /// g / norm^power, 0 where the norm is 0.
            struct OverPower: FloatingMap2 {
                let power: Double
                func callAsFunction<T: FloatingScalar>(_ g: T, _ n: T) -> T { n == 0 ? 0 : (power == 1 ? g / n : g / .pow(n, T(power))) }
            }
            /// sign(x)·|x|^power, 0 at x = 0 (for powers below 0 too).
            struct SignedPower: FloatingMap2 {
                let power: Double
                func callAsFunction<T: FloatingScalar>(_ x: T, _ m: T) -> T { x == 0 ? 0 : (x > 0 ? 1 : -1) * .pow(m, T(power)) }
            }
            let power = p - 1
            switch p {
            case .infinity, -.infinity:
                let ties = mapFloating(magnitude, kept, op: "norm", Tie())
                return [upstream * x.sign() * ties / ties.sum(axes: reduced, keepDims: true)]
            case 0: return [Tensor.zeros(x.shape, dtype: x.dtype)]
            case 1: return [upstream * x.sign()]
            case 2: return [x * mapFloating(upstream, kept, op: "norm", OverPower(power: 1))]
            default:
                // sign(x)·|x|^(p−1) · g / norm^(p−1), written so that x = 0 gives 0 for p < 1 too.
                return [mapFloating(x, magnitude, op: "norm", SignedPower(power: power)) * mapFloating(upstream, kept, op: "norm", OverPower(power: power))]
            }
        }
    }

    /// The Frobenius norm of each matrix over `axes` (the last two by default), √Σx²,
    /// as `torch.linalg.matrix_norm(ord='fro')`.
    public func frobeniusNorm(axes: [Int] = [-2, -1], keepDims: Bool = false) -> Tensor {
        guard axes.count == 2 else { fail("frobeniusNorm: needs two axes, got \(axes)") }
        return norm(p: 2, axes: axes, keepDims: keepDims)
    }

    /// The reduced axes, x − mean (broadcast), Σ(x − mean)² / divisor with the axes kept, and the divisor.
    private func centeredSquares(_ axes: [Int], correction: Int, op: String) -> ([Int], Tensor, Tensor, Double) {
        let reduced = normalizedAxes(axes, rank: rank, op: op)
        let count = reduced.reduce(1) { $0 * shape[$1] }
        let divisor = Double(Swift.max(0, count - correction))
        let x = detached()
        // Shifted by each lane's first element before the mean, so that a lane of
        // equal values centres to exact zeros (its std and gradient 0, as torch's)
        // and a large common offset cancels before it is summed.
        let first = x[(0..<rank).map { reduced.contains($0) ? 0..<1 : 0..<shape[$0] }]
        let shifted = x - first
        let centered = shifted - shifted.mean(axes: reduced, keepDims: true)
        return (reduced, centered, centered.square().sum(axes: reduced, keepDims: true) / Float(divisor), divisor)
    }
}
