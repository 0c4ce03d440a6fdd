import Nabla

extension Workload {
    /// The linear-algebra routines (LAPACKE on the BLAS backend, unblocked
    /// Swift on the reference backend) on well-conditioned n×n matrices:
    /// solve with one and with n right-hand sides, inverse, determinant,
    /// Cholesky. n = 256 and 1024 (quick: 256).
    public static func linalg(quick: Bool) -> [Workload] {
        (quick ? [256] : [256, 1024]).flatMap { n -> [Workload] in
            let cube = Double(n) * Double(n) * Double(n), square = Double(n) * Double(n)
            return [
                // LU is 2/3·n³ FLOPs; each right-hand side adds 2·n² for the two triangular solves.
                routine(op: "solve", n: n, rhs: "\(n)", flops: 2 / 3 * cube + 2 * square) { a, _ in
                    try Linalg.solve(a, Tensor.ones([n]))
                },
                routine(op: "solve", n: n, rhs: "\(n)×\(n)", flops: 2 / 3 * cube + 2 * cube) { a, _ in
                    try Linalg.solve(a, a)
                },
                routine(op: "inverse", n: n, rhs: nil, flops: 2 / 3 * cube + 2 * cube) { a, _ in try Linalg.inverse(a) },
                routine(op: "determinant", n: n, rhs: nil, flops: 2 / 3 * cube) { a, _ in Linalg.determinant(a) },
                routine(op: "cholesky", n: n, rhs: nil, flops: cube / 3) { _, spd in try Linalg.cholesky(spd) },
            ]
        }
    }

    /// `body(a, spd)` with `a` diagonally dominant (so LU never meets a zero
    /// pivot) and `spd` symmetric positive definite.
    static func routine(op: String, n: Int, rhs: String?, flops: Double,
                        _ body: @escaping (Tensor, Tensor) throws -> Tensor) -> Workload {
        Workload(kind: .linalg, op: op, shape: "\(n)×\(n)" + (rhs.map { " · X = \($0)" } ?? ""), unit: .gflops,
                 flops: flops, limit: .fmaPeak) {
            var generator = RandomGenerator(seed: UInt64(n))
            let noise = Tensor.rand([n, n], generator: &generator)
            let a = noise + Tensor.eye(n) * Float(n)
            let spd = noise • noise.transposed + Tensor.eye(n) * Float(n)
            return PreparedWorkload(call: {
                do {
                    keep(try body(a, spd))
                } catch {
                    fatalError("linalg benchmark: \(op) failed on a matrix built to be well-conditioned: \(error)")
                }
            })
        }
    }
}
