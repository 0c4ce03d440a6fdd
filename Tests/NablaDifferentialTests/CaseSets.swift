import Nabla

/// The shapes and layouts every op of a kind runs on, so that a table entry
/// names only what is particular to its op.
enum CaseSets {
    /// Values at the edges of float arithmetic.
    static let edges: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 1, -1, 0.5, -2.5, 1e-30, -1e-30, 3e38, -3e38, 1e-40]
    /// Logits large enough to overflow a naive exp or sigmoid.
    static let largeLogits: [Float] = [88, 89, 100, 1e4, -88, -104, -1e4, 0, -0.0, .infinity, -.infinity, .nan]

    /// One operand of every layout and kind of shape: rank 0, empty, 1×N and
    /// N×1, transposed, sliced, stepped (along the last and the first axis)
    /// and expanded (stride 0, with and without new leading axes), plus
    /// `special` values when given.
    static func unary(_ values: Values = .normal, special: [Float]? = nil, grad: Bool = true) -> [Case] {
        var cases = [
            Case("rank 0", [Operand([], .contiguous, values, grad: grad)]),
            Case("[0]", [Operand([0], .contiguous, values, grad: grad)]),
            Case("[2,0]", [Operand([2, 0], .contiguous, values, grad: grad)]),
            Case("[7]", [Operand([7], .contiguous, values, grad: grad)]),
            Case("1x5", [Operand([1, 5], .contiguous, values, grad: grad)]),
            Case("5x1", [Operand([5, 1], .contiguous, values, grad: grad)]),
            Case("[3,4] transposed", [Operand([3, 4], .transposed, values, grad: grad)]),
            Case("[3,4] sliced", [Operand([3, 4], .sliced, values, grad: grad)]),
            Case("[3,5] stepped", [Operand([3, 5], .stepped, values, grad: grad)]),
            Case("[2,3,4] stepped on axis 0", [Operand([2, 3, 4], .stepped(axis: 0), values, grad: grad)]),
            Case("[4,3] expanded from [1,3]", [Operand([4, 3], .expanded(from: [1, 3]), values, grad: grad)]),
            Case("[4,3] expanded from [4,1]", [Operand([4, 3], .expanded(from: [4, 1]), values, grad: grad)]),
            Case("[2,4,3] expanded from [3]", [Operand([2, 4, 3], .expanded(from: [3]), values, grad: grad)]),
        ]
        if let special {
            cases.append(Case("special values", [Operand([special.count], .contiguous, .special(special), grad: grad)]))
        }
        return cases
    }

    /// Two operands broadcast in every way: equal shapes, a row, a column,
    /// an outer product, fewer axes, a middle axis, rank 0 on either side,
    /// empty, 1×N with N×1, and non-contiguous layouts on both sides.
    static func binary(_ a: Values = .normal, _ b: Values = .normal, special: [Float]? = nil,
                       grad: (Bool, Bool) = (true, true)) -> [Case] {
        func pair(_ label: String, _ sa: [Int], _ la: Layout, _ sb: [Int], _ lb: Layout) -> Case {
            Case(label, [Operand(sa, la, a, grad: grad.0), Operand(sb, lb, b, grad: grad.1)])
        }
        var cases = [
            pair("[3,4] [3,4]", [3, 4], .contiguous, [3, 4], .contiguous),
            pair("[3,4] row [4]", [3, 4], .contiguous, [4], .contiguous),
            pair("[4] row [3,4]", [4], .contiguous, [3, 4], .contiguous),
            pair("[3,4] column [3,1]", [3, 4], .contiguous, [3, 1], .contiguous),
            pair("outer [3,1] [1,4]", [3, 1], .contiguous, [1, 4], .contiguous),
            pair("1xN Nx1 [1,5] [5,1]", [1, 5], .contiguous, [5, 1], .contiguous),
            pair("fewer axes [2,3,4] [3,1]", [2, 3, 4], .contiguous, [3, 1], .contiguous),
            pair("middle axis [2,1,4] [2,3,4]", [2, 1, 4], .contiguous, [2, 3, 4], .contiguous),
            pair("both ways [2,1,4] [3,1]", [2, 1, 4], .contiguous, [3, 1], .contiguous),
            pair("rank 0 left", [], .contiguous, [3, 4], .contiguous),
            pair("rank 0 right", [3, 4], .contiguous, [], .contiguous),
            pair("rank 0 both", [], .contiguous, [], .contiguous),
            pair("empty [0,4] [4]", [0, 4], .contiguous, [4], .contiguous),
            pair("empty [3,0] [3,1]", [3, 0], .contiguous, [3, 1], .contiguous),
            pair("empty [0] [1]", [0], .contiguous, [1], .contiguous),
            pair("transposed, sliced", [3, 4], .transposed, [3, 4], .sliced),
            pair("stepped, expanded from [1,4]", [3, 4], .stepped, [3, 4], .expanded(from: [1, 4])),
            pair("expanded from [3,1], transposed", [3, 4], .expanded(from: [3, 1]), [3, 4], .transposed),
            pair("sliced [2,3,4], stepped on axis 0 [3,4]", [2, 3, 4], .sliced, [3, 4], .stepped(axis: 0)),
        ]
        if let special {
            // Every special value against every other one.
            let n = special.count
            cases.append(Case("special values, all pairs", [
                Operand([n, n], .contiguous, .exact((0..<(n * n)).map { special[$0 / n] }), grad: grad.0),
                Operand([n, n], .contiguous, .exact((0..<(n * n)).map { special[$0 % n] }), grad: grad.1),
            ]))
        }
        return cases
    }

    /// Axis configurations for a reduction of a [3,4,5] tensor (and others).
    static func reductions(_ values: Values = .normal, allowEmpty: Bool = true) -> [Case] {
        func reduce(_ label: String, _ shape: [Int], _ layout: Layout, _ axes: [Int], keep: Bool = false) -> Case {
            Case(label, [Operand(shape, layout, values)], Params(axes: axes, keepDims: keep))
        }
        var cases = [
            reduce("[3,4,5] axis 0", [3, 4, 5], .contiguous, [0]),
            reduce("[3,4,5] axis 1", [3, 4, 5], .contiguous, [1]),
            reduce("[3,4,5] axis -1 keepDims", [3, 4, 5], .contiguous, [-1], keep: true),
            reduce("[3,4,5] axes 0,2", [3, 4, 5], .contiguous, [0, 2]),
            reduce("[3,4,5] axes 1,2 keepDims", [3, 4, 5], .contiguous, [1, 2], keep: true),
            reduce("[3,4,5] all axes", [3, 4, 5], .contiguous, [0, 1, 2]),
            reduce("[2,3,4,5] axes 0,2", [2, 3, 4, 5], .contiguous, [0, 2]),
            reduce("[4,5] transposed axis 0", [4, 5], .transposed, [0]),
            reduce("[4,5] sliced axis 1", [4, 5], .sliced, [1]),
            reduce("[4,5] stepped axis 1", [4, 5], .stepped, [1]),
            reduce("[4,5] expanded from [1,5] axis 0", [4, 5], .expanded(from: [1, 5]), [0]),
            reduce("[4,5] expanded from [4,1] axis 1", [4, 5], .expanded(from: [4, 1]), [1]),
            reduce("1x7 axis 1", [1, 7], .contiguous, [1]),
            reduce("7x1 axis 0", [7, 1], .contiguous, [0]),
            reduce("[6] axis 0", [6], .contiguous, [0]),
            reduce("[300,7] axis 0", [300, 7], .contiguous, [0]),
        ]
        if allowEmpty {
            cases += [
                reduce("[0,4] axis 0", [0, 4], .contiguous, [0]),
                reduce("[3,0] axis 0", [3, 0], .contiguous, [0]),
            ]
        }
        return cases
    }
}

/// The reduction length of a case: the number of elements reduced into one (the product of the reduced extents).
func reducedLength(_ shapes: [[Int]], _ p: Params) -> Int {
    guard let shape = shapes.first else { return 1 }
    let axes = p.axes.isEmpty ? Array(shape.indices) : p.axes.map { $0 < 0 ? $0 + shape.count : $0 }
    return axes.reduce(1) { $0 * shape[$1] }
}

/// All elements of the first operand.
func elementCount(_ shapes: [[Int]], _ p: Params) -> Int {
    shapes.first?.reduce(1, *) ?? 1
}
