import Nabla

/// `Linalg`'s factorisations and what is built on them. Singular and eigenvectors
/// are unique only up to sign, so both sides compare their squares; QR's signs are
/// LAPACK's Householder convention on both sides. Errors are normwise, in ulps × n
/// with a generous factor: the vectors' errors grow as the gaps between values shrink.
enum DecompositionTable {
    static let rectangular: [Case] = [
        Case("tall 6x3", [Operand([6, 3])]), Case("square 4x4", [Operand([4, 4], .contiguous, .wellConditioned)]),
        Case("wide 3x5", [Operand([3, 5])]), Case("transposed 5x4", [Operand([5, 4], .transposed)]),
        Case("batch 2x4x3", [Operand([2, 4, 3])]),
    ]
    static let symmetric: [Case] = [
        Case("SPD 4x4", [Operand([4, 4], .contiguous, .symmetricPositiveDefinite)]),
        Case("SPD 7x7", [Operand([7, 7], .contiguous, .symmetricPositiveDefinite)]),
        Case("SPD 5x5 transposed", [Operand([5, 5], .transposed, .symmetricPositiveDefinite)]),
    ]
    static let squares: [Case] = [
        Case("4x4", [Operand([4, 4], .contiguous, .wellConditioned)]), Case("transposed 5x5", [Operand([5, 5], .transposed, .wellConditioned)]),
        Case("batch 2x3x3", [Operand([2, 3, 3], .contiguous, .normal(scale: 1))]),
    ]
    static let leastSquares: [Case] = [
        Case("tall 6x3, [6,2]", [Operand([6, 3]), Operand([6, 2])]), Case("square 4x4, [4]", [Operand([4, 4], .contiguous, .wellConditioned), Operand([4])]),
        Case("wide 3x5, [3,2]", [Operand([3, 5]), Operand([3, 2])]), Case("batch 2x5x3, [2,5,1]", [Operand([2, 5, 3]), Operand([2, 5, 1])]),
    ]

    /// The longest side: what an error scales with.
    static let longestSide: ([[Int]], Params) -> Int = { shapes, _ in shapes[0].suffix(2).max() ?? 1 }

    static var ops: [DifferentialOp] {
        [
            DifferentialOp("Linalg.qr", torch: "torch.linalg.qr(a)", ulps: 32, normwise: true, differentiable: 2,
                           length: longestSide, dtypes: DType.floating, cases: rectangular) { x, _ in let (q, r) = Linalg.qr(x[0]); return [q, r] },
            DifferentialOp("Linalg.svd", torch: "(lambda u, s, vh: (s, u * u, vh * vh))(*torch.linalg.svd(a, full_matrices=False))",
                           ulps: 64, normwise: true, differentiable: 3, length: longestSide, dtypes: DType.floating, cases: rectangular) { x, _ in
                let (u, s, vh) = try! Linalg.svd(x[0], fullMatrices: false)
                return [s, u * u, vh * vh]
            },
            DifferentialOp("Linalg.svdvals", torch: "torch.linalg.svdvals(a)", ulps: 32, normwise: true, length: longestSide, dtypes: DType.floating, cases: rectangular)
            { x, _ in try! Linalg.svdvals(x[0]) },
            DifferentialOp("Linalg.eigh", torch: "(lambda w, v: (w, v * v))(*torch.linalg.eigh(a))", ulps: 64, normwise: true,
                           differentiable: 2, length: longestSide, dtypes: DType.floating, cases: symmetric) { x, _ in
                let (w, v) = try! Linalg.eigh(x[0])
                return [w, v * v]
            },
            DifferentialOp("Linalg.eigvalsh", torch: "torch.linalg.eigvalsh(a)", ulps: 32, normwise: true, length: longestSide, dtypes: DType.floating, cases: symmetric)
            { x, _ in try! Linalg.eigvalsh(x[0]) },
            DifferentialOp("Linalg.slogdet", torch: "(lambda s, l: (l, s))(*torch.linalg.slogdet(a))", ulps: 32, normwise: true,
                           differentiable: 1, length: longestSide, dtypes: DType.floating, cases: squares) { x, _ in
                let (sign, logAbs) = Linalg.slogdet(x[0])
                return [logAbs, sign]
            },
            DifferentialOp("Linalg.lstsq", torch: "torch.linalg.lstsq(a, b.unsqueeze(-1)).solution.squeeze(-1) if b.dim() == a.dim() - 1 else torch.linalg.lstsq(a, b).solution",
                           ulps: 64, normwise: true, length: longestSide, dtypes: DType.floating, cases: leastSquares) { x, _ in try! Linalg.lstsq(x[0], x[1]).solution },
            DifferentialOp("Linalg.pinv", torch: "torch.linalg.pinv(a)", ulps: 64, normwise: true, length: longestSide, dtypes: DType.floating, cases: rectangular)
            { x, _ in try! Linalg.pinv(x[0]) },
            DifferentialOp("Linalg.matrixNorm", torch: "torch.stack([torch.linalg.matrix_norm(a, o) for o in ('fro', 'nuc', 1, 2, float('inf'))])",
                           ulps: 32, normwise: true, length: longestSide, dtypes: DType.floating, cases: rectangular) { x, _ in
                Tensor.stack(try! [MatrixNorm.frobenius, .nuclear, .one, .two, .infinity].map { try Linalg.matrixNorm(x[0], $0) })
            },
            DifferentialOp("Linalg.vectorNorm", torch: "torch.stack([torch.linalg.vector_norm(a, o) for o in (1, 2, 3, float('inf'))])",
                           ulps: 8, length: { shapes, _ in shapes[0].reduce(1, *) },
                           cases: [Case("[7]", [Operand([7])]), Case("[3,4]", [Operand([3, 4])])]) { x, _ in
                Tensor.stack([1, 2, 3, Double.infinity].map { Linalg.vectorNorm(x[0], order: $0) })
            },
            DifferentialOp("Linalg.cond", torch: "torch.linalg.cond(a)", ulps: 64, normwise: true, differentiable: 0, length: longestSide,
                           dtypes: DType.floating, cases: squares) { x, _ in try! Linalg.cond(x[0]) },
            DifferentialOp("Linalg.matrixRank", torch: "torch.linalg.matrix_rank(a)", ulps: 0, differentiable: 0, dtypes: DType.floating, cases: rectangular + [
                Case("rank 1 of 4x3", [Operand([4, 3], .contiguous, .exact([1, 2, 3, 2, 4, 6, -1, -2, -3, 0, 0, 0]), grad: false)]),
            ]) { x, _ in try! Linalg.matrixRank(x[0]) },
        ]
    }
}
