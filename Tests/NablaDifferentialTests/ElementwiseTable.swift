import Nabla

/// Elementwise ops: unary math, arithmetic with tensors and with scalars,
/// comparisons and `where`. Tolerances are in ulps of float32 (no reduction).
enum ElementwiseTable {
    static var ops: [DifferentialOp] { unary + powers + scalarArithmetic + binary + comparisons + [select] }

    static let unary: [DifferentialOp] = [
        DifferentialOp("neg", torch: "-a", ulps: 0, cases: CaseSets.unary(special: CaseSets.edges)) { x, _ in -x[0] },
        DifferentialOp("abs", torch: "torch.abs(a)", ulps: 0, cases: CaseSets.unary(special: CaseSets.edges)) { x, _ in x[0].abs() },
        DifferentialOp("exp", torch: "torch.exp(a)", ulps: 2, floor: 0,
                       cases: CaseSets.unary(special: CaseSets.largeLogits)) { x, _ in x[0].exp() },
        DifferentialOp("log", torch: "torch.log(a)", ulps: 2, floor: 0,
                       cases: CaseSets.unary(.positive, special: [0, -0.0, -1, 1, .infinity, -.infinity, .nan, 1e-38, 1e-45, 3e38]))
        { x, _ in x[0].log() },
        DifferentialOp("sqrt", torch: "torch.sqrt(a)", ulps: 1, floor: 0,
                       cases: CaseSets.unary(.positive, special: [0, -0.0, -1, 1, .infinity, -.infinity, .nan, 1e-38, 1e-45, 3e38]))
        { x, _ in x[0].sqrt() },
        DifferentialOp("square", torch: "torch.square(a)", ulps: 1, floor: 0,
                       cases: CaseSets.unary(special: CaseSets.edges)) { x, _ in x[0].square() },
        DifferentialOp("sigmoid", torch: "torch.sigmoid(a)", ulps: 4,
                       cases: CaseSets.unary(special: CaseSets.largeLogits)) { x, _ in x[0].sigmoid() },
        DifferentialOp("relu", torch: "torch.relu(a)", ulps: 0, cases: CaseSets.unary(special: CaseSets.edges.filter { !$0.isNaN }) + [
            Case("NaN passes the gradient", [Operand([4], .contiguous, .exact([.nan, 1, -1, 0]))]),
        ]) { x, _ in x[0].relu() },
        DifferentialOp("tanh", torch: "torch.tanh(a)", ulps: 4, cases: CaseSets.unary(special: CaseSets.largeLogits)) { x, _ in x[0].tanh() },
        DifferentialOp("clamp(min:max:)", torch: "torch.clamp(a, -0.5, 0.75)", ulps: 0,
                       cases: CaseSets.unary(special: CaseSets.edges + [-0.5, 0.75])) { x, _ in x[0].clamp(min: -0.5, max: 0.75) },
        DifferentialOp("clamp(min:max:) with min > max", torch: "torch.clamp(a, 0.5, -0.25)", ulps: 0,
                       cases: [Case("gives max", [Operand([2, 3], .contiguous, .special([0.5, -0.25, 0, .nan]))])])
        { x, _ in x[0].clamp(min: 0.5, max: -0.25) },
        DifferentialOp("clamp(min:)", torch: "torch.clamp(a, min=0.25)", ulps: 0,
                       cases: CaseSets.unary(special: CaseSets.edges + [0.25])) { x, _ in x[0].clamp(min: 0.25) },
        DifferentialOp("clamp(max:)", torch: "torch.clamp(a, max=-0.25)", ulps: 0,
                       cases: CaseSets.unary(special: CaseSets.edges + [-0.25])) { x, _ in x[0].clamp(max: -0.25) },
    ]

    /// `pow` with a scalar exponent: integer exponents on any sign, others on positive bases.
    static let powers: [DifferentialOp] = [Float(2), 3, -1, 0, 1, 0.5, 1.5, -2.5].map(power) + [
        DifferentialOp("** 3", torch: "a ** 3", ulps: 4, floor: 0, cases: CaseSets.unary()) { x, _ in x[0] ** 3 },
    ]

    private static func power(_ exponent: Float) -> DifferentialOp {
        let integral = exponent == exponent.rounded()
        let special: [Float] = [0, 1, -1, 2, .infinity, .nan, 1e-20] + (integral ? [-0.0, -.infinity] : [])
        let cases = CaseSets.unary(integral ? .normal : .positive, special: special)
            .map { Case($0.label, $0.operands, Params(scalar: exponent)) }
        let note = integral ? nil : "pow(x, 0.5) at -0 and -inf follows C's pow in Nabla, torch's sqrt: not compared"
        return DifferentialOp("pow(\(exponent))", torch: "torch.pow(a, {scalar})", ulps: 4, floor: 0, note: note, cases: cases) { x, p in
            x[0].pow(Double(p.scalar))
        }
    }

    /// Every unary case with each scalar of `scalars`.
    static func withScalars(_ cases: [Case], _ scalars: [Float]) -> [Case] {
        cases.flatMap { c in scalars.map { s in Case("\(c.label), scalar \(s)", c.operands, Params(scalar: s)) } }
    }

    private static func scalarOp(_ name: String, _ torch: String, _ op: @escaping (Tensor, Float) -> Tensor) -> DifferentialOp {
        DifferentialOp(name, torch: torch, ulps: 1, floor: 0,
                       cases: withScalars(CaseSets.unary(special: CaseSets.edges), [-1.75, 0, .infinity])) { x, p in op(x[0], p.scalar) }
    }

