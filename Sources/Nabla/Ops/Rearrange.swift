/// Ops that reorder, repeat or cut a tensor along its axes: flip, roll,
/// repeat/tile, narrow, split/chunk and sort/topk. Results that reorder
/// elements are copies, as PyTorch's; pieces from `narrow`, `split` and
/// `chunk` are views.
extension Tensor {
    /// The elements in reverse order along each of `axes` (PyTorch's `flip(dims)`), as a copy.
    public func flip(axes: [Int]) -> Tensor {
        let flipped = normalizedAxes(axes, rank: rank, op: "flip")
        var newStrides = strides, newOffset = offset
        for axis in flipped where shape[axis] > 0 {
            newOffset += (shape[axis] - 1) * strides[axis]
            newStrides[axis] = -strides[axis]
        }
        // A view with negative strides, copied at once so no other op ever sees one.
        return view(shape: shape, strides: newStrides, offset: newOffset).materialized()
            .recorded("flip", [self]) { g, _ in [g.flip(axes: flipped)] }
    }

    /// The elements shifted by `shifts[i]` positions along `axes[i]`, those
    /// pushed past the end coming back at the start (PyTorch's `roll`).
    public func roll(shifts: [Int], axes: [Int]) -> Tensor {
        guard shifts.count == axes.count else {
            fail("roll: \(shifts.count) shifts given for \(axes.count) axes; give one shift per axis")
        }
        var result = self
        for (shift, axis) in zip(shifts, axes) {
            let resolved = normalizedAxis(axis, rank: rank, op: "roll"), extent = shape[resolved]
            guard extent > 0 else { continue }
            let s = ((shift % extent) + extent) % extent
            guard s != 0 else { continue }
            result = Tensor.cat([result.narrow(axis: resolved, start: extent - s, length: s),
                                 result.narrow(axis: resolved, start: 0, length: extent - s)], axis: resolved)
        }
        return result
    }

    /// The elements of the flattened tensor shifted by `shift`, in this tensor's shape (PyTorch's `roll` without dims).
    public func roll(_ shift: Int) -> Tensor {
        reshape([-1]).roll(shifts: [shift], axes: [0]).reshape(shape)
    }

    /// This tensor repeated `counts[i]` times along axis i (PyTorch's `Tensor.repeat`):
    /// `counts` has at least `rank` entries, extra ones adding leading axes.
    public func `repeat`(_ counts: [Int]) -> Tensor {
        guard counts.count >= rank else {
            fail("repeat: \(counts.count) counts given for a tensor of shape \(describe(shape)); give at least \(rank)")
        }
        if let bad = counts.first(where: { $0 < 0 }) { fail("repeat: counts must be non-negative, got \(bad) in \(counts)") }
        let padded = Array(repeating: 1, count: counts.count - rank) + shape
        // [s0, s1] → [1, s0, 1, s1] → expanded to [c0, s0, c1, s1] → [c0·s0, c1·s1].
        let interleaved = padded.flatMap { [1, $0] }
        let expanded = zip(counts, padded).flatMap { [$0, $1] }
        return reshape(interleaved).expand(to: expanded).reshape(zip(counts, padded).map { $0 * $1 })
    }

    /// `repeat` with `counts` padded with leading 1s when shorter than the rank (PyTorch's `tile`).
    public func tile(_ counts: [Int]) -> Tensor {
        `repeat`(Array(repeating: 1, count: Swift.max(0, rank - counts.count)) + counts)
    }

    /// The view of `length` positions from `start` along `axis` (PyTorch's `narrow`); `start` may be negative.
    public func narrow(axis: Int, start: Int, length: Int) -> Tensor {
        let resolved = normalizedAxis(axis, rank: rank, op: "narrow"), extent = shape[resolved]
        let first = start < 0 ? start + extent : start
        guard first >= 0, length >= 0, first + length <= extent else {
            fail("narrow: start \(start) and length \(length) do not fit axis \(axis) of extent \(extent) (shape \(describe(shape)))")
        }
        let whole = Array(repeating: 0... as TensorIndex, count: resolved)
        return self[whole + [first..<(first + length)]]
    }

    /// Pieces of `size` positions along `axis`, the last one shorter if the
    /// extent is not a multiple (PyTorch's `split(int, dim)`). Views.
    public func split(size: Int, axis: Int = 0) -> [Tensor] {
        guard size > 0 else { fail("split: size must be positive, got \(size)") }
        let extent = shape[normalizedAxis(axis, rank: rank, op: "split")]
        guard extent > 0 else { return [self] }
        return stride(from: 0, to: extent, by: size).map { narrow(axis: axis, start: $0, length: Swift.min(size, extent - $0)) }
    }

