/// Counting and bucketing, as PyTorch's `unique`, `bincount`, `histc`, `searchsorted` and
/// `one_hot`. None of them is differentiable (their results are counts and positions).
extension Tensor {
    /// The distinct elements in ascending order, with, for each element of this tensor
    /// (row-major), the position of its value among them (`inverse`, this tensor's shape), and
    /// how often each occurs (`counts`) — PyTorch's `unique(sorted=True, return_inverse=True,
    /// return_counts=True)` over the flattened tensor. `values` keeps this tensor's dtype;
    /// `inverse` and `counts` are int64. NaNs sort last and are each distinct, as in PyTorch.
    public func unique() -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        // Integers and bools compare exactly as Int64, floating values as Double.
        let keys: [Double], exact: [Int64]?
        if dtype.isFloatingPoint {
            keys = scalars(as: Double.self)
            exact = nil
        } else {
            exact = scalars(as: Int64.self)
            keys = []
        }
        let count = exact?.count ?? keys.count
        let order = (0..<count).sorted { a, b in
            if let exact { return exact[a] < exact[b] }
            let (x, y) = (keys[a], keys[b])
            return x.isNaN ? false : (y.isNaN ? true : x < y)
        }
        var inverse = [Int64](repeating: 0, count: count)
        var counts: [Int64] = []
        var firsts: [Int] = []
        for position in order {
            let isNew: Bool
            if let last = firsts.last {
                isNew = exact.map { $0[position] != $0[last] } ?? !(keys[position] == keys[last])
            } else {
                isNew = true
            }
            if isNew {
                firsts.append(position)
                counts.append(0)
            }
            counts[counts.count - 1] += 1
            inverse[position] = Int64(firsts.count - 1)
        }
        let values = exact.map { exact in Tensor(shape: [firsts.count], scalars: firsts.map { exact[$0] }).to(dtype) }
            ?? Tensor(shape: [firsts.count], scalars: firsts.map { keys[$0] }).to(dtype)
        return (values, Tensor(shape: shape, scalars: inverse), Tensor(shape: [counts.count], scalars: counts))
    }

    /// How often each value 0, 1, … occurs in this 1-D tensor of non-negative integers
    /// (PyTorch's `bincount`): int64 counts of length `max(maximum + 1, minLength)`, or, with
    /// `weights` (a tensor of this shape), the sum of the weights of each value, in the
    /// weights' dtype if floating and in float64 for integer or bool weights, as PyTorch's.
    public func bincount(weights: Tensor? = nil, minLength: Int = 0) -> Tensor {
        guard rank == 1, !dtype.isFloatingPoint, dtype != .bool else {
            fail("bincount: only supports 1-d non-negative integral inputs, got \(dtype) of shape \(describe(shape))")
        }
        let values = scalars(as: Int64.self)
        if let bad = values.first(where: { $0 < 0 }) {
            fail("bincount: only supports 1-d non-negative integral inputs, found \(bad)")
        }
        guard minLength >= 0 else { fail("bincount: minLength should be >= 0, got \(minLength)") }
        let length = Swift.max(Int(values.max() ?? -1) + 1, minLength)
        guard let weights else {
            var counts = [Int64](repeating: 0, count: length)
            for value in values { counts[Int(value)] += 1 }
            return Tensor(shape: [length], scalars: counts)
        }
        guard weights.shape == shape else {
            fail("bincount: weights must have the input's shape \(describe(shape)), got \(weights.dtype) \(describe(weights.shape))")
        }
        var sums = [Double](repeating: 0, count: length)
        for (value, weight) in zip(values, weights.scalars(as: Double.self)) { sums[Int(value)] += weight }
        return Tensor(shape: [length], scalars: sums).to(weights.dtype.isFloatingPoint ? weights.dtype : .float64)
    }

    /// A histogram of this floating tensor's elements in `bins` equal bins over
    /// `[minimum, maximum]` (PyTorch's `histc`), in this tensor's dtype. When `minimum` and
    /// `maximum` are equal (both 0 by default) the elements' own minimum and maximum are used.
    /// Elements outside the range and NaNs are not counted; the maximum falls in the last bin.
    public func histc(bins: Int = 100, minimum: Double = 0, maximum: Double = 0) -> Tensor {
        guard dtype.isFloatingPoint else { fail("histc: expected a floating tensor, got \(dtype)") }
        guard bins > 0 else { fail("histc: bins must be > 0, got \(bins)") }
        let values = scalars(as: Double.self)
        var (low, high) = (minimum, maximum)
        if low == high, let smallest = values.filter({ !$0.isNaN }).min(), let largest = values.filter({ !$0.isNaN }).max() {
            (low, high) = (smallest, largest)
        }
        if low == high { (low, high) = (low - 1, high + 1) }
        guard low < high, low.isFinite, high.isFinite else { fail("histc: range of [\(low), \(high)] is not finite") }
        var counts = [Double](repeating: 0, count: bins)
        for value in values where value >= low && value <= high {
            counts[Swift.min(Int((value - low) * Double(bins) / (high - low)), bins - 1)] += 1
        }
        return Tensor(shape: [bins], scalars: counts).to(dtype)
    }

    /// For each element of `values`, the position in a sorted row of this tensor where it would
    /// be inserted to keep the row sorted (PyTorch's `searchsorted`): the first position whose
    /// element is not less than it, or with `right` the first that is greater.
    ///
    /// This tensor (the sorted sequence) is either 1-D, searched by every value, or has the
    /// rank of `values` and its leading dimensions, so that each row of `values` (along the
    /// last axis) is searched in the matching row of this tensor; `values` may be rank 0
    /// only with a 1-D sequence. The two are compared in their common dtype
    /// (``Tensor/resultType(_:_:)``) with torch's comparisons, so a NaN value goes past
    /// every element and a NaN in the sequence counts as larger than every number. Each row
    /// must be sorted ascending, or, with `sorter` (int64, this tensor's shape, as
    /// `argsort(axis: -1)` gives), `sorter`'s positions in each row must list the row in
    /// ascending order; results are then positions in the sorted order. Bool tensors are
    /// refused, as torch refuses them. The result has `values`' shape and is int64, or
    /// int32 with `outInt32`.
    public func searchsorted(_ values: Tensor, right: Bool = false, sorter: Tensor? = nil, outInt32: Bool = false) -> Tensor {
        guard rank > 0 else { fail("searchsorted: the sorted sequence must have at least one dimension, got a 0-dimensional tensor") }
        guard values.rank > 0 || rank == 1 else {
            fail("searchsorted: values can be a scalar (0-dimensional) only when the sorted sequence is 1-D, got a sorted sequence of shape \(describe(shape))")
        }
        guard rank == 1 || (values.rank == rank && values.shape.dropLast() == shape.dropLast()) else {
            fail("searchsorted: the sorted sequence must be 1-D or have the leading dimensions of the values (all but the last), "
                 + "got a sorted sequence of shape \(describe(shape)) and values of shape \(describe(values.shape))")
        }
        if let sorter {
            guard sorter.shape == shape else {
                fail("searchsorted: sorter must have the sorted sequence's shape \(describe(shape)), got \(describe(sorter.shape))")
            }
            guard sorter.dtype == .int64 else { fail("searchsorted: sorter must be an int64 tensor, got \(sorter.dtype)") }
            let length = shape[rank - 1]
            if let bad = sorter.scalars(as: Int64.self).first(where: { $0 < 0 || $0 >= length }) {
                fail("searchsorted: sorter index \(bad) is out of range for rows of length \(length)")
            }
        }
        let common = Tensor.resultType(self, values)
        let search = SortedSearch(sequence: to(common).contiguous(), values: values.to(common).contiguous(),
                                  sorter: sorter?.contiguous(), right: right)
        let positions = common.dispatch(search, op: "searchsorted")
        return outInt32 ? positions.to(.int32) : positions
    }

    /// ``searchsorted(_:right:sorter:outInt32:)`` with NumPy's and torch's `side`:
    /// `.left` is the first suitable position, `.right` the last.
    public func searchsorted(_ values: Tensor, side: SearchSide, sorter: Tensor? = nil, outInt32: Bool = false) -> Tensor {
        searchsorted(values, right: side == .right, sorter: sorter, outInt32: outInt32)
    }

    /// Each integer of this tensor as a row of `classes` zeros with a one at its position
    /// (PyTorch's `F.one_hot`): int64 of shape `shape + [classes]`; `classes` −1 means the
    /// largest value + 1.
    public func oneHot(classes: Int = -1) -> Tensor {
        guard !dtype.isFloatingPoint, dtype != .bool else { fail("oneHot: expected an integer tensor of class indices, got \(dtype)") }
        let values = scalars(as: Int64.self)
        if let bad = values.first(where: { $0 < 0 }) { fail("oneHot: class values must be non-negative, found \(bad)") }
        let width = classes == -1 ? Int(values.max() ?? -1) + 1 : classes
        if let bad = values.first(where: { $0 >= width }) {
            fail("oneHot: class values must be smaller than classes (\(width)), found \(bad)")
        }
        var rows = [Int64](repeating: 0, count: values.count * width)
        for (k, value) in values.enumerated() { rows[k * width + Int(value)] = 1 }
        return Tensor(shape: shape + [width], scalars: rows)
    }
}

