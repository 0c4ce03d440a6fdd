/// Something that picks positions along one axis in a subscript: an `Int`
/// (which removes the axis) or a range (which keeps it).
public protocol TensorIndex {
    /// The positions picked along an axis of `extent`, or the single index picked.
    func selection(extent: Int) -> AxisSelection
}

/// What a `TensorIndex` picks along one axis.
public enum AxisSelection {
    case index(Int)
    case range(Range<Int>)
}

extension Int: TensorIndex {
    public func selection(extent: Int) -> AxisSelection { .index(self) }
}
extension Range: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .range(self) }
}
extension ClosedRange: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .range(lowerBound..<(upperBound + 1)) }
}
extension PartialRangeFrom: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .range(lowerBound..<Swift.max(lowerBound, extent)) }
}
extension PartialRangeUpTo: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .range(0..<upperBound) }
}
extension PartialRangeThrough: TensorIndex where Bound == Int {
    public func selection(extent: Int) -> AxisSelection { .range(0..<(upperBound + 1)) }
}

extension Tensor {
    /// Position `index` of the first axis (negative counts from the end), as a view without that axis.
    public subscript(_ index: Int) -> Tensor {
        get { self[[index as TensorIndex]] }
        set { assign(newValue, at: [index]) }
    }

    /// A view picking along the leading axes, as NumPy's basic indexing:
    /// `t[4..<15, 4..<22]`, `t[0, 2...]`. An `Int` removes its axis; ranges must lie within the axis.
    public subscript(_ indices: TensorIndex...) -> Tensor {
        get { self[indices] }
        set { assign(newValue, at: indices) }
    }

    public subscript(_ indices: [TensorIndex]) -> Tensor {
        get { picking(indices) }
        set { assign(newValue, at: indices) }
    }

    private func picking(_ indices: [TensorIndex]) -> Tensor {
        guard indices.count <= rank else {
            fail("subscript: \(indices.count) indices given for a tensor of shape \(describe(shape))")
        }
        var newShape: [Int] = [], newStrides: [Int] = [], newOffset = offset
        var regionStart: [Int] = [], regionShape: [Int] = []
        for axis in 0..<rank {
            let extent = shape[axis]
            let selection = axis < indices.count ? indices[axis].selection(extent: extent) : .range(0..<extent)
            switch selection {
            case .index(let i):
                let resolved = i < 0 ? i + extent : i
                guard resolved >= 0 && resolved < extent else {
                    fail("subscript: index \(i) is out of bounds for axis \(axis) with extent \(extent) (shape \(describe(shape)))")
                }
                newOffset += resolved * strides[axis]
                regionStart.append(resolved)
                regionShape.append(1)
            case .range(let range):
                guard range.lowerBound >= 0 && range.upperBound <= extent else {
                    fail("subscript: range \(range) is out of bounds for axis \(axis) with extent \(extent) (shape \(describe(shape)))")
                }
                newOffset += range.lowerBound * strides[axis]
                newShape.append(range.count)
                newStrides.append(strides[axis])
                regionStart.append(range.lowerBound)
                regionShape.append(range.count)
            }
        }
        let inputShape = shape
        return view(shape: newShape, strides: newStrides, offset: newOffset).recorded("subscript", [self]) { g, _ in
            // The gradient lands in the picked region of a zero tensor.
            let gradient = Tensor.zeros(inputShape)
            gradient.region(start: regionStart, shape: regionShape).assign(from: g.reshape(regionShape))
            return [gradient]
        }
    }

    /// The view of the box `start ..< start + shape` (no autograd record).
    private func region(start: [Int], shape regionShape: [Int]) -> Tensor {
        let regionOffset = zip(start, strides).reduce(offset) { $0 + $1.0 * $1.1 }
        return view(shape: regionShape, strides: strides, offset: regionOffset)
    }
}
