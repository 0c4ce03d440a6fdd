/// Writing along an axis at integer positions, as PyTorch's `scatter`, `scatter_add` and
/// `scatter_reduce`: for axis 0, `out[index[i][j]][j] (op)= src[i][j]`, and likewise for
/// other axes. `index` is an int64 or int32 tensor of this tensor's rank whose extents are no
/// larger than `src`'s, and no larger than this tensor's off the axis; each index lies in
/// `-extent..<extent` of the axis (negative counts from the end). The result is a new tensor.

/// How ``Tensor/scatterReduce(axis:index:source:reduce:includeSelf:)`` combines the values that land on one position.
public enum ScatterReduction: String, Sendable {
    case sum, mean, amax, amin
}

extension Tensor {
    /// This tensor with `source`'s elements written at the positions `index` names along
    /// `axis` (PyTorch's `scatter(dim, index, src)`); when several land on one position,
    /// the last in row-major order wins. Gradients: the overwritten positions pass none to
    /// this tensor; each `source` element gets the gradient at the position it was written to
    /// (PyTorch's rule, also for an element a later one overwrote).
    public func scatter(axis: Int, index: Tensor, source: Tensor) -> Tensor {
        let plan = ScatterPlan(self, axis: axis, index: index, source: source, op: "scatter")
        let result = plan.combined(self, source, reduce: nil, includeSelf: true)
        return result.recorded("scatter", [self, source]) { g, needs in
            [needs[0] ? plan.zeroingTargets(of: g) : nil, needs[1] ? plan.gatherTargets(of: g) : nil]
        }
    }

    /// This tensor with `source`'s elements added at the positions `index` names along `axis`
    /// (PyTorch's `scatter_add`); repeated positions add up. The gradient flows unchanged to
    /// this tensor and, gathered from the written positions, to `source`.
    public func scatterAdd(axis: Int, index: Tensor, source: Tensor) -> Tensor {
        scatterReduce(axis: axis, index: index, source: source, reduce: .sum)
    }

    /// This tensor with `source`'s elements combined into the positions `index` names along
    /// `axis` by `reduce` (PyTorch's `scatter_reduce`): the sum, the mean (rounded down for integers, as PyTorch's), the maximum or the
    /// minimum of the values that land on each position, together with the position's own value
    /// when `includeSelf` (PyTorch's default), without it otherwise; positions nothing lands on
    /// keep their value. NaN wins `amax` and `amin`. Gradients as PyTorch's: the mean divides
    /// by each position's count; `amax`/`amin` share the gradient evenly among the values
    /// (kept or scattered) that equal the result, where, as in PyTorch, a position's own value
    /// counts as a share even without `includeSelf`.
    public func scatterReduce(axis: Int, index: Tensor, source: Tensor, reduce: ScatterReduction, includeSelf: Bool = true) -> Tensor {
        let plan = ScatterPlan(self, axis: axis, index: index, source: source, op: "scatterReduce")
        let input = detached(), src = source.detached()
        var landed = [Int](repeating: includeSelf ? 1 : 0, count: scalarCount)
        for target in plan.targets { landed[target] += 1 }
        var result = plan.combined(input, src, reduce: reduce, includeSelf: includeSelf)
        if reduce == .mean {
            let counts = landed.map { Swift.max($0, 1) }
            if result.dtype.isFloatingPoint {
                result = noGrad { result / Tensor(shape: shape, scalars: counts.map(Float.init)) }
            } else {
                // An integer mean rounds down (toward −∞), as PyTorch's.
                result = Tensor(shape: shape, scalars: zip(result.scalars(as: Int64.self), counts).map { sum, count in
                    let quotient = sum / Int64(count)
                    return quotient * Int64(count) > sum ? quotient - 1 : quotient
                }).to(result.dtype)
            }
        }
        let output = result.detached()
        return result.recorded("scatterReduce", [self, source]) { g, needs in
            var selfGradient: Tensor, sourceGradient: Tensor
            switch reduce {
            case .sum:
                (selfGradient, sourceGradient) = (g, plan.gatherTargets(of: g))
            case .mean:
                let shared = g / Tensor(shape: g.shape, scalars: landed.map { Float(Swift.max($0, 1)) })
                (selfGradient, sourceGradient) = (shared, plan.gatherTargets(of: shared))
            case .amax, .amin:
                // Each value equal to its position's result takes an even share of the gradient there.
                // In Double, which holds float32 and float64 values and their quotients by small counts exactly
                // rounded: the shares are the gradient's own dtype's divisions.
                let resultValues = output.scalars(as: Double.self), selfValues = input.scalars(as: Double.self)
                let sourceValues = src.scalars(as: Double.self)
                func isResult(_ value: Double, _ result: Double) -> Bool { value == result || (value.isNaN && result.isNaN) }
                // A position's own value takes part with includeSelf, or when nothing landed on it.
                func selfTakesPart(_ position: Int) -> Bool {
                    (includeSelf || landed[position] == 0) && isResult(selfValues[position], resultValues[position])
                }
                // PyTorch counts a position's own value among the shares when it equals the result,
                // even without includeSelf (its share then goes nowhere); so does Nabla, to agree.
                var winners = (0..<resultValues.count).map { isResult(selfValues[$0], resultValues[$0]) ? 1 : 0 }
                for (k, target) in plan.targets.enumerated() where isResult(sourceValues[plan.sources[k]], resultValues[target]) {
                    winners[target] += 1
                }
                let gradient = g.scalars(as: Double.self)
                selfGradient = Tensor(shape: g.shape, scalars: (0..<gradient.count).map {
                    selfTakesPart($0) ? gradient[$0] / Double(winners[$0]) : 0
                }).to(g.dtype)
                var perSource = [Double](repeating: 0, count: src.scalarCount)
                for (k, target) in plan.targets.enumerated() where isResult(sourceValues[plan.sources[k]], resultValues[target]) {
                    perSource[plan.sources[k]] = gradient[target] / Double(winners[target])
                }
                sourceGradient = Tensor(shape: src.shape, scalars: perSource).to(g.dtype)
                return [needs[0] ? selfGradient : nil, needs[1] ? sourceGradient : nil]
            }
            // Without includeSelf, the positions written to did not use their old value.
            if !includeSelf { selfGradient = plan.zeroingTargets(of: selfGradient) }
            return [needs[0] ? selfGradient : nil, needs[1] ? sourceGradient : nil]
        }
    }
}

