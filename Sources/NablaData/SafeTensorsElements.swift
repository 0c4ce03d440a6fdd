import Nabla

extension SafeTensors {
    /// An element type of the safetensors format, as its header spells it, among those Nabla reads and writes.
    ///
    /// Each reads as the tensor dtype that holds it, bit for bit: `F64` float64, `F32` float32,
    /// `F16` float16, `BF16` bfloat16, `I64` int64, `I32` int32, `U8` uint8, `BOOL` bool, as
    /// `safetensors.torch.load_file` reads them; each dtype is written as its own type, and
    /// float32 tensors also as `F16` or `BF16` on request (``write(_:metadata:storingFloat32As:to:)``).
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
            case .f32: return .float32
            case .f16: return .float16
            case .bf16: return .bfloat16
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
        /// buffer it is given, its storage. Throws `invalid(problem)` when a `BOOL` byte is
        /// neither 0 nor 1 (torch writes only those).
        func tensor(shape: [Int], count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void,
                    invalid: (String) -> Error) throws -> Tensor {
            try Tensor(shape: shape, dtype: dtype) { storage in
                try fill(storage)
                if self == .bool, let bad = storage.firstIndex(where: { $0 > 1 }) {
                    throw invalid("BOOL element \(bad) is the byte \(storage[bad]), not 0 or 1")
                }
            }
        }

        /// The little-endian bytes of `tensor`'s elements stored as this type; `tensor` has
        /// ``dtype``, or is float32 for `F16`/`BF16`, which then round to nearest even as
        /// torch's `.half()` and `.bfloat16()` do.
        func bytes(of tensor: Tensor) -> [UInt8] {
            // Every dtype's in-memory bytes are little-endian on every platform Swift runs on here.
            tensor.detached().to(dtype).withUnsafeBytes { Array($0) }
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
