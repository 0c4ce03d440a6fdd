@testable import Nabla

/// The matrices whose NumPy results scripts/numpy_linalg_values.py records in
/// NumPyLinalgValues.swift, built by the same formulas (exact in Float32).
enum LinalgFixtures {
    /// Eighths from a quadratic residue pattern, of full rank.
    static func formula(_ m: Int, _ n: Int, phase: Int) -> Tensor {
        Tensor.generated([m, n]) { k in Float((k * k * 7 + k * 3 + phase) % 17 - 8) / 8 }
    }

    static var matrices: [String: Tensor] {
        let square = formula(4, 4, phase: 0)
        let left = Tensor.generated([6, 2]) { k in Float(((k / 2) * 2 + k % 2) % 5 - 2) }
        let right = Tensor.generated([2, 4]) { k in Float(((k / 4) + 3 * (k % 4)) % 4 - 1) }
        return [
            "tall": formula(5, 3, phase: 0),
            "wide": formula(3, 5, phase: 5),
            "square": square,
            "symmetric": square + square.transposed,
            "hilbert": Tensor.generated([5, 5]) { k in Float(1 / Double(k / 5 + k % 5 + 1)) },
            "rankTwo": left • right,
        ]
    }

    /// The right-hand sides B [m, 2] of the least-squares problems.
    static func rightHandSide(rows m: Int) -> Tensor {
        Tensor.generated([m, 2]) { k in Float((k * 5 + 2) % 11 - 5) / 4 }
    }
}
