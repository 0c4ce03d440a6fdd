/// Comparisons give bool masks (no gradient flows through them), computed in the
/// promoted dtype of their operands; `where` picks between two tensors by such a
/// mask, with NumPy broadcasting.
extension Tensor {
    /// The six relations, each one vector loop.
    enum Relation {
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    }

    /// `a relation b` element by element, as a bool tensor.
    static func compare(_ a: Tensor, _ b: Tensor, _ relation: Relation, op: String) -> Tensor {
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let a: Tensor, b: Tensor, relation: Relation, op: String
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), b: operands.input(b), relation: relation, op: op) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                switch relation {
                case .equal: return mapBroadcast(a, b, T.self, op: op) { $0 == $1 }
                case .notEqual: return mapBroadcast(a, b, T.self, op: op) { $0 != $1 }
                case .less: return mapBroadcast(a, b, T.self, op: op) { $0 < $1 }
                case .lessOrEqual: return mapBroadcast(a, b, T.self, op: op) { $0 <= $1 }
                case .greater: return mapBroadcast(a, b, T.self, op: op) { $0 > $1 }
                case .greaterOrEqual: return mapBroadcast(a, b, T.self, op: op) { $0 >= $1 }
                }
            }
        }
        var dtype = a.dtype == b.dtype ? a.dtype : resultType(a, b)
        // Bools order false < true, as 0 < 1.
        if dtype == .bool { dtype = .uint8 }
        let x = a.detached().to(dtype), y = b.detached().to(dtype)
        return dtype.dispatch(Kernel(a: x, b: y, relation: relation, op: op), op: op)
    }

    /// `a relation scalar` element by element (the scalar weak and exact, see `ScalarOperand`), as a bool tensor.
    static func compare(_ a: Tensor, _ scalar: ScalarValue, _ relation: Relation, op: String) -> Tensor {
        let (x, y) = a.detached().promoted(withScalarOperand: scalar)
        return compare(x, y, relation, op: op)
    }

    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(a, b, .equal, op: ".==") }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, .notEqual, op: ".!=") }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(a, b, .less, op: ".<") }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, .lessOrEqual, op: ".<=") }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(a, b, .greater, op: ".>") }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, .greaterOrEqual, op: ".>=") }

    public static func .== <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { compare(a, b.scalarValue, .equal, op: ".==") }
    public static func .!= <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { compare(a, b.scalarValue, .notEqual, op: ".!=") }
    public static func .< <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { compare(a, b.scalarValue, .less, op: ".<") }
    public static func .<= <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { compare(a, b.scalarValue, .lessOrEqual, op: ".<=") }
    public static func .> <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { compare(a, b.scalarValue, .greater, op: ".>") }
    public static func .>= <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { compare(a, b.scalarValue, .greaterOrEqual, op: ".>=") }

    /// A scalar on the left compares with every element: `0 .< x` is `x .> 0`.
    public static func .== <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { b .== a }
    public static func .!= <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { b .!= a }
    public static func .< <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { b .> a }
    public static func .<= <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { b .>= a }
    public static func .> <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { b .< a }
    public static func .>= <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { b .<= a }

    /// Element by element, `a` where `condition` is true and `b` elsewhere
    /// (`torch.where`); the three shapes broadcast together and `a` and `b` promote
    /// to one dtype. `condition` is a bool mask; a mask of another dtype (the Float
    /// 1/0 masks of earlier releases) still works, counting non-zero as true, and
    /// prints a deprecation message once.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        struct Kernel: ScalarKernel {
            let mask: Tensor, a: Tensor, b: Tensor
            func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
                mapBroadcast(mask, a, b, Bool.self, T.self, op: "where") { $0 ? $1 : $2 }
            }
        }
        let mask = condition.asMask(op: "where")
        let (x, y) = promoted(a, b)
        return x.dtype.dispatch(Kernel(mask: mask, a: x, b: y))
            .recorded("where", [mask, x, y]) { g, needs in
                let zero = Tensor.zeros([], dtype: g.dtype)
                return [nil,
                        needs[1] ? Tensor.where(mask, g, zero).summed(toShape: x.shape) : nil,
                        needs[2] ? Tensor.where(mask, zero, g).summed(toShape: y.shape) : nil]
            }
    }

    /// This tensor as a bool mask for `op`: itself if bool, else non-zero as true
    /// (a deprecated Float 1/0 mask, announced once through `Nabla.warn`).
    func asMask(op: String) -> Tensor {
        guard dtype != .bool else { return detached() }
        Nabla.warn("\(op): a \(dtype) mask is deprecated and will be refused in the next release; pass a bool mask (comparisons such as x .> 0 give one, or use to(.bool))",
                   site: "deprecated float mask")
        return detached().to(.bool)
    }
}
