import Foundation

/// Elementwise math, in float32 or float64. Each op states its derivative beside
/// its forward map; derivatives that need the result (exp, sqrt, sigmoid, tanh)
/// reuse it. An integer or bool tensor is computed in float32 (torch's default
/// dtype), as PyTorch does, except by the ops that are exact on integers (abs, square, relu,
/// sign, floor, ceil, round), which keep an integer tensor's dtype as PyTorch's do. Each
/// function is one `FloatingMap`, written once for both types.
extension Tensor {
    /// `f` on every element, recording `derivative(grad, input, output)` as the backward rule.
    @inline(__always)
    private func unary(_ op: String, _ f: some FloatingMap,
                       derivative: @escaping (_ grad: Tensor, _ input: Tensor, _ output: Tensor) -> Tensor) -> Tensor {
        let source = dtype.isFloatingPoint ? self : to(.float32)
        let output = mapFloating(source, op: op, f)
        let input = source.detached()
        return output.recorded(op, [source]) { g, _ in [derivative(g, input, output)] }
    }

    /// `f` on an integer tensor, which keeps its dtype (no gradient: integers take none); nil for a
    /// floating tensor. A bool tensor fails naming `op`, as in PyTorch, unless the op says how it takes one.
    private func exactOnIntegers(_ op: String, _ f: some NumericMap) -> Tensor? {
        dtype.isFloatingPoint ? nil : mapNumeric(self, op: op, f)
    }

    /// The identity on integers: what floor, ceil and round do to them.
    private struct IntegerIdentity: NumericMap { func callAsFunction<T: NumericScalar>(_ x: T) -> T { x } }

    /// A zero gradient of `g`'s shape and dtype, for the piecewise-constant ops.
    private static func zeroGradient(_ g: Tensor) -> Tensor { Tensor.zeros(g.shape, dtype: g.dtype) }

