import Nabla
import NablaNN

/// `Linalg` on well-conditioned matrices (the error grows with the condition
/// number, so ulps × n with a generous factor), and NablaNN's losses.
enum LinalgTable {
    static func square(_ n: Int, _ layout: Layout = .contiguous, _ values: Values = .wellConditioned) -> Operand {
        Operand([n, n], layout, values)
    }

    static let systems: [Case] = [
        Case("1x1, [1]", [square(1), Operand([1])]),
        Case("4x4, [4]", [square(4), Operand([4])]),
        Case("4x4, [4,3]", [square(4), Operand([4, 3])]),
        Case("transposed 5x5, sliced [5,2]", [square(5, .transposed), Operand([5, 2], .sliced)]),
        Case("sliced 3x3, expanded [3,4]", [square(3, .sliced), Operand([3, 4], .expanded(from: [1, 4]))]),
        Case("12x12, [12,5]", [square(12), Operand([12, 5])]),
    ]

    static let matrices: [Case] = [
        Case("1x1", [square(1)]), Case("4x4", [square(4)]), Case("transposed 5x5", [square(5, .transposed)]),
        Case("sliced 3x3", [square(3, .sliced)]), Case("12x12", [square(12)]),
    ]

    static let lengthN: ([[Int]], Params) -> Int = { shapes, _ in shapes[0][0] }

    static var ops: [DifferentialOp] {
        [
            DifferentialOp("Linalg.solve", torch: "torch.linalg.solve(a, b)", ulps: 16, normwise: true, length: lengthN, dtypes: DType.floating, cases: systems)
            { x, _ in try! Linalg.solve(x[0], x[1]) },
            DifferentialOp("Linalg.inverse", torch: "torch.linalg.inv(a)", ulps: 16, normwise: true, length: lengthN, dtypes: DType.floating, cases: matrices)
            { x, _ in try! Linalg.inverse(x[0]) },
            DifferentialOp("Linalg.determinant", torch: "torch.linalg.det(a)", ulps: 16, normwise: true, length: lengthN,
                           dtypes: DType.floating, cases: matrices + [Case("singular 3x3: det 0", [Operand([3, 3], .contiguous, .exact([1, 2, 3, 2, 4, 6, 0, 1, 5]), grad: false)])])
            { x, _ in Linalg.determinant(x[0]) },
            DifferentialOp("Linalg.cholesky", torch: "torch.linalg.cholesky(a)", ulps: 16, normwise: true, length: lengthN,
                           dtypes: DType.floating, cases: [1, 4, 12].map { n in
                               Case("SPD \(n)x\(n)", [Operand([n, n], .contiguous, .symmetricPositiveDefinite)])
                           } + [Case("SPD 5x5 transposed", [Operand([5, 5], .transposed, .symmetricPositiveDefinite)])])
            { x, _ in try! Linalg.cholesky(x[0]) },
        ]
    }
}

enum LossTable {
    /// Predictions against targets of the same shape, as the losses take them.
    static func pairs(_ target: Values, special: [Float]? = nil) -> [Case] {
        var cases = [[4], [5, 1], [3, 4], [1]].map { shape in
            Case("\(shape)", [Operand(shape), Operand(shape, .contiguous, target)])
        } + [
            Case("transposed [3,4], sliced target", [Operand([3, 4], .transposed), Operand([3, 4], .sliced, target)]),
            Case("[300,1]", [Operand([300, 1]), Operand([300, 1], .contiguous, target)]),
        ]
        if let special {
            cases.append(Case("special values", [Operand([special.count], .contiguous, .special(special)),
                                                 Operand([special.count], .contiguous, target)]))
        }
        return cases
    }

    static var ops: [DifferentialOp] {
        let mean = elementCount
        return [
            DifferentialOp("l1Loss", torch: "F.l1_loss(a, b)", ulps: 2, length: mean, cases: pairs(.normal)) { x, _ in l1Loss(x[0], x[1]) },
            DifferentialOp("mseLoss", torch: "F.mse_loss(a, b)", ulps: 2, length: mean, cases: pairs(.normal)) { x, _ in mseLoss(x[0], x[1]) },
            DifferentialOp("rmseLoss", torch: "torch.sqrt(F.mse_loss(a, b))", ulps: 2, length: mean, cases: pairs(.normal))
            { x, _ in rmseLoss(x[0], x[1]) },
            DifferentialOp("mnistLoss", torch: "torch.where(b == 1, 1 - torch.sigmoid(a), torch.sigmoid(a)).mean()", ulps: 4, length: mean,
                           cases: pairs(.binary, special: CaseSets.largeLogits.filter { !$0.isNaN }))
            { x, _ in mnistLoss(x[0], x[1]) },
            DifferentialOp("binaryCrossEntropyWithLogits", torch: "F.binary_cross_entropy_with_logits(a, b)", ulps: 4, length: mean,
                           cases: pairs(.binary, special: [100, -100, 1e4, -1e4, 30, -30]) + [
                               Case("logits 0 with targets 1, 0", [Operand([2], .contiguous, .exact([0, 0])),
                                                                   Operand([2], .contiguous, .exact([1, 0]))]),
                               Case("logits ±0 with random targets", [Operand([6], .contiguous, .exact([0, -0.0, 0, -0.0, 0, 0])),
                                                                      Operand([6], .contiguous, .binary)]),
                               Case("soft targets", [Operand([3, 4]), Operand([3, 4], .contiguous, .uniform(0, 1))]),
                           ]) { x, _ in binaryCrossEntropyWithLogits(x[0], x[1]) },
        ]
    }
}
