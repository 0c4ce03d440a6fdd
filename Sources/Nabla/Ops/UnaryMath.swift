import Foundation

/// Elementwise math. Each op states its derivative beside its forward map;
/// derivatives that need the result (exp, sqrt, sigmoid, tanh) reuse it.
extension Tensor {
    /// `f` on every element, recording `derivative(grad, input, output)` as the backward rule.
    @inline(__always)
    private func unary(_ op: String, _ f: (Float) -> Float,
                       derivative: @escaping (_ grad: Tensor, _ input: Tensor, _ output: Tensor) -> Tensor) -> Tensor {
        let output = mapElements(self, f)
        let input = detached()
        return output.recorded(op, [self]) { g, _ in [derivative(g, input, output)] }
    }

    /// |x|; the gradient at 0 is 0, as PyTorch's.
    public func abs() -> Tensor {
        unary("abs", Swift.abs) { g, x, _ in
            mapBroadcast(g, x, op: "abs") { g, x in x > 0 ? g : (x < 0 ? -g : 0) }
        }
    }

    public func exp() -> Tensor {
        unary("exp", Foundation.exp) { g, _, y in g * y }
    }

    /// The natural logarithm; −inf at 0 and NaN below, as in IEEE arithmetic.
    public func log() -> Tensor {
        unary("log", Foundation.log) { g, x, _ in g / x }
    }

    public func sqrt() -> Tensor {
        unary("sqrt", Foundation.sqrt) { g, _, y in
            mapBroadcast(g, y, op: "sqrt") { g, y in g * 0.5 / y }
        }
    }

    public func square() -> Tensor {
        unary("square", { $0 * $0 }) { g, x, _ in
            mapBroadcast(g, x, op: "square") { g, x in 2 * g * x }
        }
    }

    /// Each element raised to `exponent`. With exponent 0 the gradient is 0
    /// everywhere, x = 0 included, as PyTorch's (not 0 · 0⁻¹ = NaN).
    public func pow(_ exponent: Float) -> Tensor {
        unary("pow", { Foundation.pow($0, exponent) }) { g, x, _ in
            guard exponent != 0 else { return Tensor.zeros(x.shape) }
            return mapBroadcast(g, x, op: "pow") { g, x in g * exponent * Foundation.pow(x, exponent - 1) }
        }
    }

