infix operator • : MultiplicationPrecedence

/// Matrix products on the backend's gemm (and gemv for matrix·vector).
/// Transposed operands, such as the views in the gradients, reach BLAS as a
/// transpose flag with their leading dimension; they are never copied. Integer
/// operands multiply in their own dtype, wrapping on overflow, as PyTorch's.
extension Tensor {
    /// `a.matmul(b)`, as Python's `a @ b`.
    public static func • (a: Tensor, b: Tensor) -> Tensor { a.matmul(b) }

    /// The matrix product with NumPy's `matmul` rules: vector·vector is a dot
    /// product, a 1-D operand is promoted to a row (left) or column (right)
    /// matrix and the added axis removed again, and leading batch axes broadcast.
    public func matmul(_ other: Tensor) -> Tensor {
        guard rank >= 1, other.rank >= 1 else {
            fail("matmul: both operands need at least one axis, got \(describe(shape)) and \(describe(other.shape))")
        }
        if rank == 1 && other.rank == 1 {
            guard shape == other.shape else {
                fail("matmul: vectors \(describe(shape)) and \(describe(other.shape)) cannot be multiplied: \(shape[0]) != \(other.shape[0])")
            }
            return unsqueeze(axis: 0).matmul(other.unsqueeze(axis: 1)).reshape([])
        }
        if rank == 1 { return unsqueeze(axis: 0).matmul(other).squeeze(axis: -2) }
        if other.rank == 1 { return matmul(other.unsqueeze(axis: 1)).squeeze(axis: -1) }
        return matrixProduct(other)
    }

    /// The product of two operands of rank ≥ 2 (batched, with broadcast batch axes).
    private func matrixProduct(_ other: Tensor) -> Tensor {
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
        guard other.shape[other.rank - 2] == k else {
            fail("matmul: \(describe(shape)) and \(describe(other.shape)) cannot be multiplied: \(k) != \(other.shape[other.rank - 2])")
        }
        let batchA = Array(shape.dropLast(2)), batchB = Array(other.shape.dropLast(2))
        let batch = batchA == batchB ? batchA : broadcastShape(batchA, batchB, op: "matmul")
        guard dtype == other.dtype else {
            fail("matmul: expected both operands to have the same dtype, but got \(dtype) and \(other.dtype)")
        }
        guard dtype.isFloatingPoint else {
            // Integers have no BLAS: one wrapping loop on contiguous copies (no gradient: integers take none).
            let a = detached().expand(to: batch + [m, k]).contiguous(), b = other.detached().expand(to: batch + [k, n]).contiguous()
            return dtype.dispatch(IntegerMatrixProduct(a: a, b: b, batch: batch, m: m, n: n, k: k), op: "matmul")
        }
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let a: Tensor, b: Tensor, batch: [Int], m: Int, n: Int, k: Int
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), b: operands.input(b), batch: batch, m: m, n: n, k: k) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { a.product(b, batch: batch, m: m, n: n, k: k, T.self) }
        }
        let result = dtype.dispatch(Kernel(a: self, b: other, batch: batch, m: m, n: n, k: k), op: "matmul")

        let shapeA = shape, shapeB = other.shape
        let a = detached(), b = other.detached()
        return result.recorded("matmul", [self, other]) { g, needs in
            // dA = dC · Bᵀ and dB = Aᵀ · dC: two more products on transposed views.
            // An operand that is itself a transposed matrix (x • Wᵀ in a linear
            // layer) gets its gradient as the transpose of (dC)ᵀ · A, which lands in
            // W's own row-major layout, so accumulating it needs no copy.
            [needs[0] ? (a.isTransposedMatrix ? (b.matmul(g.transposed)).transposed : g.matmul(b.transposed)).summed(toShape: shapeA) : nil,
             needs[1] ? (b.isTransposedMatrix ? (g.transposed.matmul(a)).transposed : a.transposed.matmul(g)).summed(toShape: shapeB) : nil]
        }
    }

    /// The product of this tensor and `other` (ranks ≥ 2, checked) into a new tensor of shape batch + [m, n].
    private func product<T: FloatingScalar>(_ other: Tensor, batch: [Int], m: Int, n: Int, k: Int, _ type: T.Type) -> Tensor {
        let result = Tensor(uninitializedShape: batch + [m, n], dtype: T.dtype)
        let kernels = Nabla.kernels

        if other.rank == 2 && rank > 2 && isContiguous {
            // A batch of matrices times one matrix is one tall product. The row
            // count comes from the shape, not scalarCount / k, which is 0 when k is.
            let rows = batch.reduce(m, *)
            multiply(kernels, detached().reshape([rows, k]), other.matrixOperand(), into: result.base(T.self), m: rows, n: n, k: k)
        } else {
            let a = self.matrixOperand(), b = other.matrixOperand()
            let stridesA = Array(a.broadcastStrides(to: batch + [m, k]).dropLast(2))
            let stridesB = Array(b.broadcastStrides(to: batch + [k, n]).dropLast(2))
            for index in 0..<batch.reduce(1, *) {
                var remainder = index, offsetA = a.offset, offsetB = b.offset
                for axis in stride(from: batch.count - 1, through: 0, by: -1) {
                    let position = remainder % batch[axis]
                    remainder /= batch[axis]
                    offsetA += position * stridesA[axis]
                    offsetB += position * stridesB[axis]
                }
                multiply(kernels, a.view(shape: [m, k], strides: Array(a.strides.suffix(2)), offset: offsetA),
                         b.view(shape: [k, n], strides: Array(b.strides.suffix(2)), offset: offsetB),
                         into: result.base(T.self) + index * m * n, m: m, n: n, k: k)
            }
        }
        return result
    }

    /// Whether this is a 2-D transposed view of a row-major matrix (column-major strides).
    private var isTransposedMatrix: Bool {
        rank == 2 && shape[0] > 1 && shape[1] > 1 && strides[0] == 1 && strides[1] == shape[0]
    }

    /// This tensor, copied only if its last two axes cannot be handed to BLAS as they are.
    private func matrixOperand() -> Tensor {
        blasLayout(rows: shape[rank - 2], columns: shape[rank - 1], rowStride: strides[rank - 2], columnStride: strides[rank - 1]) != nil
            ? detached() : materialized()
    }
}

