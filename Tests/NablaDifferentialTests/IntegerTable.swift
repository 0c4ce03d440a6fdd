import Nabla

/// Integer and bool tensors against torch, compared exactly (dtype and values) in int64,
/// int32, uint8 and bool: arithmetic that wraps, comparisons, promotion of mixed operands,
/// reductions, cumulative ops, sorting, integer products, conversions and counting. The exact
/// ops that move or pick elements (movement, indexing, scatter, diagonals) run their own
/// tables' cases in these dtypes too.
enum IntegerTable {
    static var ops: [DifferentialOp] {
        arithmetic + unary + clamps + comparisons + selection + promotion + scalarOperands + reductions + sorting + indexing + products
            + conversions + counting + pooling
    }

    /// An op of integer results: exact, no gradient.
    static func op(_ name: String, torch: String, ulps: Double = 0, dtypes: [DType] = DType.integral, cases: [Case],
                   _ nabla: @escaping (_ x: [Tensor], _ p: Params) -> [Tensor]) -> DifferentialOp {
        DifferentialOp(name, torch: torch, ulps: ulps, differentiable: 0, dtypes: dtypes, cases: cases, nabla: nabla)
    }

    /// Small integers: ties and zeros, no wraparound.
    static let small = Values.integersIn(-3...3)

    /// maxPool2d keeps integer dtypes, as torch's CPU kernel does (the averages and the other window ops do not take them).
    static var pooling: [DifferentialOp] {
        let cases = [Case("[2,3,7,6]", [Operand([2, 3, 7, 6], .contiguous, .integers)]),
                     Case("[1,2,5,4] transposed, ties", [Operand([1, 2, 5, 4], .transposed, small)])]
        return [
            op("maxPool2d (integers)", torch: "F.max_pool2d(a, 3, stride=2, padding=1)", dtypes: DType.integers, cases: cases) { x, _ in
                [x[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1)]
            },
            op("maxPool2d 2x2 (integers)", torch: "F.max_pool2d(a, 2)", dtypes: DType.integers, cases: cases) { x, _ in
                [x[0].maxPool2d(kernelSize: 2)]
            },
        ]
    }

    static var arithmetic: [DifferentialOp] {
        let pairs = CaseSets.binary(.integers, .integers)
        // bool + bool is an or and bool * bool an and; bool - bool is an error, in torch as here.
        return [
            op("+ (integers)", torch: "a + b", cases: pairs) { x, _ in [x[0] + x[1]] },
            op("- (integers)", torch: "a - b", dtypes: DType.integers, cases: pairs) { x, _ in [x[0] - x[1]] },
            op("* (integers)", torch: "a * b", cases: pairs) { x, _ in [x[0] * x[1]] },
            // True division: float32, and x/0 is ±inf or NaN as in float.
            op("/ (integers)", torch: "a / b", cases: pairs) { x, _ in [x[0] / x[1]] },
            op("maximum (integers)", torch: "torch.maximum(a, b)", cases: pairs) { x, _ in [Tensor.maximum(x[0], x[1])] },
            op("minimum (integers)", torch: "torch.minimum(a, b)", cases: pairs) { x, _ in [Tensor.minimum(x[0], x[1])] },
            op("pow(tensor) (integers)", torch: "torch.pow(a, b)", dtypes: DType.integers,
               cases: [Case("[3,4] ** [3,4] of 0...5", [Operand([3, 4]), Operand([3, 4], .contiguous, .integersIn(0...5))]),
                       Case("[3,4] ** row [4] of 0...62", [Operand([3, 4], .transposed, small), Operand([4], .contiguous, .integersIn(0...62))])])
            { x, _ in [x[0].pow(x[1])] },
        ]
    }

