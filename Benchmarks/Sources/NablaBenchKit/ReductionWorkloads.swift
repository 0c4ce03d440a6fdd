import Nabla

extension Workload {
    /// Sum and mean of `[N, 28, 28]` over all axes and over the last two, at a
    /// lesson batch (N = 256, in cache) and at 60,000 images (188 MB, far
    /// beyond the caches: bound by memory bandwidth). Quick: the large one only.
    public static func reductions(quick: Bool) -> [Workload] {
        let counts = quick ? [60_000] : [256, 60_000]
        return counts.flatMap { count -> [Workload] in
            let shape = [count, 28, 28]
            let images = LazyTensor { var g = RandomGenerator(seed: 3); return Tensor.rand(shape, generator: &g) }
            return [
                reduction(op: "sum", shape: shape, outputCount: 1, images) { $0.sum() },
                reduction(op: "mean", shape: shape, outputCount: 1, images) { $0.mean() },
                reduction(op: "sum axes -2,-1", shape: shape, outputCount: count, images) { $0.sum(axes: [-2, -1]) },
                reduction(op: "mean axes -2,-1", shape: shape, outputCount: count, images) { $0.mean(axes: [-2, -1]) },
            ]
        }
    }

    static func reduction(op: String, shape: [Int], outputCount: Int, _ input: LazyTensor,
                          _ reduce: @escaping (Tensor) -> Tensor) -> Workload {
        let count = Double(shape.reduce(1, *))
        let bytes = 4 * (count + Double(outputCount))
        return Workload(kind: .reduction, op: op, shape: shapeText(shape), unit: .gbs, flops: count, bytes: bytes,
                        limit: exceedsCaches(bytes: bytes) ? .readBandwidth : nil) {
            let x = input.value
            return PreparedWorkload(call: { keep(reduce(x)) })
        }
    }
}

/// A tensor built on first use and then shared, so that several workloads on
/// the same large input build it once, and only if one of them runs.
public final class LazyTensor {
    private let make: () -> Tensor
    private var built: Tensor?

    public init(_ make: @escaping () -> Tensor) { self.make = make }

    public var value: Tensor {
        if let built { return built }
        let tensor = make()
        built = tensor
        return tensor
    }
}
