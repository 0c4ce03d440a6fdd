/// Reductions over any set of axes (negative axes count from the end).
/// Sums run on the backend: on BLAS a sum over leading or trailing axes of
/// contiguous data is one `sgemv` against a vector of ones.
extension Tensor {
    /// The sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// The sums over `axes`; with `keepDims` the reduced axes stay, with extent 1.
    /// Summation order differs between backends, so results agree to a few ulps
    /// scaled by the number of terms. A floating tensor sums in its own dtype
    /// (float32 in float32, on BLAS's vectorised kernels: see the article "Element
    /// types"); an integer or bool tensor sums to int64, as in PyTorch.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let reduced = normalizedAxes(axes, rank: rank, op: "sum")
        let kept = summedKeepingDims(reduced)
        let inputShape = shape
        return kept.droppingAxes(reduced, keepDims: keepDims).recorded("sum", [self]) { g, _ in
            [g.reshape(kept.shape).expand(to: inputShape)]
        }
    }

    /// The mean of all elements; NaN for an empty tensor, as in NumPy.
    public func mean() -> Tensor { mean(axes: Array(0..<rank)) }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// The means over `axes`: the sum times 1/n (n rounded to the dtype), where n is
    /// the number of elements reduced. As in PyTorch, an integer tensor has no mean:
    /// convert it with `to(.float32)` first.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        guard dtype.isFloatingPoint else {
            fail("mean: could not infer output dtype; the input dtype must be a floating point dtype, got \(dtype) (convert with to(.float32))")
        }
        let reduced = normalizedAxes(axes, rank: rank, op: "mean")
        let count = reduced.reduce(1) { $0 * shape[$1] }
        return sum(axes: reduced, keepDims: keepDims) * Tensor.meanReciprocal(count: count, dtype: dtype)
    }

    /// The factor a mean of `count` elements of `dtype` multiplies their sum by: 1/n rounded to
    /// float32 for float32 (so the product rounds as PyTorch's float32 mean does), else in float64.
    static func meanReciprocal(count: Int, dtype: DType) -> Double {
        dtype == .float32 ? Double(1 / Float(count)) : 1 / Double(count)
    }

    /// The largest element; NaN if any element is NaN.
    public func max() -> Tensor { max(axes: Array(0..<rank)) }
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }
    /// The maxima over `axes` (PyTorch's `amax`). The gradient is shared equally
    /// among tied maxima, or among the NaNs where the maximum is NaN.
    /// Deliberate difference: where `amax`'s gradient is NaN over a lane holding NaN, this one goes to its NaNs (as `max(dim)` sends it to one).
    public func max(axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepDims: keepDims, op: "max", largest: true)
    }

    /// The smallest element; NaN if any element is NaN.
    public func min() -> Tensor { min(axes: Array(0..<rank)) }
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }
    /// The minima over `axes` (PyTorch's `amin`). The gradient is shared equally
    /// among tied minima, or among the NaNs where the minimum is NaN.
    /// Deliberate difference: where `amin`'s gradient is NaN over a lane holding NaN, this one goes to its NaNs (as `min(dim)` sends it to one).
    public func min(axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepDims: keepDims, op: "min", largest: false)
    }

    /// The index of the first largest element along `axis`, as int64; a NaN counts as largest, as in PyTorch.
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        indexOfExtremum(axis: axis, keepDims: keepDims, op: "argmax", largest: true)
    }

    /// The index of the first smallest element along `axis`, as int64; a NaN counts as smallest, as in PyTorch.
    public func argmin(axis: Int, keepDims: Bool = false) -> Tensor {
        indexOfExtremum(axis: axis, keepDims: keepDims, op: "argmin", largest: false)
    }

    /// The row-major index of the first largest element, as a rank-0 tensor (PyTorch's `argmax()`).
    public func argmax() -> Tensor { reshape([-1]).argmax(axis: 0) }

    /// The row-major index of the first smallest element, as a rank-0 tensor (PyTorch's `argmin()`).
    public func argmin() -> Tensor { reshape([-1]).argmin(axis: 0) }

    /// The maxima along `axis` and the index of each (the first, or the first NaN),
    /// as PyTorch's `max(x, dim)`. The gradient goes to that one element only.
    public func maxWithIndices(axis: Int, keepDims: Bool = false) -> (values: Tensor, indices: Tensor) {
        valuesAt(argmax(axis: axis, keepDims: true), axis: axis, keepDims: keepDims)
    }

    /// The minima along `axis` and the index of each (the first, or the first NaN),
    /// as PyTorch's `min(x, dim)`. The gradient goes to that one element only.
    public func minWithIndices(axis: Int, keepDims: Bool = false) -> (values: Tensor, indices: Tensor) {
        valuesAt(argmin(axis: axis, keepDims: true), axis: axis, keepDims: keepDims)
    }

    /// The product of all elements, as a rank-0 tensor; 1 for an empty tensor.
    public func prod() -> Tensor { reshape([-1]).prod(axis: 0) }

    /// The products along `axis` (PyTorch's `prod(dim)`). float32 and float64 keep their
    /// dtype; integers and bools multiply in int64, which wraps on overflow, as PyTorch's.
    /// The gradient of each element is the product of the others in its lane, computed
    /// from prefix and suffix products, so it is exact where elements are 0 (no division).
    public func prod(axis: Int, keepDims: Bool = false) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "prod") { $0.prod(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "prod")
        guard dtype.isFloatingPoint else {
            let (source, outer, length, inner) = to(.int64).axisBlock(resolved)
            return laneProducts(source, outer: outer, length: length, inner: inner, axis: resolved, Int64.self, contiguousLane: nil)
                .droppingAxes([resolved], keepDims: keepDims)
        }
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let source: Tensor, axis: Int, keepDims: Bool
            func widened(_ operands: WidenedOperands) -> Self { Self(source: operands.input(source), axis: axis, keepDims: keepDims) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { source.product(alongAxis: axis, keepDims: keepDims, T.self) }
        }
        return dtype.dispatch(Kernel(source: self, axis: resolved, keepDims: keepDims), op: "prod")
    }

    /// The products of the lanes of the contiguous `outer × length × inner` block `source`, with
    /// `axis` kept at extent 1 (`self`'s shape otherwise); `contiguousLane` multiplies a lane of
    /// consecutive elements (`inner` = 1) when given.
    private func laneProducts<T: NumericScalar>(_ source: Tensor, outer: Int, length: Int, inner: Int, axis: Int, _ type: T.Type,
                                                contiguousLane: ((UnsafePointer<T>, Int) -> T)?) -> Tensor {
        Tensor(shape: shape.indices.map { $0 == axis ? 1 : shape[$0] }, dtype: T.self) { out in
            let x = UnsafePointer(source.base(T.self))
            withExtendedLifetime(source.storage) {
                if inner == 1, let contiguousLane {
                    for o in 0..<outer { out[o] = contiguousLane(x + o * length, length) }
                    return
                }
                for o in 0..<outer {
                    let row = out.baseAddress! + o * inner
                    row.update(repeating: T.one, count: inner)
                    for l in 0..<length {
                        let lane = x + (o * length + l) * inner
                        for i in 0..<inner { row[i] = T.times(row[i], lane[i]) }
                    }
                }
            }
        }
    }

    private func product<T: FloatingScalar>(alongAxis resolved: Int, keepDims: Bool, _ type: T.Type) -> Tensor {
        let (source, outer, length, inner) = axisBlock(resolved)
        // A lane per output along the last axis: eight partial products in flight so the loop vectorizes.
        let kept = laneProducts(source, outer: outer, length: length, inner: inner, axis: resolved, T.self) {
            contiguousProduct($0, count: $1)
        }
        let inputShape = shape
        return kept.droppingAxes([resolved], keepDims: keepDims).recorded("prod", [self]) { g, _ in
            let upstream = g.reshape(kept.shape).contiguous()
            let gradient = Tensor(uninitializedShape: inputShape, dtype: T.dtype)
            let x = source.base(T.self), gp = upstream.base(T.self), out = gradient.base(T.self)
            withExtendedLifetime((source.storage, upstream.storage)) {
                withUnsafeTemporaryAllocation(of: T.self, capacity: Swift.max(inner, 1)) { running in
                    let r = running.baseAddress!
                    for o in 0..<outer {
                        // out = (product of the lane before l) · (product after l) · g.
                        r.update(repeating: 1, count: inner)
                        for l in 0..<length {
                            let lane = x + (o * length + l) * inner, target = out + (o * length + l) * inner
                            for i in 0..<inner { target[i] = r[i]; r[i] *= lane[i] }
                        }
                        r.update(from: gp + o * inner, count: inner)
                        for l in stride(from: length - 1, through: 0, by: -1) {
                            let lane = x + (o * length + l) * inner, target = out + (o * length + l) * inner
                            for i in 0..<inner { target[i] *= r[i]; r[i] *= lane[i] }
                        }
                    }
                }
            }
            return [gradient]
        }
    }

    /// Whether every element is non-zero (NaN counts as non-zero), as a bool; true for an empty tensor (PyTorch's `all`).
    public func all() -> Tensor { reshape([-1]).all(axis: 0) }

    /// Whether every element along `axis` is non-zero, as a bool tensor.
    public func all(axis: Int, keepDims: Bool = false) -> Tensor {
        logicalReduction(axis: axis, keepDims: keepDims, op: "all", any: false)
    }

    /// Whether any element is non-zero (NaN counts as non-zero), as a bool; false for an empty tensor (PyTorch's `any`).
    public func any() -> Tensor { reshape([-1]).any(axis: 0) }

    /// Whether any element along `axis` is non-zero, as a bool tensor.
    public func any(axis: Int, keepDims: Bool = false) -> Tensor {
        logicalReduction(axis: axis, keepDims: keepDims, op: "any", any: true)
    }

    /// This tensor as a contiguous `[outer, length, inner]` block around `axis` (not recorded).
    func axisBlock(_ axis: Int) -> (source: Tensor, outer: Int, length: Int, inner: Int) {
        let source = isContiguous ? detached() : materialized()
        return (source, shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    private func indexOfExtremum(axis: Int, keepDims: Bool, op: String, largest: Bool) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: op) { $0.indexOfExtremum(axis: 0, keepDims: false, op: op, largest: largest) } }
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let source: Tensor, reduced: [Int], op: String, largest: Bool
            func widened(_ operands: WidenedOperands) -> Self { Self(source: operands.input(source), reduced: reduced, op: op, largest: largest) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                source.reduceRows(reduced, op: op, T.self) { row, length -> Int64 in
                    var best = 0
                    for i in 1..<length where !row[best].isNaNValue && ((largest ? row[i] > row[best] : row[i] < row[best]) || row[i].isNaNValue) {
                        best = i
                    }
                    return Int64(best)
                }
            }
        }
        let reduced = [normalizedAxis(axis, rank: rank, op: op)]
        let source = dtype == .bool ? to(.uint8) : self
        return source.dtype.dispatch(Kernel(source: source, reduced: reduced, op: op, largest: largest), op: op)
            .droppingAxes(reduced, keepDims: keepDims)
    }

    /// The elements at `indices` (kept at extent 1 along `axis`), with those indices.
    private func valuesAt(_ indices: Tensor, axis: Int, keepDims: Bool) -> (values: Tensor, indices: Tensor) {
        guard rank > 0 else { return (self, indices) }
        let resolved = normalizedAxis(axis, rank: rank, op: "max")
        let values = gather(axis: resolved, indices: indices)
        return keepDims ? (values, indices) : (values.squeeze(axis: resolved), indices.squeeze(axis: resolved))
    }

    /// `any` (some element non-zero) or `all` (every element non-zero) along `axis`, as bool.
    private func logicalReduction(axis: Int, keepDims: Bool, op: String, any: Bool) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: op) { $0.logicalReduction(axis: 0, keepDims: false, op: op, any: any) } }
        struct Kernel: ScalarKernel {
            let source: Tensor, reduced: [Int], op: String, any: Bool
            func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
                source.reduceRows(reduced, op: op, T.self) { row, length -> Bool in
                    for i in 0..<length where (row[i].doubleValue != 0) == any { return any }
                    return !any
                }
            }
        }
        let reduced = [normalizedAxis(axis, rank: rank, op: op)]
        let kept = shape[reduced[0]] == 0
            ? Tensor.full(shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }, any ? 0 : 1, dtype: .bool)
            : dtype.dispatch(Kernel(source: self, reduced: reduced, op: op, any: any))
        return kept.droppingAxes(reduced, keepDims: keepDims)
    }

    /// Sums `gradient`, the gradient of a broadcast result, back to an operand's `target` shape.
    func summed(toShape target: [Int]) -> Tensor {
        guard shape != target else { return self }
        let lead = rank - target.count
        let axes = (0..<rank).filter { $0 < lead || (target[$0 - lead] == 1 && shape[$0] != 1) }
        return sum(axes: axes, keepDims: true).reshape(target)
    }

    private func extremum(axes: [Int], keepDims: Bool, op: String, largest: Bool) -> Tensor {
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let source: Tensor, reduced: [Int], op: String, largest: Bool
            func widened(_ operands: WidenedOperands) -> Self { Self(source: operands.input(source), reduced: reduced, op: op, largest: largest) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor { source.extrema(reduced, op: op, largest: largest, T.self) }
        }
        struct Winner: FloatingMap2 {
            func callAsFunction<T: FloatingScalar>(_ x: T, _ best: T) -> T { x == best || (x.isNaN && best.isNaN) ? 1 : 0 }
        }
        let reduced = normalizedAxes(axes, rank: rank, op: op)
        let kept = dtype == .bool
            ? to(.uint8).extremum(axes: reduced, keepDims: true, op: op, largest: largest).to(.bool)
            : dtype.dispatch(Kernel(source: self, reduced: reduced, op: op, largest: largest), op: op)
        let input = detached(), inputShape = shape
        return kept.droppingAxes(reduced, keepDims: keepDims).recorded(op, [self]) { g, _ in
            // A NaN result came from the NaN elements, so they share its gradient (as PyTorch's).
            let winners = mapFloating(input, kept, op: op, Winner())
            let share = winners.sum(axes: reduced, keepDims: true)
            return [g.reshape(kept.shape).expand(to: inputShape) * winners / share]
        }
    }

    /// The maxima (or minima) over `reduced`, those axes kept at extent 1 (not recorded);
    /// a lane holding NaN gives NaN. The one extremum loop, behind `max`, `min` and softmax's shift.
    func extrema<T: NumericScalar>(_ reduced: [Int], op: String, largest: Bool, _ type: T.Type) -> Tensor {
        reduceRows(reduced, op: op, T.self) { row, length in laneExtremum(row, length, largest: largest) }
    }

    /// Reduces each row of the `reduced` axes of this tensor (of the dtype of `T`) with
    /// `body(row, length)` into a tensor of the dtype of `U`, those axes kept at extent 1.
    /// Fails on an empty reduction.
    @inline(__always)
    func reduceRows<T: TensorScalar, U: TensorScalar>(_ reduced: [Int], op: String, _ type: T.Type,
                                                      _ body: (UnsafePointer<T>, Int) -> U) -> Tensor {
        checkDType(self, T.self, op: op)
        let length = reduced.reduce(1) { $0 * shape[$1] }
        guard length > 0 else { fail("\(op): cannot reduce over an empty axis of a tensor of shape \(describe(shape))") }
        let keptAxes = (0..<rank).filter { !reduced.contains($0) }
        // Detached first, so the permutation records no throwaway graph node;
        // withUnsafeBufferPointer copies only if the reduced axes are not already last.
        let rows = detached().permute(keptAxes + reduced)
        let outputShape = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        let result = Tensor(uninitializedShape: outputShape, dtype: U.dtype)
        let out = result.base(U.self)
        rows.withUnsafeBufferPointer(as: T.self) { x in
            for r in 0..<result.scalarCount { out[r] = body(x.baseAddress! + r * length, length) }
        }
        return result
    }

    /// The sums over `reduced`, keeping those axes at extent 1 (not recorded).
    private func summedKeepingDims(_ reduced: [Int]) -> Tensor {
        // Integers and bools sum to int64, widening each element as it is read: an int64 copy of a
        // uint8 tensor would take 8× its memory (MNIST's 3s, 4.8 MB of bytes, 38 MB of int64).
        let sumType: DType = dtype.isFloatingPoint ? dtype : .int64
        let outputShape = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        if scalarCount == 0 { return .zeros(outputShape, dtype: sumType) }
        // Merge neighbouring axes of the same kind, skipping extent 1: the
        // blocks [outer, length, inner] that one backend call can reduce.
        var source = isContiguous ? detached() : materialized()
        var blocks = reductionBlocks(source.shape, reduced)
        if blocks.count > 3 || (blocks.count == 3 && blocks[0].reduced) {
            let keptAxes = (0..<rank).filter { !reduced.contains($0) }
            source = source.permute(keptAxes + reduced).detached().materialized()
            blocks = reductionBlocks(source.shape, Array(keptAxes.count..<rank))
        }
        if !blocks.contains(where: { $0.reduced }) { return source.reshape(outputShape).to(sumType) }
        var outer = 1, length = 1, inner = 1
        var seenReduced = false
        for block in blocks {
            if block.reduced { length = block.extent; seenReduced = true }
            else if seenReduced { inner = block.extent }
            else { outer = block.extent }
        }
        let result = Tensor(uninitializedShape: outputShape, dtype: sumType)
        let block = BlockSum(source: source, result: result, outer: outer, length: length, inner: inner)
        if dtype.isFloatingPoint {
            dtype.dispatch(block.onBackend, op: "sum")
        } else {
            dtype.dispatch(block.widening)
        }
        return result
    }

    /// Drops the `reduced` axes (all of extent 1 here) unless `keepDims`.
    func droppingAxes(_ reduced: [Int], keepDims: Bool) -> Tensor {
        keepDims ? self : reshape(shape.indices.filter { !reduced.contains($0) }.map { shape[$0] })
    }
}

