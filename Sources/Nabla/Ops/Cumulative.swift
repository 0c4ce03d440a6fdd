/// Running sums along an axis.
extension Tensor {
    /// The running sums along `axis`, `out[i] = x[0] + … + x[i]` (PyTorch's
    /// `cumsum(dim)`). float32, float64 and int64 keep their dtype; int32, uint8
    /// and bool sum in int64, as torch's do (int64 wraps on overflow). The
    /// gradient is the running sum of g taken from the end.
    public func cumsum(axis: Int) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "cumsum") { $0.cumsum(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "cumsum")
        let source = dtype.isFloatingPoint || dtype == .int64 ? self : to(.int64)
        return source.runningSum(resolved, fromEnd: false).recorded("cumsum", [self]) { g, _ in
            [g.runningSum(resolved, fromEnd: true)]
        }
    }

    /// Running sums along `axis` from the first or the last position (not recorded).
    private func runningSum(_ axis: Int, fromEnd: Bool) -> Tensor {
        dtype.dispatch(RunningSum(tensor: self, axis: axis, fromEnd: fromEnd), op: "cumsum")
    }
}

/// The running sums of `tensor` along `axis`. Each step adds a whole `inner` row, so
/// the inner loop is unit-stride.
private struct RunningSum: NumericKernel, HalfPrecisionKernel {
    let tensor: Tensor
    let axis: Int
    let fromEnd: Bool
    func widened(_ operands: WidenedOperands) -> Self { Self(tensor: operands.input(tensor), axis: axis, fromEnd: fromEnd) }

    func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
        let (source, outer, length, inner) = tensor.axisBlock(axis)
        let result = Tensor(uninitializedShape: tensor.shape, dtype: T.dtype)
        let x = UnsafePointer(source.base(T.self)), out = result.base(T.self)
        withExtendedLifetime(source.storage) {
            if inner == 1 {
                // Lanes along the last axis: one running total each (a prefix sum is sequential).
                for o in 0..<outer {
                    let lane = x + o * length, target = out + o * length
                    var total = T.zero
                    for step in 0..<length {
                        let l = fromEnd ? length - 1 - step : step
                        total = T.plus(total, lane[l])
                        target[l] = total
                    }
                }
                return
            }
            for o in 0..<outer {
                var previous: UnsafeMutablePointer<T>? = nil
                for step in 0..<length {
                    let l = fromEnd ? length - 1 - step : step
                    let row = (o * length + l) * inner
                    let lane = x + row, target = out + row
                    if let previous {
                        for i in 0..<inner { target[i] = T.plus(previous[i], lane[i]) }
                    } else {
                        target.update(from: lane, count: inner)
                    }
                    previous = target
                }
            }
        }
        return result
    }
}
