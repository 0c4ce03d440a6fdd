/// Type promotion, as PyTorch's `torch.promote_types` and `torch.result_type`:
/// the one table that says which dtype an op on mixed operands computes in.
///
/// - Categories rank bool < integer < floating. Two dtypes of one category
///   promote to the wider (uint8 < int32 < int64, float16 and bfloat16 < float32 <
///   float64; float16 with bfloat16, neither wider, is float32); of two
///   categories, to the dtype of the higher one (int64 with float32 is float32).
/// - Operands come in three tiers: tensors with at least one axis, rank-0
///   tensors, and Swift scalars (weak: an integer is int64, a floating value
///   float32, the default dtype). A lower tier changes the result only when it
///   is of a higher category: `x + 1` keeps x's dtype, a float32 vector with a
///   float64 rank-0 tensor stays float32, an int64 vector plus 0.5 is float32,
///   and a float32 vector with a float64 vector is float64.
extension DType {
    /// bool < integer < floating.
    var category: Int {
        switch self {
        case .bool: return 0
        case .uint8, .int32, .int64: return 1
        case .float32, .float64, .float16, .bfloat16: return 2
        }
    }

    /// The dtype both `self` and `other` convert to without losing their category
    /// (`torch.promote_types`).
    public func promoted(with other: DType) -> DType {
        if self == other { return self }
        if category != other.category { return category > other.category ? self : other }
        if byteSize == other.byteSize { return .float32 }   // float16 with bfloat16: neither holds the other
        return byteSize > other.byteSize ? self : other
    }

    /// The dtype true division computes in: this one if floating, else float32 (the
    /// default dtype), as PyTorch's `/` does for integers and bools.
    var trueDivisionType: DType { isFloatingPoint ? self : .float32 }

    /// `torch.result_type`'s rule for joining a higher tier with a lower one.
    fileprivate static func joined(_ higher: DType?, _ lower: DType?) -> DType? {
        guard let higher else { return lower }
        guard let lower else { return higher }
        if higher.isFloatingPoint { return higher }
        if higher == .bool || lower.isFloatingPoint { return higher.promoted(with: lower) }
        return higher
    }
}

/// A Swift number that an op takes beside tensors (`x + 1`, `x * 0.1`, `x .> threshold`):
/// `Int`, `Int64`, `Int32` and `UInt8` as PyTorch takes a Python int, `Float`, `Double`
/// and `Float16` as it takes a Python float.
///
/// The number is weak in promotion (see above): `int64 + 1` is int64, `uint8 + 1` uint8,
/// `bool + 1` int64, `int64 + 0.5` float32, `float32 * 0.1` float32. Its value keeps its
/// full precision until it is converted once to the dtype the op computes in, so
/// `float64 * 0.1` multiplies by the double 0.1 and `float32 * 0.1` by `Float(0.1)`;
/// an integer out of an integer dtype's range wraps, as PyTorch's does (`uint8 + 256` adds 0).
public protocol ScalarOperand: Sendable {
    /// The number as promotion sees it, exactly.
    var scalarValue: ScalarValue { get }
}

/// A Swift number as an op takes it: an integer (PyTorch's Python int) or a
/// floating value (its Python float), exactly.
public enum ScalarValue: ScalarOperand, Equatable {
    case integer(Int64)
    case floating(Double)

    public var scalarValue: ScalarValue { self }

    /// The kind of weak scalar this value is.
    var kind: WeakScalar {
        switch self {
        case .integer: return .integer
        case .floating: return .floating
        }
    }

    /// This value converted to `T` once, as ``Tensor/to(_:)`` converts (integers wrap).
    @inline(__always)
    func converted<T: TensorScalar>(to type: T.Type) -> T {
        switch self {
        case .integer(let value): return T.converting(int64: value)
        case .floating(let value): return T.converting(double: value)
        }
    }
}

extension Int: ScalarOperand { public var scalarValue: ScalarValue { .integer(Int64(self)) } }
extension Int64: ScalarOperand { public var scalarValue: ScalarValue { .integer(self) } }
extension Int32: ScalarOperand { public var scalarValue: ScalarValue { .integer(Int64(self)) } }
extension UInt8: ScalarOperand { public var scalarValue: ScalarValue { .integer(Int64(self)) } }
extension Float: ScalarOperand { public var scalarValue: ScalarValue { .floating(Double(self)) } }
extension Float16: ScalarOperand { public var scalarValue: ScalarValue { .floating(Double(self)) } }
extension Double: ScalarOperand { public var scalarValue: ScalarValue { .floating(self) } }

/// The kinds of Swift scalar an op may take beside tensors, each weak (see above).
enum WeakScalar {
    case integer, floating, boolean

    var dtype: DType {
        switch self {
        case .integer: return .int64
        case .floating: return .float32
        case .boolean: return .bool
        }
    }
}

extension Tensor {
    /// The dtype an op on `tensors` (and Swift scalars of the kinds `scalars`)
    /// computes in, as `torch.result_type`.
    static func resultType(_ tensors: [Tensor], scalars: [WeakScalar] = []) -> DType {
        // Each tier joined in one pass, without intermediate arrays: every op with a Swift scalar comes here.
        func join(_ tier: inout DType?, _ dtype: DType) { tier = tier?.promoted(with: dtype) ?? dtype }
        var dimensioned: DType?, zeroRank: DType?, weak: DType?
        for tensor in tensors {
            if tensor.rank > 0 { join(&dimensioned, tensor.dtype) } else { join(&zeroRank, tensor.dtype) }
        }
        for scalar in scalars { join(&weak, scalar.dtype) }
        return DType.joined(dimensioned, DType.joined(zeroRank, weak)) ?? .float32
    }

    /// The dtype of an op on `a` and `b`, as `torch.result_type(a, b)`.
    public static func resultType(_ a: Tensor, _ b: Tensor) -> DType { resultType([a, b]) }
}