/// Runs of neighbouring axes that are all reduced or all kept, ignoring extent-1 axes.
private func reductionBlocks(_ shape: [Int], _ reduced: [Int]) -> [(extent: Int, reduced: Bool)] {
    var blocks: [(extent: Int, reduced: Bool)] = []
    for axis in shape.indices where shape[axis] != 1 {
        let isReduced = reduced.contains(axis)
        if let last = blocks.last, last.reduced == isReduced {
            blocks[blocks.count - 1].extent *= shape[axis]
        } else {
            blocks.append((shape[axis], isReduced))
        }
    }
    return blocks
}

/// The largest (or smallest) of `length` ≥ 1 elements, or the last NaN among them.
/// One comparison per element, `!(x <= best)` (larger, or NaN), whose branch is rarely
/// taken, so the loop runs as fast as a plain maximum; a NaN leaves it for the rare path.
@inline(__always)
private func laneExtremum<T: NumericScalar>(_ row: UnsafePointer<T>, _ length: Int, largest: Bool) -> T {
    /// The last NaN of `row[start..<length]`, which holds one.
    func lastNaN(from start: Int) -> T {
        var last = start
        for i in start..<length where row[i].isNaNValue { last = i }
        return row[last]
    }
    var best = row[0]
    if best.isNaNValue { return lastNaN(from: 0) }
    if largest {
        for i in 1..<length where !(row[i] <= best) {
            best = row[i]
            if best.isNaNValue { return lastNaN(from: i) }
        }
    } else {
        for i in 1..<length where !(row[i] >= best) {
            best = row[i]
            if best.isNaNValue { return lastNaN(from: i) }
        }
    }
    return best
}

