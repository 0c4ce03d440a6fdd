import Nabla

/// Integer-array and mask indexing, read and write, against torch's `a[...]` and `index_put`.
enum AdvancedIndexingTable {
    static var ops: [DifferentialOp] { [reading, writing] }

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
        return DifferentialOp("subscript (advanced)", torch: "a[{text}]", ulps: 0, cases: cases) { x, p in [x[0][p.indices]] }
    }

    static var writing: DifferentialOp {
        let (rows, rowsText) = longs([0, 2, 0])
        let (gridMask, gridMaskText) = mask((0..<12).map { $0 % 5 == 0 }, shape: [4, 3])
        func write(_ label: String, python: String, _ indices: [TensorIndex], values: [Int], accumulate: Bool) -> Case {
            Case(label, [Operand([4, 3]), Operand(values)], Params(scalar: accumulate ? 1 : 0, text: python, indices: indices))
        }
        return DifferentialOp("indexPut(_:values:accumulate:)", torch: "torch.index_put(a, {text}, b, accumulate={scalar} == 1)", ulps: 1,
                              length: { _, _ in 3 },
                              cases: [
                                  write("rows, accumulate", python: "(\(rowsText),)", [rows], values: [3], accumulate: true),
                                  write("rows [0, 2] (no repeats)", python: "(torch.tensor([0, 2]),)", [[0, 2]], values: [2, 3], accumulate: false),
                                  write("mask", python: "(\(gridMaskText),)", [gridMask], values: [3], accumulate: false),
                                  write("rows and columns, accumulate", python: "(torch.tensor([1, 1, 3]), torch.tensor([0, 0, 2]))",
                                        [[1, 1, 3], [0, 0, 2]], values: [3], accumulate: true),
                              ]) { x, p in
            var target = x[0] * 1
            target.indexPut(p.indices, values: x[1], accumulate: p.scalar == 1)
            return [target]
        }
    }
}
