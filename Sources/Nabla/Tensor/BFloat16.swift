/// A bfloat16 number, the element of a ``DType/bfloat16`` tensor: float32's sign and 8-bit
/// exponent with the top 7 bits of its significand, so the range of float32 at about 3
/// significant digits. Swift has no such type; this one stores and converts only: compute
/// with `Float(x)`, or leave the arithmetic to tensor ops, which compute in float32.
public struct BFloat16: Sendable, Equatable, CustomStringConvertible, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// The 16 bits: the upper half of the float32 with the same sign and exponent.
    public var bitPattern: UInt16

    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// The bfloat16 nearest to `value`, ties to even (as PyTorch's and hardware's conversion,
    /// not the truncation of the low 16 bits); past the largest finite bfloat16 it rounds to
    /// infinity. A NaN stays a NaN of the same sign, quieted, with its payload's top bits.
    public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        } else {
            // Adding 0x7FFF, plus 1 when the kept half is odd, carries into it exactly when
            // the dropped half is above the midpoint, or at it with an odd kept half.
            bitPattern = UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
        }
    }

    /// `value` rounded to float32 and then to bfloat16, as PyTorch converts a float64.
    public init(_ value: Double) { self.init(Float(value)) }

    public init(floatLiteral value: Double) { self.init(value) }

    public init(integerLiteral value: Int) { self.init(Float(value)) }

    /// Compared as the floats they are: NaN equals nothing, −0 equals 0.
    public static func == (a: BFloat16, b: BFloat16) -> Bool { Float(a) == Float(b) }

    public var description: String { Float(self).description }
}

extension Float {
    /// The value of `value`, exactly (every bfloat16 is a float32).
    public init(_ value: BFloat16) { self.init(bitPattern: UInt32(value.bitPattern) << 16) }
}
