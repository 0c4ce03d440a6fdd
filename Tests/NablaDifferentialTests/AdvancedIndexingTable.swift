import Nabla

/// Integer-array and mask indexing, read and write, against torch's `a[...]` and `index_put`.
enum AdvancedIndexingTable {
    static var ops: [DifferentialOp] { [reading, writing] + selecting }

    private static func longs(_ values: [Int64], shape: [Int]? = nil) -> (Tensor, String) {
        let tensor = Tensor(shape: shape ?? [values.count], scalars: values)
        return (tensor, "torch.tensor(\(values)).reshape(\(shape ?? [values.count]))")
    }

    private static func mask(_ values: [Bool], shape: [Int]) -> (Tensor, String) {
        (Tensor(shape: shape, scalars: values),
         "torch.tensor([\(values.map { $0 ? "True" : "False" }.joined(separator: ", "))]).reshape(\(shape))")
    }

    private static func read(_ label: String, _ shape: [Int], _ layout: Layout = .contiguous, python: String, _ indices: [TensorIndex]) -> Case {
        Case("\(shape) \(layout)[\(label)]", [Operand(shape, layout)], Params(text: python, indices: indices))
    }

    static var reading: DifferentialOp {
        let (column, columnText) = longs([0, 3], shape: [2, 1]), (pair, pairText) = longs([0, 2])
        let (gridMask, gridMaskText) = mask((0..<12).map { $0 % 3 != 1 }, shape: [4, 3])
        let (rowMask, rowMaskText) = mask([false, true, true], shape: [3])
        let cases = [
            read("[0, 2, 0]", [4, 3], python: "[0, 2, 0]", [[0, 2, 0]]),
            read("[-1, 0]", [4, 3], .transposed, python: "[-1, 0]", [[-1, 0]]),
            read("column, pair", [4, 3], python: "\(columnText), \(pairText)", [column, pair]),
            read(":, [2, 0]", [4, 3], .sliced, python: ":, [2, 0]", [0..., [2, 0]]),
            read("1, [0, 2]", [4, 3], python: "1, [0, 2]", [1, [0, 2]]),
            read("[0, 1], :, [1, 3]", [2, 3, 4], python: "[0, 1], :, [1, 3]", [[0, 1], 0..., [1, 3]]),
            read(":, [0, 2], [1, 3]", [2, 3, 4], .stepped, python: ":, [0, 2], [1, 3]", [0..., [0, 2], [1, 3]]),
            read("..., [0, 3]", [2, 3, 4], python: "..., [0, 3]", [TensorEllipsis(), [0, 3]]),
            read("1:, [[0], [1]], ::2", [3, 2, 4], python: "1:, [[0], [1]], ::2",
                 [1..., Tensor(shape: [2, 1], scalars: [Int64(0), 1]), TensorSlice(step: 2)]),
            read("mask", [4, 3], python: gridMaskText, [gridMask]),
            read(":, mask", [4, 3], python: ":, \(rowMaskText)", [0..., rowMask]),
            read("[1, 1, 2] repeated", [3, 2], python: "[1, 1, 2]", [[1, 1, 2]]),
        ]
        return DifferentialOp("subscript (advanced)", torch: "a[{text}]", ulps: 0, dtypes: DType.every, cases: cases) { x, p in [x[0][p.indices]] }
    }

    static var writing: DifferentialOp {
        let (rows, rowsText) = longs([0, 2, 0])
        let (gridMask, gridMaskText) = mask((0..<12).map { $0 % 5 == 0 }, shape: [4, 3])
        func write(_ label: String, python: String, _ indices: [TensorIndex], values: [Int], accumulate: Bool) -> Case {
            Case(label, [Operand([4, 3]), Operand(values)], Params(scalar: accumulate ? 1 : 0, text: python, indices: indices))
        }
        return DifferentialOp("indexPut(_:values:accumulate:)", torch: "torch.index_put(a, {text}, b, accumulate={scalar} == 1)", ulps: 1,
                              length: { _, _ in 3 },
                              dtypes: DType.every, cases: [
                                  write("rows, accumulate", python: "(\(rowsText),)", [rows], values: [3], accumulate: true),
                                  write("rows [0, 2] (no repeats)", python: "(torch.tensor([0, 2]),)", [[0, 2]], values: [2, 3], accumulate: false),
                                  write("mask", python: "(\(gridMaskText),)", [gridMask], values: [3], accumulate: false),
                                  write("rows and columns, accumulate", python: "(torch.tensor([1, 1, 3]), torch.tensor([0, 0, 2]))",
                                        [[1, 1, 3], [0, 0, 2]], values: [3], accumulate: true),
                              ]) { x, p in
            var target = x[0].clone()
            target.indexPut(p.indices, values: x[1], accumulate: p.scalar == 1)
            return [target]
        }
    }
}

