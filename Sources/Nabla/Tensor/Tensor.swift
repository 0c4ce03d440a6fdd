/// An n-dimensional array with value semantics, views and reverse-mode autograd.
///
/// Elements are `float32` unless made otherwise: ``dtype`` says which of
/// float32, float64, int64, int32, uint8 and bool a tensor holds (see the
/// article "Element types").
///
/// A tensor is a window (shape, strides, offset) onto a shared storage.
/// Transposes, permutations, slices, `expand` and reshapes of contiguous data
/// are views; writing to a tensor whose storage is shared copies it first,
/// so a tensor behaves like any other Swift value.
///
/// ## Leaves have an identity
///
/// The one exception is a leaf that requires grad (a parameter), which behaves
/// like PyTorch's: every copy of it (`var p = w`, an element of `[w, b]`, a
/// `for var p in params` loop variable) is the same leaf. They share the
/// gradient, and an in-place update of any of them inside `noGrad`
/// (`p -= p.grad! * lr`, `p.addScaled(_:by:)`, `p[0] = 1`) changes the values
/// of all of them. So the book's loop trains as written:
///
///     for var p in params { noGrad { p -= p.grad! * lr } }
///
/// Setting `requiresGrad` gives the leaf storage of its own, so an ordinary
/// tensor it was made from never changes. Tensors that view a leaf's values
/// without being the leaf (`detached()`, slices, transposes) see its later
/// updates, as PyTorch's views and `detach()` do (writing to them copies them
/// first); keep a snapshot with `clone()`. Assigning a new value (`p = p - 1`)
/// rebinds the copy `p` only, as it does in Python.
public struct Tensor {
    var storage: TensorStorage
    /// The extent of each axis.
    public private(set) var shape: [Int]
    /// How many elements one step along each axis moves in storage (0 on an expanded axis).
    public private(set) var strides: [Int]
    var offset: Int
    /// The autograd record: a leaf's gradient, or how this tensor was made.
    var autograd: AutogradNode?

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int = 0, autograd: AutogradNode? = nil) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.autograd = autograd
    }

    /// A contiguous tensor whose elements are not initialised yet.
    init(uninitializedShape shape: [Int], dtype: DType = .float32) {
        let count = Tensor.elementCount(shape, op: "Tensor", dtype: dtype)
        self.init(storage: TensorStorage(uninitializedCount: count, dtype: dtype), shape: shape, strides: Tensor.contiguousStrides(shape))
    }

    /// The element type.
    public var dtype: DType { storage.dtype }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        let count = Tensor.elementCount(shape, op: "Tensor(shape:scalars:)")
        guard scalars.count == count else {
            fail("Tensor(shape:scalars:): shape \(describe(shape)) holds \(count) elements but \(scalars.count) scalars were given")
        }
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.pointer.initialize(from: $0.baseAddress!, count: count) }
        self.requiresGrad = requiresGrad
    }

    /// A tensor of the given shape holding `scalars` in row-major order, of the dtype of `T`
    /// (`Tensor(shape: [2], scalars: [1, 2] as [Double])` is float64).
    @_disfavoredOverload
    public init<T: TensorScalar>(shape: [Int], scalars: [T], requiresGrad: Bool = false) {
        let count = Tensor.elementCount(shape, op: "Tensor(shape:scalars:)", dtype: T.dtype)
        guard scalars.count == count else {
            fail("Tensor(shape:scalars:): shape \(describe(shape)) holds \(count) elements but \(scalars.count) scalars were given")
        }
        self.init(uninitializedShape: shape, dtype: T.dtype)
        scalars.withUnsafeBufferPointer { storage.typed(T.self).initialize(from: $0.baseAddress!, count: count) }
        self.requiresGrad = requiresGrad
    }

    /// A tensor of the given shape whose `count` elements `body` writes, row-major, without an intermediate array.
    public init(shape: [Int], unsafeUninitializedScalars body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape)
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// A tensor of the given shape and of the dtype of `T` whose `count` elements `body` writes, row-major,
    /// without an intermediate array (a float64 tensor when `body` takes `UnsafeMutableBufferPointer<Double>`).
    @_disfavoredOverload
    public init<T: TensorScalar>(shape: [Int], unsafeUninitializedScalars body: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        try self.init(shape: shape, dtype: T.self, body)
    }

    /// A tensor of the given shape and of the dtype of `T` whose elements `body` writes, row-major.
    init<T: TensorScalar>(shape: [Int], dtype type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape, dtype: T.dtype)
        try body(UnsafeMutableBufferPointer(start: storage.typed(T.self), count: storage.count))
    }

    /// A contiguous tensor of `shape` and `dtype` whose elements `body` writes as
    /// bytes, row-major, in the machine's (little-endian) order: a decoder reads a
    /// file straight into the storage. `body` must write every byte, and for
    /// `.bool` only the bytes 0 and 1.
    public init(shape: [Int], dtype: DType, unsafeUninitializedBytes body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        self.init(uninitializedShape: shape, dtype: dtype)
        try body(UnsafeMutableRawBufferPointer(start: storage.raw, count: storage.count * dtype.byteSize))
    }

    /// A rank-0 tensor.
    public init(_ scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor of the dtype of `T` (`Tensor(Int64(3))` is int64).
    @_disfavoredOverload
    public init<T: TensorScalar>(_ scalar: T, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// A vector of the dtype of `T`: `Tensor([1, 2] as [Double])` is float64, `Tensor([true, false])` bool.
    /// (These generic initialisers are disfavoured, so that a literal without a
    /// type, `Tensor([0.5, 1])`, stays float32 as it always was.)
    @_disfavoredOverload
    public init<T: TensorScalar>(_ values: [T], requiresGrad: Bool = false) {
        self.init(shape: [values.count], scalars: values, requiresGrad: requiresGrad)
    }

    /// A matrix of the dtype of `T` from its rows, which must all have the same length.
    @_disfavoredOverload
    public init<T: TensorScalar>(_ rows: [[T]], requiresGrad: Bool = false) {
        let (shape, scalars) = Tensor.flattened(rows)
        self.init(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A rank-3 tensor of the dtype of `T` from nested arrays, which must be rectangular.
    @_disfavoredOverload
    public init<T: TensorScalar>(_ planes: [[[T]]], requiresGrad: Bool = false) {
        let (shape, scalars) = Tensor.flattened(planes)
        self.init(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// An int64 rank-0 tensor from a Swift `Int`, as `torch.tensor(3)` is int64 (`Int` is not a
    /// ``TensorScalar``: its elements are stored as `Int64`). A literal, `Tensor(3)`, stays float32.
    @_disfavoredOverload
    public init(_ scalar: Int) {
        self.init(Int64(scalar))
    }

    /// An int64 vector from Swift `Int`s (`Tensor(x.shape)`, `Tensor(indices)`), as `torch.tensor`
    /// makes int64 from Python ints. A literal, `Tensor([1, 2, 3])`, stays float32.
    @_disfavoredOverload
    public init(_ values: [Int]) {
        self.init(values.map(Int64.init))
    }

    /// An int64 matrix from rows of Swift `Int`s, which must all have the same length.
    @_disfavoredOverload
    public init(_ rows: [[Int]]) {
        self.init(rows.map { $0.map(Int64.init) })
    }

    /// An int64 rank-3 tensor from nested arrays of Swift `Int`s, which must be rectangular.
    @_disfavoredOverload
    public init(_ planes: [[[Int]]]) {
        self.init(planes.map { $0.map { $0.map(Int64.init) } })
    }

    /// A vector.
    public init(_ values: [Float], requiresGrad: Bool = false) {
        self.init(shape: [values.count], scalars: values, requiresGrad: requiresGrad)
    }

    /// A matrix from its rows, which must all have the same length.
    public init(_ rows: [[Float]], requiresGrad: Bool = false) {
        let (shape, scalars) = Tensor.flattened(rows)
        self.init(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A rank-3 tensor from nested arrays, which must be rectangular.
    public init(_ planes: [[[Float]]], requiresGrad: Bool = false) {
        let (shape, scalars) = Tensor.flattened(planes)
        self.init(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// The shape and row-major elements of rows that must all have the same length.
    private static func flattened<T>(_ rows: [[T]]) -> (shape: [Int], scalars: [T]) {
        let width = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != width }) {
            fail("Tensor(_ rows:): row \(bad) has \(rows[bad].count) elements but row 0 has \(width)")
        }
        return ([rows.count, width], rows.flatMap { $0 })
    }

    /// The shape and row-major elements of planes that must all have the same shape.
    private static func flattened<T>(_ planes: [[[T]]]) -> (shape: [Int], scalars: [T]) {
        let matrices = planes.map(flattened)
        if let first = matrices.first, let bad = matrices.firstIndex(where: { $0.shape != first.shape }) {
            fail("Tensor(_ planes:): plane \(bad) has shape \(describe(matrices[bad].shape)) but plane 0 has \(describe(first.shape))")
        }
        return ([planes.count] + (matrices.first?.shape ?? [0, 0]), matrices.flatMap(\.scalars))
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var scalarCount: Int { shape.reduce(1, *) }

    /// The elements in row-major order as `Float` (a copy; works for views too).
    /// A tensor of another dtype converts each element: float64 rounds to the
    /// nearest Float, int64 and int32 are exact up to 2²⁴, bool gives 1 and 0.
    /// ``scalars(as:)`` reads exact values.
    public var scalars: [Float] { scalars(as: Float.self) }

    /// The elements in row-major order converted to `T` (exact when `T` is the
    /// Swift type of ``dtype``, else converted as ``to(_:)`` does).
    public func scalars<T: TensorScalar>(as type: T.Type = T.self) -> [T] {
        let source = dtype == T.dtype ? self : converted(to: T.dtype)
        return source.withUnsafeBufferPointer(as: T.self) { Array($0) }
    }

    /// The value of a one-element tensor as `Float`, converted as ``scalars`` is;
    /// ``item(as:)`` reads the exact value of any dtype.
    public var item: Float { item(as: Float.self) }

    /// The value of a one-element tensor converted to `T` (exact when `T` is the Swift type of ``dtype``).
    public func item<T: TensorScalar>(as type: T.Type = T.self) -> T {
        guard scalarCount == 1 else { fail("item: only a one-element tensor has an item, this one has shape \(describe(shape))") }
        return dtype.dispatch(ReadElement<T>(tensor: self))
    }

    /// Calls `body` with the float32 elements in row-major order, copying only if
    /// this tensor is not contiguous. Fails on another dtype: read those with ``scalars(as:)``.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard dtype == .float32 else {
            fail("withUnsafeBufferPointer: the tensor is \(dtype), not float32; use scalars(as:) or to(.float32)")
        }
        return try withUnsafeBufferPointer(as: Float.self, body)
    }

    /// Calls `body` with the elements in row-major order, copying only if this tensor is
    /// not contiguous; `T` must be the Swift type of ``dtype`` (`Double` for float64).
    public func withUnsafeBufferPointer<T: TensorScalar, R>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        guard T.dtype == dtype else {
            fail("withUnsafeBufferPointer(as:): the tensor is \(dtype), not \(T.dtype); use scalars(as:) or to(.\(T.dtype))")
        }
        let dense = isContiguous ? self : materialized()
        return try withExtendedLifetime(dense.storage) {
            try body(UnsafeBufferPointer(start: dense.storage.typed(T.self) + dense.offset, count: dense.scalarCount))
        }
    }

    /// Calls `body` with the elements' bytes in row-major order and the machine's
    /// (little-endian) byte order, copying only if this tensor is not contiguous: the
    /// reading side of ``init(shape:dtype:unsafeUninitializedBytes:)``, for any dtype.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let dense = isContiguous ? self : materialized()
        return try withExtendedLifetime(dense.storage) {
            try body(UnsafeRawBufferPointer(start: dense.storage.raw + dense.offset * dtype.byteSize, count: dense.scalarCount * dtype.byteSize))
        }
    }

    /// Whether the elements lie in storage in row-major order with no gaps.
    var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The address of the first element of a float32 tensor.
    var basePointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// The address of the first element; `T` must be the Swift type of ``dtype``.
    @inline(__always)
    func base<T: TensorScalar>(_ type: T.Type) -> UnsafeMutablePointer<T> { storage.typed(T.self) + offset }

    /// Row-major strides for a shape.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        // Scalars and vectors are the most frequent small tensors: share their strides.
        if shape.count == 0 { return [] }
        if shape.count == 1 { return vectorStrides }
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= Swift.max(shape[axis], 1)
        }
        return strides
    }

    private static let vectorStrides = [1]

    /// The element count of a shape, failing on negative extents.
    static func elementCount(_ shape: [Int], op: String, dtype: DType = .float32) -> Int {
        if let bad = shape.first(where: { $0 < 0 }) {
            fail("\(op): shape \(describe(shape)) has a negative extent \(bad)")
        }
        guard let count = elementCount(ofShape: shape, dtype: dtype) else {
            fail("\(op): shape \(describe(shape)) has too many elements to address")
        }
        return count
    }

    /// The number of float32 elements a tensor of `shape` holds, or nil when no tensor can
    /// have that shape: a negative extent, or extents whose product (an empty axis
    /// counting as 1, since strides are such products) or byte count passes `Int.max`.
    /// `[2^62, 0, 4]` holds nothing but is refused. Readers of untrusted shapes check
    /// with it and throw, instead of letting `Tensor(shape:)` stop the process.
    public static func elementCount(ofShape shape: [Int]) -> Int? { elementCount(ofShape: shape, dtype: .float32) }

    /// The number of elements a tensor of `shape` and `dtype` holds, or nil when no tensor can have it (see above).
    public static func elementCount(ofShape shape: [Int], dtype: DType) -> Int? {
        guard shape.allSatisfy({ $0 >= 0 }) else { return nil }
        var strideProduct = 1
        for extent in shape {
            let (product, overflow) = strideProduct.multipliedReportingOverflow(by: Swift.max(extent, 1))
            guard !overflow else { return nil }
            strideProduct = product
        }
        let count = shape.contains(0) ? 0 : strideProduct
        return dtype.byteCount(of: count) != nil ? count : nil
    }

    /// A view with another shape and strides onto the same storage, carrying no autograd record.
    func view(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// A contiguous copy of the elements, with no autograd record.
    func materialized() -> Tensor {
        dtype.dispatch(CopyElements(source: self))
    }

    /// Makes this tensor's storage its own and contiguous, so that it may be written in place.
    /// A leaf that requires grad already is: it writes the values all its copies share.
    mutating func makeUniqueAndContiguous() {
        if let node = autograd, node.isLeaf, node.values === storage { return }
        if !isKnownUniquelyReferenced(&storage) || !isContiguous || offset != 0 || storage.count != scalarCount {
            let copy = materialized()
            storage = copy.storage
            strides = copy.strides
            offset = 0
        }
    }
}
