/// Tensor as a Swift citizen: array literals, iteration over the first axis, Codable,
/// and whole-tensor comparison.

/// One element of a tensor literal: a number, a bool, or a nested literal
/// (`let t: Tensor = [[1, 2], [3, 4]]`). Integer literals make int64 elements, float
/// literals float32 and bool literals bool, as `torch.tensor` does; mixed literals
/// promote (`[1, 2.5]` is float32).
public struct TensorLiteral: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
                             ExpressibleByArrayLiteral {
    fileprivate let tensor: Tensor

    public init(integerLiteral value: Int64) { tensor = Tensor(shape: [], scalars: [value]) }
    public init(floatLiteral value: Float) { tensor = Tensor(shape: [], scalars: [value]) }
    public init(booleanLiteral value: Bool) { tensor = Tensor(shape: [], scalars: [value]) }
    public init(arrayLiteral elements: TensorLiteral...) { tensor = Tensor(stacking: elements) }
}

extension Tensor: ExpressibleByArrayLiteral {
    /// A tensor from a (nested) array literal: `[1, 2, 3]` is int64 `[3]`, `[[1.5, 2], [3, 4]]`
    /// float32 `[2, 2]`, `[true, false]` bool. Rows must have equal lengths.
    public init(arrayLiteral elements: TensorLiteral...) {
        self.init(stacking: elements)
    }

    /// The literal's elements stacked along a new first axis, promoted to one dtype.
    fileprivate init(stacking elements: [TensorLiteral]) {
        guard let first = elements.first else {
            self = Tensor.zeros([0])
            return
        }
        if let bad = elements.firstIndex(where: { $0.tensor.shape != first.tensor.shape }) {
            fail("Tensor(arrayLiteral:): element \(bad) has shape \(describe(elements[bad].tensor.shape)) but element 0 has shape \(describe(first.tensor.shape)); nested literals must be rectangular")
        }
        self = Tensor.stack(elements.map(\.tensor))
    }
}

extension Tensor: Sequence {
    /// The slices along the first axis, as PyTorch's `for row in x` (each a view).
    /// A scalar cannot be iterated, as in PyTorch.
    public func makeIterator() -> Iterator {
        guard rank > 0 else { fail("iteration over a 0-d tensor") }
        return Iterator(tensor: self)
    }

    /// The number of slices, so `Array(x)` reserves once.
    public var underestimatedCount: Int { rank > 0 ? shape[0] : 0 }

    public struct Iterator: IteratorProtocol {
        fileprivate let tensor: Tensor
        fileprivate var position = 0

        public mutating func next() -> Tensor? {
            guard position < tensor.shape[0] else { return nil }
            defer { position += 1 }
            return tensor[position]
        }
    }
}

extension Tensor: Codable {
    private enum CodingKeys: String, CodingKey { case shape, dtype, data }

    /// Encodes the shape, the dtype (as PyTorch spells it) and the elements in row-major
    /// order, each as its own Swift type: `{"shape":[2],"dtype":"float32","data":[1,2]}`.
    /// Autograd state is not encoded. A non-finite float encodes as the encoder's
    /// strategy allows (JSONEncoder needs `nonConformingFloatEncodingStrategy`).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shape, forKey: .shape)
        try container.encode(dtype.rawValue, forKey: .dtype)
        switch dtype {
        case .float32: try container.encode(scalars(as: Float.self), forKey: .data)
        case .float64: try container.encode(scalars(as: Double.self), forKey: .data)
        case .int64: try container.encode(scalars(as: Int64.self), forKey: .data)
        case .int32: try container.encode(scalars(as: Int32.self), forKey: .data)
        case .uint8: try container.encode(scalars(as: UInt8.self), forKey: .data)
        case .bool: try container.encode(scalars(as: Bool.self), forKey: .data)
        case .float16: try container.encode(scalars(as: Float16.self), forKey: .data)
        // Swift has no bfloat16 number to encode: its values as the Floats they exactly are.
        case .bfloat16: try container.encode(scalars(as: Float.self), forKey: .data)
        }
    }

    /// Decodes what ``encode(to:)`` writes; a shape that does not match the element count,
    /// a negative extent or an unknown dtype throws `DecodingError.dataCorrupted`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let name = try container.decode(String.self, forKey: .dtype)
        guard let dtype = DType(rawValue: name) else {
            throw DecodingError.dataCorruptedError(forKey: .dtype, in: container,
                                                   debugDescription: "unknown dtype \"\(name)\"; expected one of \(DType.allCases.map(\.rawValue))")
        }
        guard let count = Tensor.elementCount(ofShape: shape, dtype: dtype) else {
            throw DecodingError.dataCorruptedError(forKey: .shape, in: container, debugDescription: "shape \(shape) is not one a tensor can have")
        }
        func elements<T: TensorScalar & Decodable>(_: T.Type) throws -> Tensor {
            let values = try container.decode([T].self, forKey: .data)
            guard values.count == count else {
                throw DecodingError.dataCorruptedError(forKey: .data, in: container,
                                                       debugDescription: "shape \(shape) holds \(count) elements but data has \(values.count)")
            }
            return Tensor(shape: shape, scalars: values)
        }
        switch dtype {
        case .float32: self = try elements(Float.self)
        case .float64: self = try elements(Double.self)
        case .int64: self = try elements(Int64.self)
        case .int32: self = try elements(Int32.self)
        case .uint8: self = try elements(UInt8.self)
        case .bool: self = try elements(Bool.self)
        case .float16: self = try elements(Float16.self)
        case .bfloat16: self = try elements(Float.self).to(.bfloat16)
        }
    }
}

extension Tensor {
    /// Whether the tensors have the same shape and the same values, as PyTorch's
    /// `torch.equal` (NaN is unequal to itself; dtypes may differ, values are compared
    /// exactly). `.==` stays elementwise.
    public func equal(_ other: Tensor) -> Bool {
        guard shape == other.shape else { return false }
        if dtype.isFloatingPoint || other.dtype.isFloatingPoint {
            return scalars(as: Double.self) == other.scalars(as: Double.self)
        }
        return scalars(as: Int64.self) == other.scalars(as: Int64.self)
    }

    /// Whether every pair of elements satisfies `|a − b| ≤ absoluteTolerance + relativeTolerance · |b|`
    /// after broadcasting the shapes, as PyTorch's `allclose` (defaults rtol 1e-5, atol 1e-8;
    /// NaNs are equal only with `equalNaN`, infinities only to themselves).
    public func allClose(_ other: Tensor, relativeTolerance: Double = 1e-5, absoluteTolerance: Double = 1e-8,
                         equalNaN: Bool = false) -> Bool {
        let target = broadcastShape(shape, other.shape, op: "allClose")
        let a = expand(to: target).scalars(as: Double.self), b = other.expand(to: target).scalars(as: Double.self)
        return zip(a, b).allSatisfy { a, b in
            if a.isNaN || b.isNaN { return equalNaN && a.isNaN && b.isNaN }
            if a == b { return true }
            return Swift.abs(a - b) <= absoluteTolerance + relativeTolerance * Swift.abs(b)
        }
    }
}
