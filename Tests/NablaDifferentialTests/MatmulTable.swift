import Nabla

/// Matrix products with NumPy's matmul rules, each operand of each layout in
/// each pairing of ranks (2-D, batched, broadcast batch, vectors, empty).
/// Tolerance: ulps × the longest sum (k for the product, m or n for the gradients).
enum MatmulTable {
    /// The layouts a matrix operand comes in, by name: the last two axes of `shape` are the matrix.
    static func layouts(_ shape: [Int]) -> [(String, Layout)] {
        let rank = shape.count
        var row = shape, column = shape
        row[rank - 2] = 1
        column[rank - 1] = 1
        var kinds: [(String, Layout)] = [
            ("contiguous", .contiguous), ("transposed", .transposed), ("sliced", .sliced),
            ("stepped columns", .stepped), ("stepped rows", .stepped(axis: rank - 2)),
            ("expanded row", .expanded(from: row)), ("expanded column", .expanded(from: column)),
        ]
        if rank > 2 { kinds.append(("expanded batch", .expanded(from: [1] + shape.dropFirst()))) }
        return kinds
    }

    static func product(_ a: [Int], _ la: (String, Layout), _ b: [Int], _ lb: (String, Layout)) -> Case {
        Case("\(a) \(la.0) · \(b) \(lb.0)", [Operand(a, la.1), Operand(b, lb.1)])
    }

    /// Each layout of the left operand with a contiguous right one, and the other way round.
    static func eachOperandOfEachKind(_ a: [Int], _ b: [Int]) -> [Case] {
        layouts(a).map { product(a, $0, b, ("contiguous", .contiguous)) }
            + layouts(b).dropFirst().map { product(a, ("contiguous", .contiguous), b, $0) }
    }

    static var cases: [Case] {
        let plain = ("contiguous", Layout.contiguous)
        // 2-D · 2-D: every pairing of layouts.
        var cases = layouts([3, 4]).flatMap { la in layouts([4, 5]).map { lb in product([3, 4], la, [4, 5], lb) } }
        cases += eachOperandOfEachKind([2, 3, 4], [4, 5])
        cases += eachOperandOfEachKind([3, 4], [2, 4, 5])
        cases += eachOperandOfEachKind([2, 3, 4], [2, 4, 5])
        cases += eachOperandOfEachKind([2, 1, 3, 4], [3, 4, 5])
        cases += [
            product([1, 3, 4], plain, [2, 4, 5], plain),
            product([2, 3, 4], plain, [1, 4, 5], ("transposed", .transposed)),
            product([2, 3, 4], ("transposed", .transposed), [4, 5], ("expanded column", .expanded(from: [4, 1]))),
            // Vectors: dot, row and column promotion, batched.
            product([4], plain, [4], plain),
            product([4], ("stepped", .stepped), [4], ("expanded", .expanded(from: [1]))),
            product([4], plain, [4, 5], ("transposed", .transposed)),
            product([4], ("sliced", .sliced), [4, 5], plain),
            product([3, 4], plain, [4], plain),
            product([3, 4], ("transposed", .transposed), [4], ("stepped", .stepped)),
            product([2, 3, 4], plain, [4], plain),
            product([4], plain, [2, 4, 5], plain),
            // 1×N and N×1.
            product([1, 4], plain, [4, 1], plain),
            product([4, 1], plain, [1, 5], plain),
            product([1, 4], plain, [4, 5], ("transposed", .transposed)),
            product([3, 4], ("sliced", .sliced), [4, 1], plain),
            product([1, 1], plain, [1, 1], plain),
            // Empty extents: k = 0 must give zeros.
            product([1, 1, 0], plain, [0, 300], plain),
            product([1, 1, 1, 0], plain, [0, 5], plain),
            product([2, 3, 0], plain, [0, 4], plain),
            product([3, 0], plain, [0, 4], plain),
            product([0, 4], plain, [4, 5], plain),
            product([3, 4], plain, [4, 0], plain),
            product([2, 0, 4], plain, [4, 5], plain),
            product([0, 3, 4], plain, [4, 5], plain),
            product([0], plain, [0], plain),
            // Sizes past the reference backend's register blocks and BLAS's small-size paths.
            product([33, 65], plain, [65, 70], ("transposed", .transposed)),
            product([2, 17, 9], ("transposed", .transposed), [9, 31], plain),
        ]
        return cases
    }

    static var ops: [DifferentialOp] {
        [DifferentialOp("matmul", torch: "torch.matmul(a, b)", ulps: 2, length: { shapes, _ in
            // The longest sum: k in the product, m or n (times the broadcast batch) in the gradients.
            let a = shapes[0], b = shapes[1]
            let m = a.count > 1 ? a[a.count - 2] : 1, k = a[a.count - 1], n = b.count > 1 ? b[b.count - 1] : 1
            let batch = Swift.max(a.dropLast(2).reduce(1, *), b.dropLast(2).reduce(1, *))
            return Swift.max(k, m * batch, n)
        }, cases: cases) { x, _ in x[0] • x[1] }]
    }
}
