/// Something that picks positions along one axis in a subscript: an `Int`
/// (which removes the axis), a range or a stride (which keep it), or the
/// ellipsis, which stands for as many whole axes as the other indices leave.
///
/// Bounds follow Python's slices: a negative bound counts from the end, and
/// bounds past either end are clamped, so `x[7...]` of 5 rows is empty and
/// `x[(-2)...]` is the last two rows. A single `Int` must lie within the axis.
public protocol TensorIndex {
    /// The positions picked along an axis of `extent`, or the single index picked.
    func selection(extent: Int) -> AxisSelection
}

/// What a `TensorIndex` picks along one axis.
public enum AxisSelection {
    case index(Int)
    /// `start, start + step, …` up to but excluding `end`, with 0 ≤ start ≤ end ≤ extent and step > 0.
    case slice(start: Int, end: Int, step: Int)
    /// Whole axes, as many as the other indices leave (NumPy's `...`).
    case ellipsis
    /// Positions given by an integer tensor, or a bool mask over as many axes as its rank
    /// (advanced indexing; see `Tensor.subscript(_:)` with `[Int]`).
    case advanced(Tensor)

    /// The Python slice `start:end:step` resolved against `extent`: `nil` bounds
    /// are the ends, negative ones count from the end, all clamp to 0...extent.
    /// PyTorch rejects steps below 1, and so does Nabla.
    public static func slice(_ start: Int?, _ end: Int?, step: Int = 1, extent: Int) -> AxisSelection {
        guard step > 0 else { fail("subscript: slice step must be greater than zero, got \(step)") }
        func resolved(_ bound: Int) -> Int { Swift.min(Swift.max(bound < 0 ? bound + extent : bound, 0), extent) }
        let lower = start.map(resolved) ?? 0
        return .slice(start: lower, end: Swift.max(lower, end.map(resolved) ?? extent), step: step)
    }

    /// A closed upper bound `upper` as an exclusive end: the position after it,
    /// so that a negative `upper` still names an element (`...(-1)` is up to the last one).
    static func end(through upper: Int, extent: Int) -> Int {
        upper == -1 ? extent : upper + 1
    }
}

/// A Python slice `start:end:step` as a subscript index: `x[.slice(1, nil, step: 2)]`
/// is `x[1::2]`, `x[0..., .every(3)]` is `x[:, ::3]`.
public struct TensorSlice: TensorIndex {
    public let start: Int?, end: Int?, step: Int

    public init(_ start: Int? = nil, _ end: Int? = nil, step: Int = 1) {
        self.start = start
        self.end = end
        self.step = step
    }

    public func selection(extent: Int) -> AxisSelection { .slice(start, end, step: step, extent: extent) }
}

/// NumPy's `...` inside a subscript: `x[0, .ellipsis, 1]`. (`x[..., 1]` also works when it comes first.)
public struct TensorEllipsis: TensorIndex {
    public init() {}
    public func selection(extent: Int) -> AxisSelection { .ellipsis }
}

extension TensorIndex where Self == TensorSlice {
    /// Python's `start:end:step`; `nil` bounds are the ends of the axis.
    public static func slice(_ start: Int? = nil, _ end: Int? = nil, step: Int = 1) -> TensorSlice {
        TensorSlice(start, end, step: step)
    }

    /// Every `step`-th position of the axis, from the first (Python's `::step`).
    public static func every(_ step: Int) -> TensorSlice { TensorSlice(step: step) }
}

extension TensorIndex where Self == TensorEllipsis {
    /// As many whole axes as the other indices leave.
    public static var ellipsis: TensorEllipsis { TensorEllipsis() }
}

extension Int: TensorIndex {
    public func selection(extent: Int) -> AxisSelection { .index(self) }
}
extension Range: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .slice(lowerBound, upperBound, extent: extent) }
}
extension ClosedRange: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection {
        .slice(lowerBound, AxisSelection.end(through: upperBound, extent: extent), extent: extent)
    }
}
extension PartialRangeFrom: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .slice(lowerBound, nil, extent: extent) }
}
extension PartialRangeUpTo: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .slice(nil, upperBound, extent: extent) }
}
extension PartialRangeThrough: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection {
        .slice(nil, AxisSelection.end(through: upperBound, extent: extent), extent: extent)
    }
}
extension Tensor {
    /// Position `index` of the first axis (negative counts from the end), as a view without that axis.
    public subscript(_ index: Int) -> Tensor {
        get { self[[index as TensorIndex]] }
        set { assign(newValue, at: [index]) }
    }

