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
        }
    }
}

/// A contiguous copy of `source`'s elements, of the same dtype.
struct CopyElements: ScalarKernel {
    let source: Tensor
    func run<T: TensorScalar>(_ type: T.Type) -> Tensor { mapElements(source, Identity<T>()) }

    struct Identity<T: TensorScalar>: UnaryElementFunction {
        func callAsFunction(_ x: T) -> T { x }
    }
}

/// `source`'s elements converted to `dtype` (PyTorch's casts, see ``TensorScalar``).
struct ConvertElements: ScalarKernel {
    let source: Tensor
    let dtype: DType

    func run<T: TensorScalar>(_ type: T.Type) -> Tensor { dtype.dispatch(Into<T>(source: source)) }

    struct Into<Source: TensorScalar>: ScalarKernel {
        let source: Tensor
        func run<T: TensorScalar>(_ type: T.Type) -> Tensor { mapElements(source, Converting<Source, T>()) }
    }

    struct Converting<Input: TensorScalar, Output: TensorScalar>: UnaryElementFunction {
        func callAsFunction(_ x: Input) -> Output { Output.converting(x) }
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
    var isNaNValue: Bool { false }
}

extension NumericScalar where Self: FloatingScalar {
    static var one: Self { 1 }
    static var lowest: Self { -.infinity }
    @inline(__always) static func negated(_ a: Self) -> Self { -a }
    @inline(__always) static func plus(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) static func minus(_ a: Self, _ b: Self) -> Self { a - b }
    @inline(__always) static func times(_ a: Self, _ b: Self) -> Self { a * b }
    var isNaNValue: Bool { isNaN }
}

extension Int64: NumericScalar {}
extension Int32: NumericScalar {}
extension UInt8: NumericScalar {}

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
        case .bool: unsupported(op, ["float32", "float64", "int64", "int32", "uint8"])
        }
    }

    /// Runs `kernel` with the Swift type of this dtype, or fails naming `op` for a non-floating dtype.
    @inline(__always)
    func dispatch<K: FloatingKernel>(_ kernel: K, op: String) -> K.Output {
        switch self {
        case .float32: return kernel.run(Float.self)
        case .float64: return kernel.run(Double.self)
        case .int64, .int32, .uint8, .bool: unsupported(op, ["float32", "float64"])
        }
    }

    private func unsupported(_ op: String, _ supported: [String]) -> Never {
        fail("\(op): not implemented for \(self) tensors (it takes \(supported.joined(separator: ", ")))")
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

private struct NumericMapKernel<F: NumericMap>: NumericKernel {
    let a: Tensor, f: F
    func run<T: NumericScalar>(_ type: T.Type) -> Tensor { mapElements(a, At<T>(f: f)) }

    /// `f` at the element type `T`, as the element loops take it.
    struct At<T: NumericScalar>: UnaryElementFunction {
        let f: F
        func callAsFunction(_ x: T) -> T { f(x) }
    }
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

private struct FloatingMapKernel<F: FloatingMap>: FloatingKernel {
    let a: Tensor, f: F
    func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { mapElements(a, At<T>(f: f)) }

    struct At<T: FloatingScalar>: UnaryElementFunction {
        let f: F
        func callAsFunction(_ x: T) -> T { f(x) }
    }
}

private struct FloatingMap2Kernel<F: FloatingMap2>: FloatingKernel {
    let a: Tensor, b: Tensor, op: String, f: F
    func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { mapBroadcast(a, b, op: op, At<T>(f: f)) }

    struct At<T: FloatingScalar>: BinaryElementFunction {
        let f: F
        func callAsFunction(_ x: T, _ y: T) -> T { f(x, y) }
    }
}

private struct FloatingMap3Kernel<F: FloatingMap3>: FloatingKernel {
    let a: Tensor, b: Tensor, c: Tensor, op: String, f: F
    func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { mapBroadcast(a, b, c, op: op, At<T>(f: f)) }

    struct At<T: FloatingScalar>: TernaryElementFunction {
        let f: F
        func callAsFunction(_ x: T, _ y: T, _ z: T) -> T { f(x, y, z) }
    }
}