    /// 1 / (1 + e^−x), computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        unary("sigmoid", { x in
            x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        }) { g, _, y in
            mapBroadcast(g, y, op: "sigmoid") { g, y in g * y * (1 - y) }
        }
    }

    /// max(x, 0); the gradient at 0 is 0, as PyTorch's. NaN stays NaN and,
    /// as in PyTorch, passes the gradient through: only x ≤ 0 zeroes it.
    public func relu() -> Tensor {
        unary("relu", { $0 < 0 ? 0 : $0 }) { g, x, _ in
            mapBroadcast(g, x, op: "relu") { g, x in x <= 0 ? 0 : g }
        }
    }

    public func tanh() -> Tensor {
        unary("tanh", Foundation.tanh) { g, _, y in
            mapBroadcast(g, y, op: "tanh") { g, y in g * (1 - y * y) }
        }
    }

    /// Each element limited to [min, max] (either bound optional), as
    /// `min(max(x, min), max)`: with min > max every element becomes max, as in
    /// PyTorch. The gradient passes where the element lies within the bounds,
    /// bounds included. NaN stays NaN.
    public func clamp(min low: Float? = nil, max high: Float? = nil) -> Tensor {
        let lower = low ?? -.infinity, upper = high ?? .infinity
        return unary("clamp", { Swift.min(Swift.max($0, lower), upper) }) { g, x, _ in
            mapBroadcast(g, x, op: "clamp") { g, x in x >= lower && x <= upper ? g : 0 }
        }
    }

    /// −1, 0 or 1 by the sign of x; 0 for ±0 and for NaN, as PyTorch 2's (NumPy gives NaN). The gradient is 0.
    public func sign() -> Tensor {
        unary("sign", { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }) { g, _, _ in Tensor.zeros(g.shape) }
    }

    public func sin() -> Tensor {
        unary("sin", Foundation.sin) { g, x, _ in
            mapBroadcast(g, x, op: "sin") { g, x in g * Foundation.cos(x) }
        }
    }

    public func cos() -> Tensor {
        unary("cos", Foundation.cos) { g, x, _ in
            mapBroadcast(g, x, op: "cos") { g, x in -g * Foundation.sin(x) }
        }
    }

    /// log(1 + x), exact for small x where `(1 + x).log()` loses digits.
    public func log1p() -> Tensor {
        unary("log1p", Foundation.log1p) { g, x, _ in
            mapBroadcast(g, x, op: "log1p") { g, x in g / (1 + x) }
        }
    }

    /// eˣ − 1, exact for small x where `exp() - 1` loses digits.
    public func expm1() -> Tensor {
        unary("expm1", Foundation.expm1) { g, _, y in
            mapBroadcast(g, y, op: "expm1") { g, y in g * (y + 1) }
        }
    }

    /// 1 / √x; inf at 0 and NaN below, as PyTorch's.
    public func rsqrt() -> Tensor {
        unary("rsqrt", { 1 / Foundation.sqrt($0) }) { g, _, y in
            mapBroadcast(g, y, op: "rsqrt") { g, y in -0.5 * g * y * y * y }
        }
    }

    /// 1 / x.
    public func reciprocal() -> Tensor {
        unary("reciprocal", { 1 / $0 }) { g, _, y in
            mapBroadcast(g, y, op: "reciprocal") { g, y in -g * y * y }
        }
    }

    /// The largest integer ≤ x. The gradient is 0, as PyTorch's.
    public func floor() -> Tensor {
        unary("floor", { $0.rounded(.down) }) { g, _, _ in Tensor.zeros(g.shape) }
    }

    /// The smallest integer ≥ x. The gradient is 0, as PyTorch's.
    public func ceil() -> Tensor {
        unary("ceil", { $0.rounded(.up) }) { g, _, _ in Tensor.zeros(g.shape) }
    }

    /// The nearest integer, halves to even (0.5 → 0, 2.5 → 2), as PyTorch's `round`. The gradient is 0.
    public func round() -> Tensor {
        unary("round", { $0.rounded(.toNearestOrEven) }) { g, _, _ in Tensor.zeros(g.shape) }
    }

    /// x for x > 0, else `negativeSlope`·x (PyTorch's `leaky_relu`, slope 0.01 by default);
    /// the gradient at 0 is `negativeSlope`, as PyTorch's.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        unary("leakyRelu", { $0 > 0 ? $0 : negativeSlope * $0 }) { g, x, _ in
            mapBroadcast(g, x, op: "leakyRelu") { g, x in x > 0 ? g : negativeSlope * g }
        }
    }

    /// Which form of GELU to compute, as PyTorch's `approximate` argument.
    public enum GELUApproximation: String, Sendable {
        /// x·Φ(x) with the exact normal CDF, `0.5·x·(1 + erf(x/√2))` (PyTorch's `'none'`).
        case none
        /// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` (PyTorch's `'tanh'`).
        case tanh
    }

    /// The Gaussian error linear unit, exact or in its tanh form, each with its own exact derivative.
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none:
            return unary("gelu", { 0.5 * $0 * (1 + Foundation.erf($0 * 0.70710678)) }) { g, x, _ in
                mapBroadcast(g, x, op: "gelu") { g, x in
                    g * (0.5 * (1 + Foundation.erf(x * 0.70710678)) + x * 0.39894228 * Foundation.exp(-0.5 * x * x))
                }
            }
        case .tanh:
            let c: Float = 0.7978845608, k: Float = 0.044715
            return unary("gelu", { x in 0.5 * x * (1 + Foundation.tanh(c * (x + k * x * x * x))) }) { g, x, _ in
                mapBroadcast(g, x, op: "gelu") { g, x in
                    let t = Foundation.tanh(c * (x + k * x * x * x))
                    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x))
                }
            }
        }
    }

    /// `log(1 + exp(β·x)) / β`, and x itself where β·x > `threshold` (PyTorch's
    /// `softplus`, β = 1, threshold 20), computed without overflow. The gradient is σ(β·x).
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor {
        unary("softplus", { x in
            let z = beta * x
            return z > threshold ? x : (Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(z)))) / beta
        }) { g, x, _ in
            mapBroadcast(g, x, op: "softplus") { g, x in
                let z = beta * x
                return z > threshold ? g : g / (1 + Foundation.exp(-z))
            }
        }
    }

    /// 1 where x is NaN, else 0 (a mask; no gradient flows through it).
    public func isNaN() -> Tensor { mapElements(self) { $0.isNaN ? 1 : 0 } }

    /// 1 where x is neither infinite nor NaN, else 0 (a mask; no gradient flows through it).
    public func isFinite() -> Tensor { mapElements(self) { $0.isFinite ? 1 : 0 } }

    /// NaN replaced by `nan`, +inf by `posinf` and −inf by `neginf`, which default,
    /// as in PyTorch, to 0 and the largest and lowest finite Floats. The gradient
    /// passes where x is finite and is 0 elsewhere.
    public func nanToNum(nan: Float = 0, posinf: Float? = nil, neginf: Float? = nil) -> Tensor {
        let high = posinf ?? .greatestFiniteMagnitude, low = neginf ?? -.greatestFiniteMagnitude
        return unary("nanToNum", { $0.isNaN ? nan : ($0 == .infinity ? high : ($0 == -.infinity ? low : $0)) }) { g, x, _ in
            mapBroadcast(g, x, op: "nanToNum") { g, x in x.isFinite ? g : 0 }
        }
    }
}
