/// Reductions over any set of axes (negative axes count from the end).
/// Sums run on the backend: on BLAS a sum over leading or trailing axes of
/// contiguous data is one `sgemv` against a vector of ones.
extension Tensor {
    /// The sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// The sums over `axes`; with `keepDims` the reduced axes stay, with extent 1.
    /// Summation order differs between backends, so results agree to a few ulps
    /// scaled by the number of terms.
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

    /// The means over `axes`: the sum times 1/n, where n is the number of elements reduced.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let reduced = normalizedAxes(axes, rank: rank, op: "mean")
        let count = reduced.reduce(1) { $0 * shape[$1] }
        return sum(axes: reduced, keepDims: keepDims) * (1 / Float(count))
    }

    /// The largest element; NaN if any element is NaN.
    public func max() -> Tensor { max(axes: Array(0..<rank)) }
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }
    /// The maxima over `axes` (PyTorch's `amax`). The gradient is shared equally
    /// among tied maxima, or among the NaNs where the maximum is NaN.
    /// Deliberate difference: where `amax`'s gradient is NaN over a lane holding NaN, this one goes to its NaNs (as `max(dim)` sends it to one).
    public func max(axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepDims: keepDims, op: "max", isBetter: >)
    }

    /// The smallest element; NaN if any element is NaN.
    public func min() -> Tensor { min(axes: Array(0..<rank)) }
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }
    /// The minima over `axes` (PyTorch's `amin`). The gradient is shared equally
    /// among tied minima, or among the NaNs where the minimum is NaN.
    /// Deliberate difference: where `amin`'s gradient is NaN over a lane holding NaN, this one goes to its NaNs (as `min(dim)` sends it to one).
    public func min(axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepDims: keepDims, op: "min", isBetter: <)
    }

    /// The index of the first largest element along `axis` (as a Float, exact below 2²⁴); a NaN counts as largest, as in PyTorch.
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        indexOfExtremum(axis: axis, keepDims: keepDims, op: "argmax", isBetter: >)
    }

    /// The index of the first smallest element along `axis` (as a Float); a NaN counts as smallest, as in PyTorch.
    public func argmin(axis: Int, keepDims: Bool = false) -> Tensor {
        indexOfExtremum(axis: axis, keepDims: keepDims, op: "argmin", isBetter: <)
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

    /// The products along `axis` (PyTorch's `prod(dim)`). The gradient of each
    /// element is the product of the others in its lane, computed from prefix and
    /// suffix products, so it is exact where elements are 0 (no division).
    public func prod(axis: Int, keepDims: Bool = false) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "prod") { $0.prod(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "prod")
        let (source, outer, length, inner) = axisBlock(resolved)
        let kept = Tensor(shape: shape.indices.map { $0 == resolved ? 1 : shape[$0] }) { out in
            let x = source.basePointer
            withExtendedLifetime(source.storage) {
                if inner == 1 {
                    // A lane per output: eight partial products in flight so the loop vectorizes.
                    for o in 0..<outer { out[o] = contiguousProduct(x + o * length, count: length) }
                    return
                }
                for o in 0..<outer {
                    let row = out.baseAddress! + o * inner
                    row.update(repeating: 1, count: inner)
                    for l in 0..<length {
                        let lane = x + (o * length + l) * inner
                        for i in 0..<inner { row[i] *= lane[i] }
                    }
                }
            }
        }
        let inputShape = shape
        return kept.droppingAxes([resolved], keepDims: keepDims).recorded("prod", [self]) { g, _ in
            let upstream = g.reshape(kept.shape).contiguous()
            let gradient = Tensor(uninitializedShape: inputShape)
            let x = source.basePointer, gp = upstream.basePointer, out = gradient.basePointer
            withExtendedLifetime((source.storage, upstream.storage)) {
                withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(inner, 1)) { running in
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

    /// 1 if every element is non-zero (NaN counts as non-zero), else 0; 1 for an empty tensor (PyTorch's `all`).
    public func all() -> Tensor { reshape([-1]).all(axis: 0) }

    /// Whether every element along `axis` is non-zero, as 1 or 0.
    public func all(axis: Int, keepDims: Bool = false) -> Tensor {
        logicalReduction(axis: axis, keepDims: keepDims, op: "all", empty: 1) { row, length in
            for i in 0..<length where row[i] == 0 { return 0 }
            return 1
        }
    }

    /// 1 if any element is non-zero (NaN counts as non-zero), else 0; 0 for an empty tensor (PyTorch's `any`).
    public func any() -> Tensor { reshape([-1]).any(axis: 0) }

    /// Whether any element along `axis` is non-zero, as 1 or 0.
    public func any(axis: Int, keepDims: Bool = false) -> Tensor {
        logicalReduction(axis: axis, keepDims: keepDims, op: "any", empty: 0) { row, length in
            for i in 0..<length where row[i] != 0 { return 1 }
            return 0
        }
    }

    /// This tensor as a contiguous `[outer, length, inner]` block around `axis` (not recorded).
    func axisBlock(_ axis: Int) -> (source: Tensor, outer: Int, length: Int, inner: Int) {
        let source = isContiguous ? detached() : materialized()
        return (source, shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    private func indexOfExtremum(axis: Int, keepDims: Bool, op: String, isBetter: @escaping (Float, Float) -> Bool) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: op) { $0.indexOfExtremum(axis: 0, keepDims: false, op: op, isBetter: isBetter) } }
        let reduced = [normalizedAxis(axis, rank: rank, op: op)]
        return reduceRows(reduced, op: op) { row, length in
            var best = 0
            for i in 1..<length where !row[best].isNaN && (isBetter(row[i], row[best]) || row[i].isNaN) { best = i }
            return Float(best)
        }.droppingAxes(reduced, keepDims: keepDims)
    }

    /// The elements at `indices` (kept at extent 1 along `axis`), with those indices.
    private func valuesAt(_ indices: Tensor, axis: Int, keepDims: Bool) -> (values: Tensor, indices: Tensor) {
        guard rank > 0 else { return (self, indices) }
        let resolved = normalizedAxis(axis, rank: rank, op: "max")
        let values = gather(axis: resolved, indices: indices)
        return keepDims ? (values, indices) : (values.squeeze(axis: resolved), indices.squeeze(axis: resolved))
    }

    private func logicalReduction(axis: Int, keepDims: Bool, op: String, empty: Float,
                                  _ body: (UnsafePointer<Float>, Int) -> Float) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: op) { $0.logicalReduction(axis: 0, keepDims: false, op: op, empty: empty, body) } }
        let reduced = [normalizedAxis(axis, rank: rank, op: op)]
        let kept = shape[reduced[0]] == 0
            ? Tensor.full(shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }, empty)
            : reduceRows(reduced, op: op, body)
        return kept.droppingAxes(reduced, keepDims: keepDims)
    }

    /// Sums `gradient`, the gradient of a broadcast result, back to an operand's `target` shape.
    func summed(toShape target: [Int]) -> Tensor {
        guard shape != target else { return self }
        let lead = rank - target.count
        let axes = (0..<rank).filter { $0 < lead || (target[$0 - lead] == 1 && shape[$0] != 1) }
        return sum(axes: axes, keepDims: true).reshape(target)
    }

    private func extremum(axes: [Int], keepDims: Bool, op: String, isBetter: @escaping (Float, Float) -> Bool) -> Tensor {
        let reduced = normalizedAxes(axes, rank: rank, op: op)
        let kept = reduceRows(reduced, op: op) { row, length in
            var best = row[0]
            for i in 1..<length where isBetter(row[i], best) || row[i].isNaN { best = row[i] }
            return best
        }
        let input = detached(), inputShape = shape
        return kept.droppingAxes(reduced, keepDims: keepDims).recorded(op, [self]) { g, _ in
            // A NaN result came from the NaN elements, so they share its gradient (as PyTorch's).
            let winners = mapBroadcast(input, kept, op: op) { $0 == $1 || ($0.isNaN && $1.isNaN) ? 1 : 0 }
            let share = winners.sum(axes: reduced, keepDims: true)
            return [g.reshape(kept.shape).expand(to: inputShape) * winners / share]
        }
    }

    /// Reduces each row of the `reduced` axes with `body(row, length)`, giving a
    /// tensor with those axes kept at extent 1. Fails on an empty reduction.
    func reduceRows(_ reduced: [Int], op: String, _ body: (UnsafePointer<Float>, Int) -> Float) -> Tensor {
        let length = reduced.reduce(1) { $0 * shape[$1] }
        guard length > 0 else { fail("\(op): cannot reduce over an empty axis of a tensor of shape \(describe(shape))") }
        let keptAxes = (0..<rank).filter { !reduced.contains($0) }
        // Detached first, so the permutation records no throwaway graph node;
        // withUnsafeBufferPointer copies only if the reduced axes are not already last.
        let rows = detached().permute(keptAxes + reduced)
        let outputShape = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        return Tensor(shape: outputShape) { out in
            rows.withUnsafeBufferPointer { x in
                for r in out.indices { out[r] = body(x.baseAddress! + r * length, length) }
            }
        }
    }

    /// The sums over `reduced`, keeping those axes at extent 1 (not recorded).
    private func summedKeepingDims(_ reduced: [Int]) -> Tensor {
        let outputShape = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        if scalarCount == 0 { return .zeros(outputShape) }
        // Merge neighbouring axes of the same kind, skipping extent 1: the
        // blocks [outer, length, inner] that one backend call can reduce.
        var source = isContiguous ? detached() : materialized()
        var blocks = reductionBlocks(source.shape, reduced)
        if blocks.count > 3 || (blocks.count == 3 && blocks[0].reduced) {
            let keptAxes = (0..<rank).filter { !reduced.contains($0) }
            source = source.permute(keptAxes + reduced).detached().materialized()
            blocks = reductionBlocks(source.shape, Array(keptAxes.count..<rank))
        }
        if !blocks.contains(where: { $0.reduced }) { return source.reshape(outputShape) }
        var outer = 1, length = 1, inner = 1
        var seenReduced = false
        for block in blocks {
            if block.reduced { length = block.extent; seenReduced = true }
            else if seenReduced { inner = block.extent }
            else { outer = block.extent }
        }
        let result = Tensor(uninitializedShape: outputShape)
        let kernels = Nabla.kernels
        let x = UnsafePointer(source.basePointer)
        withExtendedLifetime(source.storage) {
            kernels.sum(outer: outer, length: length, inner: inner, x: x, into: result.basePointer)
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

/// The product of `count` contiguous floats, with eight partial products in flight.
private func contiguousProduct(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var partial = SIMD8<Float>(repeating: 1)
    var i = 0
    while i + 8 <= count {
        partial *= UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total: Float = 1
    for lane in 0..<8 { total *= partial[lane] }
    while i < count { total *= x[i]; i += 1 }
    return total
}
