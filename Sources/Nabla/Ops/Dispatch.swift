/// The one place that turns a tensor's runtime ``DType`` into a Swift type.
///
/// A kernel is written once as a generic method `run<T>` (candle's `Map1`/`Map2`,
/// PyTorch's `AT_DISPATCH`); `DType.dispatch` calls it with the Swift type of the
/// dtype. Inside the module the generic bodies are specialised per type, so the
/// float32 loops compile to what a loop over `Float` would.
protocol ScalarKernel {
    associatedtype Output
    func run<T: TensorScalar>(_ type: T.Type) -> Output
}

extension DType {
    /// Runs `kernel` with the Swift type of this dtype.
    @inline(__always)
    func dispatch<K: ScalarKernel>(_ kernel: K) -> K.Output {
        switch self {
        case .float32: return kernel.run(Float.self)
        case .float64: return kernel.run(Double.self)
        case .int64: return kernel.run(Int64.self)
        case .int32: return kernel.run(Int32.self)
        case .uint8: return kernel.run(UInt8.self)
        case .bool: return kernel.run(Bool.self)
        // Moving, converting, reading and printing elements need no arithmetic: the 2-byte types themselves.
        case .float16: return kernel.run(Float16.self)
        case .bfloat16: return kernel.run(BFloat16.self)
        }
    }
}

/// A contiguous copy of `source`'s elements, of the same dtype.
struct CopyElements: ScalarKernel {
    let source: Tensor
    func run<T: TensorScalar>(_ type: T.Type) -> Tensor { mapElements(source, T.self) { $0 } }
}

/// `source`'s elements converted to `dtype` (PyTorch's casts, see ``TensorScalar``).
struct ConvertElements: ScalarKernel {
    let source: Tensor
    let dtype: DType

    func run<T: TensorScalar>(_ type: T.Type) -> Tensor { dtype.dispatch(Into<T>(source: source)) }

    struct Into<Source: TensorScalar>: ScalarKernel {
        let source: Tensor
        func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
            mapElements(source, Source.self) { T.converting($0) }
        }
    }
}

/// The one element of a one-element tensor, converted to `Value`.
struct ReadElement<Value: TensorScalar>: ScalarKernel {
    let tensor: Tensor
    func run<T: TensorScalar>(_ type: T.Type) -> Value {
        withExtendedLifetime(tensor.storage) { Value.converting(tensor.base(T.self)[0]) }
    }
}

/// A contiguous tensor of `shape` and `dtype` with every element `value` (converted).
struct FillElements: ScalarKernel {
    let shape: [Int]
    let value: ScalarValue
    let op: String
    func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
        let count = Tensor.elementCount(shape, op: op, dtype: T.dtype)
        return Tensor(storage: TensorStorage(repeating: value.converted(to: T.self), count: count),
                      shape: shape, strides: Tensor.contiguousStrides(shape))
    }
}

/// The element types that arithmetic and ordering are defined on: every dtype but bool.
/// Integer arithmetic wraps on overflow, as PyTorch's does.
protocol NumericScalar: TensorScalar, Comparable, AdditiveArithmetic {
    static var one: Self { get }
    /// The least value, below every other: −∞, or the integer type's minimum (max pooling's empty window).
    static var lowest: Self { get }
    static func plus(_ a: Self, _ b: Self) -> Self
    static func minus(_ a: Self, _ b: Self) -> Self
    static func times(_ a: Self, _ b: Self) -> Self
    static func negated(_ a: Self) -> Self
    /// a / b rounded toward −∞ (PyTorch's `floor_divide`). An integer `b` is never 0 here: the op checks first.
    static func flooredQuotient(_ a: Self, _ b: Self) -> Self
    /// a − b·⌊a/b⌋, with the sign of `b` (PyTorch's `remainder`, Python's `%`).
    static func flooredRemainder(_ a: Self, _ b: Self) -> Self
    /// a − b·trunc(a/b), with the sign of `a` (PyTorch's `fmod`, C's `fmod`).
    static func truncatedRemainder(_ a: Self, _ b: Self) -> Self
    /// Whether this value is NaN (never, for an integer): the ordering ops let NaN win.
    var isNaNValue: Bool { get }
}

