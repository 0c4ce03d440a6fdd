/// Ops that pick elements by index. An index tensor holds integers (int64 as
/// `argmax` and `sort` give them, or int32/uint8); every op that reads one checks
/// each value lies within the axis. A Float tensor of integral values, the index
/// tensors of earlier releases, is still accepted for one release, with a
/// deprecation message. Picked elements are copied; the gradient is scattered
/// (added) back to the positions they came from, so an index picked twice gets both gradients.
extension Tensor {
    /// The elements as indices into an axis of `extent`: each must be an integer in
    /// `0..<extent`, else the op named `op` fails saying which `what` is at fault.
    public func integerIndices(extent: Int, op: String, what: String = "index") -> [Int] {
        switch dtype {
        case .int64, .int32, .uint8:
            return scalars(as: Int64.self).enumerated().map { position, value in
                guard value >= 0 && value < Int64(extent) else {
                    fail("\(op): \(what) \(value) at position \(position) is out of range for an axis of extent \(extent) (expected 0..<\(extent))")
                }
                return Int(value)
            }
        case .float32, .float64, .float16, .bfloat16:
            Nabla.warn("\(op): a \(dtype) index tensor is deprecated and will be refused in the next release; pass int64 indices (to(.int64))",
                       site: "deprecated float indices")
            return scalars(as: Double.self).enumerated().map { position, value in
                guard value.rounded() == value else {
                    fail("\(op): \(what) \(Float(value)) at position \(position) is not an integer")
                }
                guard value >= 0 && value < Double(extent) else {
                    fail("\(op): \(what) \(Int(exactly: value).map(String.init) ?? String(value)) at position \(position) is out of range for an axis of extent \(extent) (expected 0..<\(extent))")
                }
                return Int(value)
            }
        case .bool:
            fail("\(op): \(what) tensors must be integers, got bool")
        }
    }

    /// The slices at `indices` along `axis`, in that order (PyTorch's
    /// `index_select(dim, index)`); indices may repeat. `indices` is a vector.
    public func indexSelect(axis: Int, _ indices: Tensor) -> Tensor {
        guard indices.rank <= 1 else {
            fail("indexSelect: indices must be a vector, got shape \(describe(indices.shape))")
        }
        let resolved = normalizedAxis(axis, rank: rank, op: "indexSelect")
        return indexSelect(axis: resolved, indices.integerIndices(extent: shape[resolved], op: "indexSelect"))
    }