/// The product of `count` contiguous elements, with eight partial products in flight.
private func contiguousProduct<T: FloatingScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
    var partial = SIMD8<T>(repeating: 1)
    var i = 0
    while i + 8 <= count {
        partial *= UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<T>.self)
        i += 8
    }
    var total: T = 1
    for lane in 0..<8 { total *= partial[lane] }
    while i < count { total *= x[i]; i += 1 }
    return total
}

/// Sums the middle axis of a contiguous `[outer, length, inner]` block into `result`:
/// in a wrapping int64 loop for the integers and bool (`widening`), and through
/// `onBackend` for the floating types.
private struct BlockSum {
    let source: Tensor, result: Tensor, outer: Int, length: Int, inner: Int

    /// The sum of an integer or bool block into an int64 `result`, each element widened as it is read, wrapping as PyTorch's.
    var widening: Widening { Widening(block: self) }

    struct Widening: ScalarKernel {
        let block: BlockSum
        func run<T: TensorScalar>(_ type: T.Type) {
            let (source, inner) = (block.source, block.inner)
            let x = UnsafePointer(source.base(T.self)), y = block.result.base(Int64.self)
            withExtendedLifetime(source.storage) {
                for o in 0..<block.outer {
                    let row = y + o * inner
                    row.initialize(repeating: 0, count: inner)
                    for l in 0..<block.length {
                        let lane = x + (o * block.length + l) * inner
                        for i in 0..<inner { row[i] &+= lane[i].int64Value }
                    }
                }
            }
        }
    }

    /// The same sum on the backend's kernel, for a floating block.
    var onBackend: OnBackend { OnBackend(block: self) }

    struct OnBackend: FloatingKernel, HalfPrecisionKernel {
        let block: BlockSum
        func widened(_ operands: WidenedOperands) -> Self { Self(block: BlockSum(source: operands.input(block.source), result: operands.target(block.result),
                                  outer: block.outer, length: block.length, inner: block.inner)) }
        func run<T: FloatingScalar>(_ type: T.Type) {
            let kernels = Nabla.kernels
            withExtendedLifetime(block.source.storage) {
                kernels.sum(outer: block.outer, length: block.length, inner: block.inner,
                            x: UnsafePointer(block.source.base(T.self)), into: block.result.base(T.self))
            }
        }
    }
}
