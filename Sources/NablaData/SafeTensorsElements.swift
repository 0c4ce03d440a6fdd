import Nabla

extension SafeTensors {
    /// An element type of the safetensors format, as its header spells it, among those Nabla reads and writes.
    ///
    /// Each reads as the tensor dtype that holds it exactly: `F64` float64, `F32` float32,
    /// `I64` int64, `I32` int32, `U8` uint8, `BOOL` bool. Nabla has no 16-bit float dtype,
    /// so `F16` and `BF16` read as float32 (every half-precision value is a float32 value,
    /// so nothing is lost) and are written from float32 tensors on request
    /// (``write(_:metadata:storingFloat32As:to:)``).
    public enum ElementType: String, CaseIterable, Sendable {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32", u8 = "U8", bool = "BOOL"

        /// Bytes per element in the file.
        public var byteSize: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16: return 2
            case .u8, .bool: return 1
            }
        }

        /// The dtype of the tensor an element of this type is read into.
        public var dtype: DType {
            switch self {
            case .f64: return .float64
            case .f32, .f16, .bf16: return .float32
            case .i64: return .int64
            case .i32: return .int32
            case .u8: return .uint8
            case .bool: return .bool
            }
        }

        /// The element type that holds a `dtype` tensor exactly.
        public init(_ dtype: DType) {
            switch dtype {
            case .float64: self = .f64
            case .float32: self = .f32
            case .float16: self = .f16
            case .bfloat16: self = .bf16
            case .int64: self = .i64
            case .int32: self = .i32
            case .uint8: self = .u8
            case .bool: self = .bool
            }
        }

        /// A tensor of `shape` (`count` elements) whose file bytes `fill` writes into the
        /// buffer it is given, converted to ``dtype`` in place. Throws `invalid(problem)` when
        /// a `BOOL` byte is neither 0 nor 1 (torch writes only those).
        func tensor(shape: [Int], count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void,
                    invalid: (String) -> Error) throws -> Tensor {
            try Tensor(shape: shape, dtype: dtype) { storage in
                let fileBytes = UnsafeMutableRawBufferPointer(rebasing: storage[0..<(count * byteSize)])
                try fill(fileBytes)
                switch self {
                case .f16: widenInPlace(storage, count: count) { Float(Float16(bitPattern: $0)) }
                case .bf16: widenInPlace(storage, count: count) { Float(bitPattern: UInt32($0) << 16) }
                case .bool:
                    if let bad = fileBytes.firstIndex(where: { $0 > 1 }) {
                        throw invalid("BOOL element \(bad) is the byte \(fileBytes[bad]), not 0 or 1")
                    }
                default: break
                }
            }
        }

        /// The little-endian bytes of `tensor`'s elements stored as this type; `tensor` has
        /// ``dtype`` (float32 for `F16`/`BF16`, which round to nearest even as torch's `.half()`
        /// and `.bfloat16()` do).
        func bytes(of tensor: Tensor) -> [UInt8] {
            // Every dtype's in-memory bytes are little-endian on every platform Swift runs on here.
            func raw<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
            switch self {
            case .f64: return raw(tensor.scalars(as: Double.self))
            case .f32: return raw(tensor.scalars(as: Float.self))
            case .f16: return raw(tensor.scalars(as: Float.self).map { Float16($0).bitPattern })
            case .bf16: return raw(tensor.scalars(as: Float.self).map(bfloat16Bits))
            case .i64: return raw(tensor.scalars(as: Int64.self))
            case .i32: return raw(tensor.scalars(as: Int32.self))
            case .u8: return raw(tensor.scalars(as: UInt8.self))
            case .bool: return raw(tensor.scalars(as: Bool.self))
            }
        }
    }

    /// How ``write(_:metadata:storingFloat32As:to:)`` stores float32 tensors: as they are,
    /// or rounded to half precision (what `model.half()` or `model.bfloat16()` then
    /// `save_file` give in torch), for half the bytes.
    public enum Float32Storage: Sendable {
        case f32, f16, bf16

        var elementType: ElementType {
            switch self {
            case .f32: return .f32
            case .f16: return .f16
            case .bf16: return .bf16
            }
        }
    }
}

/// The 16-bit elements at the start of `storage` replaced by the float32 values `widen` gives,
/// in place: element `i` moves from bytes `2i` to `4i`, so going from the last element to the
/// first overwrites only elements already read.
private func widenInPlace(_ storage: UnsafeMutableRawBufferPointer, count: Int, _ widen: (UInt16) -> Float) {
    for i in stride(from: count - 1, through: 0, by: -1) {
        let half = storage.load(fromByteOffset: 2 * i, as: UInt16.self)
        storage.storeBytes(of: widen(UInt16(littleEndian: half)), toByteOffset: 4 * i, as: Float.self)
    }
}

/// The bfloat16 nearest to `value`, ties to even, NaN as the quiet NaN 0x7FC0 (c10's `round_to_nearest_even`).
func bfloat16Bits(_ value: Float) -> UInt16 {
    guard !value.isNaN else { return 0x7FC0 }
    let bits = value.bitPattern
    return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
}
