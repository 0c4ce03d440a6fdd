/// Ops that move or regroup elements. Reshapes of contiguous data,
/// permutations, slices and `expand` are views onto the same storage.
extension Tensor {
    /// The same elements in another shape; one extent may be −1 and is inferred.
    /// A view when this tensor is contiguous, else a copy.
    public func reshape(_ newShape: [Int]) -> Tensor {
        let resolved = resolvedShape(newShape)
        guard resolved != shape else { return self }
        let source = isContiguous ? self : materialized()
        let inputShape = shape
        return source.view(shape: resolved, strides: Tensor.contiguousStrides(resolved), offset: source.offset)
            .recorded("reshape", [self]) { g, _ in [g.reshape(inputShape)] }
    }

    private func resolvedShape(_ newShape: [Int]) -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1 else { fail("reshape: only one extent can be -1, got \(describe(newShape))") }
        if let bad = newShape.first(where: { $0 < -1 }) { fail("reshape: invalid extent \(bad) in \(describe(newShape))") }
        var resolved = newShape
        if let axis = inferred.first {
            let known = newShape.enumerated().reduce(1) { $1.offset == axis ? $0 : $0 * $1.element }
            guard known != 0, scalarCount % known == 0 else {
                fail("reshape: shape \(describe(newShape)) is invalid for a tensor of \(scalarCount) elements")
            }
            resolved[axis] = scalarCount / known
        }
        guard resolved.reduce(1, *) == scalarCount else {
            fail("reshape: shape \(describe(newShape)) is invalid for a tensor of shape \(describe(shape)) (\(scalarCount) elements)")
        }
        return resolved
    }

    /// The axes `startAxis...endAxis` merged into one.
    public func flatten(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        guard rank > 0 else { return reshape([1]) }
        let start = normalizedAxis(startAxis, rank: rank, op: "flatten")
        let end = normalizedAxis(endAxis, rank: rank, op: "flatten")
        guard start <= end else { fail("flatten: startAxis \(startAxis) comes after endAxis \(endAxis)") }
        let merged = shape[start...end].reduce(1, *)
        return reshape(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }

    /// This tensor without `axis` if its extent is 1; unchanged otherwise, as PyTorch's `squeeze(dim)`.
    public func squeeze(axis: Int) -> Tensor {
        let resolved = normalizedAxis(axis, rank: rank, op: "squeeze")
        guard shape[resolved] == 1 else { return self }
        var newShape = shape
        newShape.remove(at: resolved)
        return reshape(newShape)
    }

    /// All extent-1 axes removed.
    public func squeeze() -> Tensor { reshape(shape.filter { $0 != 1 }) }

    /// A new axis of extent 1 at `axis` (−1 appends it).
    public func unsqueeze(axis: Int) -> Tensor {
        let resolved = normalizedAxis(axis, rank: rank + 1, op: "unsqueeze")
        var newShape = shape
        newShape.insert(1, at: resolved)
        return reshape(newShape)
    }

    /// The axes reordered: axis i of the result is axis `axes[i]` of this tensor. A view.
    public func permute(_ axes: [Int]) -> Tensor {
        guard axes.count == rank else {
            fail("permute: \(axes) names \(axes.count) axes but the tensor of shape \(describe(shape)) has \(rank)")
        }
        let order = axes.map { normalizedAxis($0, rank: rank, op: "permute") }
        // A permutation names each axis once: `inverse` is filled at every position exactly when it is one.
        var inverse = [Int](repeating: -1, count: rank)
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        guard !inverse.contains(-1) else { fail("permute: \(axes) is not a permutation of the axes 0..<\(rank)") }
        return view(shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
            .recorded("permute", [self]) { g, _ in [g.permute(inverse)] }
    }

    /// Axes `a` and `b` swapped. A view.
    public func transpose(_ a: Int, _ b: Int) -> Tensor {
        let a = normalizedAxis(a, rank: rank, op: "transpose"), b = normalizedAxis(b, rank: rank, op: "transpose")
        // The swap itself, without permute's general bookkeeping: linear layers and their
        // gradients transpose several times per step. It is its own inverse.
        var (shape, strides) = (shape, strides)
        shape.swapAt(a, b)
        strides.swapAt(a, b)
        return view(shape: shape, strides: strides, offset: offset)
            .recorded("transpose", [self]) { g, _ in [g.transpose(a, b)] }
    }

    /// The last two axes swapped (the matrix transpose). A view.
    public var transposed: Tensor {
        guard rank >= 2 else { fail("transposed: needs at least 2 axes, the tensor has shape \(describe(shape))") }
        return transpose(-1, -2)
    }

    /// This tensor broadcast to `target` without copying: extent-1 axes are
    /// stretched (stride 0) and new axes added in front. An extent of −1 keeps
    /// this tensor's extent on that axis, as in PyTorch (not on a new axis).
    public func expand(to requested: [Int]) -> Tensor {
        let lead = requested.count - rank
        if let bad = requested.indices.first(where: { requested[$0] < -1 || (requested[$0] == -1 && $0 < lead) }) {
            fail("expand: extent \(requested[bad]) at axis \(bad) of \(describe(requested)) is invalid for a tensor of shape \(describe(shape))")
        }
        let target = requested.indices.map { requested[$0] == -1 ? shape[$0 - lead] : requested[$0] }
        guard target != shape else { return self }
        guard target.count >= rank,
              zip(shape, target.suffix(rank)).allSatisfy({ $0 == $1 || $0 == 1 }) else {
            fail("expand: a tensor of shape \(describe(shape)) cannot be expanded to \(describe(target))")
        }
        let inputShape = shape
        return view(shape: target, strides: broadcastStrides(to: target), offset: offset)
            .recorded("expand", [self]) { g, _ in [g.summed(toShape: inputShape)] }
    }

    /// This tensor as a contiguous one: itself if already so, else a copy.
    public func contiguous() -> Tensor {
        guard !isContiguous else { return self }
        return materialized().recorded("contiguous", [self]) { g, _ in [g] }
    }

    /// The rows `indices` of axis 0, gathered into a new contiguous tensor
    /// (PyTorch's `index_select(0, indices)`); indices may repeat.
    public func gather(rows indices: [Int]) -> Tensor {
        guard rank >= 1 else { fail("gather: needs at least one axis, the tensor is a scalar") }
        let rows = shape[0]
        if let bad = indices.first(where: { $0 < 0 || $0 >= rows }) {
            fail("gather: row \(bad) is out of range for axis 0 of extent \(rows)")
        }
        struct Gather: ScalarKernel {
            let source: Tensor, indices: [Int], rowShape: [Int], rowLength: Int
            func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
                Tensor(shape: [indices.count] + rowShape, dtype: T.self) { out in
                    let base = UnsafePointer(source.base(T.self)), target = out.baseAddress!
                    withExtendedLifetime(source.storage) {
                        for (i, row) in indices.enumerated() {
                            (target + i * rowLength).update(from: base + row * rowLength, count: rowLength)
                        }
                    }
                }
            }
        }
        struct Scatter: FloatingKernel, HalfPrecisionKernel {
            let gradient: Tensor, indices: [Int], shape: [Int], rowLength: Int
            func widened(_ operands: WidenedOperands) -> Self { Self(gradient: operands.input(gradient), indices: indices, shape: shape, rowLength: rowLength) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor {
                // Rows picked more than once receive the sum of their gradients.
                let scattered = Tensor.zeros(shape, dtype: T.dtype)
                gradient.withUnsafeBufferPointer(as: T.self) { source in
                    for (i, row) in indices.enumerated() {
                        let target = scattered.base(T.self) + row * rowLength, from = source.baseAddress! + i * rowLength
                        for j in 0..<rowLength { target[j] += from[j] }
                    }
                }
                return scattered
            }
        }
        let rowShape = Array(shape.dropFirst())
        let rowLength = rowShape.reduce(1, *)
        let source = isContiguous ? detached() : materialized()
        let result = dtype.dispatch(Gather(source: source, indices: indices, rowShape: rowShape, rowLength: rowLength))
        let inputShape = shape
        return result.recorded("gather", [self]) { g, _ in
            [g.dtype.dispatch(Scatter(gradient: g, indices: indices, shape: inputShape, rowLength: rowLength), op: "gather")]
        }
    }

    /// `tensors` joined along an existing `axis`; all other extents must agree.
    public static func cat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        guard let first = tensors.first else { fail("cat: needs at least one tensor") }
        let resolved = normalizedAxis(axis, rank: first.rank, op: "cat")
        for (i, t) in tensors.enumerated() {
            var expected = first.shape, actual = t.shape
            guard t.rank == first.rank else {
                fail("cat: tensor \(i) has shape \(describe(t.shape)) but tensor 0 has shape \(describe(first.shape)); ranks differ")
            }
            expected[resolved] = 0
            actual[resolved] = 0
            guard expected == actual else {
                fail("cat: tensor \(i) has shape \(describe(t.shape)) but tensor 0 has shape \(describe(first.shape)); only axis \(axis) may differ")
            }
        }
        var shape = first.shape
        shape[resolved] = tensors.reduce(0) { $0 + $1.shape[resolved] }
        // Mixed dtypes join in the promoted one, as torch.cat; `to` sends each gradient back in its input's dtype.
        let dtype = resultType(tensors)
        let inputs = tensors.map { $0.to(dtype) }
        let result = Tensor(uninitializedShape: shape, dtype: dtype)
        let extents = inputs.map { $0.shape[resolved] }
        var starts: [Int] = []
        var start = 0
        for (t, extent) in zip(inputs, extents) {
            starts.append(start)
            result.slab(axis: resolved, start: start, extent: extent).assign(from: t)
            start += extent
        }
        return result.recorded("cat", inputs) { g, needs in
            extents.indices.map { i in needs[i] ? g.slab(axis: resolved, start: starts[i], extent: extents[i]) : nil }
        }
    }

    /// `tensors`, which must share one shape, stacked along a new `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        guard let first = tensors.first else { fail("stack: needs at least one tensor") }
        if let bad = tensors.firstIndex(where: { $0.shape != first.shape }) {
            fail("stack: tensor \(bad) has shape \(describe(tensors[bad].shape)) but tensor 0 has shape \(describe(first.shape))")
        }
        let resolved = normalizedAxis(axis, rank: first.rank + 1, op: "stack")
        return cat(tensors.map { $0.unsqueeze(axis: resolved) }, axis: resolved)
    }

    /// The view of `extent` positions from `start` along `axis` (no autograd record).
    func slab(axis: Int, start: Int, extent: Int) -> Tensor {
        var newShape = shape
        newShape[axis] = extent
        return view(shape: newShape, strides: strides, offset: offset + start * strides[axis])
    }

    /// Writes `source`'s elements into this view's positions, broadcasting `source`
    /// and converting it to this tensor's dtype (as PyTorch's `t[...] = v` does).
    /// Callers ensure the storage is not shared with a tensor that must not change.
    func assign(from source: Tensor) {
        let source = source.dtype == dtype ? source : source.converted(to: dtype)
        dtype.dispatch(AssignElements(target: self, source: source))
    }
}

/// Writes `source` (broadcast, of the same dtype) into `target`'s positions.
private struct AssignElements: ScalarKernel {
    let target: Tensor
    let source: Tensor

    func run<T: TensorScalar>(_ type: T.Type) {
        let walk = RowWalk(shape: target.shape, strides: [target.strides, source.broadcastStrides(to: target.shape)])
        let into = target.base(T.self), from = source.base(T.self)
        let n = walk.length, st = walk.innerStrides[0], ss = walk.innerStrides[1]
        withExtendedLifetime(source.storage) {
            walk.forEachRow { _, offsets in
                let t = into + offsets[0], s = from + offsets[1]
                if st == 1 && ss == 1 {
                    t.update(from: s, count: n)
                } else {
                    for i in 0..<n { t[i * st] = s[i * ss] }
                }
            }
        }
    }
}