/// Where each element of `index` sends its `source` element: the row-major positions in the
/// scattered-into tensor (`targets`) and in `source` (`sources`), in `index`'s row-major order.
private struct ScatterPlan {
    let targets: [Int]
    let sources: [Int]
    let shape: [Int], sourceShape: [Int]

    init(_ tensor: Tensor, axis: Int, index: Tensor, source: Tensor, op: String) {
        let resolved = normalizedAxis(axis, rank: Swift.max(tensor.rank, 1), op: op)
        guard index.dtype == .int64 || index.dtype == .int32 else {
            fail("\(op): expected an int64 or int32 index tensor, got \(index.dtype)")
        }
        guard index.rank == tensor.rank, source.rank == tensor.rank,
              index.shape.indices.allSatisfy({ index.shape[$0] <= source.shape[$0] && ($0 == resolved || index.shape[$0] <= tensor.shape[$0]) }) else {
            fail("\(op): index \(describe(index.shape)) must have the rank of self \(describe(tensor.shape)) and src \(describe(source.shape)), with extents no larger than src's, nor than self's off axis \(axis)")
        }
        let extent = tensor.shape.isEmpty ? 1 : tensor.shape[resolved]
        let values = index.scalars(as: Int64.self)
        // Walk `index` row-major: its off-axis coordinates step through this tensor (operand 0,
        // nothing on the axis, where the index value picks) and through `source` (operand 1).
        var selfStrides = Tensor.contiguousStrides(tensor.shape)
        let axisStride = tensor.shape.isEmpty ? 0 : selfStrides[resolved]
        if !selfStrides.isEmpty { selfStrides[resolved] = 0 }
        let walk = RowWalk(shape: index.shape, strides: [selfStrides, Tensor.contiguousStrides(source.shape)])
        var targets = [Int](repeating: 0, count: walk.count), sources = targets
        let (targetStep, sourceStep) = (walk.innerStrides[0], walk.innerStrides[1])
        walk.forEachRow { first, offsets in
            for i in 0..<walk.length {
                let along = resolvedIndex(values[first + i], extent: extent, axis: resolved, op: op)
                targets[first + i] = offsets[0] + i * targetStep + along * axisStride
                sources[first + i] = offsets[1] + i * sourceStep
            }
        }
        self.targets = targets
        self.sources = sources
        shape = tensor.shape
        sourceShape = source.shape
    }

    /// A copy of `base` with each scattered `source` element combined into its target by
    /// `reduce` (overwriting it when nil), starting without `includeSelf` from the first value
    /// landing on each position. NaN wins `amax` and `amin`. The result has `base`'s dtype and
    /// the sums are in that dtype (integers wrap, as PyTorch's); bool combines as 0 and 1 (a sum is an or).
    func combined(_ base: Tensor, _ source: Tensor, reduce: ScatterReduction?, includeSelf: Bool) -> Tensor {
        struct Combine: NumericKernel, HalfPrecisionKernel {
            let plan: ScatterPlan, base: Tensor, source: Tensor, reduce: ScatterReduction?, includeSelf: Bool
            func widened(_ operands: WidenedOperands) -> Self { Self(plan: plan, base: operands.input(base), source: operands.input(source), reduce: reduce, includeSelf: includeSelf) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                var values = base.scalars(as: T.self)
                let sourceValues = source.scalars(as: T.self)
                var started = [Bool](repeating: includeSelf, count: values.count)
                for (k, target) in plan.targets.enumerated() {
                    let old = values[target], new = sourceValues[plan.sources[k]]
                    switch started[target] ? reduce : nil {
                    case nil: values[target] = new
                    case .sum, .mean: values[target] = T.plus(old, new)
                    case .amax: values[target] = T.extremum(old, new, takesLarger: true)
                    case .amin: values[target] = T.extremum(old, new, takesLarger: false)
                    }
                    started[target] = true
                }
                return Tensor(shape: plan.shape, scalars: values)
            }
        }
        if base.dtype == .bool { return combined(base.to(.uint8), source, reduce: reduce, includeSelf: includeSelf).to(.bool) }
        return base.dtype.dispatch(Combine(plan: self, base: base, source: source, reduce: reduce, includeSelf: includeSelf), op: "scatter")
    }

    /// `gradient` with the scattered-into positions set to zero.
    func zeroingTargets(of gradient: Tensor) -> Tensor {
        var values = gradient.scalars(as: Double.self)
        for target in targets { values[target] = 0 }
        return Tensor(shape: shape, scalars: values).to(gradient.dtype)
    }

    /// The gradient each source element receives: `gradient` at its target, zero where `index` does not reach.
    func gatherTargets(of gradient: Tensor) -> Tensor {
        let values = gradient.scalars(as: Double.self)
        var result = [Double](repeating: 0, count: sourceShape.reduce(1, *))
        for (k, target) in targets.enumerated() { result[sources[k]] = values[target] }
        return Tensor(shape: sourceShape, scalars: result).to(gradient.dtype)
    }
}
