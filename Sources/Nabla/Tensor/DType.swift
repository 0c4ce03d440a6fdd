/// The element type of a tensor, chosen at run time (PyTorch's `dtype`).
///
/// `float32` is the default everywhere; a tensor made from `[Double]`,
/// `[Int64]`, `[Int32]`, `[UInt8]`, `[Bool]`, `[Float16]` or `[BFloat16]` takes the
/// matching dtype, and ``Tensor/to(_:)`` converts. Each case prints as PyTorch spells it (`float64`).
///
/// `float16` and `bfloat16` are storage types: their tensors hold 2-byte elements, and
/// every op computes on them in float32 and rounds its result back (see the article
/// "Element types").
public enum DType: String, CaseIterable, Sendable, CustomStringConvertible {
    case float32, float64, int64, int32, uint8, bool, float16, bfloat16

    public var description: String { rawValue }

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        case .uint8, .bool: return 1
        }
    }

    /// Whether elements are floating-point numbers (the dtypes autograd differentiates).
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        case .int64, .int32, .uint8, .bool: return false
        }
    }

    /// The largest finite value of this floating dtype; nil for the others.
    var greatestFiniteMagnitude: Double? {
        switch self {
        case .float32: return Double(Float.greatestFiniteMagnitude)
        case .float64: return .greatestFiniteMagnitude
        case .float16: return Double(Float16.greatestFiniteMagnitude)
        case .bfloat16: return Double(Float(BFloat16(bitPattern: 0x7F7F)))
        case .int64, .int32, .uint8, .bool: return nil
        }
    }

    /// The bytes that `count` elements take, or nil when that overflows `Int`.
    func byteCount(of count: Int) -> Int? {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: byteSize)
        return overflow ? nil : bytes
    }
}

/// A Swift type that a tensor element can be read or written as (MLX Swift's
/// `HasDType`): `Float`, `Double`, `Int64`, `Int32`, `UInt8`, `Bool`, `Float16` and ``BFloat16``.
///
/// Conversions between them follow PyTorch's casts: floating to integer
/// truncates toward zero (NaN and values out of range give the type's
/// minimum through Int64, as x86's conversion does, then wrap); integer to
/// narrower integer wraps; any non-zero value (NaN included) is `true`; float64 and
/// integers reach float16 and bfloat16 through float32, rounding twice, as PyTorch's casts do.
public protocol TensorScalar: Sendable {
    /// The dtype of a tensor whose elements are of this type.
    static var dtype: DType { get }
    /// This value as a Double (exact for every type but Int64 beyond 2⁵³).
    var doubleValue: Double { get }
    /// This value as an Int64, truncated toward zero for floating types.
    var int64Value: Int64 { get }
    /// The value of this type nearest to `value` under the rules above.
    /// (Static functions rather than initialisers, so that `Float.init` stays unambiguous.)
    static func converting(double value: Double) -> Self
    /// `value` converted to this type under the rules above.
    static func converting(int64 value: Int64) -> Self
}

extension TensorScalar {
    /// `value` converted to this type: through Double for a floating `value`, through Int64 otherwise.
    @inline(__always)
    static func converting<Source: TensorScalar>(_ value: Source) -> Self {
        if Source.self == Self.self { return unsafeBitCast(value, to: Self.self) }
        return Source.dtype.isFloatingPoint ? converting(double: value.doubleValue) : converting(int64: value.int64Value)
    }
}

/// Int64(value) truncated toward zero, and Int64.min for NaN or out of range (never a trap).
@inline(__always)
func truncatedInt64(_ value: Double) -> Int64 {
    value > -9.223372036854775808e18 && value < 9.223372036854775808e18 ? Int64(value) : .min
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { truncatedInt64(Double(self)) }
    public static func converting(double value: Double) -> Self { Self(value) }
    public static func converting(int64 value: Int64) -> Self { Self(value) }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
    public var doubleValue: Double { self }
    public var int64Value: Int64 { truncatedInt64(self) }
    public static func converting(double value: Double) -> Self { value }
    public static func converting(int64 value: Int64) -> Self { Self(value) }
}

extension Int64: TensorScalar {
    public static var dtype: DType { .int64 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { self }
    public static func converting(double value: Double) -> Self { truncatedInt64(value) }
    public static func converting(int64 value: Int64) -> Self { value }
}

extension Int32: TensorScalar {
    public static var dtype: DType { .int32 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { Int64(self) }
    public static func converting(double value: Double) -> Self { Self(truncatingIfNeeded: truncatedInt64(value)) }
    public static func converting(int64 value: Int64) -> Self { Self(truncatingIfNeeded: value) }
}

extension UInt8: TensorScalar {
    public static var dtype: DType { .uint8 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { Int64(self) }
    public static func converting(double value: Double) -> Self { Self(truncatingIfNeeded: truncatedInt64(value)) }
    public static func converting(int64 value: Int64) -> Self { Self(truncatingIfNeeded: value) }
}

extension Bool: TensorScalar {
    public static var dtype: DType { .bool }
    public var doubleValue: Double { self ? 1 : 0 }
    public var int64Value: Int64 { self ? 1 : 0 }
    public static func converting(double value: Double) -> Self { value != 0 }
    public static func converting(int64 value: Int64) -> Self { value != 0 }
}

extension Float16: TensorScalar {
    public static var dtype: DType { .float16 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { truncatedInt64(Double(self)) }
    // Through Float, as PyTorch's casts (c10::Half is made from a float): a float64 just past a
    // float16 rounding midpoint that rounds onto the midpoint in float32 then rounds to even.
    public static func converting(double value: Double) -> Self { Self(Float(value)) }
    public static func converting(int64 value: Int64) -> Self { Self(Float(value)) }
}

extension BFloat16: TensorScalar {
    public static var dtype: DType { .bfloat16 }
    public var doubleValue: Double { Double(Float(self)) }
    public var int64Value: Int64 { truncatedInt64(Double(Float(self))) }
    public static func converting(double value: Double) -> Self { Self(Float(value)) }
    public static func converting(int64 value: Int64) -> Self { Self(Float(value)) }
}