    static var unary: [DifferentialOp] {
        let cases = CaseSets.unary(.integers)
        return [
            op("neg (integers)", torch: "-a", dtypes: DType.integers, cases: cases) { x, _ in [-x[0]] },
            op("abs (integers)", torch: "torch.abs(a)", dtypes: DType.integers, cases: cases) { x, _ in [x[0].abs()] },
            op("sign (integers)", torch: "torch.sign(a)", cases: cases) { x, _ in [x[0].sign()] },
            op("square (integers)", torch: "torch.square(a)", cases: cases) { x, _ in [x[0].square()] },
            op("relu (integers)", torch: "torch.relu(a)", dtypes: DType.integers, cases: cases) { x, _ in [x[0].relu()] },
            op("floor (integers)", torch: "torch.floor(a)", dtypes: DType.integers, cases: cases) { x, _ in [x[0].floor()] },
            op("ceil (integers)", torch: "torch.ceil(a)", dtypes: DType.integers, cases: cases) { x, _ in [x[0].ceil()] },
            op("round (integers)", torch: "torch.round(a)", dtypes: DType.integers, cases: cases) { x, _ in [x[0].round()] },
            op("isNaN (integers)", torch: "torch.isnan(a)", cases: cases) { x, _ in [x[0].isNaN()] },
            op("isFinite (integers)", torch: "torch.isfinite(a)", cases: cases) { x, _ in [x[0].isFinite()] },
            // Floating functions of integers compute in float32, as torch's.
            op("exp (integers)", torch: "torch.exp(a)", ulps: 2, cases: CaseSets.unary(small)) { x, _ in [x[0].exp()] },
            // torch's float32 sqrt is within an ulp, not correctly rounded as Nabla's: 2 ulps of torch's.
            op("sqrt (integers)", torch: "torch.sqrt(a)", ulps: 2, cases: cases) { x, _ in [x[0].sqrt()] },
            op("sigmoid (integers)", torch: "torch.sigmoid(a)", ulps: 4, cases: cases) { x, _ in [x[0].sigmoid()] },
            op("reciprocal (integers)", torch: "torch.reciprocal(a)", ulps: 1, cases: cases) { x, _ in [x[0].reciprocal()] },
        ]
    }

    /// clamp with `Int` bounds in the integer dtypes (bool with them is int64), exactly, both
    /// bounds, one, or min > max; with a `Double` bound the integers clamp in float32, as torch's.
    static var clamps: [DifferentialOp] {
        let cases = CaseSets.unary(.integers)
        return [
            op("clamp(min: 1, max: 4) (integers)", torch: "torch.clamp(a, 1, 4)", cases: cases) { x, _ in [x[0].clamp(min: 1, max: 4)] },
            op("clamp(min: -2, max: 4) (signed integers)", torch: "torch.clamp(a, -2, 4)", dtypes: [.int64, .int32], cases: cases) { x, _ in
                [x[0].clamp(min: -2, max: 4)]
            },
            op("clamp(min: 2) (integers)", torch: "torch.clamp(a, min=2)", cases: cases) { x, _ in [x[0].clamp(min: 2)] },
            op("clamp(max: 3) (integers)", torch: "torch.clamp(a, max=3)", cases: cases) { x, _ in [x[0].clamp(max: 3)] },
            op("clamp(min: 4, max: 1) (integers)", torch: "torch.clamp(a, 4, 1)", cases: cases) { x, _ in [x[0].clamp(min: 4, max: 1)] },
            op("clamp(min: 0.5, max: 3) (integers)", torch: "torch.clamp(a, 0.5, 3)", cases: cases) { x, _ in [x[0].clamp(min: 0.5, max: 3)] },
        ]
    }