    /// |x|; the gradient at 0 is 0, as PyTorch's. An integer tensor keeps its dtype (|Int64.min| wraps to itself).
    public func abs() -> Tensor {
        struct IntegerAbs: NumericMap { func callAsFunction<T: NumericScalar>(_ x: T) -> T { x < .zero ? T.negated(x) : x } }
        if let exact = exactOnIntegers("abs", IntegerAbs()) { return exact }
        struct Abs: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { Swift.abs(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { x > 0 ? g : (x < 0 ? -g : 0) } }
        return unary("abs", Abs()) { g, x, _ in mapFloating(g, x, op: "abs", Gradient()) }
    }

    public func exp() -> Tensor {
        struct Exp: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .exp(x) } }
        return unary("exp", Exp()) { g, _, y in g * y }
    }

    /// The natural logarithm; −inf at 0 and NaN below, as in IEEE arithmetic.
    public func log() -> Tensor {
        struct Log: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .log(x) } }
        return unary("log", Log()) { g, x, _ in g / x }
    }

    public func sqrt() -> Tensor {
        struct Sqrt: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .sqrt(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ y: T) -> T { g * 0.5 / y } }
        return unary("sqrt", Sqrt()) { g, _, y in mapFloating(g, y, op: "sqrt", Gradient()) }
    }

    /// x·x; an integer tensor keeps its dtype (and wraps), a bool one squares in int64, as PyTorch's.
    public func square() -> Tensor {
        struct IntegerSquare: NumericMap { func callAsFunction<T: NumericScalar>(_ x: T) -> T { T.times(x, x) } }
        if dtype == .bool { return to(.int64).square() }
        if let exact = exactOnIntegers("square", IntegerSquare()) { return exact }
        struct Square: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x * x } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { 2 * g * x } }
        return unary("square", Square()) { g, x, _ in mapFloating(g, x, op: "square", Gradient()) }
    }

    /// Each element raised to `exponent`. With exponent 0 the gradient is 0
    /// everywhere, x = 0 included, as PyTorch's (not 0 · 0⁻¹ = NaN). `exponent` is a Double, as
    /// Python's float is, so that a float64 tensor gets a float64 exponent.
    public func pow(_ exponent: Double) -> Tensor {
        struct Pow: FloatingMap {
            let exponent: Double
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .pow(x, T(exponent)) }
        }
        struct Gradient: FloatingMap2 {
            let exponent: Double
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { g * T(exponent) * .pow(x, T(exponent) - 1) }
        }
        return unary("pow", Pow(exponent: exponent)) { g, x, _ in
            guard exponent != 0 else { return Tensor.zeroGradient(g) }
            return mapFloating(g, x, op: "pow", Gradient(exponent: exponent))
        }
    }

    /// 1 / (1 + e^−x), computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        struct Sigmoid: FloatingMap {
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x >= 0 ? 1 / (1 + .exp(-x)) : .exp(x) / (1 + .exp(x)) }
        }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ y: T) -> T { g * y * (1 - y) } }
        return unary("sigmoid", Sigmoid()) { g, _, y in mapFloating(g, y, op: "sigmoid", Gradient()) }
    }

    /// max(x, 0); the gradient at 0 is 0, as PyTorch's. NaN stays NaN and,
    /// as in PyTorch, passes the gradient through: only x ≤ 0 zeroes it.
    public func relu() -> Tensor {
        struct IntegerRelu: NumericMap { func callAsFunction<T: NumericScalar>(_ x: T) -> T { x < .zero ? .zero : x } }
        if let exact = exactOnIntegers("relu", IntegerRelu()) { return exact }
        struct Relu: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x < 0 ? 0 : x } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { x <= 0 ? 0 : g } }
        return unary("relu", Relu()) { g, x, _ in mapFloating(g, x, op: "relu", Gradient()) }
    }

    public func tanh() -> Tensor {
        struct Tanh: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .tanh(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ y: T) -> T { g * (1 - y * y) } }
        return unary("tanh", Tanh()) { g, _, y in mapFloating(g, y, op: "tanh", Gradient()) }
    }

    /// Each element limited to [min, max] (either bound optional), as
    /// `min(max(x, min), max)`: with min > max every element becomes max, as in
    /// PyTorch. The gradient passes where the element lies within the bounds,
    /// bounds included. NaN stays NaN. The bounds are Doubles, as PyTorch's are Python
    /// floats, each converted once to the tensor's dtype (float64 clamps at the double bound);
    /// an integer tensor is clamped in float32. This is the form for optional bounds; with
    /// bounds written out, ``clamp(min:max:)-(L,H)`` and its one-sided forms take integers too.
    public func clamp(min low: Double? = nil, max high: Double? = nil) -> Tensor {
        clamped(low.map(ScalarValue.floating), high.map(ScalarValue.floating))
    }

    /// Each element limited to [min, max], the bounds Swift numbers weak in promotion as PyTorch's
    /// Python numbers: an integer tensor with `Int` bounds is clamped in its own dtype, exactly
    /// (`Tensor([-5, 3, 10] as [Int64]).clamp(min: -2, max: 4)` is int64 `[-2, 3, 4]`), and a bound
    /// out of its range fails, as in PyTorch; a `Double` bound makes an integer tensor float32; a
    /// floating tensor converts the bounds to its dtype. Otherwise as ``clamp(min:max:)-(Double?,Double?)``.
    public func clamp<L: ScalarOperand, H: ScalarOperand>(min low: L, max high: H) -> Tensor {
        clamped(low.scalarValue, high.scalarValue)
    }

    /// Each element at least `min` (see ``clamp(min:max:)-(L,H)``).
    public func clamp<S: ScalarOperand>(min low: S) -> Tensor { clamped(low.scalarValue, nil) }

    /// Each element at most `max` (see ``clamp(min:max:)-(L,H)``).
    public func clamp<S: ScalarOperand>(max high: S) -> Tensor { clamped(nil, high.scalarValue) }

    /// clamp in the dtype that this tensor and the bounds promote to (`torch.clamp`'s).
    private func clamped(_ low: ScalarValue?, _ high: ScalarValue?) -> Tensor {
        struct Clamp: FloatingMap {
            let lower: Double, upper: Double
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T { Swift.min(Swift.max(x, T(lower)), T(upper)) }
        }
        struct Gradient: FloatingMap2 {
            let lower: Double, upper: Double
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { x >= T(lower) && x <= T(upper) ? g : 0 }
        }
        struct IntegerClamp: NumericKernel {
            let input: Tensor, lower: ScalarValue?, upper: ScalarValue?
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                let low = lower.map { bound($0, T.self) } ?? T.lowest, high = upper.map { bound($0, T.self) }
                return mapElements(input, T.self) { x in
                    let raised = Swift.max(x, low)
                    return high.map { Swift.min(raised, $0) } ?? raised
                }
            }

            /// The integer `value` in `T`, which must hold it: PyTorch refuses a bound its dtype overflows.
            /// (A floating bound never comes here: it makes the result floating.)
            func bound<T: NumericScalar>(_ value: ScalarValue, _ type: T.Type) -> T {
                let integer = value.converted(to: Int64.self), converted = T.converting(int64: integer)
                guard converted.int64Value == integer else {
                    fail("clamp: the bound \(integer) cannot be converted to \(T.dtype) without overflow")
                }
                return converted
            }
        }
        let dtype = Tensor.resultType([self], scalars: [low, high].compactMap { $0?.kind })
        guard dtype.isFloatingPoint else {
            return dtype.dispatch(IntegerClamp(input: to(dtype), lower: low, upper: high), op: "clamp")
        }
        let lower = low?.converted(to: Double.self) ?? -.infinity, upper = high?.converted(to: Double.self) ?? .infinity
        return to(dtype).unary("clamp", Clamp(lower: lower, upper: upper)) { g, x, _ in
            mapFloating(g, x, op: "clamp", Gradient(lower: lower, upper: upper))
        }
    }

    /// −1, 0 or 1 by the sign of x; 0 for ±0 and for NaN, as PyTorch 2's (NumPy gives NaN). The gradient is 0.
    /// An integer or bool tensor keeps its dtype.
    public func sign() -> Tensor {
        struct IntegerSign: NumericMap {
            func callAsFunction<T: NumericScalar>(_ x: T) -> T { x > .zero ? .one : (x < .zero ? T.negated(.one) : .zero) }
        }
        if dtype == .bool { return to(.uint8).sign().to(.bool) }
        if let exact = exactOnIntegers("sign", IntegerSign()) { return exact }
        struct Sign: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
        return unary("sign", Sign()) { g, _, _ in Tensor.zeroGradient(g) }
    }

    public func sin() -> Tensor {
        struct Sin: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .sin(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { g * .cos(x) } }
        return unary("sin", Sin()) { g, x, _ in mapFloating(g, x, op: "sin", Gradient()) }
    }

    public func cos() -> Tensor {
        struct Cos: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .cos(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { -g * .sin(x) } }
        return unary("cos", Cos()) { g, x, _ in mapFloating(g, x, op: "cos", Gradient()) }
    }

    /// log(1 + x), exact for small x where `(1 + x).log()` loses digits.
    public func log1p() -> Tensor {
        struct Log1p: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .log1p(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { g / (1 + x) } }
        return unary("log1p", Log1p()) { g, x, _ in mapFloating(g, x, op: "log1p", Gradient()) }
    }

    /// eˣ − 1, exact for small x where `exp() - 1` loses digits.
    public func expm1() -> Tensor {
        struct Expm1: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { .expm1(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ y: T) -> T { g * (y + 1) } }
        return unary("expm1", Expm1()) { g, _, y in mapFloating(g, y, op: "expm1", Gradient()) }
    }

    /// 1 / √x; inf at 0 and NaN below, as PyTorch's.
    public func rsqrt() -> Tensor {
        struct Rsqrt: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { 1 / .sqrt(x) } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ y: T) -> T { -0.5 * g * y * y * y } }
        return unary("rsqrt", Rsqrt()) { g, _, y in mapFloating(g, y, op: "rsqrt", Gradient()) }
    }

    /// 1 / x.
    public func reciprocal() -> Tensor {
        struct Reciprocal: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { 1 / x } }
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ y: T) -> T { -g * y * y } }
        return unary("reciprocal", Reciprocal()) { g, _, y in mapFloating(g, y, op: "reciprocal", Gradient()) }
    }

    /// The largest integer ≤ x. The gradient is 0, as PyTorch's. An integer tensor comes back as a copy
    /// of itself, in its dtype (floor, ceil and round as PyTorch's; bool is refused, as there).
    public func floor() -> Tensor {
        if let exact = exactOnIntegers("floor", IntegerIdentity()) { return exact }
        struct Floor: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x.rounded(.down) } }
        return unary("floor", Floor()) { g, _, _ in Tensor.zeroGradient(g) }
    }

    /// The smallest integer ≥ x. The gradient is 0, as PyTorch's. An integer tensor: see ``floor()``.
    public func ceil() -> Tensor {
        if let exact = exactOnIntegers("ceil", IntegerIdentity()) { return exact }
        struct Ceil: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x.rounded(.up) } }
        return unary("ceil", Ceil()) { g, _, _ in Tensor.zeroGradient(g) }
    }

    /// The nearest integer, halves to even (0.5 → 0, 2.5 → 2), as PyTorch's `round`. The gradient is 0.
    /// An integer tensor: see ``floor()``.
    public func round() -> Tensor {
        if let exact = exactOnIntegers("round", IntegerIdentity()) { return exact }
        struct Round: FloatingMap { func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x.rounded(.toNearestOrEven) } }
        return unary("round", Round()) { g, _, _ in Tensor.zeroGradient(g) }
    }

    /// x for x > 0, else `negativeSlope`·x (PyTorch's `leaky_relu`, slope 0.01 by default);
    /// the gradient at 0 is `negativeSlope`, as PyTorch's.
    public func leakyRelu(negativeSlope: Double = 0.01) -> Tensor {
        struct LeakyRelu: FloatingMap {
            let slope: Double
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T { x > 0 ? x : T(slope) * x }
        }
        struct Gradient: FloatingMap2 {
            let slope: Double
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { x > 0 ? g : T(slope) * g }
        }
        return unary("leakyRelu", LeakyRelu(slope: negativeSlope)) { g, x, _ in
            mapFloating(g, x, op: "leakyRelu", Gradient(slope: negativeSlope))
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
        // 1/√2, 1/√(2π), √(2/π) and the cubic coefficient, each rounded once to the computing type.
        struct Exact: FloatingMap {
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T { 0.5 * x * (1 + .erf(x * T(0.7071067811865476))) }
        }
        struct ExactGradient: FloatingMap2 {
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T {
                g * (0.5 * (1 + .erf(x * T(0.7071067811865476))) + x * T(0.3989422804014327) * .exp(-0.5 * x * x))
            }
        }
        struct Approximate: FloatingMap {
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T {
                0.5 * x * (1 + .tanh(T(0.7978845608028654) * (x + T(0.044715) * x * x * x)))
            }
        }
        struct ApproximateGradient: FloatingMap2 {
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T {
                let c = T(0.7978845608028654), k = T(0.044715)
                let t = T.tanh(c * (x + k * x * x * x))
                return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x))
            }
        }
        switch approximate {
        case .none:
            return unary("gelu", Exact()) { g, x, _ in mapFloating(g, x, op: "gelu", ExactGradient()) }
        case .tanh:
            return unary("gelu", Approximate()) { g, x, _ in mapFloating(g, x, op: "gelu", ApproximateGradient()) }
        }
    }

    /// `log(1 + exp(β·x)) / β`, and x itself where β·x > `threshold` (PyTorch's
    /// `softplus`, β = 1, threshold 20), computed without overflow. The gradient is σ(β·x).
    public func softplus(beta: Double = 1, threshold: Double = 20) -> Tensor {
        struct Softplus: FloatingMap {
            let beta: Double, threshold: Double
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T {
                let z = T(beta) * x
                return z > T(threshold) ? x : (Swift.max(z, 0) + .log1p(.exp(-Swift.abs(z)))) / T(beta)
            }
        }
        struct Gradient: FloatingMap2 {
            let beta: Double, threshold: Double
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T {
                let z = T(beta) * x
                return z > T(threshold) ? g : g / (1 + .exp(-z))
            }
        }
        return unary("softplus", Softplus(beta: beta, threshold: threshold)) { g, x, _ in
            mapFloating(g, x, op: "softplus", Gradient(beta: beta, threshold: threshold))
        }
    }

    /// Whether each element is NaN, as a bool mask (never, for an integer tensor).
    public func isNaN() -> Tensor { classified(op: "isNaN") { $0.isNaN } }

    /// Whether each element is neither infinite nor NaN, as a bool mask (always, for an integer tensor).
    public func isFinite() -> Tensor { classified(op: "isFinite") { $0.isFinite } }

    /// `test` on every element, as a bool mask (an integer's Double value for integer tensors, exact for the tests above).
    private func classified(op: String, _ test: @escaping (Double) -> Bool) -> Tensor {
        struct Kernel: ScalarKernel {
            let source: Tensor, test: (Double) -> Bool
            func run<T: TensorScalar>(_ type: T.Type) -> Tensor { mapElements(source, T.self) { test($0.doubleValue) } }
        }
        return dtype.dispatch(Kernel(source: self, test: test))
    }

    /// NaN replaced by `nan`, +inf by `posinf` and −inf by `neginf`, which default,
    /// as in PyTorch, to 0 and the largest and lowest finite values of the dtype. The gradient
    /// passes where x is finite and is 0 elsewhere.
    public func nanToNum(nan: Double = 0, posinf: Double? = nil, neginf: Double? = nil) -> Tensor {
        struct NanToNum: FloatingMap {
            let nan: Double, posinf: Double, neginf: Double
            func callAsFunction<T: FloatingScalar>(_ x: T) -> T {
                x.isNaN ? T(nan) : (x == .infinity ? T(posinf) : (x == -.infinity ? T(neginf) : x))
            }
        }
        // The dtype's own largest value: a float16 tensor computes in float32 but holds at most 65504.
        let largest = dtype.greatestFiniteMagnitude ?? 0
        struct Gradient: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T) -> T { x.isFinite ? g : 0 } }
        return unary("nanToNum", NanToNum(nan: nan, posinf: posinf ?? largest, neginf: neginf ?? -largest)) { g, x, _ in
            mapFloating(g, x, op: "nanToNum", Gradient())
        }
    }
}
