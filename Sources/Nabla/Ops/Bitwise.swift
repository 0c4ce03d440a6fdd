/// The logical ops (any dtype, bool result) and the bitwise ops (integers and bool), with
/// NumPy broadcasting and PyTorch's type promotion. None carries a gradient.
extension Tensor {
    /// Whether each element is zero (`torch.logical_not`): a bool tensor; NaN counts as non-zero.
    public func logicalNot() -> Tensor {
        mapElements(detached().to(.bool), Bool.self) { !$0 }
    }

    /// Whether both broadcast elements are non-zero (`torch.logical_and`), of any two dtypes.
    public func logicalAnd(_ other: Tensor) -> Tensor { logical(other, op: "logicalAnd") { $0 && $1 } }

    /// Whether either broadcast element is non-zero (`torch.logical_or`), of any two dtypes.
    public func logicalOr(_ other: Tensor) -> Tensor { logical(other, op: "logicalOr") { $0 || $1 } }

    /// Whether exactly one of the broadcast elements is non-zero (`torch.logical_xor`), of any two dtypes.
    public func logicalXor(_ other: Tensor) -> Tensor { logical(other, op: "logicalXor") { $0 != $1 } }

    /// `f` on the broadcast pairs of this tensor and `other`, each read as bool (non-zero, NaN included, is true).
    private func logical(_ other: Tensor, op: String, _ f: (Bool, Bool) -> Bool) -> Tensor {
        mapBroadcast(detached().to(.bool), other.detached().to(.bool), Bool.self, op: op, f)
    }

    /// The three bitwise operations of two operands that bool takes too.
    enum BitwiseOperation {
        case and, or, xor

        /// The op's name in messages, with its operator.
        var name: String {
            switch self {
            case .and: return "bitwiseAnd (&)"
            case .or: return "bitwiseOr (|)"
            case .xor: return "bitwiseXor (^)"
            }
        }
    }

    /// `a operation b` for each broadcast pair, in the promoted dtype: an integer dtype, or bool
    /// (the logical operation); a floating one fails, as PyTorch's.
    static func bitwise(_ a: Tensor, _ b: Tensor, _ operation: BitwiseOperation) -> Tensor {
        struct Kernel: BitwiseKernel {
            let a: Tensor, b: Tensor, operation: BitwiseOperation
            func run<T: BitwiseScalar>(_ type: T.Type) -> Tensor {
                switch operation {
                case .and: return mapBroadcast(a, b, T.self, op: operation.name, T.bitwiseAnd)
                case .or: return mapBroadcast(a, b, T.self, op: operation.name, T.bitwiseOr)
                case .xor: return mapBroadcast(a, b, T.self, op: operation.name, T.bitwiseXor)
                }
            }
        }
        let (x, y) = promoted(a.detached(), b.detached())
        return x.dtype.dispatch(Kernel(a: x, b: y, operation: operation), op: operation.name)
    }

    /// `a` shifted by `b` bits, left or right, for each broadcast pair in the integer dtype they
    /// promote to; bool and the floating dtypes fail, as PyTorch's.
    static func shifted(_ a: Tensor, _ b: Tensor, left: Bool) -> Tensor {
        struct Kernel: IntegerKernel {
            let a: Tensor, b: Tensor, left: Bool, op: String
            func run<T: IntegerScalar>(_ type: T.Type) -> Tensor {
                left ? mapBroadcast(a, b, T.self, op: op, T.shiftedLeft) : mapBroadcast(a, b, T.self, op: op, T.shiftedRight)
            }
        }
        let op = left ? "bitwiseLeftShift (<<)" : "bitwiseRightShift (>>)"
        let (x, y) = promoted(a.detached(), b.detached())
        return x.dtype.dispatch(Kernel(a: x, b: y, left: left, op: op), op: op)
    }

    /// `body(a, scalar)`, or `body(scalar, a)` when `scalarFirst`, the Swift number as a rank-0
    /// tensor weak in promotion.
    private static func withScalar(_ a: Tensor, _ scalar: ScalarValue, scalarFirst: Bool = false,
                                   _ body: (Tensor, Tensor) -> Tensor) -> Tensor {
        let (x, y) = a.detached().promoted(withScalarOperand: scalar)
        return scalarFirst ? body(y, x) : body(x, y)
    }

    /// Bitwise and of integer tensors, logical and of bool ones (`torch.bitwise_and`, `a & b`).
    public static func & (a: Tensor, b: Tensor) -> Tensor { bitwise(a, b, .and) }
    /// Bitwise or of integer tensors, logical or of bool ones (`torch.bitwise_or`, `a | b`).
    public static func | (a: Tensor, b: Tensor) -> Tensor { bitwise(a, b, .or) }
    /// Bitwise exclusive or of integer tensors, logical of bool ones (`torch.bitwise_xor`, `a ^ b`).
    public static func ^ (a: Tensor, b: Tensor) -> Tensor { bitwise(a, b, .xor) }
    /// `a` shifted left by `b` bits (`torch.bitwise_left_shift`, `a << b`), in the integer dtype they
    /// promote to: bits shifted out are lost, and a shift below 0 or of the bit width or more gives 0, as PyTorch's.
    public static func << (a: Tensor, b: Tensor) -> Tensor { shifted(a, b, left: true) }
    /// `a` shifted right by `b` bits (`torch.bitwise_right_shift`, `a >> b`), arithmetic for the signed
    /// dtypes: a shift below 0 or of the bit width or more gives −1 for a negative `a` and 0 otherwise, as PyTorch's.
    public static func >> (a: Tensor, b: Tensor) -> Tensor { shifted(a, b, left: false) }

    public static func & <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { withScalar(a, b.scalarValue) { $0 & $1 } }
    public static func & <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { withScalar(b, a.scalarValue, scalarFirst: true) { $0 & $1 } }
    public static func | <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { withScalar(a, b.scalarValue) { $0 | $1 } }
    public static func | <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { withScalar(b, a.scalarValue, scalarFirst: true) { $0 | $1 } }
    public static func ^ <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { withScalar(a, b.scalarValue) { $0 ^ $1 } }
    public static func ^ <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { withScalar(b, a.scalarValue, scalarFirst: true) { $0 ^ $1 } }
    public static func << <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { withScalar(a, b.scalarValue) { $0 << $1 } }
    public static func << <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { withScalar(b, a.scalarValue, scalarFirst: true) { $0 << $1 } }
    public static func >> <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { withScalar(a, b.scalarValue) { $0 >> $1 } }
    public static func >> <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { withScalar(b, a.scalarValue, scalarFirst: true) { $0 >> $1 } }

    /// Each bit flipped in an integer tensor (`~x` is `−x − 1` for the signed dtypes), each element
    /// negated in a bool one (`torch.bitwise_not`, `~a`); a floating tensor fails, as PyTorch's.
    public static prefix func ~ (a: Tensor) -> Tensor {
        struct Not: BitwiseKernel {
            let a: Tensor
            func run<T: BitwiseScalar>(_ type: T.Type) -> Tensor { mapElements(a, T.self, T.bitwiseNot) }
        }
        return a.dtype.dispatch(Not(a: a.detached()), op: "bitwiseNot (~)")
    }
}
