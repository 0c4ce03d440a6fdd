import Foundation

/// Elementwise functions of two tensors, with NumPy broadcasting; each
/// gradient is summed back over the axes its operand was broadcast along.
extension Tensor {
    /// The larger of each broadcast pair, NaN if either is NaN (PyTorch's `maximum`).
    /// Ties split the gradient in halves, and a NaN pair sends it to both, as PyTorch's.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        extremum(a, b, op: "maximum", takesLarger: true)
    }

    /// The smaller of each broadcast pair, NaN if either is NaN (PyTorch's `minimum`).
    /// Ties split the gradient in halves, and a NaN pair sends it to both, as PyTorch's.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        extremum(a, b, op: "minimum", takesLarger: false)
    }

    /// The larger (or smaller) of each pair, with NaN propagated; the gradient goes
    /// to the winner, in halves on a tie, to both where a NaN is involved.
    /// (A flag rather than a comparison closure, so the forward loop stays a plain vector loop.)
    @inline(__always)
    private static func extremum(_ a: Tensor, _ b: Tensor, op: String, takesLarger: Bool) -> Tensor {
        let wins: (Float, Float) -> Bool = { takesLarger ? $0 > $1 : $0 < $1 }
        let x = a.detached(), y = b.detached()
        return mapBroadcast(a, b, op: op) { p, q in p.isNaN || q.isNaN ? .nan : (wins(p, q) ? p : q) }
            .recorded(op, [a, b]) { g, needs in
                func share(_ first: Tensor, _ second: Tensor) -> Tensor {
                    mapBroadcast(mapBroadcast(first, second, op: op) { p, q in p == q ? 0.5 : (wins(q, p) ? 0 : 1) }, g, op: op, *)
                }
                return [needs[0] ? share(x, y).summed(toShape: a.shape) : nil,
                        needs[1] ? share(y, x).summed(toShape: b.shape) : nil]
            }
    }

    /// Each element of `self` raised to the broadcast element of `exponent`
    /// (PyTorch's `pow(tensor, tensor)`). Gradients are PyTorch's: `e·x^(e−1)` for
    /// the base (0 where e = 0), `x^e·log x` for the exponent (0 where x = 0 and e ≥ 0).
    public func pow(_ exponent: Tensor) -> Tensor {
        let x = detached(), e = exponent.detached()
        let y = mapBroadcast(self, exponent, op: "pow") { Foundation.pow($0, $1) }
        return y.recorded("pow", [self, exponent]) { g, needs in
            [needs[0] ? mapBroadcast(g, x, e, op: "pow") { g, x, e in e == 0 ? 0 : g * e * Foundation.pow(x, e - 1) }.summed(toShape: x.shape) : nil,
             // With x = 0, y = x^e ≤ 1 exactly when e ≥ 0 (y is inf for e < 0, NaN for a NaN e).
             needs[1] ? mapBroadcast(g, x, y, op: "pow") { g, x, y in x == 0 && !y.isNaN && y <= 1 ? 0 : g * y * Foundation.log(x) }.summed(toShape: e.shape) : nil]
        }
    }
}