extension AdvancedIndexingTable {
    /// nonzero and argwhere (int64 coordinates, no gradient) and maskedSelect, whose mask and
    /// tensor broadcast together.
    static var selecting: [DifferentialOp] {
        let sparse: Values = .exact([0, 1.5, 0, -2, 0, 0, 3, 0, 0, .nan, 0, 0.5])
        let coordinateCases = [Case("[3,4] with zeros and a NaN", [Operand([3, 4], .contiguous, sparse, grad: false)]),
                               Case("[4,3] transposed with zeros", [Operand([4, 3], .transposed, sparse, grad: false)]),
                               Case("[0,3]", [Operand([0, 3], grad: false)])]
        let (rowMask, rowMaskText) = mask([true, false, true], shape: [3])
        let (gridMask, gridMaskText) = mask((0..<12).map { $0 % 5 != 2 }, shape: [4, 3])
        return [
            DifferentialOp("nonzero()", torch: "torch.nonzero(a)", ulps: 0, differentiable: 0, cases: coordinateCases) { x, _ in x[0].nonzero() },
            DifferentialOp("argwhere()", torch: "torch.argwhere(a)", ulps: 0, differentiable: 0, cases: coordinateCases) { x, _ in x[0].argwhere() },
            DifferentialOp("maskedSelect(_:)", torch: "torch.masked_select(a, {text})", ulps: 0, length: { _, _ in 4 },
                           dtypes: DType.every, cases: [
                               Case("[4,3] mask [3] broadcast", [Operand([4, 3])], Params(text: rowMaskText, indices: [rowMask])),
                               Case("[4,3] sliced, mask [4,3]", [Operand([4, 3], .sliced)], Params(text: gridMaskText, indices: [gridMask])),
                               Case("[1,3] broadcast to mask [4,3]", [Operand([1, 3])], Params(text: gridMaskText, indices: [gridMask])),
                           ]) { x, p in x[0].maskedSelect(p.indices[0] as! Tensor) },
        ]
    }
}

