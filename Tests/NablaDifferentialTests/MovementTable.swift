import Nabla

/// Ops that move elements: exact forward; gradients are exact too except
/// where positions repeat (expand, gather), which sum.
enum MovementTable {
    private static func c(_ label: String, _ operands: [Operand], ints: [Int] = [], axes: [Int] = []) -> Case {
        Case(label, operands, Params(axes: axes, ints: ints))
    }

    private static func subscriptCase(_ python: String, _ shape: [Int], _ layout: Layout = .contiguous,
                                      _ indices: TensorIndex...) -> Case {
        Case("\(shape) \(layout)[\(python)]", [Operand(shape, layout)], Params(text: python, indices: indices))
    }

    static var ops: [DifferentialOp] {
        [
            DifferentialOp("reshape", torch: "a.reshape({ints})", ulps: 0, dtypes: DType.every, cases: [
                c("[2,3,4] to [6,4]", [Operand([2, 3, 4])], ints: [6, 4]),
                c("[2,3,4] to [4,-1]", [Operand([2, 3, 4])], ints: [4, -1]),
                c("transposed [3,4] to [12]", [Operand([3, 4], .transposed)], ints: [12]),
                c("sliced [3,4] to [2,6]", [Operand([3, 4], .sliced)], ints: [2, 6]),
                c("expanded [4,3] to [3,4]", [Operand([4, 3], .expanded(from: [1, 3]))], ints: [3, 4]),
                c("rank 0 to [1,1]", [Operand([])], ints: [1, 1]),
                c("[1] to rank 0", [Operand([1])], ints: []),
                c("[0,3] to [3,0]", [Operand([0, 3])], ints: [3, 0]),
            ]) { x, p in x[0].reshape(p.ints) },
            DifferentialOp("flatten(startAxis:endAxis:)", torch: "a.flatten(*{ints})", ulps: 0, dtypes: DType.every, cases: [
                c("[2,3,4] 0...-1", [Operand([2, 3, 4])], ints: [0, -1]),
                c("[2,3,4,5] 1...2", [Operand([2, 3, 4, 5])], ints: [1, 2]),
                c("transposed [3,4] 0...1", [Operand([3, 4], .transposed)], ints: [0, 1]),
                c("stepped [2,3,4] 1...2", [Operand([2, 3, 4], .stepped)], ints: [1, 2]),
            ]) { x, p in x[0].flatten(startAxis: p.ints[0], endAxis: p.ints[1]) },
            DifferentialOp("squeeze(axis:)", torch: "a.squeeze({axis})", ulps: 0, dtypes: DType.every, cases: [
                c("[3,1,4] axis 1", [Operand([3, 1, 4])], axes: [1]),
                c("[1,4] axis -2", [Operand([1, 4])], axes: [-2]),
                c("expanded [1,4] axis 0", [Operand([1, 4], .expanded(from: [4]))], axes: [0]),
                c("[3,4] axis 1 of extent 4: no-op", [Operand([3, 4])], axes: [1]),
            ]) { x, p in x[0].squeeze(axis: p.axis) },
            DifferentialOp("squeeze()", torch: "a.squeeze()", ulps: 0, dtypes: DType.every, cases: [
                c("[1,3,1,4,1]", [Operand([1, 3, 1, 4, 1])]), c("[1,1]", [Operand([1, 1])]), c("[0,1]", [Operand([0, 1])]),
            ]) { x, _ in x[0].squeeze() },
            DifferentialOp("unsqueeze(axis:)", torch: "a.unsqueeze({axis})", ulps: 0, dtypes: DType.every, cases: [
                c("[3,4] axis 0", [Operand([3, 4])], axes: [0]), c("[3,4] axis -1", [Operand([3, 4])], axes: [-1]),
                c("rank 0 axis 0", [Operand([])], axes: [0]), c("transposed [3,4] axis 1", [Operand([3, 4], .transposed)], axes: [1]),
            ]) { x, p in x[0].unsqueeze(axis: p.axis) },
            DifferentialOp("permute", torch: "a.permute(*{ints})", ulps: 0, dtypes: DType.every, cases: [
                c("[2,3,4] 2,0,1", [Operand([2, 3, 4])], ints: [2, 0, 1]),
                c("sliced [2,3,4] -1,1,0", [Operand([2, 3, 4], .sliced)], ints: [-1, 1, 0]),
                c("[0,3] 1,0", [Operand([0, 3])], ints: [1, 0]),
            ]) { x, p in x[0].permute(p.ints) },
            DifferentialOp("transpose(_:_:)", torch: "a.transpose(*{ints})", ulps: 0, dtypes: DType.every, cases: [
                c("[2,3,4] 0,2", [Operand([2, 3, 4])], ints: [0, 2]), c("[3,4] 1,1", [Operand([3, 4])], ints: [1, 1]),
            ]) { x, p in x[0].transpose(p.ints[0], p.ints[1]) },
            DifferentialOp("transposed", torch: "a.transpose(-1, -2)", ulps: 0,
                           dtypes: DType.every, cases: CaseSets.unary().filter { $0.operands[0].shape.count >= 2 }) { x, _ in x[0].transposed },
            DifferentialOp("expand(to:)", torch: "a.expand(*{ints})", ulps: 0, gradUlps: 1, length: { shapes, p in
                p.ints.reduce(1, *) / Swift.max(1, shapes[0].reduce(1, *)) }, dtypes: DType.every, cases: [
                c("[3,1] to [3,4]", [Operand([3, 1])], ints: [3, 4]),
                c("[4] to [2,3,4]", [Operand([4])], ints: [2, 3, 4]),
                c("rank 0 to [2,2]", [Operand([])], ints: [2, 2]),
                c("[1,1] to [0,3]", [Operand([1, 1])], ints: [0, 3]),
                c("transposed [1,3] to [5,1,3]", [Operand([1, 3], .transposed)], ints: [5, 1, 3]),
                c("[3,1] to [-1,4]: -1 keeps the extent", [Operand([3, 1])], ints: [-1, 4]),
            ]) { x, p in x[0].expand(to: p.ints) },
            DifferentialOp("contiguous", torch: "a.contiguous()", ulps: 0, dtypes: DType.every, cases: CaseSets.unary()) { x, _ in x[0].contiguous() },
            DifferentialOp("gather(rows:)", torch: "a.index_select(0, torch.tensor({ints}, dtype=torch.long))", ulps: 0,
                           gradUlps: 1, length: { _, p in p.ints.count }, dtypes: DType.every, cases: [
                c("[5,3] rows 4,0,4,2", [Operand([5, 3])], ints: [4, 0, 4, 2]),
                c("[5] rows 1,1", [Operand([5])], ints: [1, 1]),
                c("transposed [4,3] rows 3,0", [Operand([4, 3], .transposed)], ints: [3, 0]),
                c("[5,2,2] no rows", [Operand([5, 2, 2])], ints: []),
            ]) { x, p in x[0].gather(rows: p.ints) },
            DifferentialOp("cat(_:axis:)", torch: "torch.cat(inputs, dim={axis})", ulps: 0, dtypes: DType.every, cases: [
                c("[2,3] [4,3] axis 0", [Operand([2, 3]), Operand([4, 3])], axes: [0]),
                c("[2,3] [2,1] [2,0] axis 1", [Operand([2, 3]), Operand([2, 1]), Operand([2, 0])], axes: [1]),
                c("transposed, sliced, expanded axis -1", [Operand([3, 4], .transposed), Operand([3, 2], .sliced),
                                                            Operand([3, 2], .expanded(from: [1, 2]))], axes: [-1]),
                c("one [3]", [Operand([3])], axes: [0]),
            ]) { x, p in Tensor.cat(x, axis: p.axis) },
            DifferentialOp("stack(_:axis:)", torch: "torch.stack(inputs, dim={axis})", ulps: 0, dtypes: DType.every, cases: [
                c("[2,3] x3 axis 0", [Operand([2, 3]), Operand([2, 3], .sliced), Operand([2, 3], .transposed)], axes: [0]),
                c("[2,3] x2 axis 2", [Operand([2, 3]), Operand([2, 3], .stepped)], axes: [2]),
                c("rank 0 x2 axis 0", [Operand([]), Operand([])], axes: [0]),
            ]) { x, p in Tensor.stack(x, axis: p.axis) },
            DifferentialOp("subscript", torch: "a[{text}]", ulps: 0, dtypes: DType.every, cases: [
                subscriptCase("1", [4, 3], .contiguous, 1),
                subscriptCase("-1", [4, 3], .transposed, -1),
                subscriptCase("1:3", [4, 3], .sliced, 1..<3),
                subscriptCase("1:3", [4, 3], .contiguous, 1...2),
                subscriptCase("0, 2:", [4, 3], .stepped, 0, 2...),
                subscriptCase(":2, 1", [4, 3], .contiguous, ..<2, 1),
                subscriptCase(":3", [4, 3], .contiguous, ...2),
                subscriptCase("2:2", [4, 3], .contiguous, 2..<2),
                subscriptCase("0, 1:3, 2", [2, 3, 4], .contiguous, 0, 1..<3, 2),
                subscriptCase("1, 2", [4, 3], .expanded(from: [1, 3]), 1, 2),
                subscriptCase("-3:-1", [4, 3], .contiguous, (-3)..<(-1)),
                subscriptCase("-2:", [4, 3], .sliced, (-2)...),
                subscriptCase("7:", [5, 3], .contiguous, 7...),
                subscriptCase(":10, 1:9", [4, 3], .contiguous, ..<10, 1..<9),
            ]) { x, p in x[0][p.indices] },
            sumOfExpanded,
        ]
    }

    /// The gradient of a view that reads the same element many times: an expanded operand summed.
    private static var sumOfExpanded: DifferentialOp {
        DifferentialOp("expand then sum", torch: "a.expand(5, 3, 4).sum(dim=(0, 1))", ulps: 1, length: { _, _ in 15 }, dtypes: DType.every, cases: [
            Case("[3,1] to [5,3,4]", [Operand([3, 1])]), Case("sliced [3,1] to [5,3,4]", [Operand([3, 1], .sliced)]),
        ]) { x, _ in x[0].expand(to: [5, 3, 4]).sum(axes: [0, 1]) }
    }
}
