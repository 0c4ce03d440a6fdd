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

    /// Each element raised to `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        unary("pow", { Foundation.pow($0, exponent) }) { g, x, _ in
            mapBroadcast(g, x, op: "pow") { g, x in g * exponent * Foundation.pow(x, exponent - 1) }
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

    /// max(x, 0); the gradient at 0 is 0, as PyTorch's. NaN stays NaN.
    public func relu() -> Tensor {
        unary("relu", { $0 < 0 ? 0 : $0 }) { g, x, _ in
            mapBroadcast(g, x, op: "relu") { g, x in x > 0 ? g : 0 }
        }
    }

    public func tanh() -> Tensor {
        unary("tanh", Foundation.tanh) { g, _, y in
            mapBroadcast(g, y, op: "tanh") { g, y in g * (1 - y * y) }
        }
    }

    /// Each element limited to [min, max] (either bound optional); the gradient
    /// passes where the element lies within the bounds, bounds included.
    public func clamp(min low: Float? = nil, max high: Float? = nil) -> Tensor {
        let lower = low ?? -.infinity, upper = high ?? .infinity
        guard lower <= upper else { fail("clamp: min \(lower) is greater than max \(upper)") }
        return unary("clamp", { Swift.min(Swift.max($0, lower), upper) }) { g, x, _ in
            mapBroadcast(g, x, op: "clamp") { g, x in x >= lower && x <= upper ? g : 0 }
        }
    }
}
