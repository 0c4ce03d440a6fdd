import Nabla
import NablaNN

/// The ops issue #10 added for PyTorch users, by kind: elementwise, reductions
/// along an axis, movement and selection, and the losses built on them.
enum TorchParityTable {
    static var ops: [DifferentialOp] { elementwise + binary + reductions + movement + losses }

    private static func unaryOp(_ name: String, _ torch: String, ulps: Double, floor: Double = 1, note: String? = nil,
                                values: Values = .normal, special: [Float] = CaseSets.edges,
                                gradUlps: Double? = nil, _ op: @escaping (Tensor) -> Tensor) -> DifferentialOp {
        DifferentialOp(name, torch: torch, ulps: ulps, gradUlps: gradUlps, floor: floor, note: note,
                       cases: CaseSets.unary(values, special: special)) { x, _ in op(x[0]) }
    }

    /// Bool masks, as torch's: exact, no gradient.
    private static func maskOp(_ name: String, _ torch: String, _ op: @escaping (Tensor) -> Tensor) -> DifferentialOp {
        DifferentialOp(name, torch: torch, ulps: 0, differentiable: 0,
                       cases: CaseSets.unary(special: CaseSets.edges)) { x, _ in op(x[0]) }
    }

    static let halves: [Float] = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 1e7 + 1, -0.0]

    static var elementwise: [DifferentialOp] {
        [
            unaryOp("sign", "torch.sign(a)", ulps: 0) { $0.sign() },
            unaryOp("sin", "torch.sin(a)", ulps: 2, special: CaseSets.edges + [1e4, 3.1415927]) { $0.sin() },
            unaryOp("cos", "torch.cos(a)", ulps: 2, special: CaseSets.edges + [1e4, 1.5707964]) { $0.cos() },
            unaryOp("log1p", "torch.log1p(a)", ulps: 2, floor: 0, values: .uniform(-0.9, 3),
                    special: [0, -0.0, -1, -2, 1e-30, -1e-7, .infinity, .nan, 3e38]) { $0.log1p() },
            unaryOp("expm1", "torch.expm1(a)", ulps: 2, floor: 0, special: CaseSets.largeLogits + [1e-30, -1e-7]) { $0.expm1() },
            unaryOp("rsqrt", "torch.rsqrt(a)", ulps: 2, floor: 0, values: .positive,
                    special: [0, -0.0, -1, 1e-30, .infinity, .nan, 3e38]) { $0.rsqrt() },
            unaryOp("reciprocal", "torch.reciprocal(a)", ulps: 1, floor: 0, special: CaseSets.edges, gradUlps: 4) { $0.reciprocal() },
            unaryOp("floor", "torch.floor(a)", ulps: 0, special: CaseSets.edges + halves) { $0.floor() },
            unaryOp("ceil", "torch.ceil(a)", ulps: 0, special: CaseSets.edges + halves) { $0.ceil() },
            unaryOp("round", "torch.round(a)", ulps: 0, note: "halves round to even, as torch", special: CaseSets.edges + halves) { $0.round() },
            unaryOp("leakyRelu()", "F.leaky_relu(a)", ulps: 1) { $0.leakyRelu() },
            unaryOp("leakyRelu(negativeSlope: 0.2)", "F.leaky_relu(a, 0.2)", ulps: 1) { $0.leakyRelu(negativeSlope: 0.2) },
            unaryOp("gelu()", "F.gelu(a)", ulps: 8, special: CaseSets.largeLogits + [-5, -10, 5]) { $0.gelu() },
            unaryOp("gelu(approximate: .tanh)", "F.gelu(a, approximate='tanh')", ulps: 8,
                    special: CaseSets.largeLogits + [-5, -10, 5]) { $0.gelu(approximate: .tanh) },
            unaryOp("softplus()", "F.softplus(a)", ulps: 4, special: CaseSets.largeLogits + [20, 20.5, -20]) { $0.softplus() },
            unaryOp("softplus(beta: 2, threshold: 5)", "F.softplus(a, 2, 5)", ulps: 4,
                    special: CaseSets.largeLogits + [2.5, 2.6, -3]) { $0.softplus(beta: 2, threshold: 5) },
            maskOp("isNaN", "torch.isnan(a)") { $0.isNaN() },
            maskOp("isFinite", "torch.isfinite(a)") { $0.isFinite() },
            unaryOp("nanToNum()", "torch.nan_to_num(a, posinf=torch.finfo(dtype).max, neginf=torch.finfo(dtype).min)", ulps: 0,
                    note: "infinities become the extremes of the tensor's dtype (as torch's)") { $0.nanToNum() },
            unaryOp("nanToNum(nan: 1, posinf: 2, neginf: -3)", "torch.nan_to_num(a, 1.0, 2.0, -3.0)", ulps: 0) {
                $0.nanToNum(nan: 1, posinf: 2, neginf: -3)
            },
            DifferentialOp("tril(diagonal:)", torch: "torch.tril(a, {axis})", ulps: 0, cases: triangleCases) { x, p in
                x[0].tril(diagonal: p.axis)
            },
            DifferentialOp("triu(diagonal:)", torch: "torch.triu(a, {axis})", ulps: 0, cases: triangleCases) { x, p in
                x[0].triu(diagonal: p.axis)
            },
            DifferentialOp("maskedFill", torch: "a.masked_fill(b != 0, {scalar})", ulps: 0, cases: [
                ([3, 4], [3, 4]), ([3, 4], [4]), ([2, 3, 4], [3, 1]), ([0, 4], [4]), ([], []),
            ].map { a, m in
                Case("\(a) mask \(m)", [Operand(a), Operand(m, .contiguous, .binary, grad: false)], Params(scalar: -7.5))
            } + [Case("transposed, fill NaN", [Operand([3, 4], .transposed), Operand([3, 4], .sliced, .binary, grad: false)],
                      Params(scalar: .nan))]) { x, p in x[0].maskedFill(x[1], p.scalar) },
        ] + ElementwiseTable.leftScalarComparisons
    }

    static let triangleCases: [Case] = [0, 1, -1, 5, -4].map { k in
        Case("[3,4] diagonal \(k)", [Operand([3, 4])], Params(axes: [k]))
    } + [
        Case("[2,4,3] transposed diagonal 0", [Operand([2, 4, 3], .transposed)], Params(axes: [0])),
        Case("[4,3] expanded diagonal -1", [Operand([4, 3], .expanded(from: [1, 3]))], Params(axes: [-1])),
        Case("[0,3] diagonal 0", [Operand([0, 3])], Params(axes: [0])),
    ]

    static var binary: [DifferentialOp] {
        let note = "ties split the gradient in halves, as torch"
        return [
            DifferentialOp("maximum", torch: "torch.maximum(a, b)", ulps: 0, note: note,
                           cases: CaseSets.binary(.classes(3), .classes(3), special: CaseSets.edges)) { x, _ in Tensor.maximum(x[0], x[1]) },
            DifferentialOp("minimum", torch: "torch.minimum(a, b)", ulps: 0, note: note,
                           cases: CaseSets.binary(.classes(3), .classes(3), special: CaseSets.edges)) { x, _ in Tensor.minimum(x[0], x[1]) },
            DifferentialOp("pow(Tensor)", torch: "torch.pow(a, b)", ulps: 8, floor: 0,
                           cases: CaseSets.binary(.positive, .uniform(-2, 2))
                               + [Case("signed bases, integral exponents", [Operand([3, 4]), Operand([4], .contiguous, .classes(4))]),
                                  Case("special values, all pairs", CaseSets.binary(special: [0, 1, 2, -2, 0.5, .infinity, .nan]).last!.operands)])
            { x, _ in x[0].pow(x[1]) },
        ]
    }

    /// Reductions over one axis of the standard shapes (and over all elements where `all` is given).
    private static func alongAxis(_ values: Values = .normal) -> [Case] {
        CaseSets.reductions(values, allowEmpty: false).filter { $0.params.axes.count == 1 }
    }

    static var reductions: [DifferentialOp] {
        let lane = reducedLength
        let softmaxEdges = [
            Case("large logits [2,6]", [Operand([2, 6], .contiguous, .exact([1e4, 0, -1e4, 88, 89, 100, -104, -1e4, -88, 0, 3, 3]))]),
            Case("-inf in a row [2,3]", [Operand([2, 3], .contiguous, .exact([-.infinity, 0, 1, -.infinity, -.infinity, 2]))]),
        ].map { Case($0.label, $0.operands, Params(axes: [1])) }
        let constantLane = Case("a constant lane [2,4]", [Operand([2, 4], .contiguous, .exact([3, 3, 3, 3, 1, -2, 0.5, 4]))], Params(axes: [1]))
        let zeros = Case("zeros [3,4]", [Operand([3, 4], .contiguous, .exact([0, 2, 0, 3, 0, 0, 1, 1, 1, 2, -1, 0.5]))], Params(axes: [1]))
        return [
            DifferentialOp("softmax(axis:)", torch: "torch.softmax(a, {axis})", ulps: 4, length: lane, cases: alongAxis() + softmaxEdges)
            { x, p in x[0].softmax(axis: p.axis) },
            DifferentialOp("logSoftmax(axis:)", torch: "torch.log_softmax(a, {axis})", ulps: 4, length: lane,
                           cases: alongAxis() + softmaxEdges) { x, p in x[0].logSoftmax(axis: p.axis) },
            DifferentialOp("logsumexp(axis:keepDims:)", torch: "torch.logsumexp(a, {axis}, keepdim={keep})", ulps: 4, length: lane,
                           cases: alongAxis() + softmaxEdges) { x, p in x[0].logsumexp(axis: p.axis, keepDims: p.keepDims) },
            DifferentialOp("variance(axes:correction: 1)", torch: "torch.var(a, dim={axes}, correction=1, keepdim={keep})", ulps: 4,
                           length: lane, cases: CaseSets.reductions(allowEmpty: false) + [constantLane])
            { x, p in x[0].variance(axes: p.axes, correction: 1, keepDims: p.keepDims) },
            DifferentialOp("variance(correction: 0)", torch: "torch.var(a, correction=0)", ulps: 4, length: elementCount,
                           cases: CaseSets.unary().filter { !$0.operands[0].shape.contains(0) }) { x, _ in x[0].variance(correction: 0) },
            DifferentialOp("std(axes:correction: 1)", torch: "torch.std(a, dim={axes}, correction=1, keepdim={keep})", ulps: 4,
                           length: lane, cases: CaseSets.reductions(allowEmpty: false).filter { reducedLength($0.operands.map(\.shape), $0.params) > 1 }
                               + [constantLane]) { x, p in x[0].std(axes: p.axes, correction: 1, keepDims: p.keepDims) },
            DifferentialOp("std(correction: 0)", torch: "torch.std(a, correction=0)", ulps: 4, length: elementCount,
                           cases: CaseSets.unary().filter { !$0.operands[0].shape.contains(0) }) { x, _ in x[0].std(correction: 0) },
            DifferentialOp("prod(axis:keepDims:)", torch: "torch.prod(a, {axis}, keepdim={keep})", ulps: 2, length: lane,
                           cases: alongAxis(.uniform(-1.5, 1.5)).filter { reducedLength($0.operands.map(\.shape), $0.params) < 100 } + [zeros])
            { x, p in x[0].prod(axis: p.axis, keepDims: p.keepDims) },
            DifferentialOp("prod()", torch: "torch.prod(a)", ulps: 2, length: elementCount,
                           cases: CaseSets.unary(.uniform(-1.5, 1.5)) + [Case(zeros.label, zeros.operands)]) { x, _ in x[0].prod() },
            DifferentialOp("cumsum(axis:)", torch: "torch.cumsum(a, {axis})", ulps: 1, length: lane,
                           cases: alongAxis() + [Case("[0,3] axis 0", [Operand([0, 3])], Params(axes: [0]))]) { x, p in x[0].cumsum(axis: p.axis) },
            DifferentialOp("argmin(axis:keepDims:)", torch: "torch.argmin(a, dim={axis}, keepdim={keep})", ulps: 0, differentiable: 0,
                           cases: alongAxis() + [ReductionTable.ties, ReductionTable.nanRow, ReductionTable.infinities].map {
                               Case($0.label, $0.operands, Params(axes: [1]))
                           }) { x, p in x[0].argmin(axis: p.axis, keepDims: p.keepDims) },
            DifferentialOp("argmax()", torch: "torch.argmax(a)", ulps: 0, differentiable: 0,
                           cases: CaseSets.unary().filter { !$0.operands[0].shape.contains(0) }
                               + [ReductionTable.ties, ReductionTable.nanRow, ReductionTable.infinities]) { x, _ in x[0].argmax() },
            DifferentialOp("argmin()", torch: "torch.argmin(a)", ulps: 0, differentiable: 0,
                           cases: CaseSets.unary().filter { !$0.operands[0].shape.contains(0) }
                               + [ReductionTable.ties, ReductionTable.nanRow, ReductionTable.infinities]) { x, _ in x[0].argmin() },
            DifferentialOp("maxWithIndices(axis:keepDims:)", torch: "tuple(torch.max(a, {axis}, keepdim={keep}))", ulps: 0,
                           note: "the gradient goes to the returned index only, as torch.max(dim)",
                           cases: alongAxis() + [ReductionTable.nanRow, ReductionTable.infinities].map { Case($0.label, $0.operands, Params(axes: [1])) })
            { x, p in let r = x[0].maxWithIndices(axis: p.axis, keepDims: p.keepDims); return [r.values, r.indices] },
            DifferentialOp("minWithIndices(axis:keepDims:)", torch: "tuple(torch.min(a, {axis}, keepdim={keep}))", ulps: 0,
                           note: "the gradient goes to the returned index only, as torch.min(dim)",
                           cases: alongAxis() + [ReductionTable.nanRow, ReductionTable.infinities].map { Case($0.label, $0.operands, Params(axes: [1])) })
            { x, p in let r = x[0].minWithIndices(axis: p.axis, keepDims: p.keepDims); return [r.values, r.indices] },
            DifferentialOp("all(axis:keepDims:)", torch: "torch.all(a, {axis}, keepdim={keep})", ulps: 0, differentiable: 0,
                           cases: alongAxis(.classes(2)) + [zeros]) { x, p in x[0].all(axis: p.axis, keepDims: p.keepDims) },
            DifferentialOp("any(axis:keepDims:)", torch: "torch.any(a, {axis}, keepdim={keep})", ulps: 0, differentiable: 0,
                           cases: alongAxis(.classes(2)) + [zeros]) { x, p in x[0].any(axis: p.axis, keepDims: p.keepDims) },
            DifferentialOp("all()", torch: "torch.all(a)", ulps: 0, differentiable: 0,
                           cases: CaseSets.unary(.classes(2)) + [Case(zeros.label, zeros.operands)]) { x, _ in x[0].all() },
            DifferentialOp("any()", torch: "torch.any(a)", ulps: 0, differentiable: 0,
                           cases: CaseSets.unary(.classes(2)) + [Case(zeros.label, zeros.operands)]) { x, _ in x[0].any() },
        ] + norms
    }

    static var norms: [DifferentialOp] {
        let zeroRow = Case("a zero row [2,3]", [Operand([2, 3], .contiguous, .exact([0, 0, 0, 1, -2, 2]))], Params(axes: [1]))
        let ties = Case("tied magnitudes [2,3]", [Operand([2, 3], .contiguous, .exact([2, -2, 1, 0, 3, -3]))], Params(axes: [1]))
        return [Float(2), 1, 3, .infinity, -.infinity, 0].map { (order: Float) in
            DifferentialOp("norm(p: \(order), axes:)", torch: "torch.linalg.vector_norm(a, ord={scalar}, dim={axes}, keepdim={keep})",
                           ulps: 4, note: order.isInfinite ? "ties of the largest |x| split the gradient, as torch's amax" : nil,
                           length: reducedLength,
                           cases: (CaseSets.reductions(allowEmpty: false) + [zeroRow, ties]).map {
                               Case($0.label, $0.operands, Params(axes: $0.params.axes, keepDims: $0.params.keepDims, scalar: order))
                           }) { x, p in x[0].norm(p: Double(p.scalar), axes: p.axes, keepDims: p.keepDims) }
        } + [
            DifferentialOp("frobeniusNorm(axes:)", torch: "torch.linalg.matrix_norm(a, 'fro', dim={axes}, keepdim={keep})", ulps: 4,
                           length: reducedLength, cases: [
                               Case("[3,4]", [Operand([3, 4])], Params(axes: [-2, -1])),
                               Case("[2,3,4] transposed", [Operand([2, 3, 4], .transposed)], Params(axes: [-2, -1])),
                               Case("[3,4,2] axes 0,1 keepDims", [Operand([3, 4, 2])], Params(axes: [0, 1], keepDims: true)),
                               Case("zeros [2,2]", [Operand([2, 2], .contiguous, .exact([0, 0, 0, 0]))], Params(axes: [-2, -1])),
                           ]) { x, p in x[0].frobeniusNorm(axes: p.axes, keepDims: p.keepDims) },
        ]
    }

    static var movement: [DifferentialOp] {
        func c(_ label: String, _ operands: [Operand], axes: [Int] = [], ints: [Int] = [], scalar: Float = 0) -> Case {
            Case(label, operands, Params(axes: axes, scalar: scalar, ints: ints))
        }
        let sortCases = [
            c("[3,5] axis -1", [Operand([3, 5])], axes: [-1]), c("[4,3] axis 0", [Operand([4, 3])], axes: [0]),
            c("transposed [3,4] axis 1", [Operand([3, 4], .transposed)], axes: [1]),
            c("ties and NaN [2,5]", [Operand([2, 5], .contiguous, .exact([1, .nan, 1, -.infinity, 0, 2, 2, .nan, 2, -0.0]))], axes: [1]),
            c("[0,3] axis 1", [Operand([0, 3])], axes: [1]), c("rank 0", [Operand([])], axes: [0]),
        ]
        let indices = Operand([4], .contiguous, .exact([2, 0, 2, 1]), grad: false)
        return [
            DifferentialOp("flip(axes:)", torch: "torch.flip(a, {ints})", ulps: 0, dtypes: DType.every, cases: [
                c("[3,4] axis 0", [Operand([3, 4])], ints: [0]), c("[2,3,4] axes 0,2", [Operand([2, 3, 4], .sliced)], ints: [0, 2]),
                c("transposed [3,4] axis -1", [Operand([3, 4], .transposed)], ints: [-1]), c("[0,2] axis 0", [Operand([0, 2])], ints: [0]),
            ]) { x, p in x[0].flip(axes: p.ints) },
            DifferentialOp("roll(shifts:axes:)", torch: "torch.roll(a, {ints}, {axes})", ulps: 0, dtypes: DType.every, cases: [
                c("[3,4] 1 on 0", [Operand([3, 4])], axes: [0], ints: [1]),
                c("[3,4] -5, 2 on 1, 0", [Operand([3, 4], .stepped)], axes: [1, 0], ints: [-5, 2]),
                c("expanded [3,4] 2 on 1", [Operand([3, 4], .expanded(from: [3, 1]))], axes: [1], ints: [2]),
            ]) { x, p in x[0].roll(shifts: p.ints, axes: p.axes) },
            DifferentialOp("roll(_:)", torch: "torch.roll(a, {axis})", ulps: 0, dtypes: DType.every, cases: [
                c("[3,4] 5", [Operand([3, 4])], axes: [5]), c("transposed [3,4] -2", [Operand([3, 4], .transposed)], axes: [-2]),
            ]) { x, p in x[0].roll(p.axis) },
            DifferentialOp("repeat", torch: "a.repeat(*{ints})", ulps: 0, gradUlps: 1, length: { _, p in p.ints.reduce(1, *) }, dtypes: DType.every, cases: [
                c("[2,3] 2,1", [Operand([2, 3])], ints: [2, 1]), c("[2,3] 2,2,3", [Operand([2, 3], .transposed)], ints: [2, 2, 3]),
                c("[3] 0", [Operand([3])], ints: [0]), c("rank 0 4", [Operand([])], ints: [4]),
            ]) { x, p in x[0].repeat(p.ints) },
            DifferentialOp("tile", torch: "torch.tile(a, {ints})", ulps: 0, gradUlps: 1, length: { _, p in p.ints.reduce(1, *) }, dtypes: DType.every, cases: [
                c("[2,3] 2", [Operand([2, 3])], ints: [2]), c("[2,3] 3,1,2", [Operand([2, 3], .sliced)], ints: [3, 1, 2]),
            ]) { x, p in x[0].tile(p.ints) },
            DifferentialOp("narrow(axis:start:length:)", torch: "a.narrow(*{ints})", ulps: 0, dtypes: DType.every, cases: [
                c("[4,3] 0, 1, 2", [Operand([4, 3])], ints: [0, 1, 2]), c("[4,3] 1, -2, 2", [Operand([4, 3], .transposed)], ints: [1, -2, 2]),
                c("[4,3] 0, 4, 0", [Operand([4, 3])], ints: [0, 4, 0]),
            ]) { x, p in x[0].narrow(axis: p.ints[0], start: p.ints[1], length: p.ints[2]) },
            DifferentialOp("split(size:axis:)", torch: "torch.split(a, {scalar:int}, {axis})", ulps: 0, differentiable: .max, dtypes: DType.every, cases: [
                c("[5,3] 2 on 0", [Operand([5, 3])], axes: [0], scalar: 2), c("[3,4] 4 on 1", [Operand([3, 4], .transposed)], axes: [1], scalar: 4),
            ]) { x, p in x[0].split(size: Int(p.scalar), axis: p.axis) },
            DifferentialOp("split(sizes:axis:)", torch: "torch.split(a, {ints}, {axis})", ulps: 0, differentiable: .max, dtypes: DType.every, cases: [
                c("[6,2] 1,0,5 on 0", [Operand([6, 2])], axes: [0], ints: [1, 0, 5]),
                c("[2,6] 3,3 on -1", [Operand([2, 6], .stepped)], axes: [-1], ints: [3, 3]),
            ]) { x, p in x[0].split(sizes: p.ints, axis: p.axis) },
            DifferentialOp("chunk(_:axis:)", torch: "torch.chunk(a, {scalar:int}, {axis})", ulps: 0, differentiable: .max, dtypes: DType.every, cases: [
                c("[5,3] 3 on 0", [Operand([5, 3])], axes: [0], scalar: 3), c("[6,2] 4 on 0", [Operand([6, 2])], axes: [0], scalar: 4),
                c("[2,3] 5 on 1", [Operand([2, 3], .transposed)], axes: [1], scalar: 5),
            ]) { x, p in x[0].chunk(Int(p.scalar), axis: p.axis) },
            DifferentialOp("indexSelect(axis:_:)", torch: "a.index_select({axis}, b.long())", ulps: 0, gradUlps: 1,
                           length: { _, _ in 2 }, cases: [
                c("[3,4] axis 0", [Operand([3, 4]), indices], axes: [0]),
                c("[2,3,4] axis 1", [Operand([2, 3, 4], .sliced), Operand([4], .contiguous, .classes(3), grad: false)], axes: [1]),
                c("transposed [4,3] axis -1", [Operand([4, 3], .transposed), indices], axes: [-1]),
                c("no indices", [Operand([3, 4]), Operand([0], .contiguous, .classes(3), grad: false)], axes: [0]),
            ]) { x, p in x[0].indexSelect(axis: p.axis, x[1]) },
            DifferentialOp("gather(axis:indices:)", torch: "torch.gather(a, {axis}, b.long())", ulps: 0, gradUlps: 1,
                           length: { shapes, p in shapes[1][p.axis < 0 ? p.axis + shapes[1].count : p.axis] }, dtypes: DType.every, cases: [
                c("[3,4] axis 1", [Operand([3, 4]), Operand([3, 6], .contiguous, .classes(4), grad: false)], axes: [1]),
                c("[3,4] axis 0", [Operand([3, 4], .transposed), Operand([5, 2], .contiguous, .classes(3), grad: false)], axes: [0]),
                c("[2,3,4] axis -1", [Operand([2, 3, 4], .stepped), Operand([2, 3, 1], .contiguous, .classes(4), grad: false)], axes: [-1]),
            ]) { x, p in x[0].gather(axis: p.axis, indices: x[1]) },
            DifferentialOp("sort(axis:)", torch: "tuple(torch.sort(a, dim={axis}, stable=True))", ulps: 0,
                           note: "stable; NaN counts as the largest, as torch", cases: sortCases)
            { x, p in let r = x[0].sort(axis: p.axis); return [r.values, r.indices] },
            DifferentialOp("sort(axis:descending: true)", torch: "tuple(torch.sort(a, dim={axis}, descending=True, stable=True))",
                           ulps: 0, cases: sortCases) { x, p in let r = x[0].sort(axis: p.axis, descending: true); return [r.values, r.indices] },
            DifferentialOp("argsort(axis:descending:)", torch: "torch.argsort(a, dim={axis}, descending={keep}, stable=True)", ulps: 0,
                           differentiable: 0, cases: sortCases + sortCases.map { Case($0.label + " descending", $0.operands,
                                                                                       Params(axes: $0.params.axes, keepDims: true)) })
            { x, p in x[0].argsort(axis: p.axis, descending: p.keepDims) },
            DifferentialOp("topk", torch: "tuple(torch.topk(a, {scalar:int}, dim={axis}, largest={keep}))", ulps: 0, cases: [
                Case("[3,5] 2 largest", [Operand([3, 5])], Params(axes: [-1], keepDims: true, scalar: 2)),
                Case("[4,3] 3 smallest on 0", [Operand([4, 3], .transposed)], Params(axes: [0], keepDims: false, scalar: 3)),
                Case("[6] 0", [Operand([6])], Params(axes: [0], keepDims: true, scalar: 0)),
                Case("[2,3] NaN largest", [Operand([2, 3], .contiguous, .exact([1, .nan, 3, -.infinity, 5, 4]))],
                     Params(axes: [1], keepDims: true, scalar: 2)),
            ]) { x, p in let r = x[0].topk(Int(p.scalar), axis: p.axis, largest: p.keepDims); return [r.values, r.indices] },
            DifferentialOp("subscript: steps and ellipsis", torch: "a[{text}]", ulps: 0, dtypes: DType.every, cases: [
                Case("[7,3][1::2]", [Operand([7, 3])], Params(text: "1::2", indices: [TensorSlice(1, nil, step: 2)])),
                Case("[7,3] transposed[:, ::3]", [Operand([3, 7], .transposed)], Params(text: ":, ::3", indices: [0..., TensorSlice(step: 3)])),
                Case("[6,4][-5:5:2, 1]", [Operand([6, 4], .sliced)], Params(text: "-5:5:2, 1", indices: [TensorSlice(-5, 5, step: 2), 1])),
                Case("[2,3,4][..., 1]", [Operand([2, 3, 4])], Params(text: "..., 1", indices: [TensorEllipsis(), 1])),
                Case("[2,3,4][0, ..., 1:3]", [Operand([2, 3, 4], .stepped)], Params(text: "0, ..., 1:3", indices: [0, TensorEllipsis(), 1..<3])),
            ]) { x, p in x[0][p.indices] },
            // torch's `y[i] = b` as an expression: numpy's s_ builds the index from the same text.
            DifferentialOp("subscript assignment", torch: "(lambda y: (y.__setitem__(np.s_[{text}], b), y)[1])(a.clone())", ulps: 0,
                           gradUlps: 1, length: { shapes, _ in shapes[0].reduce(1, *) }, dtypes: DType.every, cases: [
                Case("[4,3][1:3, 1] = [2]", [Operand([4, 3]), Operand([2])], Params(text: "1:3, 1", indices: [1..<3, 1])),
                Case("[4,3][0] = rank 0", [Operand([4, 3], .transposed), Operand([])], Params(text: "0", indices: [0])),
                Case("[6,3][::2] = [1,3]", [Operand([6, 3]), Operand([1, 3], .sliced)], Params(text: "::2", indices: [TensorSlice(step: 2)])),
                Case("[2,3,4][..., -1] = transposed [1,3]", [Operand([2, 3, 4], .sliced), Operand([1, 3], .transposed)],
                     Params(text: "..., -1", indices: [TensorEllipsis(), -1])),
            ]) { x, p in
                var y = x[0].clone()
                y[p.indices] = x[1]
                return y
            },
            DifferentialOp("outer", torch: "torch.outer(a, b)", ulps: 1, dtypes: DType.floating + DType.integers, cases: [
                c("[3] [4]", [Operand([3]), Operand([4])]), c("stepped [3] expanded [4]", [Operand([3], .stepped), Operand([4], .expanded(from: [1]))]),
                c("[0] [2]", [Operand([0]), Operand([2])]),
            ]) { x, _ in x[0].outer(x[1]) },
            DifferentialOp("dot", torch: "torch.dot(a, b)", ulps: 2, length: elementCount, dtypes: DType.floating + DType.integers, cases: [
                c("[5]", [Operand([5]), Operand([5])]), c("stepped, sliced [300]", [Operand([300], .stepped), Operand([300], .sliced)]),
                c("expanded [4]", [Operand([4], .expanded(from: [1])), Operand([4])]), c("[0]", [Operand([0]), Operand([0])]),
            ]) { x, _ in x[0].dot(x[1]) },
        ]
    }

    static var losses: [DifferentialOp] {
        let reductions: [(Reduction, String)] = [(.mean, "mean"), (.sum, "sum"), (.none, "none")]
        let classification = [
            Case("[4,5] logits", [Operand([4, 5]), Operand([4], .contiguous, .classes(5), grad: false)]),
            Case("[5] one sample", [Operand([5]), Operand([], .contiguous, .exact([3]), grad: false)]),
            Case("[2,3,4] spatial", [Operand([2, 3, 4], .sliced), Operand([2, 4], .contiguous, .classes(3), grad: false)]),
            Case("transposed [6,3] large logits", [Operand([6, 3], .transposed, .normal(scale: 100)), Operand([6], .contiguous, .classes(3), grad: false)]),
            Case("[0,3] empty batch", [Operand([0, 3]), Operand([0], .contiguous, .classes(3), grad: false)]),
        ]
        let probabilities = [
            Case("[4]", [Operand([4], .contiguous, .uniform(0.01, 0.99)), Operand([4], .contiguous, .binary)]),
            Case("[3,4] soft targets", [Operand([3, 4], .transposed, .uniform(0.01, 0.99)), Operand([3, 4], .contiguous, .uniform(0, 1))]),
            // The target's gradient there is that of the clamped logs (±100·g); torch's is ±inf, from unclamped ones.
            Case("0 and 1 clamp the log at -100", [Operand([4], .contiguous, .exact([0, 1, 0, 1])),
                                                   Operand([4], .contiguous, .exact([1, 0, 0, 1]), grad: false)]),
        ]
        return reductions.flatMap { reduction, name in [
            DifferentialOp("crossEntropy(reduction: .\(name))", torch: "F.cross_entropy(a, b.long(), reduction='\(name)')", ulps: 4,
                           length: elementCount, cases: classification) { x, _ in crossEntropy(x[0], x[1], reduction: reduction) },
            DifferentialOp("nllLoss(reduction: .\(name))", torch: "F.nll_loss(a, b.long(), reduction='\(name)')", ulps: 2,
                           length: elementCount, cases: classification) { x, _ in
                nllLoss(x[0], x[1], reduction: reduction)
            },
            DifferentialOp("binaryCrossEntropy(reduction: .\(name))", torch: "F.binary_cross_entropy(a, b, reduction='\(name)')", ulps: 4,
                           note: "at p = 0 or 1 the target's gradient is the clamped logs' (±100), torch's ±inf: not compared there",
                           length: elementCount, cases: probabilities) { x, _ in binaryCrossEntropy(x[0], x[1], reduction: reduction) },
            DifferentialOp("binaryCrossEntropyWithLogits(reduction: .\(name))",
                           torch: "F.binary_cross_entropy_with_logits(a, b, reduction='\(name)')", ulps: 4, length: elementCount,
                           cases: LossTable.pairs(.binary, special: [0, -0.0, 100, -100, 1e4, -1e4])) { x, _ in
                binaryCrossEntropyWithLogits(x[0], x[1], reduction: reduction)
            },
        ] } + [
            DifferentialOp("accuracy", torch: "(a.argmax(1) == b).double().mean()", ulps: 1, differentiable: 0, cases: [
                Case("[8,4]", [Operand([8, 4], .contiguous, .normal, grad: false), Operand([8], .contiguous, .classes(4), grad: false)]),
                Case("ties go to the first [3,3]", [Operand([3, 3], .contiguous, .exact([1, 1, 0, 0, 2, 2, 5, 5, 5]), grad: false),
                                                    Operand([3], .contiguous, .exact([0, 1, 1]), grad: false)]),
            ]) { x, _ in Tensor(accuracy(x[0], x[1])) },
        ]
    }
}