    /// Pieces of the given `sizes` along `axis`, which must add up to its extent (PyTorch's `split(list, dim)`). Views.
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let extent = shape[normalizedAxis(axis, rank: rank, op: "split")]
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == extent else {
            fail("split: sizes \(sizes) do not add up to the extent \(extent) of axis \(axis) (shape \(describe(shape)))")
        }
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return narrow(axis: axis, start: start, length: size)
        }
    }

    /// At most `count` pieces of ⌈extent / count⌉ positions along `axis`, the last
    /// shorter (PyTorch's `chunk`, which may return fewer than `count`). Views.
    public func chunk(_ count: Int, axis: Int = 0) -> [Tensor] {
        guard count > 0 else { fail("chunk: count must be positive, got \(count)") }
        let extent = shape[normalizedAxis(axis, rank: rank, op: "chunk")]
        return split(size: Swift.max(1, (extent + count - 1) / count), axis: axis)
    }

    /// The elements sorted along `axis`, and the index (int64) each came from (PyTorch's
    /// `sort(dim, descending, stable=True)`): ties keep their order, and NaN counts
    /// as larger than every number, last ascending and first descending, as in PyTorch.
    /// The gradient goes back to each element's original position.
    public func sort(axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        guard rank > 0 else {
            checkScalarAxis(axis, op: "sort")
            return (self, Tensor(Int64(0)))
        }
        let resolved = normalizedAxis(axis, rank: rank, op: "sort")
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let lanes: Tensor, length: Int, descending: Bool
            func widened(_ operands: WidenedOperands) -> Self { Self(lanes: operands.input(lanes), length: length, descending: descending) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                let before: (T, T) -> Bool = descending
                    ? { ($0.isNaNValue && !$1.isNaNValue) || $0 > $1 }
                    : { (!$0.isNaNValue && $1.isNaNValue) || $0 < $1 }
                return lanes.withUnsafeBufferPointer(as: T.self) { x in
                    Tensor(shape: lanes.shape, dtype: Int64.self) { out in
                        var positions = Array(0..<length)
                        for start in stride(from: 0, to: x.count, by: Swift.max(length, 1)) {
                            for i in 0..<length { positions[i] = i }
                            let lane = x.baseAddress! + start
                            // Merge sort is stable; break the remaining ties by position to be sure.
                            positions.sort { before(lane[$0], lane[$1]) || (!before(lane[$1], lane[$0]) && $0 < $1) }
                            for i in 0..<length { out[start + i] = Int64(positions[i]) }
                        }
                    }
                }
            }
        }
        let others = (0..<rank).filter { $0 != resolved }
        let lanes = detached().permute(others + [resolved])
        let sortable = dtype == .bool ? lanes.to(.uint8) : lanes
        let order = sortable.dtype.dispatch(Kernel(lanes: sortable, length: shape[resolved], descending: descending), op: "sort")
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in (others + [resolved]).enumerated() { inverse[axis] = i }
        let indices = order.permute(inverse).contiguous()
        return (gather(axis: resolved, indices: indices), indices)
    }

    /// The indices that sort the elements along `axis` (PyTorch's `argsort(dim, descending, stable=True)`).
    public func argsort(axis: Int = -1, descending: Bool = false) -> Tensor {
        sort(axis: axis, descending: descending).indices
    }

    /// The `k` largest (or smallest) elements along `axis`, sorted, with their
    /// indices (PyTorch's `topk`); ties in the order they come, NaN as the largest.
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        if rank == 0 {
            checkScalarAxis(axis, op: "topk")
            let (values, indices) = reshape([1]).topk(k, axis: 0, largest: largest)
            return (values.reshape(k == 1 ? [] : [0]), indices.reshape(k == 1 ? [] : [0]))
        }
        let resolved = normalizedAxis(axis, rank: rank, op: "topk")
        guard k >= 0 && k <= shape[resolved] else {
            fail("topk: k = \(k) is out of range for axis \(axis) of extent \(shape[resolved])")
        }
        let indices = sort(axis: resolved, descending: largest).indices.narrow(axis: resolved, start: 0, length: k)
        return (gather(axis: resolved, indices: indices), indices)
    }
}