/// C = A·B for the contiguous integer operands A (batch + [m, k]) and B (batch + [k, n]), in the
/// operands' dtype with wrapping arithmetic, as PyTorch's integer matmul.
private struct IntegerMatrixProduct: NumericKernel {
    let a: Tensor, b: Tensor, batch: [Int], m: Int, n: Int, k: Int

    func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
        Tensor(shape: batch + [m, n], dtype: T.self) { c in
            c.initialize(repeating: .zero)
            let x = UnsafePointer(a.base(T.self)), y = UnsafePointer(b.base(T.self))
            withExtendedLifetime((a.storage, b.storage)) {
                for matrix in 0..<batch.reduce(1, *) {
                    let left = x + matrix * m * k, right = y + matrix * k * n, product = c.baseAddress! + matrix * m * n
                    // Row i of C gathers row p of B times A[i][p]: every inner loop is unit-stride.
                    for i in 0..<m {
                        let row = product + i * n
                        for p in 0..<k {
                            let factor = left[i * k + p], lane = right + p * n
                            for j in 0..<n { row[j] = T.plus(row[j], T.times(factor, lane[j])) }
                        }
                    }
                }
            }
        }
    }
}

/// How a strided matrix is passed to BLAS: plain or transposed, with its
/// leading dimension; `nil` when its strides fit neither.
private func blasLayout(rows: Int, columns: Int, rowStride: Int, columnStride: Int) -> (transposed: Bool, ld: Int)? {
    if (columns == 1 || columnStride == 1) && (rows == 1 || rowStride >= Swift.max(columns, 1)) {
        return (false, rows == 1 ? Swift.max(columns, 1) : rowStride)
    }
    if (rows == 1 || rowStride == 1) && (columns == 1 || columnStride >= Swift.max(rows, 1)) {
        return (true, columns == 1 ? Swift.max(rows, 1) : columnStride)
    }
    return nil
}

