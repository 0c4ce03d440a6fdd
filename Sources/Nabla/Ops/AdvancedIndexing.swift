/// Integer-array and boolean-mask indexing with NumPy's and PyTorch's semantics
/// ("advanced indexing"): `x[[0, 2]]`, `x[idx]`, `x[0..., idx]`, `x[mask]`, and
/// assignment through them (`x[mask] = v`, ``indexPut(_:values:accumulate:)``).
///
/// An integer tensor (int64 or int32) or `[Int]` in a subscript picks positions along
/// its axis; a bool tensor of rank k is a mask over the next k axes and stands for the
/// coordinates of its `true` elements (``nonzero()``). Plain `Int`s in the same
/// subscript count as 0-D integer indices. All the integer indices broadcast together
/// to one shape B. When they sit on adjacent axes, B replaces those axes in place;
/// otherwise B comes first, then the sliced axes (NumPy's rule). The result is a copy,
/// never a view; its gradient adds back into the picked positions (repeated positions
/// accumulate). Negative indices count from the end.

/// An index that selects with an integer tensor or a bool mask (advanced indexing).
protocol AdvancedTensorIndex: TensorIndex {
    var indexTensor: Tensor { get }
}

extension Tensor: TensorIndex, AdvancedTensorIndex {
    /// An int64 or int32 tensor picks positions along its axis; a bool tensor is a mask.
    public func selection(extent: Int) -> AxisSelection { .advanced(self) }
    var indexTensor: Tensor { self }
}

extension Array: TensorIndex, AdvancedTensorIndex where Element == Int {
    /// The positions `self` along the axis, as PyTorch's `x[:, [0, 2]]`.
    public func selection(extent: Int) -> AxisSelection { .advanced(indexTensor) }
    var indexTensor: Tensor { Tensor(shape: [count], scalars: map(Int64.init)) }
}

extension Tensor {
    /// The rows `indices` of the first axis, in that order (PyTorch's `x[[0, 2]]`, a copy;
    /// negative indices count from the end). `x[[0, 2] as [TensorIndex]]` still means
    /// `x[0, 2]`, the basic indexing of two axes.
    public subscript(_ indices: [Int]) -> Tensor {
        get { self[[indices as TensorIndex]] }
        set { self[[indices as TensorIndex]] = newValue }
    }

    /// The coordinates of the non-zero (for bool, `true`) elements, one row each in
    /// row-major order, as an int64 tensor `[count, rank]` (PyTorch's `nonzero`).
    public func nonzero() -> Tensor {
        let positions = nonzeroPositions()
        var coordinates: [Int64] = []
        coordinates.reserveCapacity(positions.count * rank)
        let strides = Tensor.contiguousStrides(shape)
        for position in positions {
            for axis in 0..<rank { coordinates.append(Int64(position / strides[axis] % shape[axis])) }
        }
        return Tensor(shape: [positions.count, rank], scalars: coordinates)
    }

    /// The same as ``nonzero()`` (NumPy's and PyTorch's `argwhere`).
    public func argwhere() -> Tensor { nonzero() }

    /// The elements where `mask` (a bool tensor broadcastable to this shape) is true,
    /// as a vector in row-major order (PyTorch's `masked_select`). Differentiable.
    public func maskedSelect(_ mask: Tensor) -> Tensor {
        guard mask.dtype == .bool else { fail("maskedSelect: expected a bool mask, got \(mask.dtype)") }
        let target = broadcastShape(shape, mask.shape, op: "maskedSelect")
        return expand(to: target)[mask.expand(to: target)]
    }

    /// Writes `values` (converted to this tensor's dtype and broadcast to the picked shape)
    /// at the positions that `self[indices]` picks, or adds them there with `accumulate`,
    /// where repeated positions then add up (PyTorch's `index_put_`; adding bools is an or,
    /// as there). Differentiable in both this tensor and `values`.
    public mutating func indexPut(_ indices: [TensorIndex], values: Tensor, accumulate: Bool = false) {
        checkInPlaceUpdate("indexPut")
        let plan = AdvancedIndexPlan(indices, shape: shape, op: accumulate ? "indexPut" : "subscript assignment")
        guard values.rank <= plan.outputShape.count,
              zip(values.shape.reversed(), plan.outputShape.reversed()).allSatisfy({ $0 == $1 || $0 == 1 }) else {
            fail("indexPut: shape mismatch: value tensor of shape \(describe(values.shape)) cannot be broadcast to indexing result of shape \(describe(plan.outputShape))")
        }
        // Converted first, so that a float32 value's gradient comes back through `to` as float32.
        let values = values.to(dtype)
        let inputs = [autograd, values.autograd]
        makeUniqueAndContiguous()
        let positions = plan.positions
        let source = values.expand(to: plan.outputShape)
        if accumulate && dtype == .bool {
            // An or: a true value sets its position, a false one leaves it.
            let out = base(Bool.self)
            source.withUnsafeBufferPointer(as: Bool.self) { written in
                for (k, position) in positions.enumerated() where written[k] { out[position] = true }
            }
        } else if accumulate {
            dtype.dispatch(IndexedAdd(target: self, positions: positions, values: source), op: "indexPut")
        } else {
            dtype.dispatch(IndexedAssign(target: self, positions: positions, values: source))
        }
        guard GradMode.isEnabled, inputs.contains(where: { $0 != nil }) else { return }
        let valueShape = values.shape, outputShape = plan.outputShape
        autograd = AutogradNode(op: accumulate ? "indexPut" : "subscript assignment", inputs: inputs) { g, needs in
            var kept: Tensor?
            if needs[0] {
                // Overwritten positions lose their old value's gradient; accumulated ones keep it.
                var zeroed = g.clone()
                if !accumulate {
                    zeroed.makeUniqueAndContiguous()
                    zeroed.dtype.dispatch(IndexedAssign(target: zeroed, positions: positions, values: Tensor.zeros(outputShape, dtype: g.dtype)))
                }
                kept = zeroed
            }
            let valueGradient = needs[1] ? g.taken(at: positions, shape: outputShape, op: "indexPut").summed(toShape: valueShape) : nil
            return [kept, valueGradient]
        }
    }

