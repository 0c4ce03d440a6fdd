import Foundation

/// A matrix that a factorisation cannot handle: a property of the data, so it
/// is thrown. Shape mismatches and other programmer errors stop with `fail`.
/// `matrix` is the position of the failing matrix in a batch (0 for one
/// matrix), `shape` the input's whole shape and `info` LAPACK's report.
public enum LinalgError: Error, Equatable, CustomStringConvertible {
    /// U[info−1, info−1] of the LU factorisation (getrf) is exactly zero.
    case singular(op: String, shape: [Int], matrix: Int, info: Int)
    /// The leading minor of order `info` is not positive definite (potrf).
    case notPositiveDefinite(op: String, shape: [Int], matrix: Int, info: Int)
    /// The SVD or eigen iteration did not converge (gesdd, syevd or gelsd's info > 0).
    case noConvergence(op: String, shape: [Int], matrix: Int, info: Int)
    /// The matrix holds a NaN or an infinity, on which no iteration can converge.
    case notFinite(op: String, shape: [Int], matrix: Int)

    public var description: String {
        switch self {
        case .singular(let op, let shape, let matrix, let info):
            return "\(op): \(Self.which(shape, matrix)) is singular (LAPACK getrf info \(info): U[\(info - 1), \(info - 1)] of its LU factorisation is zero)"
        case .notPositiveDefinite(let op, let shape, let matrix, let info):
            return "\(op): \(Self.which(shape, matrix)) is not positive definite (LAPACK potrf info \(info): its leading minor of order \(info) is not)"
        case .noConvergence(let op, let shape, let matrix, let info):
            return "\(op): the iteration did not converge on \(Self.which(shape, matrix)) (LAPACK info \(info))"
        case .notFinite(let op, let shape, let matrix):
            return "\(op): \(Self.which(shape, matrix)) contains NaN or infinity"
        }
    }

    private static func which(_ shape: [Int], _ matrix: Int) -> String {
        shape.count > 2 ? "matrix \(matrix) of the batch of shape \(describe(shape))" : "the matrix of shape \(describe(shape))"
    }
}

