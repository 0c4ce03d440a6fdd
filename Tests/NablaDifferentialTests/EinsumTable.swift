import Nabla

/// einsum (every form torch accepts: explicit and implicit output, repeated subscripts,
/// `...`, extent-1 broadcasting, views as operands), diagonals and cumprod.
enum EinsumTable {
    static var ops: [DifferentialOp] { [einsum] + diagonals + [cumprod] }

    /// One einsum case: the equation (the torch side's `{text}`) and the operands' shapes.
    private static func equation(_ text: String, _ shapes: [Int]..., layouts: [Layout] = []) -> Case {
        let operands = shapes.enumerated().map { index, shape in
            Operand(shape, index < layouts.count ? layouts[index] : .contiguous)
        }
        let layoutNote = layouts.isEmpty ? "" : " " + layouts.map { "\($0)" }.joined(separator: ",")
        return Case("\"\(text)\" \(shapes.map { "\($0)" }.joined(separator: " "))\(layoutNote)", operands, Params(text: text))
    }

    static var einsum: DifferentialOp {
        let cases = [
            equation("ij,jk->ik", [3, 4], [4, 5]),
            equation("ij,kj->ik", [4, 3], [5, 3]),
            equation("ij,kj", [4, 3], [4, 3]),
            equation("ij,jk", [3, 4], [4, 2], layouts: [.transposed, .sliced]),
            equation("bij,bjk->bik", [2, 3, 4], [2, 4, 5]),
            equation("bij,bjk->bki", [2, 3, 4], [2, 4, 5], layouts: [.stepped, .transposed]),
            equation("i,i->", [7], [7]),
            equation("i,j->ij", [3], [4]),
            equation("ii->i", [4, 4]),
            equation("ii", [4, 4]),
            equation("iij->ji", [3, 3, 2]),
            equation("ij->", [3, 4]),
            equation("ij->j", [3, 4]),
            equation("ji", [3, 4]),
            equation("bA,ab", [2, 3], [3, 2]),
            equation("...ij,...jk->...ik", [2, 3, 4], [4, 5]),
            equation("...ij->ij", [2, 3, 4]),
            equation("i...,...->...i", [2, 3], [4, 1]),
            equation("b...,b...->b", [2, 3, 4], [2, 3, 4]),
            equation("ij,jk->ik", [2, 1], [3, 4]),
            equation("ij,ij->", [2, 3], [1, 3]),
            equation("i j , j k -> i k", [2, 3], [3, 4]),
            equation("ij,jk,kl->il", [2, 3], [3, 4], [4, 5]),
            equation("ij,jk,kl->", [2, 3], [3, 4], [4, 5]),
            equation("abc,cd,bd->ad", [2, 3, 4], [4, 5], [3, 5]),
            equation("ijk,ikl,l->ij", [2, 3, 4], [2, 4, 5], [5]),
            equation("a,b,c->abc", [2], [3], [4]),
            equation("ij,jk->ik", [0, 3], [3, 4]),
            equation("ij,jk->ik", [2, 0], [0, 4]),
            equation("->", []),
            equation(",ij->ij", [], [2, 3]),
        ]
        return DifferentialOp("einsum", torch: "torch.einsum('{text}', *inputs)", ulps: 2,
                              length: { shapes, _ in shapes.flatMap { $0 }.max() ?? 1 }, cases: cases)
        { x, p in Tensor.einsum(p.text, x) }
    }

    static var diagonals: [DifferentialOp] {
        let diagonalCases = [
            Case("[4,4] offset 0", [Operand([4, 4])], Params(ints: [0, 0, 1])),
            Case("[3,5] offset 2", [Operand([3, 5])], Params(ints: [2, 0, 1])),
            Case("[5,3] offset -1", [Operand([5, 3])], Params(ints: [-1, 0, 1])),
            Case("[3,4] offset 9 (empty)", [Operand([3, 4])], Params(ints: [9, 0, 1])),
            Case("[2,3,4] axes 2,0 offset 1", [Operand([2, 3, 4])], Params(ints: [1, 2, 0])),
            Case("[2,3,4] axes -1,-2", [Operand([2, 3, 4])], Params(ints: [0, -1, -2])),
            Case("[4,5] transposed offset -2", [Operand([4, 5], .transposed)], Params(ints: [-2, 0, 1])),
            Case("[4,5] sliced", [Operand([4, 5], .sliced)], Params(ints: [1, 0, 1])),
        ]
        return [
            DifferentialOp("diagonal(offset:axis1:axis2:)", torch: "torch.diagonal(a, *{ints})", ulps: 0,
                           dtypes: DType.every, cases: diagonalCases) { x, p in x[0].diagonal(offset: p.ints[0], axis1: p.ints[1], axis2: p.ints[2]) },
            DifferentialOp("diag(offset:)", torch: "torch.diag(a, *{ints})", ulps: 0,
                           dtypes: DType.every, cases: [
                               Case("vector [4]", [Operand([4])], Params(ints: [0])),
                               Case("vector [3] offset 2", [Operand([3])], Params(ints: [2])),
                               Case("vector [3] offset -1", [Operand([3], .stepped)], Params(ints: [-1])),
                               Case("matrix [3,5] offset 1", [Operand([3, 5])], Params(ints: [1])),
                               Case("matrix [4,4] offset -3", [Operand([4, 4])], Params(ints: [-3])),
                           ]) { x, p in x[0].diag(offset: p.ints[0]) },
            DifferentialOp("trace()", torch: "torch.trace(a)", ulps: 1, length: { shapes, _ in shapes[0].min() ?? 1 },
                           dtypes: DType.floating + DType.integers, cases: [Case("[4,4]", [Operand([4, 4])]), Case("[3,6]", [Operand([3, 6], .transposed)]),
                                   Case("[0,3]", [Operand([0, 3])])]) { x, _ in x[0].trace() },
        ]
    }

    static var cumprod: DifferentialOp {
        let zeros = [
            Case("one zero per lane [3,5] axis 1", [Operand([3, 5], .contiguous, .exact([2, 0, 3, -1, 0.5, 0, 1.5, 2, -2, 1, 1, 2, 3, 0.5, 0]))],
                 Params(axes: [1])),
            Case("two zeros in a lane [2,5] axis 1", [Operand([2, 5], .contiguous, .exact([1.5, 0, 2, 0, 3, 0, 0, 1, 2, 3]))], Params(axes: [1])),
            Case("zeros down axis 0 [4,3]", [Operand([4, 3], .contiguous, .exact([1, 2, 0, 0, 3, 1, 2, 0, 4, -1, 1, 2]))], Params(axes: [0])),
            Case("[0,3] axis 0", [Operand([0, 3])], Params(axes: [0])),
        ]
        return DifferentialOp("cumprod(axis:)", torch: "torch.cumprod(a, {axis})", ulps: 2, gradUlps: 8,
                              length: reducedLength,
                              cases: CaseSets.reductions(.uniform(-1.5, 1.5), allowEmpty: false)
                                  .filter { $0.params.axes.count == 1 && reducedLength($0.operands.map(\.shape), $0.params) < 100 } + zeros)
        { x, p in x[0].cumprod(axis: p.axis) }
    }
}