    /// The slices at `indices` along `axis`, in that order; indices may repeat.
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        let resolved = normalizedAxis(axis, rank: rank, op: "indexSelect")
        if let bad = indices.first(where: { $0 < 0 || $0 >= shape[resolved] }) {
            fail("indexSelect: index \(bad) is out of range for axis \(axis) of extent \(shape[resolved]) in a tensor of shape \(describe(shape))")
        }
        var outputShape = shape
        outputShape[resolved] = indices.count
        return picked(alongAxis: resolved, outputShape: outputShape, op: "indexSelect") { _, along in indices[along] }
    }

    /// `out[i][j][k] = self[index[i][j][k]][j][k]` for `axis` 0, and so on (PyTorch's
    /// `gather(dim, index)`): `indices` has this tensor's rank, and on every other
    /// axis an extent no larger than this tensor's. The result has the shape of `indices`.
    public func gather(axis: Int, indices: Tensor) -> Tensor {
        let resolved = normalizedAxis(axis, rank: rank, op: "gather")
        guard indices.rank == rank,
              indices.shape.indices.allSatisfy({ $0 == resolved || indices.shape[$0] <= shape[$0] }) else {
            fail("gather: indices of shape \(describe(indices.shape)) do not fit a tensor of shape \(describe(shape)) along axis \(axis) (same rank, no larger extents off the axis)")
        }
        let picks = indices.integerIndices(extent: shape[resolved], op: "gather")
        return picked(alongAxis: resolved, outputShape: indices.shape, op: "gather") { flat, _ in picks[flat] }
    }

    /// The elements at `indices` of this tensor read as a flat vector in row-major order
    /// (`torch.take`): the result has the shape of `indices`. `indices` is int64, as PyTorch's;
    /// a negative index counts from the end, and each must lie in −count..<count. Picking an
    /// index twice gives its gradient twice.
    public func take(_ indices: Tensor) -> Tensor {
        guard indices.dtype == .int64 else {
            fail("take: indices must be an int64 tensor, got \(indices.dtype) (convert with to(.int64))")
        }
        let count = scalarCount
        if count == 0 && indices.scalarCount > 0 {
            fail("take: cannot take \(indices.scalarCount) elements from a tensor of shape \(describe(shape)), which has none")
        }
        let positions = indices.scalars(as: Int64.self).enumerated().map { position, index in
            guard index >= -Int64(count) && index < Int64(count) else {
                fail("take: index \(index) at position \(position) is out of range for a tensor of shape \(describe(shape)) with \(count) elements (expected \(-count)..<\(count))")
            }
            return Int(index < 0 ? index + Int64(count) : index)
        }
        return taken(at: positions, shape: indices.shape, op: "take")
    }

    /// A tensor of `outputShape` whose element at multi-index m is this tensor's
    /// element at m with position `pick(flat index of m, m[axis])` along `axis`.
    func picked(alongAxis axis: Int, outputShape: [Int], op: String, _ pick: (_ flat: Int, _ along: Int) -> Int) -> Tensor {
        // Walk the output: its off-axis coordinates step through this tensor (operand 0),
        // its coordinate along `axis` is operand 1's offset.
        var strides = Tensor.contiguousStrides(shape)
        let axisStride = strides[axis]
        strides[axis] = 0
        let walk = RowWalk(shape: outputShape, strides: [strides, outputShape.indices.map { $0 == axis ? 1 : 0 }])
        var positions = [Int](repeating: 0, count: walk.count)
        let (baseStep, alongStep) = (walk.innerStrides[0], walk.innerStrides[1])
        walk.forEachRow { first, offsets in
            for i in 0..<walk.length {
                positions[first + i] = offsets[0] + i * baseStep + pick(first + i, offsets[1] + i * alongStep) * axisStride
            }
        }
        return taken(at: positions, shape: outputShape, op: op)
    }

    /// The elements at the row-major `positions` of this tensor, as a tensor of `shape`.
    /// The gradient adds each element's gradient back at its position.
    func taken(at positions: [Int], shape outputShape: [Int], op: String) -> Tensor {
        struct Take: ScalarKernel {
            let source: Tensor, positions: [Int], shape: [Int]
            func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
                source.withUnsafeBufferPointer(as: T.self) { source in
                    Tensor(shape: shape, dtype: T.self) { out in
                        for (k, position) in positions.enumerated() { out[k] = source[position] }
                    }
                }
            }
        }
        let result = dtype.dispatch(Take(source: self, positions: positions, shape: outputShape))
        let inputShape = shape
        return result.recorded(op, [self]) { g, _ in
            let scattered = Tensor.zeros(inputShape, dtype: g.dtype)
            g.dtype.dispatch(IndexedAdd(target: scattered, positions: positions, values: g), op: op)
            return [scattered]
        }
    }
}

/// `values`' elements added at `positions` of the contiguous `target`, in order; a repeated
/// position adds up (`indexPut` with `accumulate`, and the gradient of ``Tensor/taken(at:shape:op:)``).
struct IndexedAdd: NumericKernel, HalfPrecisionKernel {
    let target: Tensor, positions: [Int], values: Tensor
    func widened(_ operands: WidenedOperands) -> Self { Self(target: operands.target(target), positions: positions, values: operands.input(values)) }
    func run<T: NumericScalar>(_ type: T.Type) {
        let out = target.base(T.self)
        values.withUnsafeBufferPointer(as: T.self) { written in
            for (k, position) in positions.enumerated() { out[position] = T.plus(out[position], written[k]) }
        }
    }
}