    /// `self[indices]` when an index is an integer tensor, `[Int]` or a mask (see the top of this file).
    func advancedPicking(_ indices: [TensorIndex]) -> Tensor {
        let plan = AdvancedIndexPlan(indices, shape: shape, op: "subscript")
        return taken(at: plan.positions, shape: plan.outputShape, op: "subscript")
    }

    /// The row-major positions of the non-zero elements.
    fileprivate func nonzeroPositions() -> [Int] {
        switch dtype {
        case .bool: return scalars(as: Bool.self).enumerated().filter(\.element).map(\.offset)
        case .float32, .float64, .float16, .bfloat16: return scalars(as: Double.self).enumerated().filter { $0.element != 0 }.map(\.offset)
        case .int64, .int32, .uint8: return scalars(as: Int64.self).enumerated().filter { $0.element != 0 }.map(\.offset)
        }
    }
}

/// Where an advanced-indexing subscript reads or writes: the output shape and, for each
/// output element in row-major order, its row-major position in the indexed tensor.
private struct AdvancedIndexPlan {
    let outputShape: [Int]
    let positions: [Int]

    /// What one input axis contributes: a slice of it, or the `which`-th broadcast integer index.
    private enum AxisPick { case slice(start: Int, step: Int, count: Int), advanced(Int) }