extension NumericScalar where Self: FixedWidthInteger {
    static var one: Self { 1 }
    static var lowest: Self { .min }
    @inline(__always) static func negated(_ a: Self) -> Self { 0 &- a }
    @inline(__always) static func plus(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inline(__always) static func minus(_ a: Self, _ b: Self) -> Self { a &- b }
    @inline(__always) static func times(_ a: Self, _ b: Self) -> Self { a &* b }
    // Self.min / −1 wraps to Self.min and its remainder is 0, as PyTorch's.
    @inline(__always) static func flooredQuotient(_ a: Self, _ b: Self) -> Self {
        let quotient = a.dividedReportingOverflow(by: b).partialValue
        return (a < 0) != (b < 0) && a.remainderReportingOverflow(dividingBy: b).partialValue != 0 ? quotient &- 1 : quotient
    }
    @inline(__always) static func flooredRemainder(_ a: Self, _ b: Self) -> Self {
        let remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
        return remainder != 0 && (remainder < 0) != (b < 0) ? remainder &+ b : remainder
    }
    @inline(__always) static func truncatedRemainder(_ a: Self, _ b: Self) -> Self {
        a.remainderReportingOverflow(dividingBy: b).partialValue
    }
    var isNaNValue: Bool { false }
}

extension NumericScalar where Self: FloatingScalar {
    static var one: Self { 1 }
    static var lowest: Self { -.infinity }
    @inline(__always) static func negated(_ a: Self) -> Self { -a }
    @inline(__always) static func plus(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) static func minus(_ a: Self, _ b: Self) -> Self { a - b }
    @inline(__always) static func times(_ a: Self, _ b: Self) -> Self { a * b }
    /// PyTorch's `div_floor_floating` (CPython's float `//`): from fmod, so that the quotient
    /// is consistent with the remainder (7.5 // 2.5 is 3, not floor(2.9999…)); a / b for b = 0.
    @inline(__always) static func flooredQuotient(_ a: Self, _ b: Self) -> Self {
        if b == 0 { return a / b }
        let remainder = a.truncatingRemainder(dividingBy: b)
        var quotient = (a - remainder) / b
        if remainder != 0 && (b < 0) != (remainder < 0) { quotient -= 1 }
        guard quotient != 0 else { return Self(signOf: a / b, magnitudeOf: 0) }
        let floored = quotient.rounded(.down)
        return quotient - floored > 0.5 ? floored + 1 : floored
    }
    @inline(__always) static func flooredRemainder(_ a: Self, _ b: Self) -> Self {
        let remainder = a.truncatingRemainder(dividingBy: b)
        return remainder != 0 && (b < 0) != (remainder < 0) ? remainder + b : remainder
    }
    @inline(__always) static func truncatedRemainder(_ a: Self, _ b: Self) -> Self { a.truncatingRemainder(dividingBy: b) }
    var isNaNValue: Bool { isNaN }
}

extension Int64: IntegerScalar {}
extension Int32: IntegerScalar {}
extension UInt8: IntegerScalar {}

/// The element types the bitwise ops are defined on: the integers and bool (whose `&`, `|`,
/// `^` and `~` are the logical ones, as PyTorch's).
protocol BitwiseScalar: TensorScalar {
    static func bitwiseAnd(_ a: Self, _ b: Self) -> Self
    static func bitwiseOr(_ a: Self, _ b: Self) -> Self
    static func bitwiseXor(_ a: Self, _ b: Self) -> Self
    static func bitwiseNot(_ a: Self) -> Self
}

extension Bool: BitwiseScalar {
    @inline(__always) static func bitwiseAnd(_ a: Bool, _ b: Bool) -> Bool { a && b }
    @inline(__always) static func bitwiseOr(_ a: Bool, _ b: Bool) -> Bool { a || b }
    @inline(__always) static func bitwiseXor(_ a: Bool, _ b: Bool) -> Bool { a != b }
    @inline(__always) static func bitwiseNot(_ a: Bool) -> Bool { !a }
}

/// The integer element types: int64, int32 and uint8.
protocol IntegerScalar: NumericScalar, BitwiseScalar, FixedWidthInteger {}

extension IntegerScalar {
    @inline(__always) static func bitwiseAnd(_ a: Self, _ b: Self) -> Self { a & b }
    @inline(__always) static func bitwiseOr(_ a: Self, _ b: Self) -> Self { a | b }
    @inline(__always) static func bitwiseXor(_ a: Self, _ b: Self) -> Self { a ^ b }
    @inline(__always) static func bitwiseNot(_ a: Self) -> Self { ~a }