    /// The six comparisons, on small integers (ties) and across the dtype (the extremes; int64
    /// beyond 2⁵³ where a comparison through Double would call neighbours equal).
    static var comparisons: [DifferentialOp] {
        let cases = CaseSets.binary(small, small) + CaseSets.binary(.integers, .integers).prefix(4).map {
            Case($0.label + " across the dtype", $0.operands, $0.params)
        }
        let comparisons: [(String, String, (Tensor, Tensor) -> Tensor)] = [
            (".==", "==", { $0 .== $1 }), (".!=", "!=", { $0 .!= $1 }), (".<", "<", { $0 .< $1 }),
            (".<=", "<=", { $0 .<= $1 }), (".>", ">", { $0 .> $1 }), (".>=", ">=", { $0 .>= $1 }),
        ]
        // Neighbours that a Double cannot tell apart: 2⁵³ and 2⁵³ + 1, the extremes and theirs.
        let neighbours: [Int64] = [1 << 53, (1 << 53) + 1, .max, .max - 1, .min, .min + 1, -(1 << 53) - 1, -(1 << 53)]
        let beyondDouble = Case("int64 neighbours beyond 2^53", [
            Operand([8], .contiguous, .exactIntegers(neighbours)),
            Operand([8], .contiguous, .exactIntegers(stride(from: 0, to: 8, by: 2).flatMap { [neighbours[$0 + 1], neighbours[$0]] })),
        ])
        return comparisons.flatMap { name, python, compare in [
            op("\(name) (integers)", torch: "a \(python) b", cases: cases) { x, _ in [compare(x[0], x[1])] },
            op("\(name) (int64 beyond 2^53)", torch: "a \(python) b", dtypes: [.int64], cases: [beyondDouble]) { x, _ in [compare(x[0], x[1])] },
        ] }
    }

    /// where and maskedFill with a bool mask.
    static var selection: [DifferentialOp] {
        // where's floating cases but the one of NaN and inf values.
        let masks = ElementwiseTable.select.cases.filter { !$0.label.contains("NaN") }
        return [
            op("where (integers)", torch: "torch.where(a, b, c)", cases: masks) { x, _ in [Tensor.where(x[0], x[1], x[2])] },
            op("maskedFill(_:3) (integers)", torch: "a.masked_fill(b, 3)", cases: [
                Case("[3,4] mask [3,4]", [Operand([3, 4]), Operand([3, 4], .contiguous, .binary)]),
                Case("[3,4] transposed, mask row [4]", [Operand([3, 4], .transposed), Operand([4], .contiguous, .binary)]),
            ]) { x, _ in [x[0].maskedFill(x[1], 3)] },
        ]
    }

    /// Each dtype of the column with an operand of each other dtype, as a tensor with axes and
    /// at rank 0: the result's dtype is torch.result_type's and its values torch's.
    static var promotion: [DifferentialOp] {
        let cases = DType.allCases.flatMap { other in [
            Case("[3,4] with [4] \(other)", [Operand([3, 4], .contiguous, small), Operand([4], .contiguous, small, dtype: other)]),
            Case("rank 0 \(other) with [3]", [Operand([], .contiguous, small, dtype: other), Operand([3], .contiguous, .integers)]),
            Case("[2,3] with rank 0 \(other)", [Operand([2, 3], .contiguous, .integers), Operand([], .contiguous, small, dtype: other)]),
        ] }
        return [
            op("+ (mixed dtypes)", torch: "a + b", cases: cases) { x, _ in [x[0] + x[1]] },
            op("* (mixed dtypes)", torch: "a * b", cases: cases) { x, _ in [x[0] * x[1]] },
            op("/ (mixed dtypes)", torch: "a / b", ulps: 1, cases: cases) { x, _ in [x[0] / x[1]] },
            op(".< (mixed dtypes)", torch: "a < b", cases: cases) { x, _ in [x[0] .< x[1]] },
            op("maximum (mixed dtypes)", torch: "torch.maximum(a, b)", cases: cases) { x, _ in [Tensor.maximum(x[0], x[1])] },
            op("where (mixed dtypes)", torch: "torch.where(c, a, b)", cases: cases.map {
                Case($0.label, $0.operands + [Operand([2, 1, 1], .contiguous, .binary)])
            }) { x, _ in [Tensor.where(x[2], x[0], x[1])] },
            op("cat (mixed dtypes)", torch: "torch.cat([a.reshape(-1), b.reshape(-1)])", cases: cases) { x, _ in
                [Tensor.cat([x[0].reshape([-1]), x[1].reshape([-1])], axis: 0)]
            },
        ]
    }