    init(_ indices: [TensorIndex], shape: [Int], op: String) {
        // How many axes each index consumes: a mask its rank, the ellipsis none yet.
        func consumed(_ index: TensorIndex) -> Int {
            if let tensor = (index as? AdvancedTensorIndex)?.indexTensor, tensor.dtype == .bool { return Swift.max(tensor.rank, 0) }
            return index is TensorEllipsis ? 0 : 1
        }
        let ellipses = indices.filter { $0 is TensorEllipsis }.count
        guard ellipses <= 1 else { fail("\(op): an index can only have a single ellipsis, got \(ellipses)") }
        let used = indices.reduce(0) { $0 + consumed($1) }
        guard used <= shape.count else { fail("\(op): too many indices for tensor of dimension \(shape.count) (shape \(describe(shape)))") }

        var picks: [AxisPick] = []
        var advanced: [(values: [Int], shape: [Int])] = []
        for (position, index) in indices.enumerated() {
            let axis = picks.count
            if index is TensorEllipsis {
                for extent in shape[axis..<(axis + shape.count - used)] { picks.append(.slice(start: 0, step: 1, count: extent)) }
                continue
            }
            if let tensor = (index as? AdvancedTensorIndex)?.indexTensor {
                if tensor.dtype == .bool {
                    let covered = Array(shape[axis..<(axis + tensor.rank)])
                    guard tensor.shape == covered else {
                        fail("\(op): the shape of the mask \(describe(tensor.shape)) at index \(position) does not match the shape of the indexed tensor \(describe(shape)) at index \(axis)")
                    }
                    // A mask stands for the coordinates of its true elements, one 1-D index per axis.
                    let trues = tensor.nonzeroPositions()
                    let strides = Tensor.contiguousStrides(covered)
                    for k in 0..<tensor.rank {
                        advanced.append((trues.map { $0 / strides[k] % covered[k] }, [trues.count]))
                        picks.append(.advanced(advanced.count - 1))
                    }
                    continue
                }
                guard tensor.dtype == .int64 || tensor.dtype == .int32 else {
                    fail("\(op): tensors used as indices must be long, int or bool tensors, got \(tensor.dtype)")
                }
                let values = tensor.scalars(as: Int64.self).map { resolvedIndex($0, extent: shape[axis], axis: axis, op: op) }
                advanced.append((values, tensor.shape))
                picks.append(.advanced(advanced.count - 1))
                continue
            }
            let extent = shape[axis]
            switch index.selection(extent: extent) {
            case .index(let i):
                // Beside integer tensors, an Int is a 0-D integer index.
                advanced.append(([resolvedIndex(Int64(i), extent: extent, axis: axis, op: op)], []))
                picks.append(.advanced(advanced.count - 1))
            case .slice(let start, let end, let step):
                picks.append(.slice(start: start, step: step, count: (end - start + step - 1) / step))
            case .ellipsis, .advanced:
                fail("\(op): unexpected index \(index)")
            }
        }
        for extent in shape[picks.count...] { picks.append(.slice(start: 0, step: 1, count: extent)) }

        // The integer indices broadcast together.
        let broadcast = advanced.map(\.shape).reduce([]) { broadcastShape($0, $1, op: op) }
        let inputStrides = Tensor.contiguousStrides(shape)

        // For each broadcast position, the input offset its integer indices add up to: one
        // walk over the broadcast shape, each index read through its broadcast strides.
        let advancedAxes = picks.enumerated().compactMap { axis, pick -> (axis: Int, which: Int)? in
            if case .advanced(let which) = pick { return (axis, which) }
            return nil
        }
        var advancedOffsets = [Int](repeating: 0, count: broadcast.reduce(1, *))
        let indexWalk = RowWalk(shape: broadcast, strides: advancedAxes.map { _, which in
            let indexShape = advanced[which].shape, strides = Tensor.contiguousStrides(indexShape)
            let lead = broadcast.count - indexShape.count
            return broadcast.indices.map { $0 < lead || indexShape[$0 - lead] == 1 ? 0 : strides[$0 - lead] }
        })
        indexWalk.forEachRow { first, offsets in
            for (k, (axis, which)) in advancedAxes.enumerated() {
                let values = advanced[which].values, step = indexWalk.innerStrides[k], stride = inputStrides[axis]
                for i in 0..<indexWalk.length { advancedOffsets[first + i] += values[offsets[k] + i * step] * stride }
            }
        }

        // Adjacent integer indices put the broadcast axes where they were; separated ones put them first.
        let adjacent = advancedAxes.isEmpty || advancedAxes.last!.axis - advancedAxes.first!.axis == advancedAxes.count - 1
        let insertAt = adjacent ? (advancedAxes.first?.axis ?? 0) : 0
        let sliced = picks.enumerated().compactMap { axis, pick -> (axis: Int, start: Int, step: Int, count: Int)? in
            if case .slice(let start, let step, let count) = pick { return (axis, start, step, count) }
            return nil
        }
        let before = sliced.filter { $0.axis < insertAt }, after = sliced.filter { $0.axis >= insertAt }
        outputShape = before.map(\.count) + broadcast + after.map(\.count)

        // Walk the output: the sliced axes step through the input (operand 0), the broadcast
        // axes through `advancedOffsets` (operand 1).
        let start = sliced.reduce(0) { $0 + $1.start * inputStrides[$1.axis] }
        let slicedStrides = { (slices: [(axis: Int, start: Int, step: Int, count: Int)]) in slices.map { $0.step * inputStrides[$0.axis] } }
        let noStrides = { (count: Int) in [Int](repeating: 0, count: count) }
        let walk = RowWalk(shape: outputShape, strides: [
            slicedStrides(before) + noStrides(broadcast.count) + slicedStrides(after),
            noStrides(before.count) + Tensor.contiguousStrides(broadcast) + noStrides(after.count),
        ])
        var positions = [Int](repeating: 0, count: walk.count)
        let (inputStep, advancedStep) = (walk.innerStrides[0], walk.innerStrides[1])
        walk.forEachRow { first, offsets in
            for i in 0..<walk.length {
                positions[first + i] = start + offsets[0] + i * inputStep + advancedOffsets[offsets[1] + i * advancedStep]
            }
        }
        self.positions = positions
    }
}

/// `value` as a position along an axis of `extent`, negative counting from the end; out of
/// `-extent..<extent` it fails with PyTorch's message.
func resolvedIndex(_ value: Int64, extent: Int, axis: Int, op: String) -> Int {
    guard value >= -Int64(extent) && value < Int64(extent) else {
        fail("\(op): index \(value) is out of bounds for dimension \(axis) with size \(extent)")
    }
    return Int(value < 0 ? value + Int64(extent) : value)
}

/// `values`' elements written at `positions` of the contiguous `target`, in order.
private struct IndexedAssign: ScalarKernel {
    let target: Tensor, positions: [Int], values: Tensor
    func run<T: TensorScalar>(_ type: T.Type) {
        let out = target.base(T.self)
        values.withUnsafeBufferPointer(as: T.self) { written in
            for (k, position) in positions.enumerated() { out[position] = written[k] }
        }
    }
}
