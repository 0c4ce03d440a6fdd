import Nabla

extension Workload {
    /// Square gemm at n = 64…2048 (quick: 64, 256, 1024), the lesson's
    /// products, and matrix–vector products.
    public static func products(quick: Bool) -> [Workload] {
        let sizes = quick ? [64, 256, 1024] : [64, 128, 256, 512, 1024, 2048]
        var products = sizes.map { n in product(op: "gemm", m: n, n: n, k: n) }
        // The lesson's 784-30-1 net at batch 256: the first layer's forward
        // product, the two products of its backward pass (dA = dC·Bᵀ and
        // dB = Aᵀ·dC, transposes read in place), and the linear model's product.
        products += [
            product(op: "lesson layer 1", m: 256, n: 30, k: 784),
            product(op: "lesson dA = dC·Bᵀ", m: 256, n: 784, k: 30, transposeRight: true),
            product(op: "lesson dB = Aᵀ·dC", m: 784, n: 30, k: 256, transposeLeft: true),
            product(op: "lesson linear", m: 256, n: 1, k: 784),
        ]
        products += (quick ? [4096] : [1024, 4096]).map { n in product(op: "gemv", m: n, n: 1, k: n, vector: true) }
        return products
    }

    /// `op(A)[m, k] · op(B)[k, n]`, with `A` stored `[k, m]` when `transposeLeft`
    /// and `B` stored `[n, k]` when `transposeRight`; `vector` makes `B` a 1-D `[k]`.
    static func product(op: String, m: Int, n: Int, k: Int, transposeLeft: Bool = false,
                        transposeRight: Bool = false, vector: Bool = false) -> Workload {
        let leftText = transposeLeft ? "(\(k)×\(m))ᵀ" : "\(m)×\(k)"
        let rightText = vector ? "\(k)" : transposeRight ? "(\(n)×\(k))ᵀ" : "\(k)×\(n)"
        let (m64, n64, k64) = (Double(m), Double(n), Double(k))
        let bytes = 4 * (m64 * k64 + k64 * n64 + m64 * n64)
        // A matrix–vector product reads its matrix once: bound by memory when that is beyond the caches.
        let limit: WorkloadLimit = n == 1 && exceedsCaches(bytes: bytes) ? .readBandwidth : .fmaPeak
        return Workload(
            kind: .product, op: op, shape: "\(leftText)·\(rightText)", unit: .gflops,
            flops: 2 * m64 * n64 * k64, bytes: bytes, limit: limit
        ) {
            // Nabla multiplies the very buffers the direct call does.
            let direct = DirectBLASProduct(m: m, n: n, k: k, transposeLeft: transposeLeft, transposeRight: transposeRight)
            let leftStorage = Tensor(shape: direct.leftShape, scalars: direct.left)
            let rightStorage = Tensor(shape: vector ? [k] : direct.rightShape, scalars: direct.right)
            let left = transposeLeft ? leftStorage.transposed : leftStorage
            let right = transposeRight ? rightStorage.transposed : rightStorage
            return PreparedWorkload(call: { keep(left • right) }, direct: direct,
                                    product: { left • right })
        }
    }
}