    /// The operators with a Swift scalar on integer and bool tensors. An `Int` is weak as a Python int:
    /// the tensor's dtype (bool with it int64), the scalar wrapping into it when out of its range, as
    /// torch's (so `uint8 + 300` adds 44). A `Double` is a Python float: the result is float32.
    static var scalarOperands: [DifferentialOp] {
        let integers = [-3, 0, 7, 300, 1 << 40]
        let integerCases = integers.flatMap { scalar in [
            Case("[3,4] with \(scalar)", [Operand([3, 4])], Params(ints: [scalar], text: "(\(scalar))")),
            Case("rank 0 with \(scalar)", [Operand([])], Params(ints: [scalar], text: "(\(scalar))")),
        ] }
        let floatingCases = [Float(0.5), -2.25, 0].map { scalar in
            Case("[3,4] with \(scalar)", [Operand([3, 4])], Params(scalar: scalar))
        }
        func integer(_ name: String, _ python: String, ulps: Double = 0, dtypes: [DType] = DType.integral,
                     _ apply: @escaping (Tensor, Int) -> Tensor) -> DifferentialOp {
            op("\(name) (Int scalar)", torch: python, ulps: ulps, dtypes: dtypes, cases: integerCases) { x, p in [apply(x[0], p.ints[0])] }
        }
        func floating(_ name: String, _ python: String, _ apply: @escaping (Tensor, Double) -> Tensor) -> DifferentialOp {
            op("\(name) (Double scalar)", torch: python, ulps: 1, cases: floatingCases) { x, p in [apply(x[0], Double(p.scalar))] }
        }
        return [
            integer("tensor + scalar", "a + {text}") { $0 + $1 }, integer("scalar + tensor", "{text} + a") { $1 + $0 },
            // torch refuses `-` with a bool tensor.
            integer("tensor - scalar", "a - {text}", dtypes: DType.integers) { $0 - $1 },
            integer("scalar - tensor", "{text} - a", dtypes: DType.integers) { $1 - $0 },
            integer("tensor * scalar", "a * {text}") { $0 * $1 },
            // torch divides a scalar by a tensor as reciprocal(x) · scalar, one rounding more than
            // Nabla's correctly rounded quotient: within 2 ulps of torch's.
            integer("tensor / scalar", "a / {text}") { $0 / $1 }, integer("scalar / tensor", "{text} / a", ulps: 2) { $1 / $0 },
            integer("tensor .< scalar", "a < {text}") { $0 .< $1 }, integer("tensor .== scalar", "a == {text}") { $0 .== $1 },
            integer("tensor .>= scalar", "a >= {text}") { $0 .>= $1 },
            floating("tensor + scalar", "a + {scalar}") { $0 + $1 }, floating("tensor * scalar", "a * {scalar}") { $0 * $1 },
            floating("scalar / tensor", "{scalar} / a") { $1 / $0 }, floating("tensor .< scalar", "a < {scalar}") { $0 .< $1 },
        ]
    }