/// Dense linear algebra on float32 and float64 matrices, named as `torch.linalg`
/// names it: LAPACKE on the BLAS backend (`LAPACKE_s*` for float32, `LAPACKE_d*`
/// for float64), unblocked algorithms in Swift on the reference backend. Every
/// routine takes a batch `[..., m, n]` and loops over it, one LAPACK call per
/// matrix (one workspace query per call), and computes in the input's dtype:
/// results carry that dtype's rounding (about 6e-8 for float32, 1.1e-16 for
/// float64) amplified by the condition number of A. Other dtypes are refused.
public enum Linalg {
    /// X with A·X = B (LU with partial pivoting). A is [..., n, n]; B is [..., n, k],
    /// or a vector [..., n] (then X is too); batch axes broadcast. A NaN in A or B
    /// spreads into X (PyTorch's result) rather than raising.
    /// Differentiable in A and B: dB = A⁻ᵀ·G, dA = −dB·Xᵀ.
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = squareSize(a, op: "solve")
        let (columns, isVector, batch) = rightHandSide(a, matchingDType(b, of: a, op: "solve"), rows: n, op: "solve")
        let x = try solveBatch(a.expand(to: batch + [n, n]), columns, op: "solve")
        return isVector ? x.squeeze(axis: -1) : x
    }

    /// A⁻¹ for A [..., n, n], the solution of A·X = I. Differentiable.
    public static func inverse(_ a: Tensor) throws -> Tensor {
        let n = squareSize(a, op: "inverse")
        return try solveBatch(a, Tensor.eye(n).to(a.dtype).expand(to: a.shape), op: "inverse")
    }

    /// det(A) for A [..., n, n]: the product of U's diagonal with the sign of the
    /// row swaps; 0 for a singular matrix, NaN when A holds a NaN (as in PyTorch).
    /// Differentiable where A is invertible:
    /// d det = det·A⁻ᵀ.
    public static func determinant(_ a: Tensor) -> Tensor {
        let values = dispatch(a, op: "determinant", Determinant(a: a))
        let matrix = a.detached()
        return values.recorded("determinant", [a]) { g, _ in
            guard let inverse = try? inverse(matrix) else {
                fail("determinant: the matrix of shape \(describe(matrix.shape)) is singular, so the gradient is undefined")
            }
            return [(g * values).unsqueeze(axis: -1).unsqueeze(axis: -1) * inverse.transposed]
        }
    }

    /// The sign of det(A) (±1, or 0 when A is singular) and log |det(A)| (−∞ then),
    /// which stays finite where det itself over- or underflows. A NaN in A gives
    /// sign 0 and a NaN logarithm, as in PyTorch. The logarithm is
    /// differentiable where A is invertible: d log|det| = A⁻ᵀ.
    public static func slogdet(_ a: Tensor) -> (sign: Tensor, logAbsDeterminant: Tensor) {
        let (signs, logs) = dispatch(a, op: "slogdet", SignAndLogDeterminant(a: a))
        let matrix = a.detached()
        let logAbs = logs.recorded("slogdet", [a]) { g, _ in
            guard let inverse = try? inverse(matrix) else {
                fail("slogdet: the matrix of shape \(describe(matrix.shape)) is singular, so the gradient is undefined")
            }
            return [g.unsqueeze(axis: -1).unsqueeze(axis: -1) * inverse.transposed]
        }
        return (signs, logAbs)
    }

    /// The lower-triangular L with A = L·Lᵀ for symmetric positive-definite A [..., n, n]
    /// (only A's lower triangle is read). Differentiable, with PyTorch's symmetric
    /// gradient: dA = ½·L⁻ᵀ·(Φ + Φᵀ)·L⁻¹ with Φ = tril(Lᵀ·G), its diagonal halved.
    public static func cholesky(_ a: Tensor) throws -> Tensor {
        let n = squareSize(a, op: "cholesky")
        let l = try dispatch(a, op: "cholesky", CholeskyFactor(a: a, n: n))
        return l.recorded("cholesky", [a]) { g, _ in
            let phi = (l.transposed • g).tril()
            let symmetric = 0.5 * (phi + phi.tril(diagonal: -1).transposed)
            return [solveTransposedBothSides(l, symmetric, op: "cholesky")]
        }
    }

    // MARK: Shared pieces

    /// n for a square matrix or batch of them [..., n, n], else a clear failure.
    static func squareSize(_ a: Tensor, op: String) -> Int {
        guard a.rank >= 2, a.shape[a.rank - 1] == a.shape[a.rank - 2] else {
            fail("\(op): needs a square matrix or a batch of them [..., n, n], got shape \(describe(a.shape))")
        }
        return a.shape[a.rank - 1]
    }

    /// (batch shape, m, n) of a matrix or batch [..., m, n], else a clear failure.
    static func matrixShape(_ a: Tensor, op: String) -> (batch: [Int], m: Int, n: Int) {
        guard a.rank >= 2 else { fail("\(op): needs a matrix or a batch of them [..., m, n], got shape \(describe(a.shape))") }
        return (Array(a.shape.dropLast(2)), a.shape[a.rank - 2], a.shape[a.rank - 1])
    }

    /// Throws `notFinite` for the first matrix of the batch `a` that holds a NaN or an
    /// infinity (in its lower triangle, for a routine that reads only that): the iterative
    /// factorisations would otherwise fail with a misleading info.
    static func requireFinite(_ a: Tensor, op: String, lowerTriangleOnly: Bool = false) throws {
        let size = a.shape.suffix(2).reduce(1, *), columns = Swift.max(a.shape.last ?? 1, 1)
        let values = a.scalars(as: Double.self)
        let read = { (index: Int) in !lowerTriangleOnly || (index % Swift.max(size, 1)) / columns >= index % columns }
        if let bad = values.indices.first(where: { !values[$0].isFinite && read($0) }) {
            throw LinalgError.notFinite(op: op, shape: a.shape, matrix: bad / Swift.max(size, 1))
        }
    }

    /// B of A·X = B as a batch of matrices [batch..., rows, k] expanded to the batch
    /// shared with A [..., rows, n]: a vector B [..., rows] (as PyTorch tells it: rank 1,
    /// or A's shape without its last axis) becomes one column.
    static func rightHandSide(_ a: Tensor, _ b: Tensor, rows: Int, op: String) -> (columns: Tensor, isVector: Bool, batch: [Int]) {
        let isVector = b.rank == 1 || (b.rank == a.rank - 1 && b.shape == Array(a.shape.dropLast()))
        let columns = isVector ? b.unsqueeze(axis: -1) : b
        guard columns.rank >= 2, columns.shape[columns.rank - 2] == rows else {
            fail("\(op): A of shape \(describe(a.shape)) and B of shape \(describe(b.shape)) do not fit: B needs \(rows) rows")
        }
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(columns.shape.dropLast(2))
        let rank = Swift.max(batchA.count, batchB.count)
        let paddedA = [Int](repeating: 1, count: rank - batchA.count) + batchA
        let paddedB = [Int](repeating: 1, count: rank - batchB.count) + batchB
        guard zip(paddedA, paddedB).allSatisfy({ $0 == $1 || $0 == 1 || $1 == 1 }) else {
            fail("\(op): the batch axes of A of shape \(describe(a.shape)) and B of shape \(describe(b.shape)) cannot be broadcast together")
        }
        let batch = zip(paddedA, paddedB).map { Swift.max($0, $1) }
        return (columns.expand(to: batch + [rows, columns.shape.last!]), isVector, batch)
    }

    /// The machine epsilon of a float dtype, which scales the default cutoffs of
    /// `lstsq`, `matrixRank` and `pinv` as in NumPy and PyTorch.
    static func epsilon(of dtype: DType) -> Double {
        dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne)
    }

    /// The number of matrices in a batch [..., m, n].
    static func batchCount(_ a: Tensor) -> Int { a.shape.dropLast(2).reduce(1, *) }

    /// [..., k] → [..., k, k] with the vector on the diagonal.
    static func diagonalMatrix(_ v: Tensor) -> Tensor {
        v.unsqueeze(axis: -1) * Tensor.eye(v.shape.last!)
    }

    /// X = L⁻ᵀ·S·L⁻¹ for a lower-triangular L, by two solves: Y = L⁻ᵀ·S, X = (L⁻ᵀ·Yᵀ)ᵀ.
    static func solveTransposedBothSides(_ l: Tensor, _ s: Tensor, op: String) -> Tensor {
        guard let y = try? solve(l.transposed, s), let x = try? solve(l.transposed, y.transposed) else {
            fail("\(op): the factor is singular, so the gradient is undefined")
        }
        return x.transposed
    }

    /// The outputs of one factorisation, recorded as one autograd node with one rule:
    /// they become views into one flat tensor, so `backward` receives the gradients
    /// of all of them together (zeros for outputs the loss did not use).
    static func recordedTogether(_ op: String, _ outputs: [Tensor], inputs: [Tensor],
                                 backward: @escaping (_ grads: [Tensor], _ needs: [Bool]) -> [Tensor?]) -> [Tensor] {
        guard GradMode.isEnabled, inputs.contains(where: { $0.autograd != nil }) else { return outputs }
        let shapes = outputs.map(\.shape)
        var ranges: [Range<Int>] = []
        for output in outputs { ranges.append((ranges.last?.upperBound ?? 0)..<((ranges.last?.upperBound ?? 0) + output.scalarCount)) }
        let packed = Tensor.cat(outputs.map { $0.reshape([-1]) }).recorded(op, inputs) { g, needs in
            backward(zip(ranges, shapes).map { g[$0].reshape($1) }, needs)
        }
        return zip(ranges, shapes).map { packed[$0].reshape($1) }
    }

    /// Whether every element is zero: an output the loss did not use.
    static func isZero(_ t: Tensor) -> Bool { t.scalars.allSatisfy { $0 == 0 } }

    /// X with A·X = B for A [b..., n, n] and B [b..., n, k] of the same batch, recorded.
    private static func solveBatch(_ a: Tensor, _ b: Tensor, op: String) throws -> Tensor {
        let x = try dispatch(a, op: op, LUSolve(a: a, b: b, op: op))
        let matrix = a.detached()
        return x.recorded(op, [a, b]) { g, needs in
            guard let gradB = try? solveBatch(matrix.transposed, g, op: op) else {
                fail("\(op): the transposed matrix is singular, so the gradient is undefined")
            }
            return [needs[0] ? -(gradB • x.transposed) : nil, needs[1] ? gradB : nil]
        }
    }

    /// B in A's dtype: a float B of another dtype fails, as torch.linalg requires the same
    /// one; a bool or integer B (a mask or labels as targets) is converted to A's.
    static func matchingDType(_ b: Tensor, of a: Tensor, op: String) -> Tensor {
        guard b.dtype != a.dtype else { return b }
        guard !b.dtype.isFloatingPoint || !a.dtype.isFloatingPoint else {
            fail("\(op): A is \(a.dtype) but B is \(b.dtype); convert one with to(_:) so both have the same dtype")
        }
        return b.to(a.dtype)
    }
}

