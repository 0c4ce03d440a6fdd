/// Ops that replace elements by a mask or by position; the gradient passes
/// where an element was kept and is 0 where it was replaced.
extension Tensor {
    /// `value` (converted once to this tensor's dtype, which the result keeps) where `mask` is true, this tensor's
    /// element elsewhere (PyTorch's `masked_fill`). `mask` is a bool tensor (a Float
    /// 1/0 mask is deprecated, see ``where(_:_:_:)``) that broadcasts to this tensor's
    /// shape, which the result keeps.
    public func maskedFill<S: ScalarOperand>(_ mask: Tensor, _ value: S) -> Tensor {
        filled(where: mask, with: value.scalarValue)
    }

    private func filled(where mask: Tensor, with value: ScalarValue) -> Tensor {
        let target = broadcastShape(shape, mask.shape, op: "maskedFill")
        guard target == shape else {
            fail("maskedFill: a mask of shape \(describe(mask.shape)) does not broadcast to the tensor's shape \(describe(shape))")
        }
        struct Kernel: ScalarKernel {
            let mask: Tensor, source: Tensor, fill: Tensor
            func run<T: TensorScalar>(_ type: T.Type) -> Tensor {
                mapBroadcast(mask, source, fill, Bool.self, T.self, op: "maskedFill") { $0 ? $2 : $1 }
            }
        }
        let keep = mask.asMask(op: "maskedFill")
        let fill = Tensor.full([], value, dtype: dtype)
        return dtype.dispatch(Kernel(mask: keep, source: self, fill: fill)).recorded("maskedFill", [self]) { g, _ in
            [Tensor.where(keep, Tensor.zeros([], dtype: g.dtype), g)]
        }
    }

    /// The lower triangle of each matrix (the last two axes): elements with
    /// column − row ≤ `diagonal` kept, the rest 0 (PyTorch's `tril`).
    public func tril(diagonal: Int = 0) -> Tensor {
        triangle(op: "tril") { row, column in column - row <= diagonal }
    }

    /// The upper triangle of each matrix: elements with column − row ≥ `diagonal` kept, the rest 0 (PyTorch's `triu`).
    public func triu(diagonal: Int = 0) -> Tensor {
        triangle(op: "triu") { row, column in column - row >= diagonal }
    }

    private func triangle(op: String, _ keeps: @escaping (_ row: Int, _ column: Int) -> Bool) -> Tensor {
        guard rank >= 2 else { fail("\(op): needs at least 2 axes, the tensor has shape \(describe(shape))") }
        let rows = shape[rank - 2], columns = shape[rank - 1]
        // A fill, not a product with a 0/1 mask: an inf or NaN outside the triangle still becomes 0.
        let dropped = Tensor(shape: [rows, columns], dtype: Bool.self) { mask in
            for i in mask.indices { mask[i] = !keeps(i / columns, i % columns) }
        }
        return maskedFill(dropped, 0)
    }
}
