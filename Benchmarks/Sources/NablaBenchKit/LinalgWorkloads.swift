import Nabla

extension Workload {
    /// The linear-algebra routines (LAPACKE on the BLAS backend, unblocked Swift
    /// on the reference backend) on well-conditioned matrices: n×n for n = 256 and
    /// 1024, and a batch of 64 28×28 matrices (quick: 256 and the batch). Each
    /// carries the NumPy statement that does the same work, timed in the same run.
    ///
    /// GFLOP/s use the standard counts for square n×n (Golub & Van Loan, Matrix
    /// Computations, 4th ed., §§3.2, 5.2, 5.3, 8.3, 8.6): LU 2/3·n³ and 2·n² per
    /// right-hand side; Cholesky 1/3·n³; Householder QR with Q formed 4/3·n³ + 4/3·n³;
    /// SVD 21·n³ with U and V (R-SVD), 8/3·n³ for the values alone (bidiagonalisation);
    /// symmetric eigen 9·n³ with vectors, 4/3·n³ without; least squares by SVD
    /// (Golub–Reinsch) 4mn² + 8n³ = 12·n³; the pseudo-inverse the SVD plus 2·n³ for V·S⁺·Uᵀ;
    /// norms, rank and condition number the values' 8/3·n³. A batch counts 64 times one matrix.
    ///
    /// At 1024 the reference backend runs each routine at 256 instead (marked in the
    /// table): its unblocked LU and QR take seconds there, its Jacobi SVD and
    /// eigensolvers minutes per call, which no time budget holds.
    /// The main routines run again in float64 (LAPACKE_d*), beside NumPy in float64,
    /// on the same matrices converted: marked "(float64)".
    public static func linalg(quick: Bool) -> [Workload] {
        sized(quick: quick) { batch, n in linalg(batch: batch, n: n) }
            + sized(quick: quick) { batch, n in float64Linalg(batch: batch, n: n) }
    }

    /// `rows` at n = 256, at 1024 unless quick (the reference backend running the
    /// 256 rows instead there), and on a batch of 64 28×28 matrices.
    static func sized(quick: Bool, _ rows: (Int?, Int) -> [Workload]) -> [Workload] {
        let small = rows(nil, 256)
        return small
            + (quick ? [] : zip(rows(nil, 1024), small).map { $0.withReferenceStandIn($1) })
            + rows(64, 28)
    }

