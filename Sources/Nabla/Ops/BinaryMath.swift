import Foundation

extension NumericScalar {
    /// The larger (or smaller) of `p` and `q`, NaN if either is, and `q` on a tie: the one
    /// rule of `maximum`, `minimum` and `scatterReduce`'s `amax`/`amin`.
    @inline(__always)
    static func extremum(_ p: Self, _ q: Self, takesLarger: Bool) -> Self {
        p.isNaNValue ? p : (q.isNaNValue ? q : ((takesLarger ? p > q : p < q) ? p : q))
    }
}

/// Elementwise functions of two tensors, with NumPy broadcasting and PyTorch's
/// type promotion; each gradient is summed back over the axes its operand was broadcast along.
extension Tensor {
    /// The larger of each broadcast pair, NaN if either is NaN (PyTorch's `maximum`; for bool, logical or).
    /// Ties split the gradient in halves, and a NaN pair sends it to both, as PyTorch's.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        extremum(a, b, op: "maximum", takesLarger: true)
    }

    /// The smaller of each broadcast pair, NaN if either is NaN (PyTorch's `minimum`; for bool, logical and).
    /// Ties split the gradient in halves, and a NaN pair sends it to both, as PyTorch's.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        extremum(a, b, op: "minimum", takesLarger: false)
    }

    /// The larger (or smaller) of each pair, with NaN propagated; the gradient goes
    /// to the winner, in halves on a tie, to both where a NaN is involved.
    /// (A flag rather than a comparison closure, so the forward loop stays a plain vector loop.)
    private static func extremum(_ a: Tensor, _ b: Tensor, op: String, takesLarger: Bool) -> Tensor {
        struct Forward: NumericKernel, HalfPrecisionKernel {
            let a: Tensor, b: Tensor, op: String, takesLarger: Bool
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), b: operands.input(b), op: op, takesLarger: takesLarger) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                mapBroadcast(a, b, T.self, op: op) { p, q in T.extremum(p, q, takesLarger: takesLarger) }
            }
        }
        /// The gradient `first` receives: all of it where it wins, half on a tie.
        struct Share: FloatingMap3 {
            let takesLarger: Bool
            func callAsFunction<T: FloatingScalar>(_ p: T, _ q: T, _ g: T) -> T {
                (p == q ? 0.5 : ((takesLarger ? q > p : q < p) ? 0 : 1)) * g
            }
        }
        let (a, b) = promoted(a, b)
        // Bool has no order in Swift: its maximum (logical or) and minimum (logical and) are those of 0 and 1.
        if a.dtype == .bool { return extremum(a.to(.uint8), b.to(.uint8), op: op, takesLarger: takesLarger).to(.bool) }
        let x = a.detached(), y = b.detached()
        return a.dtype.dispatch(Forward(a: a, b: b, op: op, takesLarger: takesLarger), op: op)
            .recorded(op, [a, b]) { g, needs in
                [needs[0] ? mapFloating(x, y, g, op: op, Share(takesLarger: takesLarger)).summed(toShape: a.shape) : nil,
                 needs[1] ? mapFloating(y, x, g, op: op, Share(takesLarger: takesLarger)).summed(toShape: b.shape) : nil]
            }
    }

    /// Each element of `self` raised to the broadcast element of `exponent`
    /// (PyTorch's `pow(tensor, tensor)`). Gradients are PyTorch's: `e·x^(e−1)` for
    /// the base (0 where e = 0), `x^e·log x` for the exponent (0 where x = 0 and e ≥ 0).
    /// Two integer tensors give an integer power in their promoted dtype, wrapping on overflow;
    /// a negative exponent gives 1 for a base of 1, ±1 for −1 and 0 otherwise, as PyTorch's.
    public func pow(_ exponent: Tensor) -> Tensor {
        if !dtype.isFloatingPoint && !exponent.dtype.isFloatingPoint {
            struct IntegerPow: NumericKernel {
                let base: Tensor, power: Tensor
                func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                    mapBroadcast(base, power, T.self, op: "pow") { T.converting(int64: integerPower($0.int64Value, $1.int64Value)) }
                }
            }
            let (base, power) = Tensor.promoted(self, exponent)
            return base.dtype.dispatch(IntegerPow(base: base, power: power), op: "pow")
        }
        struct Pow: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ x: T, _ e: T) -> T { .pow(x, e) } }
        struct BaseGradient: FloatingMap3 {
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T, _ e: T) -> T { e == 0 ? 0 : g * e * .pow(x, e - 1) }
        }
        struct ExponentGradient: FloatingMap3 {
            // With x = 0, y = x^e ≤ 1 exactly when e ≥ 0 (y is inf for e < 0, NaN for a NaN e).
            func callAsFunction<T: FloatingScalar>(_ g: T, _ x: T, _ y: T) -> T { x == 0 && !y.isNaN && y <= 1 ? 0 : g * y * .log(x) }
        }
        let (base, power) = Tensor.promoted(self, exponent, floating: true)
        let x = base.detached(), e = power.detached()
        let y = mapFloating(base, power, op: "pow", Pow())
        return y.recorded("pow", [base, power]) { g, needs in
            [needs[0] ? mapFloating(g, x, e, op: "pow", BaseGradient()).summed(toShape: x.shape) : nil,
             needs[1] ? mapFloating(g, x, y, op: "pow", ExponentGradient()).summed(toShape: e.shape) : nil]
        }
    }

    /// `a` and `b` converted to the dtype an op on both computes in (``resultType(_:_:)``;
    /// float32 for integers when `floating`, as PyTorch's true division does). The
    /// conversion is recorded, so each gradient comes back in its operand's dtype.
    static func promoted(_ a: Tensor, _ b: Tensor, floating: Bool = false) -> (Tensor, Tensor) {
        let common = a.dtype == b.dtype ? a.dtype : resultType(a, b)
        let dtype = floating ? common.trueDivisionType : common
        return (a.to(dtype), b.to(dtype))
    }

    /// This tensor and `scalar` as a rank-0 tensor, both in the dtype an op on them computes in
    /// (the scalar weak, see `Promotion.swift`): how an op defined on two tensors takes a Swift number.
    func promoted(withScalarOperand scalar: ScalarValue) -> (Tensor, Tensor) {
        let x = promoted(withScalar: scalar.kind)
        return (x, Tensor.full([], scalar, dtype: x.dtype))
    }
}

/// x^e by repeated squaring in wrapping int64 arithmetic (the low bits, and so the result
/// truncated to a narrower integer type, are those of the exact power); for e < 0, PyTorch's
/// integer rule: 1 for x = 1, ±1 for x = −1 by the parity of e, else 0.
private func integerPower(_ x: Int64, _ e: Int64) -> Int64 {
    guard e >= 0 else { return x == 1 ? 1 : (x == -1 ? (e % 2 == 0 ? 1 : -1) : 0) }
    var result: Int64 = 1, square = x, remaining = e
    while remaining > 0 {
        if remaining & 1 == 1 { result &*= square }
        square &*= square
        remaining >>= 1
    }
    return result
}
