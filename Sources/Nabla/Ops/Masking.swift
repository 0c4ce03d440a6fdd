/// Ops that replace elements by a mask or by position; the gradient passes
/// where an element was kept and is 0 where it was replaced.
extension Tensor {
    /// `value` where `mask` is non-zero, this tensor's element elsewhere (PyTorch's
    /// `masked_fill`). `mask` broadcasts to this tensor's shape, which the result keeps.
    public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
        let target = broadcastShape(shape, mask.shape, op: "maskedFill")
        guard target == shape else {
            fail("maskedFill: a mask of shape \(describe(mask.shape)) does not broadcast to the tensor's shape \(describe(shape))")
        }
        let keep = mask.detached()
        return mapBroadcast(self, mask, op: "maskedFill") { $1 != 0 ? value : $0 }.recorded("maskedFill", [self]) { g, _ in
            [mapBroadcast(g, keep, op: "maskedFill") { $1 != 0 ? 0 : $0 }]
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
        let dropped = Tensor.generated([rows, columns]) { keeps($0 / columns, $0 % columns) ? 0 : 1 }
        return maskedFill(dropped, 0)
    }
}
