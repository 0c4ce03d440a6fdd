import Nabla

/// Reductions. Sums are compared within ulps × the number of elements
/// reduced into one; max, min and argmax are exact.
enum ReductionTable {
    /// Rows with ties (small integers) and with a NaN, for max and min.
    static let ties = Case("ties [4,6]", [Operand([4, 6], .contiguous, .classes(3))])
    static let nanRow = Case("NaN in one row [3,4]", [Operand([3, 4], .contiguous, .exact([1, .nan, 3, 2, 5, 4, -1, 0, 7, 7, .nan, 0]))])
    static let infinities = Case("±inf [2,3]", [Operand([2, 3], .contiguous, .exact([.infinity, 1, -.infinity, -.infinity, -.infinity, 2]))])

    static var ops: [DifferentialOp] {
        [
            DifferentialOp("sum()", torch: "a.sum()", ulps: 1, length: elementCount,
                           cases: CaseSets.unary(special: [1e30, -1e30, 1, .infinity])) { x, _ in x[0].sum() },
            DifferentialOp("sum(axes:keepDims:)", torch: "a.sum(dim={axes}, keepdim={keep})", ulps: 1, length: reducedLength,
                           cases: CaseSets.reductions()) { x, p in x[0].sum(axes: p.axes, keepDims: p.keepDims) },
            DifferentialOp("mean()", torch: "a.mean()", ulps: 2, length: elementCount,
                           cases: CaseSets.unary().filter { !$0.operands[0].shape.contains(0) } + [
                               Case("empty: NaN", [Operand([0, 3])]),
                           ]) { x, _ in x[0].mean() },
            DifferentialOp("mean(axes:keepDims:)", torch: "a.mean(dim={axes}, keepdim={keep})", ulps: 2, length: reducedLength,
                           cases: CaseSets.reductions()) { x, p in x[0].mean(axes: p.axes, keepDims: p.keepDims) },
            DifferentialOp("argmax(axis:keepDims:)", torch: "torch.argmax(a, dim={axis}, keepdim={keep})", ulps: 0, differentiable: 0,
                           cases: CaseSets.reductions(allowEmpty: false).filter { $0.params.axes.count == 1 }
                               + [ties, nanRow, infinities].map { Case($0.label, $0.operands, Params(axes: [1])) })
            { x, p in x[0].argmax(axis: p.axis, keepDims: p.keepDims) },
        ]
            + extremum("max", { $0.max() }, { $0.max(axes: $1.axes, keepDims: $1.keepDims) })
            + extremum("min", { $0.min() }, { $0.min(axes: $1.axes, keepDims: $1.keepDims) })
    }

    /// max or min over all elements and over axes: exact values; the gradient
    /// goes to the extreme element, split evenly among ties, and to the NaN where a NaN is the result.
    static func extremum(_ name: String, _ all: @escaping (Tensor) -> Tensor, _ axes: @escaping (Tensor, Params) -> Tensor) -> [DifferentialOp] {
        let tieNote = "ties split the gradient evenly, as torch's amax/amin (torch.max(dim) sends it all to one index)"
        return [
            DifferentialOp("\(name)()", torch: "torch.\(name)(a)", ulps: 0, gradUlps: 1, note: tieNote,
                           cases: CaseSets.unary().filter { !$0.operands[0].shape.contains(0) } + [ties, nanRow, infinities])
            { x, _ in all(x[0]) },
            DifferentialOp("\(name)(axes:keepDims:)", torch: "torch.a\(name)(a, dim={axes}, keepdim={keep})", ulps: 0, gradUlps: 1,
                           note: tieNote,
                           cases: CaseSets.reductions(allowEmpty: false)
                               + [ties, infinities].map { Case($0.label, $0.operands, Params(axes: [1])) }
                               + [Case("ties [4,6] axes 0,1", ties.operands, Params(axes: [0, 1]))])
            { x, p in axes(x[0], p) },
            // torch's amax gives NaN gradients for a NaN row; torch.max(dim) sends the gradient to the NaN, as Nabla does.
            DifferentialOp("\(name)(axis:) with NaN", torch: "torch.\(name)(a, dim={axis}, keepdim={keep}).values", ulps: 0,
                           cases: [Case(nanRow.label, nanRow.operands, Params(axes: [1])),
                                   Case(nanRow.label + " keepDims", nanRow.operands, Params(axes: [1], keepDims: true))])
            { x, p in axes(x[0], p) },
        ]
    }
}