    static var reductions: [DifferentialOp] {
        let all = CaseSets.unary(.integers)
        let nonEmpty = all.filter { !$0.operands[0].shape.contains(0) }
        let axes = CaseSets.reductions(.integers)
        let single = axes.filter { $0.params.axes.count == 1 }
        let ties = CaseSets.reductions(small, allowEmpty: false).filter { $0.params.axes.count == 1 }.map {
            Case($0.label + " ties", $0.operands, $0.params)
        }
        return [
            op("sum() (integers)", torch: "a.sum()", cases: all) { x, _ in [x[0].sum()] },
            op("sum(axes:keepDims:) (integers)", torch: "a.sum(dim={axes}, keepdim={keep})", cases: axes) { x, p in
                [x[0].sum(axes: p.axes, keepDims: p.keepDims)]
            },
            op("prod() (integers)", torch: "a.prod()", cases: all) { x, _ in [x[0].prod()] },
            op("prod(axis:keepDims:) (integers)", torch: "a.prod(dim={axis}, keepdim={keep})", cases: single) { x, p in
                [x[0].prod(axis: p.axis, keepDims: p.keepDims)]
            },
            op("max() (integers)", torch: "a.max()", cases: nonEmpty) { x, _ in [x[0].max()] },
            op("min() (integers)", torch: "a.min()", cases: nonEmpty) { x, _ in [x[0].min()] },
            op("max(axes:keepDims:) (integers)", torch: "torch.amax(a, dim={axes}, keepdim={keep})",
               cases: CaseSets.reductions(.integers, allowEmpty: false)) { x, p in [x[0].max(axes: p.axes, keepDims: p.keepDims)] },
            op("min(axes:keepDims:) (integers)", torch: "torch.amin(a, dim={axes}, keepdim={keep})",
               cases: CaseSets.reductions(.integers, allowEmpty: false)) { x, p in [x[0].min(axes: p.axes, keepDims: p.keepDims)] },
            // torch.max(dim) gives the first index of the extreme among ties, as Nabla's.
            op("maxWithIndices(axis:keepDims:) (integers)", torch: "tuple(torch.max(a, dim={axis}, keepdim={keep}))",
               cases: single.filter { !$0.operands[0].shape.contains(0) } + ties) { x, p in
                let r = x[0].maxWithIndices(axis: p.axis, keepDims: p.keepDims); return [r.values, r.indices]
            },
            op("minWithIndices(axis:keepDims:) (integers)", torch: "tuple(torch.min(a, dim={axis}, keepdim={keep}))",
               cases: single.filter { !$0.operands[0].shape.contains(0) } + ties) { x, p in
                let r = x[0].minWithIndices(axis: p.axis, keepDims: p.keepDims); return [r.values, r.indices]
            },
            // torch's argmax and argmin refuse bool.
            op("argmax(axis:keepDims:) (integers)", torch: "torch.argmax(a, dim={axis}, keepdim={keep})", dtypes: DType.integers,
               cases: single.filter { !$0.operands[0].shape.contains(0) } + ties) { x, p in [x[0].argmax(axis: p.axis, keepDims: p.keepDims)] },
            op("argmin(axis:keepDims:) (integers)", torch: "torch.argmin(a, dim={axis}, keepdim={keep})", dtypes: DType.integers,
               cases: single.filter { !$0.operands[0].shape.contains(0) } + ties) { x, p in [x[0].argmin(axis: p.axis, keepDims: p.keepDims)] },
            op("argmax() (integers)", torch: "torch.argmax(a)", dtypes: DType.integers, cases: nonEmpty) { x, _ in [x[0].argmax()] },
            op("argmin() (integers)", torch: "torch.argmin(a)", dtypes: DType.integers, cases: nonEmpty) { x, _ in [x[0].argmin()] },
            // torch keeps uint8 for all/any of a uint8 tensor (a legacy rule); Nabla gives bool for every dtype.
            op("all(axis:) (integers)", torch: "torch.all(a, dim={axis}, keepdim={keep}).bool()", cases: single) { x, p in
                [x[0].all(axis: p.axis, keepDims: p.keepDims)]
            },
            op("any() (integers)", torch: "torch.any(a).bool()", cases: all) { x, _ in [x[0].any()] },
            op("cumsum(axis:) (integers)", torch: "torch.cumsum(a, {axis})", cases: single) { x, p in [x[0].cumsum(axis: p.axis)] },
            op("cumprod(axis:) (integers)", torch: "torch.cumprod(a, {axis})", cases: single) { x, p in [x[0].cumprod(axis: p.axis)] },
        ]
    }

