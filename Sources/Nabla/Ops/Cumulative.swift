/// Running sums along an axis.
extension Tensor {
    /// The running sums along `axis`, `out[i] = x[0] + … + x[i]` (PyTorch's
    /// `cumsum(dim)`). The gradient is the running sum of g taken from the end.
    public func cumsum(axis: Int) -> Tensor {
        guard rank > 0 else { return asOneElementVector(axis: axis, op: "cumsum") { $0.cumsum(axis: 0) } }
        let resolved = normalizedAxis(axis, rank: rank, op: "cumsum")
        return runningSum(resolved, fromEnd: false).recorded("cumsum", [self]) { g, _ in
            [g.runningSum(resolved, fromEnd: true)]
        }
    }

    /// Running sums along `axis` from the first or the last position (not recorded).
    /// Each step adds a whole `inner` row, so the inner loop is unit-stride.
    private func runningSum(_ axis: Int, fromEnd: Bool) -> Tensor {
        let (source, outer, length, inner) = axisBlock(axis)
        let result = Tensor(uninitializedShape: shape)
        let x = source.basePointer, out = result.basePointer
        withExtendedLifetime(source.storage) {
            if inner == 1 {
                // Lanes along the last axis: one running total each (a prefix sum is sequential).
                for o in 0..<outer {
                    let lane = x + o * length, target = out + o * length
                    var total: Float = 0
                    for step in 0..<length {
                        let l = fromEnd ? length - 1 - step : step
                        total += lane[l]
                        target[l] = total
                    }
                }
                return
            }
            for o in 0..<outer {
                var previous: UnsafeMutablePointer<Float>? = nil
                for step in 0..<length {
                    let l = fromEnd ? length - 1 - step : step
                    let row = (o * length + l) * inner
                    let lane = x + row, target = out + row
                    if let previous {
                        for i in 0..<inner { target[i] = previous[i] + lane[i] }
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