/// A Linalg routine's body, written once over the element type and run by
/// ``Linalg/dispatch(_:op:_:)`` (as `DType.dispatch` runs a ``ScalarKernel``).
protocol LinalgKernel {
    associatedtype Output
    associatedtype Failure: Error
    func run<T: BLASScalar>(_ type: T.Type) throws(Failure) -> Output
}

extension Linalg {
    /// Runs `kernel` with the Swift type of `a`'s dtype: Float for float32 and Double
    /// for float64 (LAPACK's s and d routines). Other dtypes fail, naming `op`.
    static func dispatch<K: LinalgKernel>(_ a: Tensor, op: String, _ kernel: K) throws(K.Failure) -> K.Output {
        switch a.dtype {
        case .float32: return try kernel.run(Float.self)
        case .float64: return try kernel.run(Double.self)
        default: fail("\(op): needs a float32 or float64 tensor, got \(a.dtype); convert it with to(.float32) or to(.float64)")
        }
    }
}

/// X with A·X = B for A [b..., n, n] and B [b..., n, k] of the same batch (getrf, getrs), unrecorded.
private struct LUSolve: LinalgKernel {
    let a: Tensor, b: Tensor, op: String

    func run<T: BLASScalar>(_ type: T.Type) throws -> Tensor {
        let n = a.shape[a.rank - 1], columns = b.shape[b.rank - 1]
        let lu = a.materialized(), x = b.materialized()
        let kernels = Nabla.kernels
        var pivots = [Int32](repeating: 0, count: Swift.max(n, 1))
        for index in 0..<Linalg.batchCount(a) {
            let matrix = lu.base(T.self) + index * n * n
            let info = pivots.withUnsafeMutableBufferPointer { p in kernels.luFactor(n: n, a: matrix, lda: n, pivots: p.baseAddress!) }
            guard info == 0 else { throw LinalgError.singular(op: op, shape: a.shape, matrix: index, info: info) }
            pivots.withUnsafeBufferPointer { p in
                kernels.luSolve(n: n, rhs: columns, lu: matrix, lda: n, pivots: p.baseAddress!, b: x.base(T.self) + index * n * columns, ldb: columns)
            }
        }
        return x
    }
}