/// scatter, scatterAdd and scatterReduce against torch, values and gradients.
enum ScatterTable {
    static var ops: [DifferentialOp] {
        // index [2,3] into self [3,4] along axis 0, with repeated targets in columns 0 and 2.
        let index0 = Tensor(shape: [2, 3], scalars: [Int64(0), 2, 1, 0, 1, 1])
        let index1 = Tensor(shape: [3, 2], scalars: [Int64(3), 0, -1, 1, 2, 2])
        func cases(_ values: Values = .normal) -> [Case] {
            [Case("self [3,4] src [2,3] axis 0", [Operand([3, 4], .contiguous, values), Operand([2, 3], .contiguous, values)],
                  Params(axes: [0], text: "torch.tensor([[0, 2, 1], [0, 1, 1]])", indices: [index0])),
             Case("self [3,4] src [3,2] axis 1", [Operand([3, 4], .transposed, values), Operand([3, 2], .contiguous, values)],
                  Params(axes: [1], text: "torch.tensor([[3, 0], [3, 1], [2, 2]])", indices: [index1]))]
        }
        // Ties for amax/amin: small integers, so values repeat between self and src.
        let ties = cases(.integersIn(0...2)).map { Case($0.label + " ties", $0.operands, $0.params) }
        func index(_ p: Params) -> Tensor { p.indices[0] as! Tensor }
        var ops = [
            DifferentialOp("scatter(axis:index:source:)", torch: "torch.scatter(a, {axis}, {text}, b)", ulps: 0,
                           dtypes: DType.every, cases: [cases()[1]]) { x, p in [x[0].scatter(axis: p.axis, index: index(p), source: x[1])] },
        ]
        ops.append(DifferentialOp("scatterAdd(axis:index:source:)", torch: "torch.scatter_add(a, {axis}, {text}, b)", ulps: 1,
                                  length: { _, _ in 3 }, dtypes: DType.floating + DType.integers, cases: cases()) { x, p in [x[0].scatterAdd(axis: p.axis, index: index(p), source: x[1])] })
        for reduction in [ScatterReduction.sum, .mean, .amax, .amin] {
            for includeSelf in [true, false] {
                ops.append(DifferentialOp("scatterReduce(\(reduction.rawValue), includeSelf: \(includeSelf))",
                                          torch: "torch.scatter_reduce(a, {axis}, {text}, b, '\(reduction.rawValue)', include_self=\(includeSelf ? "True" : "False"))",
                                          ulps: 2, length: { _, _ in 3 }, dtypes: DType.floating + DType.integers, cases: cases() + (reduction == .amax || reduction == .amin ? ties : [])) { x, p in
                    [x[0].scatterReduce(axis: p.axis, index: index(p), source: x[1], reduce: reduction, includeSelf: includeSelf)]
                })
            }
        }
        return ops
    }
}