/// C (contiguous m×n) = A (m×k) · B (k×n), both BLAS-compatible views.
/// A matrix times a single column, or a single row times a matrix, is a gemv.
private func multiply<T: FloatingScalar>(_ kernels: any Backend, _ a: Tensor, _ b: Tensor, into c: UnsafeMutablePointer<T>, m: Int, n: Int, k: Int) {
    guard m > 0 && n > 0 else { return }
    // An empty inner dimension: every element is an empty sum, whatever the operands' strides.
    guard k > 0 else { return c.update(repeating: 0, count: m * n) }
    guard let la = blasLayout(rows: m, columns: k, rowStride: a.strides[0], columnStride: a.strides[1]),
          let lb = blasLayout(rows: k, columns: n, rowStride: b.strides[0], columnStride: b.strides[1]) else {
        fail("matmul: internal error, operands of strides \(describe(a.strides)) and \(describe(b.strides)) reached BLAS without a copy")
    }
    let pa = UnsafePointer(a.base(T.self)), pb = UnsafePointer(b.base(T.self))
    withExtendedLifetime((a.storage, b.storage)) {
        if n == 1 && m > 1 && b.strides[0] > 0 {
            // C[m] = A · b: A stored m×k, or k×m when transposed.
            kernels.gemv(transpose: la.transposed, m: la.transposed ? k : m, n: la.transposed ? m : k, alpha: 1,
                         a: pa, lda: la.ld, x: pb, incx: b.strides[0], beta: 0, y: c, incy: 1)
        } else if m == 1 && n > 1 && a.strides[1] > 0 {
            // C[n] = Bᵀ · a: B stored k×n, or n×k when transposed.
            kernels.gemv(transpose: !lb.transposed, m: lb.transposed ? n : k, n: lb.transposed ? k : n, alpha: 1,
                         a: pb, lda: lb.ld, x: pa, incx: a.strides[1], beta: 0, y: c, incy: 1)
        } else {
            kernels.gemm(transposeA: la.transposed, transposeB: lb.transposed, m: m, n: n, k: k, alpha: 1,
                         a: pa, lda: la.ld, b: pb, ldb: lb.ld, beta: 0, c: c, ldc: n)
        }
    }
}

/// Vector products.
extension Tensor {
    /// The dot product of two vectors of one length (PyTorch's `dot`), on the
    /// backend's dot kernel (strided views are not copied). The gradients are g·b and g·a.
    public func dot(_ other: Tensor) -> Tensor {
        guard rank == 1, other.rank == 1, shape == other.shape else {
            fail("dot: needs two vectors of one length, got \(describe(shape)) and \(describe(other.shape))")
        }
        guard dtype == other.dtype else {
            fail("dot: expected both vectors to have the same dtype, but got \(dtype) and \(other.dtype)")
        }
        // Integers: the wrapping product loop of matmul, in the vectors' dtype, as PyTorch's dot.
        if !dtype.isFloatingPoint { return unsqueeze(axis: 0).matmul(other.unsqueeze(axis: 1)).reshape([]) }
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let a: Tensor, b: Tensor
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), b: operands.input(b)) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor {
                let kernels = Nabla.kernels
                let value: T = withExtendedLifetime((a.storage, b.storage)) {
                    a.shape[0] == 0 ? 0 : kernels.dot(count: a.shape[0], x: a.base(T.self), incx: a.strides[0], y: b.base(T.self), incy: b.strides[0])
                }
                return Tensor(shape: [], scalars: [value])
            }
        }
        let a = strides[0] > 0 ? detached() : materialized(), b = other.strides[0] > 0 ? other.detached() : other.materialized()
        return dtype.dispatch(Kernel(a: a, b: b), op: "dot").recorded("dot", [self, other]) { g, needs in
            [needs[0] ? g * b : nil, needs[1] ? g * a : nil]
        }
    }

    /// The outer product `a[i]·b[j]` of two vectors (PyTorch's `outer`), as a broadcast product.
    public func outer(_ other: Tensor) -> Tensor {
        guard rank == 1, other.rank == 1 else {
            fail("outer: needs two vectors, got \(describe(shape)) and \(describe(other.shape))")
        }
        return unsqueeze(axis: 1) * other.unsqueeze(axis: 0)
    }
}
