/// Floor division and the two remainders, PyTorch's `floor_divide` (Python's `//`),
/// `remainder` (Python's `%`) and `fmod`, with NumPy broadcasting and PyTorch's type
/// promotion. Unlike `/`, they compute in the promoted dtype: two integer tensors give an
/// integer result, exact, and an integer divisor of 0 fails as PyTorch's does
/// (`ZeroDivisionError`); `Int64.min` floor-divided by −1 wraps to itself, with remainder 0.
/// Floating operands follow IEEE and PyTorch: a divisor of 0 gives ±inf or NaN, a remainder by
/// 0 NaN. Bool tensors are refused, as in PyTorch.
extension Tensor {
    /// Each element divided by the broadcast element of `divisor`, rounded toward −∞
    /// (`torch.floor_divide`, `a // b`): `7 // -2` is −4. Floating quotients are CPython's
    /// (consistent with ``remainder(_:)-(Tensor)``: `7.5 // 2.5` is 3). The gradient is zero,
    /// as that of ``floor()`` (PyTorch leaves `floor_divide`'s undefined).
    public func floorDivide(_ divisor: Tensor) -> Tensor {
        let (a, b) = Tensor.promoted(self, divisor)
        return Tensor.division(a, b, .flooredQuotient, op: "floorDivide").recorded("floorDivide", [a, b]) { g, needs in
            [needs[0] ? Tensor.zeros(a.shape, dtype: g.dtype) : nil, needs[1] ? Tensor.zeros(b.shape, dtype: g.dtype) : nil]
        }
    }

    /// Floor division by a Swift number, weak in promotion as in `x / 2`: an integer tensor
    /// floor-divided by an `Int` stays integer, by a `Double` it is float32.
    public func floorDivide<S: ScalarOperand>(_ divisor: S) -> Tensor {
        let (a, b) = promoted(withScalarOperand: divisor.scalarValue)
        return a.floorDivide(b)
    }

    /// a − b·⌊a/b⌋ for each broadcast pair (`torch.remainder`, Python's `a % b`): the result has
    /// the sign of the divisor, `-7 % 2` is 1 and `7 % -2` is −1. The gradient is `g` for `self`
    /// and `−g·⌊a/b⌋` for the divisor, as PyTorch's.
    public func remainder(_ divisor: Tensor) -> Tensor {
        let (a, b) = Tensor.promoted(self, divisor)
        let x = a.detached(), y = b.detached()
        return Tensor.division(a, b, .flooredRemainder, op: "remainder").recorded("remainder", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil,
             needs[1] ? (-g * Tensor.division(x, y, .flooredQuotient, op: "remainder")).summed(toShape: b.shape) : nil]
        }
    }

    /// The remainder by a Swift number, weak in promotion (see ``floorDivide(_:)-(S)``).
    public func remainder<S: ScalarOperand>(_ divisor: S) -> Tensor {
        let (a, b) = promoted(withScalarOperand: divisor.scalarValue)
        return a.remainder(b)
    }

    /// a − b·trunc(a/b) for each broadcast pair (`torch.fmod`, C's `fmod`): the result has the
    /// sign of `self`, `-7 fmod 2` is −1. The gradient is `g` for `self` and `−g·trunc(a/b)` for
    /// the divisor, as PyTorch's.
    public func fmod(_ divisor: Tensor) -> Tensor {
        struct TruncatedQuotient: FloatingMap2 {
            func callAsFunction<T: FloatingScalar>(_ a: T, _ b: T) -> T { (a / b).rounded(.towardZero) }
        }
        let (a, b) = Tensor.promoted(self, divisor)
        let x = a.detached(), y = b.detached()
        return Tensor.division(a, b, .truncatedRemainder, op: "fmod").recorded("fmod", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil,
             needs[1] ? (-g * mapFloating(x, y, op: "fmod", TruncatedQuotient())).summed(toShape: b.shape) : nil]
        }
    }

    /// `fmod` by a Swift number, weak in promotion (see ``floorDivide(_:)-(S)``).
    public func fmod<S: ScalarOperand>(_ divisor: S) -> Tensor {
        let (a, b) = promoted(withScalarOperand: divisor.scalarValue)
        return a.fmod(b)
    }

    /// The three ops of this file, each one `NumericScalar` function.
    enum DivisionOperation {
        case flooredQuotient, flooredRemainder, truncatedRemainder
    }

    /// `a operation b` for each broadcast pair of `a` and `b`, which have one dtype; an integer
    /// `b` holding 0 fails first, as PyTorch's (the loops never see an integer division by zero).
    static func division(_ a: Tensor, _ b: Tensor, _ operation: DivisionOperation, op: String) -> Tensor {
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let a: Tensor, b: Tensor, operation: DivisionOperation, op: String
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), b: operands.input(b), operation: operation, op: op) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                switch operation {
                case .flooredQuotient: return mapBroadcast(a, b, T.self, op: op, T.flooredQuotient)
                case .flooredRemainder: return mapBroadcast(a, b, T.self, op: op, T.flooredRemainder)
                case .truncatedRemainder: return mapBroadcast(a, b, T.self, op: op, T.truncatedRemainder)
                }
            }
        }
        if !b.dtype.isFloatingPoint && b.dtype != .bool && (b .== 0).any().item(as: Bool.self) {
            fail("\(op): ZeroDivisionError: the \(b.dtype) divisor of shape \(describe(b.shape)) holds 0, and an integer division by zero has no value (PyTorch refuses it too); convert to a floating dtype for IEEE's inf and NaN")
        }
        return a.dtype.dispatch(Kernel(a: a, b: b, operation: operation, op: op), op: op)
    }
}
