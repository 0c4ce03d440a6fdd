import Nabla

/// Floor division and the remainders in every dtype torch takes them in (float32 and float64 with
/// gradients, the integers exactly); the logical ops on every dtype; the bitwise ops and shifts on
/// the integers and bool; and take, in every dtype.
enum DivisionAndBitwiseTable {
    static var ops: [DifferentialOp] { floating + integers + scalars + logical + bitwise + take }

    private static let division: [(name: String, python: String, differentiable: Int, apply: (Tensor, Tensor) -> Tensor)] = [
        // torch leaves floor_divide's derivative undefined (Nabla's is zero, as floor's): outputs only.
        ("floorDivide", "torch.floor_divide(a, b)", 0, { $0.floorDivide($1) }),
        ("remainder", "torch.remainder(a, b)", 1, { $0.remainder($1) }),
        ("fmod", "torch.fmod(a, b)", 1, { $0.fmod($1) }),
    ]

    /// Every way of broadcasting, and each edge value against each other one (zero divisors, ±0,
    /// ±inf, NaN) without gradients. fmod is exact and the others within a rounding of it.
    static var floating: [DifferentialOp] {
        let edges: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 1, -1, 7.5, -7.5, 2.5, -2, 1e-30, 3e38]
        return division.map { name, python, differentiable, apply in
            DifferentialOp(name, torch: python, ulps: 1, differentiable: differentiable,
                           cases: CaseSets.binary(.normal(scale: 4), .uniform(0.3, 2)) + CaseSets.binary(.normal(scale: 4), .uniform(-2, -0.3)).prefix(3).map {
                               Case($0.label + ", negative divisors", $0.operands)
                           } + [Case("special values, all pairs", CaseSets.binary(special: edges, grad: (false, false)).last!.operands)])
            { x, _ in apply(x[0], x[1]) }
        }
    }

    /// Exact, in each integer dtype (torch refuses bool): dividends across the dtype (its minimum
    /// over −1 wraps), divisors of both signs, never 0 (an integer division by zero fails in both).
    static var integers: [DifferentialOp] {
        let positive = CaseSets.binary(.integers, .integersIn(1...7))
        let signed = [
            Case("[3,4] by [4] of both signs", [Operand([3, 4]), Operand([4], .contiguous, .exactIntegers([3, -2, -1, 5]))]),
            Case("[2,3] transposed by rank 0 -3", [Operand([2, 3], .transposed), Operand([], .contiguous, .exactIntegers([-3]))]),
            Case("[6] by -1", [Operand([6]), Operand([1], .contiguous, .exactIntegers([-1]))]),
        ]
        return division.flatMap { name, python, _, apply in [
            IntegerTable.op("\(name) (integers)", torch: python, dtypes: DType.integers, cases: positive) { x, _ in [apply(x[0], x[1])] },
            IntegerTable.op("\(name) (signed integers)", torch: python, dtypes: [.int64, .int32], cases: signed) { x, _ in [apply(x[0], x[1])] },
        ] }
    }

    /// With a Swift number, weak as a Python one: an `Int` keeps the integer dtype (bool with it
    /// is int64; 300 wraps to 44 in uint8, −3 to 253), a `Double` gives float32.
    static var scalars: [DifferentialOp] {
        let integerCases = [-3, 7, 300].map { Case("[3,4] by \($0)", [Operand([3, 4])], Params(ints: [$0], text: "(\($0))")) }
        let floatingCases = [Float(2.5), -0.75].map { Case("[3,4] by \($0)", [Operand([3, 4])], Params(scalar: $0)) }
        return [
            IntegerTable.op("floorDivide(Int)", torch: "torch.floor_divide(a, {text})", cases: integerCases) { x, p in [x[0].floorDivide(p.ints[0])] },
            IntegerTable.op("remainder(Int)", torch: "torch.remainder(a, {text})", cases: integerCases) { x, p in [x[0].remainder(p.ints[0])] },
            IntegerTable.op("fmod(Int)", torch: "torch.fmod(a, {text})", cases: integerCases) { x, p in [x[0].fmod(p.ints[0])] },
            IntegerTable.op("floorDivide(Double)", torch: "torch.floor_divide(a, {scalar})", cases: floatingCases) { x, p in
                [x[0].floorDivide(Double(p.scalar))]
            },
            IntegerTable.op("remainder(Double)", torch: "torch.remainder(a, {scalar})", ulps: 1, cases: floatingCases) { x, p in
                [x[0].remainder(Double(p.scalar))]
            },
        ]
    }

    /// Any dtype with any other, as bool: every non-zero value counts as true, and in the floating
    /// dtypes NaN and ±inf do too while −0 does not.
    static var logical: [DifferentialOp] {
        let pairs = CaseSets.binary(.integersIn(-1...1), .integersIn(-1...1), grad: (false, false))
        let mixed = DType.allCases.map { other in
            Case("[3,4] with [4] \(other)", [Operand([3, 4], .contiguous, .integersIn(-1...1), grad: false),
                                            Operand([4], .contiguous, .integersIn(0...1), grad: false, dtype: other)])
        }
        let specials: [Float] = [0, -0.0, .nan, .infinity, -1, 0.5]
        let floats = [Case("NaN, ±0 and ±inf, all pairs", CaseSets.binary(special: specials, grad: (false, false)).last!.operands)]
        let ops: [(String, String, (Tensor, Tensor) -> Tensor)] = [
            ("logicalAnd", "torch.logical_and(a, b)", { $0.logicalAnd($1) }),
            ("logicalOr", "torch.logical_or(a, b)", { $0.logicalOr($1) }),
            ("logicalXor", "torch.logical_xor(a, b)", { $0.logicalXor($1) }),
        ]
        return ops.flatMap { name, python, apply in [
            IntegerTable.op(name, torch: python, dtypes: DType.every, cases: pairs + mixed) { x, _ in [apply(x[0], x[1])] },
            IntegerTable.op("\(name) (special values)", torch: python, dtypes: DType.floating, cases: floats) { x, _ in [apply(x[0], x[1])] },
        ] } + [
            IntegerTable.op("logicalNot", torch: "torch.logical_not(a)", dtypes: DType.every,
                            cases: CaseSets.unary(.integersIn(-1...1), grad: false)) { x, _ in [x[0].logicalNot()] },
            IntegerTable.op("logicalNot (special values)", torch: "torch.logical_not(a)", dtypes: DType.floating,
                            cases: [Case("NaN, ±0 and ±inf", [Operand([6], .contiguous, .special(specials), grad: false)])]) { x, _ in [x[0].logicalNot()] },
        ]
    }

    /// `&`, `|`, `^` and `~` on the integers and bool (logical on bool), across each dtype; shifts
    /// on the integers by amounts below 0, within the bit width and beyond it.
    static var bitwise: [DifferentialOp] {
        let pairs = CaseSets.binary(.integers, .integers)
        let mixed = DType.integral.map { other in
            Case("[3,4] with [4] \(other)", [Operand([3, 4]), Operand([4], .contiguous, .integersIn(0...9), grad: false, dtype: other)])
        }
        let shiftAmounts = CaseSets.binary(.integers, .integersIn(0...70))
        let anyAmount = [Case("[4,5] by [4,5] across the dtype", [Operand([4, 5]), Operand([4, 5])]),
                         Case("[3,4] by row [4] of -2...2", [Operand([3, 4]), Operand([4], .contiguous, .integersIn(-2...2))])]
        let binary: [(String, String, (Tensor, Tensor) -> Tensor)] = [("&", "a & b", { $0 & $1 }), ("|", "a | b", { $0 | $1 }), ("^", "a ^ b", { $0 ^ $1 })]
        let shifts: [(String, String, (Tensor, Tensor) -> Tensor)] = [("<<", "a << b", { $0 << $1 }), (">>", "a >> b", { $0 >> $1 })]
        let scalarCases = [5, -1, 300].map { Case("[3,4] with \($0)", [Operand([3, 4])], Params(ints: [$0], text: "(\($0))")) }
        return binary.flatMap { name, python, apply in [
            IntegerTable.op(name, torch: python, cases: pairs) { x, _ in [apply(x[0], x[1])] },
            IntegerTable.op("\(name) (mixed dtypes)", torch: python, dtypes: DType.integers, cases: mixed) { x, _ in [apply(x[0], x[1])] },
        ] } + shifts.flatMap { name, python, apply in [
            IntegerTable.op(name, torch: python, dtypes: DType.integers, cases: shiftAmounts) { x, _ in [apply(x[0], x[1])] },
            IntegerTable.op("\(name) (any amount)", torch: python, dtypes: [.int64, .int32], cases: anyAmount) { x, _ in [apply(x[0], x[1])] },
            IntegerTable.op("\(name) (mixed dtypes)", torch: python, dtypes: DType.integers, cases: mixed) { x, _ in [apply(x[0], x[1])] },
        ] } + [
            IntegerTable.op("~", torch: "~a", cases: CaseSets.unary(.integers, grad: false)) { x, _ in [~x[0]] },
            IntegerTable.op("tensor & Int", torch: "a & {text}", cases: scalarCases) { x, p in [x[0] & p.ints[0]] },
            IntegerTable.op("Int | tensor", torch: "{text} | a", cases: scalarCases) { x, p in [p.ints[0] | x[0]] },
            IntegerTable.op("tensor ^ Int", torch: "a ^ {text}", cases: scalarCases) { x, p in [x[0] ^ p.ints[0]] },
            IntegerTable.op("tensor << Int", torch: "a << {text}", dtypes: DType.integers, cases: scalarCases) { x, p in [x[0] << p.ints[0]] },
            IntegerTable.op("Int >> tensor", torch: "{text} >> a", dtypes: DType.integers, cases: [
                Case("300 >> [3,4] of 0...70", [Operand([3, 4], .contiguous, .integersIn(0...70))], Params(ints: [300], text: "(300)")),
            ]) { x, p in [p.ints[0] >> x[0]] },
        ]
    }

    /// take's flat indices, negative ones included, into every layout, in every dtype; the gradient
    /// of an index taken twice adds up.
    static var take: [DifferentialOp] {
        func indices(_ values: [Int64], _ shape: [Int]? = nil) -> Operand {
            Operand(shape ?? [values.count], .contiguous, .exactIntegers(values), grad: false, dtype: .int64)
        }
        let cases = [
            Case("[3,4] at [5] with -1 and a repeat", [Operand([3, 4]), indices([0, 11, -1, 5, 5])]),
            Case("[3,4] transposed at [2,2]", [Operand([3, 4], .transposed), indices([1, -12, 7, 2], [2, 2])]),
            Case("[3,5] stepped at rank 0", [Operand([3, 5], .stepped), indices([-3], [])]),
            Case("[4,3] expanded at [3]", [Operand([4, 3], .expanded(from: [1, 3])), indices([0, 4, 8])]),
            Case("rank 0 at [2]", [Operand([]), indices([0, -1])]),
            Case("[3,4] at none", [Operand([3, 4]), indices([])]),
        ]
        return [
            DifferentialOp("take", torch: "torch.take(a, b.long())", ulps: 0, cases: cases) { x, _ in x[0].take(x[1]) },
            IntegerTable.op("take (integers)", torch: "torch.take(a, b.long())", cases: cases) { x, _ in [x[0].take(x[1])] },
        ]
    }
}
