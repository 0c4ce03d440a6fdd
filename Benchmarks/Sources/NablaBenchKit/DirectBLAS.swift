import CDirectBLAS
import Nabla

/// A matrix product done by calling CBLAS directly on preallocated row-major
/// buffers: the ceiling for Nabla's BLAS path on the same shape and layout.
public final class DirectBLASProduct {
    public let m: Int, n: Int, k: Int
    /// Whether the left operand is stored as `[k, m]` (used transposed), and the right as `[n, k]`.
    public let transposeLeft: Bool, transposeRight: Bool
    /// The operands as stored (row-major, `[m, k]` or `[k, m]`, `[k, n]` or `[n, k]`),
    /// uniform in [0, 1), and the last result `[m, n]`.
    public let left: [Float], right: [Float]
    public private(set) var output: [Float]

    /// `[m, k] · [k, n]`; when `n == 1` and the right operand is not transposed
    /// it is a matrix–vector product, done with `cblas_sgemv` as a caller would.
    public init(m: Int, n: Int, k: Int, transposeLeft: Bool = false, transposeRight: Bool = false) {
        self.m = m; self.n = n; self.k = k
        self.transposeLeft = transposeLeft; self.transposeRight = transposeRight
        var generator = RandomGenerator(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        left = (0..<m * k).map { _ in generator.nextFloat() }
        right = (0..<k * n).map { _ in generator.nextFloat() }
        output = Array(repeating: 0, count: m * n)
    }

    /// The shapes the operands are stored in.
    public var leftShape: [Int] { transposeLeft ? [k, m] : [m, k] }
    public var rightShape: [Int] { transposeRight ? [n, k] : [k, n] }

    /// Runs the product once.
    public func run() {
        let (m, n, k) = (Int32(self.m), Int32(self.n), Int32(self.k))
        if self.n == 1 && !transposeRight {
            // y = op(A)·x with A stored [m, k] (or [k, m] when transposed).
            let rows = transposeLeft ? k : m, columns = transposeLeft ? m : k
            cblas_sgemv(CblasRowMajor, transposeLeft ? CblasTrans : CblasNoTrans, rows, columns,
                        1, left, columns, right, 1, 0, &output, 1)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeLeft ? CblasTrans : CblasNoTrans, transposeRight ? CblasTrans : CblasNoTrans,
                    m, n, k, 1,
                    left, transposeLeft ? m : k,
                    right, transposeRight ? k : n,
                    0, &output, n)
    }

    /// The routine `run` calls, for the table.
    public var routine: String { n == 1 && !transposeRight ? "cblas_sgemv" : "cblas_sgemm" }
}

/// What the loaded OpenBLAS says about itself.
public struct OpenBLASInfo: Codable, Sendable {
    public let coreName: String
    public let config: String
    public let defaultThreads: Int

    public static func current() -> OpenBLASInfo {
        OpenBLASInfo(coreName: openblas_get_corename().map { String(cString: $0) } ?? "unknown",
                     config: openblas_get_config().map { String(cString: $0) } ?? "unknown",
                     defaultThreads: Int(openblas_get_num_threads()))
    }
}