/// unique, bincount, histc, searchsorted, oneHot against torch (exact, no gradients).
enum CountingTable {
    static var ops: [DifferentialOp] {
        let integers = [Case("[3,5] of 0..<4", [Operand([3, 5], .contiguous, .classes(4), grad: false)]),
                        Case("[7] of 0..<6 transposed view", [Operand([1, 7], .transposed, .classes(6), grad: false)])]
        let floats = [Case("[4,6] normal", [Operand([4, 6], .contiguous, .normal, grad: false)]),
                      Case("[8] with NaN and ±inf", [Operand([8], .contiguous, .exact([0.5, .nan, -0.25, .infinity, 0.9, -1, 1, -.infinity]), grad: false)])]
        let sorted = Operand([6], .contiguous, .exact([-1, 0, 0, 0.5, 2, 3]), grad: false)
        let probes = [Case("probes [2,4]", [sorted, Operand([2, 4], .contiguous, .exact([0, -2, 0.5, 3, 4, 0.25, -1, 2.5]), grad: false)])]
        // N-D: each row of values searches its own row of the sequence (NaN and ±inf in both).
        let rows = Case("rows [3,5], probes [3,4] transposed view", [
            Operand([3, 5], .contiguous, .exact([-2, -1, 0, 0.5, 3, 0, 0, 0, 1, 1, -.infinity, -1, 2, 2.5, .nan]), grad: false),
            Operand([3, 4], .transposed, .exact([-1, 0, .nan, 0.5, 1, 2, 4, 0.5, .infinity, -3, 2, -.infinity]), grad: false)])
        let planes = Case("rank 3: [2,2,3] and probes [2,2,2]", [
            Operand([2, 2, 3], .contiguous, .exact([0, 1, 2, -1, -1, 4, 3, 5, 7, 0, 0.25, 0.5]), grad: false),
            Operand([2, 2, 2], .contiguous, .exact([1, 2.5, -1, 4, 9, 3, 0.25, -5]), grad: false)])
        let unsortedRows = Case("unsorted rows [2,4] with sorter", [
            Operand([2, 4], .contiguous, .exact([5, 1, 3, 3, 0, 9, 2, -4]), grad: false),
            Operand([2, 3], .contiguous, .exact([3, 6, 0, -5, 2, 9]), grad: false),
            Operand([2, 4], .contiguous, .exact([1, 2, 3, 0, 3, 0, 2, 1]), grad: false)])
        let integerRows = Case("rows [2,4] of integers", [
            Operand([2, 4], .contiguous, .exact([0, 2, 2, 7, 1, 100, 200, 255]), grad: false),
            Operand([2, 3], .contiguous, .exact([2, 8, 0, 255, 0, 150]), grad: false)])
        return [
            DifferentialOp("unique()", torch: "torch.unique(a, sorted=True, return_inverse=True, return_counts=True)", ulps: 0, differentiable: 0,
                           cases: integers + [Case("[5,4] of ±1.5, 0", [Operand([5, 4], .contiguous, .exact((0..<20).map { [1.5, 0, -1.5][$0 % 3] }), grad: false)])])
            { x, _ in let u = x[0].unique(); return [u.values, u.inverse, u.counts] },
            DifferentialOp("bincount(minLength: 8)", torch: "torch.bincount(a.long().flatten(), minlength=8)", ulps: 0, differentiable: 0,
                           cases: integers) { x, _ in [x[0].to(.int64).flatten().bincount(minLength: 8)] },
            DifferentialOp("bincount(weights:)", torch: "torch.bincount(a.long().flatten(), weights=b.flatten())", ulps: 1, differentiable: 0,
                           length: { shapes, _ in shapes[0].reduce(1, *) },
                           cases: integers.map { Case($0.label, $0.operands + [Operand($0.operands[0].shape, .contiguous, .normal, grad: false)]) })
            { x, _ in [x[0].to(.int64).flatten().bincount(weights: x[1].flatten())] },
            DifferentialOp("histc(bins: 5, minimum: -1, maximum: 1)", torch: "torch.histc(a, bins=5, min=-1, max=1)", ulps: 0, differentiable: 0,
                           cases: floats) { x, _ in [x[0].histc(bins: 5, minimum: -1, maximum: 1)] },
            DifferentialOp("histc(bins: 7)", torch: "torch.histc(a, bins=7)", ulps: 0, differentiable: 0,
                           cases: [floats[0]]) { x, _ in [x[0].histc(bins: 7)] },
            DifferentialOp("searchsorted(_:right:)", torch: "torch.searchsorted(a, b, right={keep})", ulps: 0, differentiable: 0,
                           cases: probes + probes.map { Case($0.label + " right", $0.operands, Params(keepDims: true)) })
            { x, p in [x[0].searchsorted(x[1], right: p.keepDims)] },
            DifferentialOp("searchsorted(_:right:) N-D", torch: "torch.searchsorted(a, b, right={keep})", ulps: 0, differentiable: 0,
                           cases: [rows, planes].flatMap { [$0, Case($0.label + " right", $0.operands, Params(keepDims: true))] })
            { x, p in [x[0].searchsorted(x[1], right: p.keepDims)] },
            DifferentialOp("searchsorted(_:side:sorter:)", torch: "torch.searchsorted(a, b, side='{text}', sorter=c.long())", ulps: 0, differentiable: 0,
                           cases: ["left", "right"].map { Case(unsortedRows.label + " " + $0, unsortedRows.operands, Params(text: $0)) })
            { x, p in [x[0].searchsorted(x[1], side: p.text == "right" ? .right : .left, sorter: x[2].to(.int64))] },
            DifferentialOp("searchsorted(int64 sequence, floating values)", torch: "torch.searchsorted(a.long(), b)", ulps: 0, differentiable: 0,
                           cases: probes + [planes])
            { x, _ in [x[0].to(.int64).searchsorted(x[1])] },
        ] + [DType.int64, .int32, .uint8].map { dtype in
            DifferentialOp("searchsorted(\(dtype), outInt32: true)", torch: "torch.searchsorted(a.to(torch.\(dtype)), b.to(torch.\(dtype)), right={keep}, out_int32=True)",
                           ulps: 0, differentiable: 0, dtypes: [.float64],
                           cases: [integerRows, Case(integerRows.label + " right", integerRows.operands, Params(keepDims: true))])
            { x, p in [x[0].to(dtype).searchsorted(x[1].to(dtype), right: p.keepDims, outInt32: true)] }
        } + [
            DifferentialOp("oneHot(classes: 6)", torch: "F.one_hot(a.long(), 6)", ulps: 0, differentiable: 0,
                           cases: integers) { x, _ in [x[0].to(.int64).oneHot(classes: 6)] },
        ]
    }
}