/// Per matrix of A [..., n, n], the sign of the row swaps of its LU factorisation and U's
/// diagonal; a singular matrix has a zero there (getrf's info names it).
private func luDiagonals<T: BLASScalar>(_ a: Tensor, _ type: T.Type) -> [(sign: T, diagonal: [T])] {
    let n = a.shape[a.rank - 1]
    let lu = a.materialized()
    let kernels = Nabla.kernels
    var pivots = [Int32](repeating: 0, count: Swift.max(n, 1))
    var matrices: [(T, [T])] = []
    for index in 0..<Linalg.batchCount(a) {
        let matrix = lu.base(T.self) + index * n * n
        let info = pivots.withUnsafeMutableBufferPointer { p in kernels.luFactor(n: n, a: matrix, lda: n, pivots: p.baseAddress!) }
        var sign: T = 1
        for i in 0..<n where Int(pivots[i]) != i + 1 { sign = -sign }
        var diagonal = (0..<n).map { matrix[$0 * n + $0] }
        if info != 0 { diagonal[info - 1] = 0 }
        matrices.append((sign, diagonal))
    }
    return matrices
}

/// det of each matrix of A [..., n, n]: U's diagonal product with the swaps' sign.
private struct Determinant: LinalgKernel {
    let a: Tensor

    func run<T: BLASScalar>(_ type: T.Type) -> Tensor {
        _ = Linalg.squareSize(a, op: "determinant")
        let values = luDiagonals(a, T.self).map { $0.diagonal.reduce($0.sign, *) }
        return Tensor(shape: Array(a.shape.dropLast(2)), scalars: values)
    }
}

/// sign(det) and log|det| of each matrix of A [..., n, n].
private struct SignAndLogDeterminant: LinalgKernel {
    let a: Tensor

    func run<T: BLASScalar>(_ type: T.Type) -> (Tensor, Tensor) {
        _ = Linalg.squareSize(a, op: "slogdet")
        var signs: [T] = [], logs: [T] = []
        for (sign, diagonal) in luDiagonals(a, T.self) {
            // The sum in Double, so long diagonals lose nothing to rounding.
            let total = diagonal.reduce(0.0) { $0 + Foundation.log(Double(Swift.abs($1))) }
            // A NaN on the diagonal gives sign 0 (and a NaN logarithm), as in PyTorch.
            signs.append(diagonal.contains { $0 == 0 || $0.isNaN } ? 0 : diagonal.reduce(sign) { $0 * ($1 < 0 ? -1 : 1) })
            logs.append(T(total))
        }
        let batch = Array(a.shape.dropLast(2))
        return (Tensor(shape: batch, scalars: signs), Tensor(shape: batch, scalars: logs))
    }
}

/// L of A = L·Lᵀ for each matrix of A [..., n, n] (potrf), its upper triangle zeroed.
private struct CholeskyFactor: LinalgKernel {
    let a: Tensor, n: Int

    func run<T: BLASScalar>(_ type: T.Type) throws -> Tensor {
        let factor = a.materialized()
        let kernels = Nabla.kernels
        for index in 0..<Linalg.batchCount(a) {
            let matrix = factor.base(T.self) + index * n * n
            let info = kernels.choleskyFactor(n: n, a: matrix, lda: n)
            guard info == 0 else { throw LinalgError.notPositiveDefinite(op: "cholesky", shape: a.shape, matrix: index, info: info) }
            // The upper triangle still holds A: zero it (a mask product would keep its NaN and infinities).
            for i in 0..<n { (matrix + i * n + i + 1).update(repeating: 0, count: n - i - 1) }
        }
        return factor
    }
}
