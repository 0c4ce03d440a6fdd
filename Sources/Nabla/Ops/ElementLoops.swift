/// The loops behind every elementwise op. An op is applied row by row over a
/// broadcast output: axes that move in step for every operand are merged
/// first, so a contiguous or simply broadcast operand becomes one long row
/// whose inner loop is unit-stride (or a repeated scalar) and vectorizes.
struct RowWalk {
    /// Elements per row.
    let length: Int
    /// Each operand's stride along the row.
    let innerStrides: [Int]
    /// The outer axes, and operand k's stride along outer axis i at `outerStrides[k * outerShape.count + i]`.
    private let outerShape: [Int]
    private let outerStrides: [Int]
    /// The total number of elements.
    let count: Int

    /// `strides[k]` are operand k's strides over `shape` (0 on broadcast axes).
    init(shape: [Int], strides: [[Int]]) {
        let operands = strides.count
        var dims: [Int] = []
        var merged: [Int] = []   // axis-major: merged[axis * operands + k]
        for axis in shape.indices where shape[axis] != 1 {
            let extent = shape[axis]
            let last = merged.count - operands
            if !dims.isEmpty, (0..<operands).allSatisfy({ merged[last + $0] == strides[$0][axis] * extent }) {
                dims[dims.count - 1] *= extent
                for k in 0..<operands { merged[last + k] = strides[k][axis] }
            } else {
                dims.append(extent)
                for k in 0..<operands { merged.append(strides[k][axis]) }
            }
        }
        count = shape.reduce(1, *)
        length = dims.last ?? 1
        let outerRank = Swift.max(dims.count - 1, 0)
        innerStrides = dims.isEmpty ? [Int](repeating: 0, count: operands) : Array(merged[(outerRank * operands)...])
        outerShape = Array(dims.prefix(outerRank))
        var outer = [Int](repeating: 0, count: operands * outerRank)
        for axis in 0..<outerRank {
            for k in 0..<operands { outer[k * outerRank + axis] = merged[axis * operands + k] }
        }
        outerStrides = outer
    }

    /// Calls `body(outputStart, offsets)` for each row, where `outputStart` is
    /// the row's first index in a contiguous output and `offsets[k]` operand k's
    /// storage offset of that element.
    @inline(__always)
    func forEachRow(_ body: (_ outputStart: Int, _ offsets: UnsafeMutablePointer<Int>) -> Void) {
        forEachRow(in: 0..<count) { start, offsets, _ in body(start, offsets) }
    }