    static var sorting: [DifferentialOp] {
        func c(_ label: String, _ shape: [Int], _ layout: Layout = .contiguous, _ values: Values = .integers, axis: Int,
               descending: Bool = false) -> Case {
            Case(label, [Operand(shape, layout, values)], Params(axes: [axis], keepDims: descending))
        }
        let cases = [
            c("[3,5] axis -1", [3, 5], axis: -1), c("[4,3] axis 0", [4, 3], axis: 0),
            c("transposed [3,4] axis 1", [3, 4], .transposed, axis: 1), c("ties [4,6] axis 1", [4, 6], .contiguous, small, axis: 1),
            c("[0,3] axis 1", [0, 3], axis: 1), c("rank 0", [], axis: 0),
        ]
        let both = cases + cases.map { Case($0.label + " descending", $0.operands, Params(axes: $0.params.axes, keepDims: true)) }
        // Distinct values, so that topk's order of ties (which torch leaves open) does not arise.
        let distinct = Values.exact([5, 0, 3, 9, 1, 7, 2, 8, 4, 6, 11, 10, 14, 13, 12])
        return [
            op("sort(axis:descending:) (integers)", torch: "tuple(torch.sort(a, dim={axis}, descending={keep}, stable=True))",
               cases: both) { x, p in let r = x[0].sort(axis: p.axis, descending: p.keepDims); return [r.values, r.indices] },
            op("argsort(axis:descending:) (integers)", torch: "torch.argsort(a, dim={axis}, descending={keep}, stable=True)",
               cases: both) { x, p in [x[0].argsort(axis: p.axis, descending: p.keepDims)] },
            // torch's topk refuses bool.
            op("topk (integers)", torch: "tuple(torch.topk(a, {scalar:int}, dim={axis}, largest={keep}))", dtypes: DType.integers, cases: [
                Case("[3,5] 2 largest", [Operand([3, 5], .contiguous, distinct)], Params(axes: [-1], keepDims: true, scalar: 2)),
                Case("[5,3] 3 smallest on 0", [Operand([5, 3], .transposed, distinct)], Params(axes: [0], keepDims: false, scalar: 3)),
                Case("[15] 0", [Operand([15], .contiguous, distinct)], Params(axes: [0], keepDims: true, scalar: 0)),
            ]) { x, p in let r = x[0].topk(Int(p.scalar), axis: p.axis, largest: p.keepDims); return [r.values, r.indices] },
            op("topk values with ties (integers)", torch: "torch.topk(a, {scalar:int}, dim={axis}, largest={keep}).values",
               dtypes: DType.integers, cases: [
                Case("[4,6] 3 largest", [Operand([4, 6], .contiguous, .integers)], Params(axes: [1], keepDims: true, scalar: 3)),
                Case("[4,6] 4 smallest", [Operand([4, 6], .contiguous, small)], Params(axes: [1], keepDims: false, scalar: 4)),
            ]) { x, p in [x[0].topk(Int(p.scalar), axis: p.axis, largest: p.keepDims).values] },
        ]
    }

    /// indexSelect with int64 indices.
    static var indexing: [DifferentialOp] {
        let indices = Operand([4], .contiguous, .classes(3))
        return [
            op("indexSelect(axis:_:) (integers)", torch: "a.index_select({axis}, b)", cases: [
                Case("[3,4] axis 0", [Operand([3, 4]), indices], Params(axes: [0])),
                Case("[2,3,4] sliced axis 1", [Operand([2, 3, 4], .sliced), indices], Params(axes: [1])),
                Case("transposed [4,3] axis -1", [Operand([4, 3], .transposed), indices], Params(axes: [-1])),
                Case("no indices", [Operand([3, 4]), Operand([0], .contiguous, .classes(3))], Params(axes: [0])),
            ]) { x, p in [x[0].indexSelect(axis: p.axis, x[1])] },
        ]
    }

    /// matmul and einsum, whose integer sums of products wrap in the operands' dtype as torch's (torch refuses bool).
    static var products: [DifferentialOp] {
        [
            op("matmul (integers)", torch: "torch.matmul(a, b)", dtypes: DType.integers, cases: [
                Case("[3,4] [4,5]", [Operand([3, 4]), Operand([4, 5])]),
                Case("[3,4] transposed [4,5] small", [Operand([3, 4], .transposed, small), Operand([4, 5], .contiguous, small)]),
                Case("[2,3,4] batch [4,2] stepped", [Operand([2, 3, 4]), Operand([4, 2], .stepped)]),
                Case("[2,1,3,4] [5,4,2] broadcast batches", [Operand([2, 1, 3, 4], .contiguous, small), Operand([5, 4, 2], .sliced, small)]),
                Case("[4] [4,3]", [Operand([4]), Operand([4, 3], .expanded(from: [1, 3]))]),
                Case("[3,4] [4]", [Operand([3, 4]), Operand([4])]),
                Case("[4] [4]", [Operand([4]), Operand([4])]),
                Case("[3,0] [0,2]", [Operand([3, 0]), Operand([0, 2])]),
            ]) { x, _ in [x[0].matmul(x[1])] },
            op("einsum (integers)", torch: "torch.einsum('{text}', *inputs)", dtypes: DType.integers, cases: [
                Case("ij,jk->ik", [Operand([3, 4]), Operand([4, 2])], Params(text: "ij,jk->ik")),
                Case("bij,bjk->bik", [Operand([2, 3, 4], .contiguous, small), Operand([2, 4, 2], .contiguous, small)], Params(text: "bij,bjk->bik")),
                Case("ii->i", [Operand([3, 3])], Params(text: "ii->i")),
                Case("ij->", [Operand([3, 4], .transposed)], Params(text: "ij->")),
            ]) { x, p in [Tensor.einsum(p.text, x)] },
        ]
    }

