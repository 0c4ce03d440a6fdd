import Nabla

extension Workload {
    /// Broadcast add and multiply: a lesson-sized bias add `[256, 784] + [784]`
    /// (in cache) and `[10000, 28, 28]` with a `[28, 28]` image and a
    /// `[10000, 1, 1]` per-image scale (31 MB in, 31 MB out). Quick: the large ones.
    public static func elementwise(quick: Bool) -> [Workload] {
        var workloads: [Workload] = []
        if !quick {
            workloads += [
                broadcast(op: "add", [256, 784], [784], +),
                broadcast(op: "mul", [256, 784], [784], *),
            ]
        }
        workloads += [
            broadcast(op: "add", [10_000, 28, 28], [28, 28], +),
            broadcast(op: "mul", [10_000, 28, 28], [10_000, 1, 1], *),
        ]
        return workloads
    }

    static func broadcast(op: String, _ leftShape: [Int], _ rightShape: [Int],
                          _ combine: @escaping (Tensor, Tensor) -> Tensor) -> Workload {
        let outputCount = Double(leftShape.reduce(1, *))
        let rightCount = Double(rightShape.reduce(1, *))
        let bytes = 4 * (2 * outputCount + rightCount)
        return Workload(kind: .elementwise, op: "broadcast \(op)",
                        shape: "\(shapeText(leftShape)) \(op == "add" ? "+" : "*") \(shapeText(rightShape))",
                        unit: .gbs, flops: outputCount, bytes: bytes,
                        limit: exceedsCaches(bytes: bytes) ? .readBandwidth : nil) {
            var generator = RandomGenerator(seed: 5)
            let left = Tensor.rand(leftShape, generator: &generator)
            let right = Tensor.rand(rightShape, generator: &generator)
            return PreparedWorkload(call: { keep(combine(left, right)) })
        }
    }
}
