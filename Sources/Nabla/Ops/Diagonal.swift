/// Diagonals, as PyTorch's `diagonal`, `diag` and `trace`.
extension Tensor {
    /// The diagonal at `offset` of the matrices that `axis1` and `axis2` span (PyTorch's
    /// `diagonal(offset, dim1, dim2)`): those two axes are removed and the diagonal is
    /// appended as the last axis. A view. A positive `offset` is above the main diagonal,
    /// a negative one below; an offset past the edge gives an empty diagonal.
    /// The gradient lands on the diagonal's positions, zero elsewhere.
    public func diagonal(offset: Int = 0, axis1: Int = 0, axis2: Int = 1) -> Tensor {
        let first = normalizedAxis(axis1, rank: rank, op: "diagonal")
        let second = normalizedAxis(axis2, rank: rank, op: "diagonal")
        guard first != second else {
            fail("diagonal: axis1 and axis2 must differ, both are \(first) (shape \(describe(shape)))")
        }
        let layout = diagonalLayout(offset: offset, first, second)
        let inputShape = shape
        return view(shape: layout.shape, strides: layout.strides, offset: layout.offset)
            .recorded("diagonal", [self]) { g, _ in
                [Tensor.zeros(inputShape, withDiagonal: g, offset: offset, axis1: first, axis2: second)]
            }
    }

    /// PyTorch's `diag`: of a vector, the square matrix with the vector on its diagonal at
    /// `offset` (zeros elsewhere, side `count + |offset|`); of a matrix, its diagonal at `offset`.
    public func diag(offset: Int = 0) -> Tensor {
        switch rank {
        case 1:
            let side = shape[0] + Swift.abs(offset)
            return Tensor.zeros([side, side], withDiagonal: self, offset: offset, axis1: 0, axis2: 1)
        case 2:
            return diagonal(offset: offset)
        default:
            fail("diag: expected a vector or a matrix, got a tensor of shape \(describe(shape))")
        }
    }

    /// The sum of a matrix's main diagonal (PyTorch's `trace`).
    public func trace() -> Tensor {
        guard rank == 2 else { fail("trace: expected a matrix, got a tensor of shape \(describe(shape))") }
        return diagonal().sum()
    }

    /// Zeros of `shape` (in `values`' dtype) with `values` written on the diagonal that `diagonal(offset:axis1:axis2:)`
    /// of the result would view (PyTorch's `diagonal_scatter` into zeros). Its gradient is
    /// that diagonal of the incoming gradient.
    static func zeros(_ shape: [Int], withDiagonal values: Tensor, offset: Int, axis1: Int, axis2: Int) -> Tensor {
        let result = Tensor.zeros(shape, dtype: values.dtype)
        let layout = result.diagonalLayout(offset: offset, axis1, axis2)
        guard values.shape == layout.shape else {
            fail("diagonal: values of shape \(describe(values.shape)) do not fit the diagonal of shape \(describe(layout.shape))")
        }
        result.view(shape: layout.shape, strides: layout.strides, offset: layout.offset).assign(from: values)
        return result.recorded("diagonal scatter", [values]) { g, _ in
            [g.diagonal(offset: offset, axis1: axis1, axis2: axis2)]
        }
    }

    /// The shape, strides and offset of the diagonal view on the axes `first` and `second` (normalized, distinct).
    private func diagonalLayout(offset diagonalOffset: Int, _ first: Int, _ second: Int) -> (shape: [Int], strides: [Int], offset: Int) {
        let length = diagonalOffset >= 0
            ? Swift.max(0, Swift.min(shape[first], shape[second] - diagonalOffset))
            : Swift.max(0, Swift.min(shape[first] + diagonalOffset, shape[second]))
        let kept = (0..<rank).filter { $0 != first && $0 != second }
        // An empty diagonal keeps the tensor's offset, so the view never points past its storage.
        let start = length == 0 ? offset
            : offset + (diagonalOffset >= 0 ? diagonalOffset * strides[second] : -diagonalOffset * strides[first])
        return (kept.map { shape[$0] } + [length], kept.map { strides[$0] } + [strides[first] + strides[second]], start)
    }
}