    /// a << b as PyTorch's: 0 for a shift below 0 or of the bit width or more (Swift's smart
    /// shift would shift the other way for a negative amount).
    @inline(__always) static func shiftedLeft(_ a: Self, _ b: Self) -> Self {
        b < 0 || b >= bitWidth ? 0 : a &<< b
    }

    /// a >> b as PyTorch's: arithmetic for the signed types; a shift below 0 or of the bit width
    /// or more fills with the sign (−1 or 0).
    @inline(__always) static func shiftedRight(_ a: Self, _ b: Self) -> Self {
        b < 0 || b >= bitWidth ? (a < 0 ? ~0 : 0) : a &>> b
    }
}

/// The floating element types, float32 and float64: the math functions, and the
/// BLAS/LAPACK bindings of ``BLASScalar``. Each function is bound per type in `Float+Math.swift` and `Double+Math.swift`.
protocol FloatingScalar: NumericScalar, BLASScalar {
    static func exp(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

/// A kernel over the numeric types (every dtype but bool).
protocol NumericKernel {
    associatedtype Output
    func run<T: NumericScalar>(_ type: T.Type) -> Output
}

/// A kernel over the integer types.
protocol IntegerKernel {
    associatedtype Output
    func run<T: IntegerScalar>(_ type: T.Type) -> Output
}

/// A kernel over the integer types and bool.
protocol BitwiseKernel {
    associatedtype Output
    func run<T: BitwiseScalar>(_ type: T.Type) -> Output
}

/// A kernel over the floating types.
protocol FloatingKernel {
    associatedtype Output
    func run<T: FloatingScalar>(_ type: T.Type) -> Output
}

// One switch per kind of kernel, not one for all: each `run` is generic over a narrower
// protocol, and narrowing `T` inside one switch would take an existential (`as? any
// NumericScalar.Type`), which leaves the loops unspecialised.
extension DType {
    /// Runs `kernel` with the Swift type of this dtype, or fails naming `op` for bool.
    @inline(__always)
    func dispatch<K: NumericKernel>(_ kernel: K, op: String) -> K.Output {
        switch self {
        case .float32: return kernel.run(Float.self)
        case .float64: return kernel.run(Double.self)
        case .int64: return kernel.run(Int64.self)
        case .int32: return kernel.run(Int32.self)
        case .uint8: return kernel.run(UInt8.self)
        case .float16, .bfloat16: return computedInFloat32(kernel, op: op) { $0.run(Float.self) }
        case .bool: unsupported(op, ["float32", "float64", "int64", "int32", "uint8", "float16", "bfloat16"])
        }
    }

    /// Runs `kernel` with the Swift type of this dtype, or fails naming `op` for bool or a floating dtype.
    @inline(__always)
    func dispatch<K: IntegerKernel>(_ kernel: K, op: String) -> K.Output {
        switch self {
        case .int64: return kernel.run(Int64.self)
        case .int32: return kernel.run(Int32.self)
        case .uint8: return kernel.run(UInt8.self)
        case .float32, .float64, .float16, .bfloat16, .bool: unsupported(op, ["int64", "int32", "uint8"])
        }
    }

    /// Runs `kernel` with the Swift type of this dtype, or fails naming `op` for a floating dtype.
    @inline(__always)
    func dispatch<K: BitwiseKernel>(_ kernel: K, op: String) -> K.Output {
        switch self {
        case .int64: return kernel.run(Int64.self)
        case .int32: return kernel.run(Int32.self)
        case .uint8: return kernel.run(UInt8.self)
        case .bool: return kernel.run(Bool.self)
        case .float32, .float64, .float16, .bfloat16: unsupported(op, ["int64", "int32", "uint8", "bool"])
        }
    }

    /// Runs `kernel` with the Swift type of this dtype, or fails naming `op` for a non-floating dtype.
    @inline(__always)
    func dispatch<K: FloatingKernel>(_ kernel: K, op: String) -> K.Output {
        switch self {
        case .float32: return kernel.run(Float.self)
        case .float64: return kernel.run(Double.self)
        case .float16, .bfloat16: return computedInFloat32(kernel, op: op) { $0.run(Float.self) }
        case .int64, .int32, .uint8, .bool: unsupported(op, ["float32", "float64", "float16", "bfloat16"])
        }
    }

    /// `run` on `kernel` widened to float32, this half-precision dtype's compute type (see
    /// ``HalfPrecisionKernel``), its in-place targets and its results narrowed back; fails
    /// naming `op` when the kernel does not say which tensors it takes.
    @inline(never)
    private func computedInFloat32<K, Output>(_ kernel: K, op: String, _ run: (K) -> Output) -> Output {
        guard let kernel = kernel as? any HalfPrecisionKernel else {
            fail("\(op): not implemented for \(self) tensors; convert with to(.float32)")
        }
        func widenedRun<W: HalfPrecisionKernel>(_ kernel: W) -> Output {
            let operands = WidenedOperands(halfType: self)
            let output = run(kernel.widened(operands) as! K)
            operands.writeBack()
            return W.narrowed(output as! W.Output, operands) as! Output
        }
        return widenedRun(kernel)
    }

    private func unsupported(_ op: String, _ supported: [String]) -> Never {
        fail("\(op): not implemented for \(self) tensors (it takes \(supported.joined(separator: ", ")))")
    }
}

/// How an op computes on float16 and bfloat16 tensors, which are storage types: the
/// dispatch point gives the kernel float32 copies of its operands of the half dtype, runs
/// the float32 kernel, and rounds the float32 tensors it returns (and those it wrote in
/// place) back to the half dtype, once each. So every loop, reduction and BLAS call
/// computes and accumulates in float32, as PyTorch's CPU kernels compute half elements in
/// float32 (`opmath_t`); an op made of several kernels rounds between them. A kernel lists
/// its tensors in ``widened(_:)``; a kernel that does not conform refuses the half dtypes.
protocol HalfPrecisionKernel {
    associatedtype Output
    /// This kernel with each tensor it reads passed through `operands.input`, and each tensor
    /// it writes in place through `operands.target`.
    func widened(_ operands: WidenedOperands) -> Self
    /// The widened kernel's `output`, each float32 tensor in it passed through `operands.narrowed`.
    static func narrowed(_ output: Output, _ operands: WidenedOperands) -> Output
}

extension HalfPrecisionKernel where Output == Tensor {
    static func narrowed(_ output: Tensor, _ operands: WidenedOperands) -> Tensor { operands.narrowed(output) }
}

extension HalfPrecisionKernel where Output == Void {
    static func narrowed(_ output: Void, _ operands: WidenedOperands) {}
}

/// The tensors of one half-precision kernel call in float32: see ``HalfPrecisionKernel``.
final class WidenedOperands {
    /// The dtype the op's operands and results have: float16 or bfloat16.
    let halfType: DType
    /// The tensors the kernel writes in place, with the float32 copies it writes instead.
    private var targets: [(original: Tensor, widened: Tensor)] = []

    init(halfType: DType) { self.halfType = halfType }

    /// `tensor` in float32 if it has the half dtype (others, such as int64 indices, as they
    /// are). The conversion is recorded, so a kernel that records its own gradient (pooling,
    /// convolution, batch norm) passes it back to the half tensor, in its dtype.
    func input(_ tensor: Tensor) -> Tensor { tensor.dtype == halfType ? tensor.to(.float32) : tensor }

    func input(_ tensor: Tensor?) -> Tensor? { tensor.map(input) }

    /// A float32 copy of `tensor`, which the kernel writes in place: after the kernel the
    /// copy is rounded back into `tensor`'s elements.
    func target(_ tensor: Tensor) -> Tensor {
        guard tensor.dtype == halfType else { return tensor }
        let widened = tensor.converted(to: .float32)
        targets.append((tensor, widened))
        return widened
    }

    /// `tensor` rounded to the half dtype if the kernel made it in float32 (others, such as
    /// bool masks and int64 indices, as they are).
    func narrowed(_ tensor: Tensor) -> Tensor { tensor.dtype == .float32 ? tensor.to(halfType) : tensor }

    func narrowed(_ tensor: Tensor?) -> Tensor? { tensor.map(narrowed) }

    /// Rounds what the kernel wrote into each target's float32 copy back into the target.
    func writeBack() {
        for (original, widened) in targets { original.assign(from: widened) }
    }
}

extension Tensor {
    /// Fails naming `op` unless each of the named `operands` (a weight, a bias, running
    /// statistics) has this input's dtype: ops with several tensor operands compute in one
    /// dtype and, as PyTorch's conv2d and batch_norm, do not promote.
    func requireSameDType(_ op: String, _ operands: (name: String, tensor: Tensor?)...) {
        for case let (name, operand?) in operands where operand.dtype != dtype {
            fail("\(op): the input is \(dtype) but the \(name) is \(operand.dtype); convert one with to(_:) so both have the same dtype")
        }
    }
}

/// An elementwise function written once for both floating types.
protocol FloatingMap {
    func callAsFunction<T: FloatingScalar>(_ x: T) -> T
}

/// An elementwise function of two operands written once for both floating types.
protocol FloatingMap2 {
    func callAsFunction<T: FloatingScalar>(_ x: T, _ y: T) -> T
}

/// An elementwise function of three operands written once for both floating types.
protocol FloatingMap3 {
    func callAsFunction<T: FloatingScalar>(_ x: T, _ y: T, _ z: T) -> T
}

/// An elementwise function written once for every numeric type (integer arithmetic wraps).
protocol NumericMap {
    func callAsFunction<T: NumericScalar>(_ x: T) -> T
}

/// `f` on every element of `a`, which keeps its dtype; fails naming `op` on a bool tensor.
func mapNumeric<F: NumericMap>(_ a: Tensor, op: String, _ f: F) -> Tensor {
    a.dtype.dispatch(NumericMapKernel(a: a, f: f), op: op)
}

private struct NumericMapKernel<F: NumericMap>: NumericKernel, HalfPrecisionKernel {
    let a: Tensor, f: F
    func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), f: f) }
    func run<T: NumericScalar>(_ type: T.Type) -> Tensor { mapElements(a, T.self) { f($0) } }
}