    static let scalarArithmetic: [DifferentialOp] = [
        scalarOp("tensor + scalar", "a + {scalar}") { $0 + $1 },
        scalarOp("scalar + tensor", "{scalar} + a") { $1 + $0 },
        scalarOp("tensor - scalar", "a - {scalar}") { $0 - $1 },
        scalarOp("scalar - tensor", "{scalar} - a") { $1 - $0 },
        scalarOp("tensor * scalar", "a * {scalar}") { $0 * $1 },
        scalarOp("scalar * tensor", "{scalar} * a") { $1 * $0 },
        scalarOp("tensor / scalar", "a / {scalar}") { $0 / $1 },
        scalarOp("scalar / tensor", "{scalar} / a") { $1 / $0 },
    ]

    static let binary: [DifferentialOp] = [
        DifferentialOp("+", torch: "a + b", ulps: 1, cases: CaseSets.binary(special: CaseSets.edges)) { x, _ in x[0] + x[1] },
        DifferentialOp("-", torch: "a - b", ulps: 1, cases: CaseSets.binary(special: CaseSets.edges)) { x, _ in x[0] - x[1] },
        DifferentialOp("*", torch: "a * b", ulps: 1, floor: 0, cases: CaseSets.binary(special: CaseSets.edges)) { x, _ in x[0] * x[1] },
        DifferentialOp("/", torch: "a / b", ulps: 2, floor: 0,
                       cases: CaseSets.binary(.normal, .uniform(0.5, 2), special: CaseSets.edges)) { x, _ in x[0] / x[1] },
    ]

    /// Bool masks, as torch's: exact, no gradient. Small integers make ties frequent.
    static let comparisons: [DifferentialOp] =
        comparison(".==", "==", { $0 .== $1 }, { $0 .== $1 }) + comparison(".!=", "!=", { $0 .!= $1 }, { $0 .!= $1 })
        + comparison(".<", "<", { $0 .< $1 }, { $0 .< $1 }) + comparison(".<=", "<=", { $0 .<= $1 }, { $0 .<= $1 })
        + comparison(".>", ">", { $0 .> $1 }, { $0 .> $1 }) + comparison(".>=", ">=", { $0 .>= $1 }, { $0 .>= $1 })

    /// Comparisons with the scalar on the left (`0 < x`).
    static let leftScalarComparisons: [DifferentialOp] = [
        leftScalar(".==", "==") { $0 .== $1 }, leftScalar(".!=", "!=") { $0 .!= $1 },
        leftScalar(".<", "<") { $0 .< $1 }, leftScalar(".<=", "<=") { $0 .<= $1 },
        leftScalar(".>", ">") { $0 .> $1 }, leftScalar(".>=", ">=") { $0 .>= $1 },
    ]

    private static func leftScalar(_ name: String, _ python: String, _ op: @escaping (Float, Tensor) -> Tensor) -> DifferentialOp {
        DifferentialOp("scalar \(name) tensor", torch: "{scalar} \(python) a", ulps: 0, differentiable: 0,
                       cases: withScalars(CaseSets.unary(.classes(3), special: comparisonSpecials), [1, 0, .nan])) { x, p in op(p.scalar, x[0]) }
    }

    private static let comparisonSpecials: [Float] = [0, -0.0, 1, .infinity, -.infinity, .nan]

    /// A comparison of two tensors and of a tensor with a scalar.
    private static func comparison(_ name: String, _ python: String, _ op: @escaping (Tensor, Tensor) -> Tensor,
                                   _ scalarOp: @escaping (Tensor, Float) -> Tensor) -> [DifferentialOp] {
        let special = comparisonSpecials
        return [
            DifferentialOp(name, torch: "a \(python) b", ulps: 0, differentiable: 0,
                           cases: CaseSets.binary(.classes(3), .classes(3), special: special)) { x, _ in op(x[0], x[1]) },
            DifferentialOp("\(name) scalar", torch: "a \(python) {scalar}", ulps: 0, differentiable: 0,
                           cases: withScalars(CaseSets.unary(.classes(3), special: special), [1, 0, .nan])) { x, p in
                scalarOp(x[0], p.scalar)
            },
        ]
    }

    /// `where(condition, a, b)` with all three broadcast together.
    static let select = DifferentialOp(
        "where", torch: "torch.where(a != 0, b, c)", ulps: 0,
        cases: [
            ([3, 4], [3, 4], [3, 4]), ([3, 1], [1, 4], [4]), ([4], [3, 4], []), ([], [2, 3], [1, 3]), ([0, 3], [3], [1]),
            ([2, 1, 3], [4, 1], [2, 4, 3]),
        ].map { c, a, b in
            Case("\(c) \(a) \(b)", [Operand(c, .contiguous, .binary, grad: false), Operand(a), Operand(b)])
        } + [
            Case("transposed mask, sliced a, expanded b", [
                Operand([3, 4], .transposed, .binary, grad: false), Operand([3, 4], .sliced), Operand([3, 4], .expanded(from: [1, 4])),
            ]),
            Case("NaN and inf picked or not", [
                Operand([6], .contiguous, .exact([1, 0, 1, 0, 1, 0]), grad: false),
                Operand([6], .contiguous, .exact([.nan, .nan, .infinity, 1, 2, 3])),
                Operand([6], .contiguous, .exact([1, 2, 3, .nan, -.infinity, .nan])),
            ]),
        ]) { x, _ in Tensor.where(x[0], x[1], x[2]) }
}
