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
    let value: Double
    let op: String
    func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
        let count = Tensor.elementCount(shape, op: op, dtype: T.dtype)
        return Tensor(storage: TensorStorage(repeating: T.converting(double: value), count: count),
                      shape: shape, strides: Tensor.contiguousStrides(shape))
    }
}
