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
        guard count > 0 else { return }
        let operands = innerStrides.count, outerRank = outerShape.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operands + outerRank) { scratch in
            let offsets = scratch.baseAddress!
            let index = offsets + operands
            offsets.initialize(repeating: 0, count: operands)
            index.initialize(repeating: 0, count: outerRank)
            var start = 0
            while start < count {
                body(start, offsets)
                start += length
                // Advance the outer index like an odometer, moving every operand's offset with it.
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

/// `f` applied to every element of `a` (of the dtype of `T`), into a new
/// contiguous tensor of the dtype of `U`.
@inline(__always)
func mapElements<T: TensorScalar, U: TensorScalar>(_ a: Tensor, _ type: T.Type, _ f: (T) -> U) -> Tensor {
    checkDType(a, T.self, op: "elementwise op")
    let result = Tensor(uninitializedShape: a.shape, dtype: U.dtype)
    let x = a.base(T.self), out = result.base(U.self)
    if a.isContiguous {
        // The common case needs no row walk: one unit-stride loop.
        withExtendedLifetime(a.storage) {
            for i in 0..<result.storage.count { out[i] = f(x[i]) }
        }
        return result
    }
    let walk = RowWalk(shape: a.shape, strides: [a.strides])
    let n = walk.length, sx = walk.innerStrides[0]
    withExtendedLifetime(a.storage) {
        walk.forEachRow { start, offsets in
            let row = x + offsets[0], o = out + start
            if sx == 1 {
                for i in 0..<n { o[i] = f(row[i]) }
            } else {
                for i in 0..<n { o[i] = f(row[i * sx]) }
            }
        }
    }
    return result
}

/// `f` applied to the broadcast pairs of `a` and `b` (both of the dtype of `T`),
/// into a new contiguous tensor of the dtype of `U`.
@inline(__always)
func mapBroadcast<T: TensorScalar, U: TensorScalar>(_ a: Tensor, _ b: Tensor, _ type: T.Type, op: String, _ f: (T, T) -> U) -> Tensor {
    checkDType(a, T.self, op: op)
    checkDType(b, T.self, op: op)
    let shape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape, op: op)
    let result = Tensor(uninitializedShape: shape, dtype: U.dtype)
    let count = result.storage.count
    let denseA = a.shape == shape && a.isContiguous, denseB = b.shape == shape && b.isContiguous
    if (denseA || a.isUniform) && (denseB || b.isUniform) {
        // Dense operands of the output's shape, or one value repeated (a scalar,
        // or an expanded one such as the gradient of a sum): one loop, no row walk.
        let x = a.base(T.self), y = b.base(T.self), out = result.base(U.self)
        withExtendedLifetime((a.storage, b.storage)) {
            switch (denseA, denseB) {
            case (true, true):
                for i in 0..<count { out[i] = f(x[i], y[i]) }
            case (true, false):
                let yv = y[0]
                for i in 0..<count { out[i] = f(x[i], yv) }
            case (false, true):
                let xv = x[0]
                for i in 0..<count { out[i] = f(xv, y[i]) }
            case (false, false):
                out.initialize(repeating: f(x[0], y[0]), count: count)
            }
        }
        return result
    }
    let walk = RowWalk(shape: shape, strides: [a.broadcastStrides(to: shape), b.broadcastStrides(to: shape)])
    let pa = a.base(T.self), pb = b.base(T.self), out = result.base(U.self)
    let n = walk.length, sa = walk.innerStrides[0], sb = walk.innerStrides[1]
    withExtendedLifetime((a.storage, b.storage)) {
        walk.forEachRow { start, offsets in
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
    return result
}

/// `f` applied to the broadcast triples of `a` (of the dtype of `A`), `b` and `c`
/// (of the dtype of `T`), into a new contiguous tensor of the dtype of `U`.
@inline(__always)
func mapBroadcast<A: TensorScalar, T: TensorScalar, U: TensorScalar>(
    _ a: Tensor, _ b: Tensor, _ c: Tensor, _ first: A.Type, _ rest: T.Type, op: String, _ f: (A, T, T) -> U
) -> Tensor {
    checkDType(a, A.self, op: op)
    checkDType(b, T.self, op: op)
    checkDType(c, T.self, op: op)
    let shape = broadcastShape(broadcastShape(a.shape, b.shape, op: op), c.shape, op: op)
    let result = Tensor(uninitializedShape: shape, dtype: U.dtype)
    let walk = RowWalk(shape: shape, strides: [a.broadcastStrides(to: shape), b.broadcastStrides(to: shape), c.broadcastStrides(to: shape)])
    let pa = a.base(A.self), pb = b.base(T.self), pc = c.base(T.self), out = result.base(U.self)
    let n = walk.length, sa = walk.innerStrides[0], sb = walk.innerStrides[1], sc = walk.innerStrides[2]
    withExtendedLifetime((a.storage, b.storage, c.storage)) {
        walk.forEachRow { start, offsets in
            let x = pa + offsets[0], y = pb + offsets[1], z = pc + offsets[2], o = out + start
            if sa == 1 && sb == 1 && sc == 1 {
                for i in 0..<n { o[i] = f(x[i], y[i], z[i]) }
            } else {
                for i in 0..<n { o[i] = f(x[i * sa], y[i * sb], z[i * sc]) }
            }
        }
    }
    return result
}
