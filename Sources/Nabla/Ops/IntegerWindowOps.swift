/// The window ops that PyTorch 2.13's CPU kernels run on integers: `conv2d` on int64, int32
/// and uint8, and `avg_pool2d` on int64. They compose the generic ops (a gather, an integer
/// matmul, the integer remainders), so the float kernels stay as they are; integers take no gradient.
extension WindowGeometry {
    /// For each element of one sample's column matrix `[C·kh·kw, outH·outW]` (row-major), the flat
    /// position in the sample's `[C, H, W]` that im2col copies into it, or `padding` where it writes a zero.
    func columnSources(padding: Int) -> [Int] {
        var sources = [Int](repeating: padding, count: columnRows * columnLength)
        forEachSegment { row, oy, valid, sourceOffset in
            guard let sourceOffset else { return }
            let start = row * columnLength + oy * outWidth + valid.lowerBound
            for t in 0..<valid.count { sources[start + t] = sourceOffset + t * stride.width }
        }
        return sources
    }
}

extension Tensor {
    /// conv2d of an integer batch (after conv2d's checks), as PyTorch's CPU kernel: each sample's
    /// column matrix gathered from its elements (a zero appended to each sample stands for the
    /// padding), then one matmul per group in the input's dtype, wrapping on overflow as torch's
    /// does (a wrapped sum does not depend on the order of its terms, so the values are torch's).
    func integerConvolution(_ weight: Tensor, bias: Tensor?, geometry: WindowGeometry, groups: Int) -> Tensor {
        let batch = shape[0], outChannels = weight.shape[0], imageCount = geometry.channels * geometry.planeCount
        let rows = geometry.columnRows, length = geometry.columnLength
        let sources = geometry.columnSources(padding: imageCount)
        let padded = Tensor.cat([reshape([batch, imageCount]), Tensor.zeros([batch, 1], dtype: dtype)], axis: 1)
        let positions = (0..<batch).flatMap { n in sources.map { n * (imageCount + 1) + $0 } }
        let columns = padded.taken(at: positions, shape: [batch, groups, rows / groups, length], op: "conv2d")
        let filters = weight.reshape([groups, outChannels / groups, rows / groups])
        let result = filters.matmul(columns).reshape([batch, outChannels, geometry.outHeight, geometry.outWidth])
        return bias.map { result + $0.reshape([1, outChannels, 1, 1]) } ?? result
    }

    /// avg_pool2d of an int64 batch over the windows `rows` × `columns`, as PyTorch's CPU kernel:
    /// each window's sum in int64 (wrapping) divided by its counted size, truncated toward zero
    /// (C's integer division: the mean of −7, 2, 3, −5 is −1).
    func integerAveragePool(rows: [PoolWindow], columns: [PoolWindow]) -> Tensor {
        // The window sums as two products with 0/1 matrices: rowWindows [outH, H] · x · columnWindows [W, outW].
        func windowMatrix(_ windows: [PoolWindow], extent: Int) -> Tensor {
            Tensor(shape: [windows.count, extent], scalars: windows.flatMap { window in
                (0..<extent).map { Int64($0 >= window.start && $0 < window.end ? 1 : 0) }
            })
        }
        let sums = windowMatrix(rows, extent: shape[2]).matmul(self).matmul(windowMatrix(columns, extent: shape[3]).transposed)
        let counts = Tensor(shape: [rows.count, columns.count], scalars: rows.flatMap { row in columns.map { Int64(row.counted * $0.counted) } })
        // sums − fmod(sums, counts) is an exact multiple of counts: floor division of it truncates sums / counts.
        return (sums - sums.fmod(counts)).floorDivide(counts)
    }
}