    /// Every routine on n×n matrices, or a batch of them, in `dtype`; only those named
    /// in `names` when it is given.
    static func linalg(batch: Int?, n: Int, dtype: DType = .float32, only names: Set<String>? = nil) -> [Workload] {
        let cube = Double(n) * Double(n) * Double(n) * Double(batch ?? 1), square = cube / Double(n)
        let ones = Tensor.ones((batch.map { [$0] } ?? []) + [n, 1], dtype: dtype)
        var routines: [Workload] = []
        func routine(_ op: String, rhs: String? = nil, flops: Double, numpy: String, _ body: @escaping (Tensor, Tensor) throws -> Tensor) {
            guard names?.contains(op) ?? true else { return }
            routines.append(linalgRoutine(op: op, batch: batch, n: n, rhs: rhs, flops: flops, numpy: numpy, dtype: dtype, body))
        }
        if batch == nil {
            // The LU and Cholesky rows as before: one right-hand side and n of them.
            routine("solve", rhs: "\(n)", flops: 2 / 3 * cube + 2 * square,
                    numpy: "np.linalg.solve(a, b[:, 0])") { a, _ in try Linalg.solve(a, Tensor.ones([n], dtype: dtype)) }
            routine("solve", rhs: "\(n)×\(n)", flops: 2 / 3 * cube + 2 * cube, numpy: "np.linalg.solve(a, a)") { a, _ in try Linalg.solve(a, a) }
        }
        routine("inverse", flops: 2 / 3 * cube + 2 * cube, numpy: "np.linalg.inv(a)") { a, _ in try Linalg.inverse(a) }
        routine("determinant", flops: 2 / 3 * cube, numpy: "np.linalg.det(a)") { a, _ in Linalg.determinant(a) }
        routine("slogdet", flops: 2 / 3 * cube, numpy: "np.linalg.slogdet(a)") { a, _ in Linalg.slogdet(a).logAbsDeterminant }
        routine("cholesky", flops: cube / 3, numpy: "np.linalg.cholesky(spd)") { _, spd in try Linalg.cholesky(spd) }
        routine("qr", flops: 8 / 3 * cube, numpy: "np.linalg.qr(a)") { a, _ in Linalg.qr(a).r }
        routine("svd", flops: 21 * cube, numpy: "np.linalg.svd(a, full_matrices=False)") { a, _ in try Linalg.svd(a, fullMatrices: false).s }
        routine("svdvals", flops: 8 / 3 * cube, numpy: "np.linalg.svd(a, compute_uv=False)") { a, _ in try Linalg.svdvals(a) }
        routine("eigh", flops: 9 * cube, numpy: "np.linalg.eigh(spd)") { _, spd in try Linalg.eigh(spd).eigenvalues }
        routine("eigvalsh", flops: 4 / 3 * cube, numpy: "np.linalg.eigvalsh(spd)") { _, spd in try Linalg.eigvalsh(spd) }
        // numpy.linalg.lstsq takes one matrix: a batch is a Python loop.
        routine("lstsq", flops: 12 * cube, numpy: batch == nil ? "np.linalg.lstsq(a, b, rcond=None)"
                    : "[np.linalg.lstsq(x, y, rcond=None) for x, y in zip(a, b)]") { a, _ in try Linalg.lstsq(a, ones).solution }
        routine("pinv", flops: 23 * cube, numpy: "np.linalg.pinv(a)") { a, _ in try Linalg.pinv(a) }
        routine("matrixNorm nuclear", flops: 8 / 3 * cube, numpy: "np.linalg.norm(a, 'nuc', axis=(-2, -1))") { a, _ in try Linalg.matrixNorm(a, .nuclear) }
        routine("matrixRank", flops: 8 / 3 * cube, numpy: "np.linalg.matrix_rank(a)") { a, _ in try Linalg.matrixRank(a) }
        routine("cond", flops: 8 / 3 * cube, numpy: "np.linalg.cond(a)") { a, _ in try Linalg.cond(a) }
        return routines
    }

    /// solve (against a column of ones, at every size), Cholesky, QR, SVD, eigh and lstsq
    /// in float64 at the float32 rows' sizes, each as its float32 row states it.
    static func float64Linalg(batch: Int?, n: Int) -> [Workload] {
        let cube = Double(n) * Double(n) * Double(n) * Double(batch ?? 1), square = cube / Double(n)
        let ones = Tensor.ones((batch.map { [$0] } ?? []) + [n, 1], dtype: .float64)
        return [linalgRoutine(op: "solve", batch: batch, n: n, flops: 2 / 3 * cube + 2 * square, numpy: "np.linalg.solve(a, b)",
                              dtype: .float64) { a, _ in try Linalg.solve(a, ones) }]
            + linalg(batch: batch, n: n, dtype: .float64, only: ["cholesky", "qr", "svd", "eigh", "lstsq"])
    }

    /// `body(a, spd)` with `a` diagonally dominant (so LU never meets a zero pivot
    /// and every factorisation is well conditioned) and `spd` symmetric positive
    /// definite, n×n or a batch of them. NumPy's statement sees the same kind of
    /// matrices as `a`, `spd` and a column of ones `b` (the Python side builds its own).
    /// In float64 (`dtype`), both sides build the float32 matrices and convert them.
    static func linalgRoutine(op: String, batch: Int?, n: Int, rhs: String? = nil, flops: Double, numpy: String,
                              dtype: DType = .float32, _ body: @escaping (Tensor, Tensor) throws -> Tensor) -> Workload {
        let shape = (batch.map { [$0] } ?? []) + [n, n]
        return Workload(kind: .linalg, op: dtype == .float32 ? op : "\(op) (\(dtype))", shape: shapeText(shape) + (rhs.map { " · X = \($0)" } ?? ""),
                        unit: .gflops, flops: flops, limit: .fmaPeak,
                        numpy: NumPyStatement(statement: numpy, shape: shape, dtype: dtype.rawValue)) {
            var generator = RandomGenerator(seed: UInt64(n))
            let noise = Tensor.rand(shape, generator: &generator)
            let a = (noise + Tensor.eye(n) * Float(n)).to(dtype)
            let spd = (noise • noise.transposed + Tensor.eye(n) * Float(n)).to(dtype)
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