    /// Calls `body(outputStart, offsets, count)` for each run of `count` elements of one
    /// row whose indices in a contiguous output lie in `elements`: whole rows, and the parts
    /// of the first and last rows that `elements` cuts. `offsets[k]` is operand k's storage
    /// offset of the run's first element. So a loop can run in blocks of elements
    /// (``ParallelLoop``) whatever its rows' length.
    @inline(__always)
    func forEachRow(in elements: Range<Int>, _ body: (_ outputStart: Int, _ offsets: UnsafeMutablePointer<Int>, _ count: Int) -> Void) {
        guard !elements.isEmpty else { return }
        let operands = innerStrides.count, outerRank = outerShape.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operands + outerRank) { scratch in
            let offsets = scratch.baseAddress!
            let index = offsets + operands
            // The outer index of the row holding the first element, and every operand's offset of that element.
            var row = elements.lowerBound / length
            for axis in stride(from: outerRank - 1, through: 0, by: -1) {
                index[axis] = row % outerShape[axis]
                row /= outerShape[axis]
            }
            var rowStart = elements.lowerBound - elements.lowerBound % length
            for k in 0..<operands {
                var offset = (elements.lowerBound - rowStart) * innerStrides[k]
                for axis in 0..<outerRank { offset += index[axis] * outerStrides[k * outerRank + axis] }
                offsets[k] = offset
            }
            var start = elements.lowerBound
            while start < elements.upperBound {
                body(start, offsets, Swift.min(rowStart + length, elements.upperBound) - start)
                // Back to the row's first element, then to the next row: advance the outer
                // index like an odometer, moving every operand's offset with it.
                if start != rowStart {
                    for k in 0..<operands { offsets[k] -= (start - rowStart) * innerStrides[k] }
                }
                rowStart += length
                start = rowStart
                var axis = outerRank - 1
                while axis >= 0 {
                    index[axis] += 1
                    for k in 0..<operands { offsets[k] += outerStrides[k * outerRank + axis] }
                    if index[axis] < outerShape[axis] { break }
                    for k in 0..<operands { offsets[k] -= outerStrides[k * outerRank + axis] * outerShape[axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// The shape that NumPy broadcasting gives two shapes, or a failure naming `op`.
func broadcastShape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        guard x == y || x == 1 || y == 1 else {
            fail("\(op): shapes \(describe(a)) and \(describe(b)) cannot be broadcast together: \(x) != \(y) at axis \(i - rank)")
        }
        result[i] = x == 1 ? y : x
    }
    return result
}

extension Tensor {
    /// Whether every element is the one stored value: a single element, or one stretched by `expand`.
    var isUniform: Bool {
        zip(shape, strides).allSatisfy { $0.0 == 1 || $0.1 == 0 } && scalarCount > 0
    }

    /// This tensor's strides when broadcast to `target` (0 on added or stretched axes).
    func broadcastStrides(to target: [Int]) -> [Int] {
        let lead = target.count - rank
        return target.indices.map { axis in
            axis < lead || shape[axis - lead] == 1 ? 0 : strides[axis - lead]
        }
    }
}

/// Fails unless `tensor` holds elements of type `T`: a loop never reinterprets another dtype's bytes.
@inline(__always)
func checkDType<T: TensorScalar>(_ tensor: Tensor, _ type: T.Type, op: String) {
    guard tensor.dtype == T.dtype else {
        fail("\(op): expected a \(T.dtype) tensor, got \(tensor.dtype); this op does not take \(tensor.dtype) yet (convert with to(.\(T.dtype)))")
    }
}

/// An elementwise function of one operand, written as a type rather than a closure. The
/// loops below run large work in blocks on ``ParallelLoop``'s threads, and a block inlines
/// (and vectorizes) only a function its type names: through a closure each element would
/// cost an indirect call, slower on two threads than the vector loop on one.
protocol UnaryElementFunction: ElementFunction {
    associatedtype Input: TensorScalar
    associatedtype Output: TensorScalar
    func callAsFunction(_ x: Input) -> Output
}

/// An elementwise function of two operands of one type (see ``UnaryElementFunction``).
protocol BinaryElementFunction: ElementFunction {
    associatedtype Input: TensorScalar
    associatedtype Output: TensorScalar
    func callAsFunction(_ x: Input, _ y: Input) -> Output
}

/// An elementwise function of a first operand and two more of another type (see ``UnaryElementFunction``).
protocol TernaryElementFunction: ElementFunction {
    associatedtype First: TensorScalar
    associatedtype Input: TensorScalar
    associatedtype Output: TensorScalar
    func callAsFunction(_ x: First, _ y: Input, _ z: Input) -> Output
}

/// What every element function says: whether its loop may run on the pool's threads.
protocol ElementFunction {
    /// False for a closure, which a block on the pool could only call indirectly: its loop
    /// stays on the calling thread, where the closure is inlined.
    static var runsOnThePool: Bool { get }
}

extension ElementFunction {
    static var runsOnThePool: Bool { true }
}

// Closures as element functions, for the ops that pass one (see `ElementFunction.runsOnThePool`).
struct UnaryClosure<Input: TensorScalar, Output: TensorScalar>: UnaryElementFunction {
    let body: (Input) -> Output
    static var runsOnThePool: Bool { false }
    func callAsFunction(_ x: Input) -> Output { body(x) }
}

struct BinaryClosure<Input: TensorScalar, Output: TensorScalar>: BinaryElementFunction {
    let body: (Input, Input) -> Output
    static var runsOnThePool: Bool { false }
    func callAsFunction(_ x: Input, _ y: Input) -> Output { body(x, y) }
}

struct TernaryClosure<First: TensorScalar, Input: TensorScalar, Output: TensorScalar>: TernaryElementFunction {
    let body: (First, Input, Input) -> Output
    static var runsOnThePool: Bool { false }
    func callAsFunction(_ x: First, _ y: Input, _ z: Input) -> Output { body(x, y, z) }
}

/// `f` on every element of `a` (of the dtype of `T`), on the calling thread (see `UnaryElementFunction`).
@inline(__always)
func mapElements<T: TensorScalar, U: TensorScalar>(_ a: Tensor, _ type: T.Type, _ f: (T) -> U) -> Tensor {
    withoutActuallyEscaping(f) { mapElements(a, UnaryClosure(body: $0)) }
}

/// `f` on the broadcast pairs of `a` and `b` (of the dtype of `T`), on the calling thread.
@inline(__always)
func mapBroadcast<T: TensorScalar, U: TensorScalar>(_ a: Tensor, _ b: Tensor, _ type: T.Type, op: String, _ f: (T, T) -> U) -> Tensor {
    withoutActuallyEscaping(f) { mapBroadcast(a, b, op: op, BinaryClosure(body: $0)) }
}

/// `f` on the broadcast triples of `a` (of the dtype of `A`), `b` and `c` (of `T`), on the calling thread.
@inline(__always)
func mapBroadcast<A: TensorScalar, T: TensorScalar, U: TensorScalar>(
    _ a: Tensor, _ b: Tensor, _ c: Tensor, _ first: A.Type, _ rest: T.Type, op: String, _ f: (A, T, T) -> U
) -> Tensor {
    withoutActuallyEscaping(f) { mapBroadcast(a, b, c, op: op, TernaryClosure(body: $0)) }
}

/// Calls `body` on blocks of `0..<count`, the output indices of `F`'s loop: on the pool when
/// `F` runs there and the loop is large, else in one piece on the calling thread.
@inline(__always)
private func forEachOutputBlock<F: ElementFunction>(_ count: Int, _ function: F.Type, _ body: (Range<Int>) -> Void) {
    if F.runsOnThePool {
        ParallelLoop.forEachRange(count, rangeLength: ParallelLoop.blockElements, body)
    } else {
        body(0..<count)
    }
}

/// `f` applied to every element of `a` (of `f`'s input dtype), into a new contiguous
/// tensor of `f`'s output dtype; on several threads when large (``ParallelLoop``).
@inline(__always)
func mapElements<F: UnaryElementFunction>(_ a: Tensor, _ f: F) -> Tensor {
    checkDType(a, F.Input.self, op: "elementwise op")
    let result = Tensor(uninitializedShape: a.shape, dtype: F.Output.dtype)
    let x = a.base(F.Input.self), out = result.base(F.Output.self)
    let count = result.storage.count
    if a.isContiguous {
        // The common case needs no row walk: one unit-stride loop per block.
        withExtendedLifetime(a.storage) {
            forEachOutputBlock(count, F.self) { range in
                let xs = x + range.lowerBound, o = out + range.lowerBound
                for i in 0..<range.count { o[i] = f(xs[i]) }
            }
        }
        return result
    }
    let walk = RowWalk(shape: a.shape, strides: [a.strides])
    let sx = walk.innerStrides[0]
    withExtendedLifetime(a.storage) {
        forEachOutputBlock(count, F.self) { range in
            walk.forEachRow(in: range) { start, offsets, n in
                let row = x + offsets[0], o = out + start
                if sx == 1 {
                    for i in 0..<n { o[i] = f(row[i]) }
                } else {
                    for i in 0..<n { o[i] = f(row[i * sx]) }
                }
            }
        }
    }
    return result
}

/// `f` applied to the broadcast pairs of `a` and `b` (both of `f`'s input dtype), into a
/// new contiguous tensor of `f`'s output dtype; on several threads when large.
@inline(__always)
func mapBroadcast<F: BinaryElementFunction>(_ a: Tensor, _ b: Tensor, op: String, _ f: F) -> Tensor {
    checkDType(a, F.Input.self, op: op)
    checkDType(b, F.Input.self, op: op)
    let shape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape, op: op)
    let result = Tensor(uninitializedShape: shape, dtype: F.Output.dtype)
    let count = result.storage.count
    let pa = a.base(F.Input.self), pb = b.base(F.Input.self), out = result.base(F.Output.self)
    let denseA = a.shape == shape && a.isContiguous, denseB = b.shape == shape && b.isContiguous
    if (denseA || a.isUniform) && (denseB || b.isUniform) {
        // Dense operands of the output's shape, or one value repeated (a scalar,
        // or an expanded one such as the gradient of a sum): one loop per block, no row walk.
        withExtendedLifetime((a.storage, b.storage)) {
            forEachOutputBlock(count, F.self) { range in
                let x = pa + range.lowerBound, y = pb + range.lowerBound, o = out + range.lowerBound, n = range.count
                switch (denseA, denseB) {
                case (true, true):
                    for i in 0..<n { o[i] = f(x[i], y[i]) }
                case (true, false):
                    let yv = pb[0]
                    for i in 0..<n { o[i] = f(x[i], yv) }
                case (false, true):
                    let xv = pa[0]
                    for i in 0..<n { o[i] = f(xv, y[i]) }
                case (false, false):
                    o.initialize(repeating: f(pa[0], pb[0]), count: n)
                }
            }
        }
        return result
    }
    let walk = RowWalk(shape: shape, strides: [a.broadcastStrides(to: shape), b.broadcastStrides(to: shape)])
    let sa = walk.innerStrides[0], sb = walk.innerStrides[1]
    withExtendedLifetime((a.storage, b.storage)) {
        forEachOutputBlock(count, F.self) { range in
            walk.forEachRow(in: range) { start, offsets, n in
                let x = pa + offsets[0], y = pb + offsets[1], o = out + start
                if sa == 1 && sb == 1 {
                    for i in 0..<n { o[i] = f(x[i], y[i]) }
                } else if sa == 1 && sb == 0 {
                    let yv = y[0]
                    for i in 0..<n { o[i] = f(x[i], yv) }
                } else if sa == 0 && sb == 1 {
                    let xv = x[0]
                    for i in 0..<n { o[i] = f(xv, y[i]) }
                } else {
                    for i in 0..<n { o[i] = f(x[i * sa], y[i * sb]) }
                }
            }
        }
    }
    return result
}

/// `f` applied to the broadcast triples of `a` (of `f`'s first dtype), `b` and `c` (of its
/// input dtype), into a new contiguous tensor of `f`'s output dtype; on several threads when large.
@inline(__always)
func mapBroadcast<F: TernaryElementFunction>(_ a: Tensor, _ b: Tensor, _ c: Tensor, op: String, _ f: F) -> Tensor {
    checkDType(a, F.First.self, op: op)
    checkDType(b, F.Input.self, op: op)
    checkDType(c, F.Input.self, op: op)
    let shape = broadcastShape(broadcastShape(a.shape, b.shape, op: op), c.shape, op: op)
    let result = Tensor(uninitializedShape: shape, dtype: F.Output.dtype)
    let walk = RowWalk(shape: shape, strides: [a.broadcastStrides(to: shape), b.broadcastStrides(to: shape), c.broadcastStrides(to: shape)])
    let pa = a.base(F.First.self), pb = b.base(F.Input.self), pc = c.base(F.Input.self), out = result.base(F.Output.self)
    let sa = walk.innerStrides[0], sb = walk.innerStrides[1], sc = walk.innerStrides[2]
    withExtendedLifetime((a.storage, b.storage, c.storage)) {
        forEachOutputBlock(walk.count, F.self) { range in
            walk.forEachRow(in: range) { start, offsets, n in
                let x = pa + offsets[0], y = pb + offsets[1], z = pc + offsets[2], o = out + start
                if sa == 1 && sb == 1 && sc == 1 {
                    for i in 0..<n { o[i] = f(x[i], y[i], z[i]) }
                } else {
                    for i in 0..<n { o[i] = f(x[i * sa], y[i * sb], z[i * sc]) }
                }
            }
        }
    }
    return result
}