/// `f` on every element of the floating tensor `a`; fails naming `op` on another dtype.
func mapFloating<F: FloatingMap>(_ a: Tensor, op: String, _ f: F) -> Tensor {
    a.dtype.dispatch(FloatingMapKernel(a: a, f: f), op: op)
}

/// `f` on the broadcast pairs of the floating tensors `a` and `b`, which have one dtype.
func mapFloating<F: FloatingMap2>(_ a: Tensor, _ b: Tensor, op: String, _ f: F) -> Tensor {
    a.dtype.dispatch(FloatingMap2Kernel(a: a, b: b, op: op, f: f), op: op)
}

/// `f` on the broadcast triples of the floating tensors `a`, `b` and `c`, which have one dtype.
func mapFloating<F: FloatingMap3>(_ a: Tensor, _ b: Tensor, _ c: Tensor, op: String, _ f: F) -> Tensor {
    a.dtype.dispatch(FloatingMap3Kernel(a: a, b: b, c: c, op: op, f: f), op: op)
}

private struct FloatingMapKernel<F: FloatingMap>: FloatingKernel, HalfPrecisionKernel {
    let a: Tensor, f: F
    func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), f: f) }
    func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { mapElements(a, T.self) { f($0) } }
}

private struct FloatingMap2Kernel<F: FloatingMap2>: FloatingKernel, HalfPrecisionKernel {
    let a: Tensor, b: Tensor, op: String, f: F
    func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), b: operands.input(b), op: op, f: f) }
    func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { mapBroadcast(a, b, T.self, op: op) { f($0, $1) } }
}

private struct FloatingMap3Kernel<F: FloatingMap3>: FloatingKernel, HalfPrecisionKernel {
    let a: Tensor, b: Tensor, c: Tensor, op: String, f: F
    func widened(_ operands: WidenedOperands) -> Self {
        Self(a: operands.input(a), b: operands.input(b), c: operands.input(c), op: op, f: f)
    }
    func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { mapBroadcast(a, b, c, T.self, T.self, op: op) { f($0, $1, $2) } }
}