/// Which of several equal elements' positions ``Tensor/searchsorted(_:side:sorter:outInt32:)``
/// returns: before them (`.left`) or after them (`.right`).
public enum SearchSide: Sendable {
    case left, right
}

/// The binary search behind ``Tensor/searchsorted(_:right:sorter:outInt32:)``: each value
/// of the contiguous `values` in its row of the contiguous `sequence` (the one row of a 1-D
/// sequence, else the row of the same leading indices), through `sorter` when given. The
/// comparisons are torch's (`!(element >= value)` moves right, `!(element > value)` with
/// `right`), so that NaNs land where torch puts them.
private struct SortedSearch: NumericKernel, HalfPrecisionKernel {
    let sequence: Tensor, values: Tensor, sorter: Tensor?
    let right: Bool
    func widened(_ operands: WidenedOperands) -> Self { Self(sequence: operands.input(sequence), values: operands.input(values), sorter: sorter, right: right) }

    func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
        let length = sequence.shape[sequence.rank - 1]
        let valuesPerRow = values.shape.last ?? 1
        let sharedRow = sequence.rank == 1
        let elements = sequence.base(T.self), probes = values.base(T.self)
        let order = sorter.map { $0.base(Int64.self) }
        return Tensor(shape: values.shape, dtype: Int64.self) { out in
            withExtendedLifetime((sequence.storage, values.storage, sorter?.storage)) {
                for i in 0..<out.count {
                    let value = probes[i]
                    let row = sharedRow ? 0 : i / valuesPerRow * length
                    var (low, high) = (0, length)
                    while low < high {
                        let middle = low + (high - low) / 2
                        let element = elements[row + (order.map { Int($0[row + middle]) } ?? middle)]
                        if right ? !(element > value) : !(element >= value) { low = middle + 1 } else { high = middle }
                    }
                    out[i] = Int64(low)
                }
            }
        }
    }
}