    /// `to(_:)` from every dtype to each: integers narrow by wrapping, int64 rounds to the nearest
    /// float, non-zero is true, floats truncate toward zero. Float sources hold values in the
    /// target's range (torch leaves a float beyond it undefined); integer sources span their dtype.
    static var conversions: [DifferentialOp] {
        DType.allCases.map { target in
            let values: Values = target == .uint8 || target == .bool ? .uniform(0, 255) : .normal(scale: 1000)
            return op("to(.\(target))", torch: "a.to(torch.\(target))", dtypes: DType.every, cases: [
                Case("[3,5]", [Operand([3, 5], .contiguous, values)]),
                Case("transposed [4,3]", [Operand([4, 3], .transposed, values)]),
                Case("rank 0", [Operand([], .contiguous, values)]),
                Case("[0]", [Operand([0], .contiguous, values)]),
            ]) { x, _ in [x[0].to(target)] }
        }
    }

    static var counting: [DifferentialOp] {
        let sequences = [Case("[3,5] across the dtype", [Operand([3, 5])]),
                         Case("[4,6] ties", [Operand([4, 6], .contiguous, small)]),
                         Case("[7] transposed view", [Operand([1, 7], .transposed)])]
        let counts = [Case("[12] of 0...5", [Operand([12], .contiguous, .integersIn(0...5))]),
                      Case("[7] stepped of 0...9", [Operand([7], .stepped, .integersIn(0...9))])]
        let sorted = Values.exact([0, 0, 1, 3, 3, 7]), probes = Values.exact([0, 1, 2, 7, 8, 3, 0, 5])
        let search = [Case("[6] probes [2,4]", [Operand([6], .contiguous, sorted), Operand([2, 4], .contiguous, probes)])]
        return [
            op("unique() (integers)", torch: "torch.unique(a, sorted=True, return_inverse=True, return_counts=True)", cases: sequences) { x, _ in
                let u = x[0].unique(); return [u.values, u.inverse, u.counts]
            },
            op("nonzero() (integers)", torch: "torch.nonzero(a)", cases: sequences) { x, _ in [x[0].nonzero()] },
            // torch's bincount refuses bool; integer weights count in float64.
            op("bincount(minLength: 8) (integers)", torch: "torch.bincount(a, minlength=8)", dtypes: DType.integers, cases: counts) { x, _ in
                [x[0].bincount(minLength: 8)]
            },
            op("bincount(weights:) (integers)", torch: "torch.bincount(a, weights=b)", dtypes: DType.integers, cases: counts.map {
                Case($0.label, $0.operands + [Operand($0.operands[0].shape, .contiguous, small, dtype: .int32)])
            }) { x, _ in [x[0].bincount(weights: x[1])] },
            op("searchsorted(_:right:) (integers)", torch: "torch.searchsorted(a, b, right={keep})", dtypes: DType.integers,
               cases: search + search.map { Case($0.label + " right", $0.operands, Params(keepDims: true)) }) { x, p in
                [x[0].searchsorted(x[1], right: p.keepDims)]
            },
            op("oneHot(classes: 6) (int64)", torch: "F.one_hot(a, 6)", dtypes: [.int64], cases: [counts[0]]) { x, _ in [x[0].oneHot(classes: 6)] },
        ]
    }
}