    /// A view picking along the leading axes, as NumPy's basic indexing:
    /// `t[4..<15, 4..<22]`, `t[0, 2...]`, `t[.every(3)]`, `t[.ellipsis, 0]`.
    /// An `Int` removes its axis; ranges and strides keep it, clamped as Python slices.
    public subscript(_ indices: TensorIndex...) -> Tensor {
        get { self[indices] }
        set { assign(newValue, at: indices) }
    }

    /// `x[..., i, j]`: the ellipsis stands for the leading whole axes, as in NumPy.
    public subscript(_ ellipsis: UnboundedRange, _ indices: TensorIndex...) -> Tensor {
        get { self[[TensorEllipsis()] + indices] }
        set { assign(newValue, at: [TensorEllipsis()] + indices) }
    }

    public subscript(_ indices: [TensorIndex]) -> Tensor {
        get { picking(indices) }
        set { assign(newValue, at: indices) }
    }

    private func picking(_ indices: [TensorIndex]) -> Tensor {
        if indices.contains(where: { $0 is AdvancedTensorIndex }) { return advancedPicking(indices) }
        let ellipses = indices.indices.filter { indices[$0] is TensorEllipsis }
        guard ellipses.count <= 1 else { fail("subscript: an index can only have a single ellipsis, got \(ellipses.count)") }
        let picked = indices.count - ellipses.count
        guard picked <= rank else {
            fail("subscript: \(picked) indices given for a tensor of shape \(describe(shape))")
        }
        // Each axis's index: the ellipsis expands to the whole axes the others leave.
        let e = ellipses.first ?? indices.count
        let perAxis: [TensorIndex?] = Array(indices[..<e]) + Array(repeating: nil, count: rank - picked)
            + Array(indices[Swift.min(e + 1, indices.count)...])
        var newShape: [Int] = [], newStrides: [Int] = [], newOffset = offset
        var regionStart: [Int] = [], regionShape: [Int] = [], regionSteps: [Int] = []
        for axis in 0..<rank {
            let extent = shape[axis]
            switch perAxis[axis]?.selection(extent: extent) ?? .slice(start: 0, end: extent, step: 1) {
            case .index(let i):
                let resolved = i < 0 ? i + extent : i
                guard resolved >= 0 && resolved < extent else {
                    fail("subscript: index \(i) is out of bounds for axis \(axis) with extent \(extent) (shape \(describe(shape)))")
                }
                newOffset += resolved * strides[axis]
                regionStart.append(resolved)
                regionShape.append(1)
                regionSteps.append(1)
            case .slice(let start, let end, let step):
                let count = (end - start + step - 1) / step
                newOffset += start * strides[axis]
                newShape.append(count)
                newStrides.append(strides[axis] * step)
                regionStart.append(start)
                regionShape.append(count)
                regionSteps.append(step)
            case .ellipsis, .advanced:
                fail("subscript: an ellipsis or an index tensor must be passed as the index list's own element")
            }
        }
        let inputShape = shape
        return view(shape: newShape, strides: newStrides, offset: newOffset).recorded("subscript", [self]) { g, _ in
            // The gradient lands in the picked (possibly stepped) region of a zero tensor.
            let gradient = Tensor.zeros(inputShape, dtype: g.dtype)
            gradient.region(start: regionStart, shape: regionShape, steps: regionSteps).assign(from: g.reshape(regionShape))
            return [gradient]
        }
    }

    /// The view of the box `start ..< start + shape·steps`, every `steps[i]`-th position (no autograd record).
    private func region(start: [Int], shape regionShape: [Int], steps: [Int]) -> Tensor {
        let regionOffset = zip(start, strides).reduce(offset) { $0 + $1.0 * $1.1 }
        return view(shape: regionShape, strides: zip(strides, steps).map { $0 * $1 }, offset: regionOffset)
    }
}
