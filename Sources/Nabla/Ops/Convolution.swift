/// 2-D convolution as im2col + gemm, PyTorch's `conv2d`, `unfold` and `fold`.
///
/// Each sample's receptive fields are copied into a column matrix
/// `[C·kh·kw, outH·outW]` (im2col); the convolution is then one backend gemm
/// `W[O, C·kh·kw] · columns`, which lands directly in the NCHW output. The
/// input gradient is the product `Wᵀ · dY` scattered back by col2im, the
/// weight gradient the product `dY · columnsᵀ`. Both backends run the same
/// im2col; only the gemm differs.

/// A height and a width (PyTorch's `_size_2_t`): an integer literal means both.
public struct Size2D: Equatable, ExpressibleByIntegerLiteral, CustomStringConvertible, Sendable {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public init(integerLiteral value: Int) { self.init(value, value) }

    public var description: String { "(\(height), \(width))" }
}

/// Where a sliding window sits: the input plane, the kernel, and the output
/// positions it produces, validated once for an op.
struct WindowGeometry {
    let channels: Int, height: Int, width: Int
    let kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D
    let outHeight: Int, outWidth: Int

    /// Checks the sizes the way PyTorch does and names `op` and the shapes at fault.
    /// `ceilMode` (pooling's) rounds the output count up, dropping a last window that
    /// would start in the right padding, as PyTorch's `pooling_output_shape`.
    init(op: String, channels: Int, height: Int, width: Int, kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D,
         ceilMode: Bool = false) {
        guard kernel.height > 0, kernel.width > 0 else { fail("\(op): kernel size \(kernel) must be positive") }
        guard stride.height > 0, stride.width > 0 else { fail("\(op): stride \(stride) must be positive") }
        guard padding.height >= 0, padding.width >= 0 else { fail("\(op): padding \(padding) must not be negative") }
        guard dilation.height > 0, dilation.width > 0 else { fail("\(op): dilation \(dilation) must be positive") }
        guard height >= 0, width >= 0 else { fail("\(op): the plane \(height)×\(width) must not be negative") }
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        // Sizes from the arguments are counted with overflow checks (issue 24: padding 2^40 trapped).
        let spanH = checkedProduct([dilation.height, kernel.height - 1], op: op, "the dilated kernel height") + 1
        let spanW = checkedProduct([dilation.width, kernel.width - 1], op: op, "the dilated kernel width") + 1
        guard padding.height <= (Int.max - height) / 2, padding.width <= (Int.max - width) / 2 else {
            fail("\(op): padding \(padding) is too large for the input plane \(height)×\(width)")
        }
        let paddedH = height + 2 * padding.height, paddedW = width + 2 * padding.width
        guard paddedH >= spanH, paddedW >= spanW else {
            fail("\(op): the input plane \(height)×\(width) padded by \(padding) is smaller than the kernel \(kernel) dilated by \(dilation)")
        }
        func outputs(padded: Int, span: Int, stride: Int, padding: Int, extent: Int) -> Int {
            let count = (padded - span + (ceilMode ? stride - 1 : 0)) / stride + 1
            return ceilMode && (count - 1) * stride >= extent + padding ? count - 1 : count
        }
        outHeight = outputs(padded: paddedH, span: spanH, stride: stride.height, padding: padding.height, extent: height)
        outWidth = outputs(padded: paddedW, span: spanW, stride: stride.width, padding: padding.width, extent: width)
        columnRows = checkedProduct([channels, kernel.height, kernel.width], op: op, "channels × kernel size")
        columnLength = checkedProduct([outHeight, outWidth], op: op, "the output plane")
        planeCount = checkedProduct([height, width], op: op, "the input plane")
    }

    /// Rows of the column matrix: one per channel and kernel position.
    let columnRows: Int
    /// Columns of the column matrix: one per output position.
    let columnLength: Int
    let planeCount: Int

    /// Whether the column matrix is the input itself (a 1×1 kernel, stride 1, no padding).
    var isIdentity: Bool {
        kernel == 1 && stride == 1 && padding == 0
    }

    /// The outputs `lo..<hi` whose input coordinate `o·stride + offset` lies in `0..<extent`.
    static func validOutputs(offset: Int, stride: Int, outputs: Int, extent: Int) -> Range<Int> {
        // ceil(−offset / stride) and floor((extent − 1 − offset) / stride) + 1, clamped.
        let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = extent - 1 - offset
        let hi = last < 0 ? 0 : Swift.min(outputs, last / stride + 1)
        return Swift.min(lo, hi)..<hi
    }

    /// Visits every row segment that im2col copies: for column-matrix row `row`
    /// and output row `oy`, `body(destination, source)` gets the output columns
    /// `valid` to fill from the input row `source` read with the width stride
    /// (`source[t·stride]` feeds output column `valid.lowerBound + t`); output rows
    /// that fall in the padding get `source == nil`.
    @inline(__always)
    func forEachSegment(_ body: (_ row: Int, _ oy: Int, _ valid: Range<Int>, _ sourceOffset: Int?) -> Void) {
        for c in 0..<channels {
            for ki in 0..<kernel.height {
                let offsetY = ki * dilation.height - padding.height
                let rows = WindowGeometry.validOutputs(offset: offsetY, stride: stride.height, outputs: outHeight, extent: height)
                for kj in 0..<kernel.width {
                    let offsetX = kj * dilation.width - padding.width
                    let columns = WindowGeometry.validOutputs(offset: offsetX, stride: stride.width, outputs: outWidth, extent: width)
                    let row = (c * kernel.height + ki) * kernel.width + kj
                    for oy in 0..<outHeight {
                        guard rows.contains(oy), !columns.isEmpty else { body(row, oy, 0..<0, nil); continue }
                        let iy = oy * stride.height + offsetY
                        body(row, oy, columns, c * planeCount + iy * width + columns.lowerBound * stride.width + offsetX)
                    }
                }
            }
        }
    }

    /// Copies one sample's receptive fields `[C, H, W]` into `columns` `[C·kh·kw, outH·outW]`.
    func im2col<T: FloatingScalar>(_ image: UnsafePointer<T>, into columns: UnsafeMutablePointer<T>) {
        let outW = outWidth, step = stride.width, length = columnLength
        forEachSegment { row, oy, valid, sourceOffset in
            let destination = columns + row * length + oy * outW
            guard let sourceOffset else { destination.update(repeating: 0, count: outW); return }
            destination.update(repeating: 0, count: valid.lowerBound)
            (destination + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound)
            let source = image + sourceOffset, target = destination + valid.lowerBound, count = valid.count
            if step == 1 {
                for t in 0..<count { target[t] = source[t] }
            } else {
                for t in 0..<count { target[t] = source[t * step] }
            }
        }
    }

    /// Adds `columns` `[C·kh·kw, outH·outW]` back onto one sample's `[C, H, W]` (col2im),
    /// which must be initialised: every input position gets the sum of its copies.
    func col2im<T: FloatingScalar>(_ columns: UnsafePointer<T>, into image: UnsafeMutablePointer<T>) {
        let outW = outWidth, step = stride.width, length = columnLength
        forEachSegment { row, oy, valid, sourceOffset in
            guard let sourceOffset else { return }
            let source = columns + row * length + oy * outW + valid.lowerBound
            let target = image + sourceOffset, count = valid.count
            if step == 1 {
                for t in 0..<count { target[t] += source[t] }
            } else {
                for t in 0..<count { target[t * step] += source[t] }
            }
        }
    }
}

extension Tensor {
    /// The 2-D cross-correlation of a batch `[N, C, H, W]` with filters
    /// `weight` `[O, C / groups, kh, kw]`, plus `bias` `[O]`: PyTorch's `F.conv2d`.
    /// The result is `[N, O, outH, outW]` with
    /// `out = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1`.
    /// With `groups` g, the channels are split into g groups and output group i
    /// sees only input group i (g = C with O = k·C is a depthwise convolution).
    /// The column matrix of all C channels stacks the groups' column matrices, so
    /// it is made once per sample and each group is one gemm on its block of rows.
    ///
    /// Input, weight and bias share one dtype, which the result (and the gradients) have.
    /// Numerical contract: in float32 or float64 each output is a dot product of length
    /// (C / groups)·kh·kw in that dtype computed by the backend's gemm (sgemm or dgemm), so
    /// the backends agree to gemm rounding; int64, int32 and uint8 compute exactly in their
    /// dtype, wrapping on overflow, as PyTorch's CPU kernel does (bool is refused, as there).
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1,
                       groups: Int = 1) -> Tensor {
        requireSameDType("conv2d", ("weight", weight), ("bias", bias))
        guard rank == 4 else { fail("conv2d: the input must be [N, C, H, W], got \(describe(shape))") }
        guard weight.rank == 4 else { fail("conv2d: the weight must be [out_channels, in_channels / groups, kH, kW], got \(describe(weight.shape))") }
        if groups != 1 {
            guard groups > 0 else { fail("conv2d: groups must be positive, got \(groups)") }
            guard shape[1] % groups == 0, weight.shape[0] % groups == 0 else {
                fail("conv2d: the input channels (\(shape[1])) and the output channels (\(weight.shape[0])) must both be divisible by groups (\(groups))")
            }
            guard weight.shape[1] * groups == shape[1] else {
                fail("conv2d: the weight \(describe(weight.shape)) with groups=\(groups) expects \(weight.shape[1] * groups) input channels but the input \(describe(shape)) has \(shape[1])")
            }
        } else {
            guard weight.shape[1] == shape[1] else {
                fail("conv2d: the weight \(describe(weight.shape)) expects \(weight.shape[1]) input channels but the input \(describe(shape)) has \(shape[1])")
            }
        }
        let outChannels = weight.shape[0]
        if let bias, bias.shape != [outChannels] {
            fail("conv2d: the bias must be [\(outChannels)] for the weight \(describe(weight.shape)), got \(describe(bias.shape))")
        }
        let geometry = WindowGeometry(op: "conv2d", channels: shape[1], height: shape[2], width: shape[3],
                                      kernel: Size2D(weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation)
        requireAllocatable([shape[0], outChannels, geometry.outHeight, geometry.outWidth], op: "conv2d", "the output")
        if !geometry.isIdentity { requireAllocatable([geometry.columnRows, geometry.columnLength], op: "conv2d", "the column matrix") }
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let input: Tensor, weight: Tensor, bias: Tensor?, geometry: WindowGeometry, groups: Int
            func widened(_ operands: WidenedOperands) -> Self { Self(input: operands.input(input), weight: operands.input(weight), bias: operands.input(bias), geometry: geometry, groups: groups) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor {
                input.convolved(weight, bias: bias, geometry: geometry, groups: groups, T.self)
            }
        }
        switch dtype {
        case .int64, .int32, .uint8: return integerConvolution(weight, bias: bias, geometry: geometry, groups: groups)
        case .bool: fail("conv2d: not implemented for bool tensors (it takes float32, float64, int64, int32, uint8, float16, bfloat16)")
        case .float32, .float64, .float16, .bfloat16: break
        }
        return dtype.dispatch(Kernel(input: self, weight: weight, bias: bias, geometry: geometry, groups: groups), op: "conv2d")
    }

    /// conv2d's forward pass and its gradients in `T`, after the checks.
    private func convolved<T: FloatingScalar>(_ weight: Tensor, bias: Tensor?, geometry: WindowGeometry, groups: Int, _ type: T.Type) -> Tensor {
        let outChannels = weight.shape[0]
        let batch = shape[0], rows = geometry.columnRows, length = geometry.columnLength, imageCount = geometry.channels * geometry.planeCount
        // Group g: filter rows g·groupOut..<(g+1)·groupOut against column rows g·groupRows..<(g+1)·groupRows.
        let groupRows = rows / groups, groupOut = outChannels / groups
        let input = denseDetached(), filters = weight.denseDetached()
        let result = Tensor(uninitializedShape: [batch, outChannels, geometry.outHeight, geometry.outWidth], dtype: T.dtype)
        let kernels = Nabla.kernels
        // The weight gradient needs every sample's columns: keep them only then.
        let keepsColumns = GradMode.isEnabled && weight.autograd != nil && !geometry.isIdentity
        let columns = geometry.isIdentity ? nil : Tensor(uninitializedShape: keepsColumns ? [batch, rows, length] : [rows, length], dtype: T.dtype)
        let filterPointer = UnsafePointer(filters.base(T.self))
        withExtendedLifetime((input.storage, filters.storage)) {
            for n in 0..<batch {
                let image = UnsafePointer(input.base(T.self) + n * imageCount)
                var columnPointer = image
                if let columns {
                    let target = columns.base(T.self) + (keepsColumns ? n * rows * length : 0)
                    geometry.im2col(image, into: target)
                    columnPointer = UnsafePointer(target)
                }
                for g in 0..<groups {
                    kernels.gemm(transposeA: false, transposeB: false, m: groupOut, n: length, k: groupRows, alpha: 1,
                                 a: filterPointer + g * groupOut * groupRows, lda: groupRows,
                                 b: columnPointer + g * groupRows * length, ldb: length,
                                 beta: 0, c: result.base(T.self) + (n * outChannels + g * groupOut) * length, ldc: length)
                }
            }
        }
        if let bias { result.addChannelBias(bias.denseDetached(), batch: batch, channels: outChannels, plane: length, T.self) }

        return result.recorded("conv2d", [self, weight] + (bias.map { [$0] } ?? [])) { g, needs in
            let gradient = g.denseDetached()
            let gradientPointer = UnsafePointer(gradient.base(T.self)), filterPointer = UnsafePointer(filters.base(T.self))
            var inputGradient: Tensor?, weightGradient: Tensor?
            withExtendedLifetime((gradient.storage, filters.storage)) {
                if needs[0] {
                    // dX = col2im(Wᵀ · dY), one sample at a time.
                    let dx = Tensor.zeros([batch, geometry.channels, geometry.height, geometry.width], dtype: T.dtype)
                    let dColumns = Tensor(uninitializedShape: [rows, length], dtype: T.dtype)
                    for n in 0..<batch {
                        let target = geometry.isIdentity ? dx.base(T.self) + n * imageCount : dColumns.base(T.self)
                        for g in 0..<groups {
                            kernels.gemm(transposeA: true, transposeB: false, m: groupRows, n: length, k: groupOut, alpha: 1,
                                         a: filterPointer + g * groupOut * groupRows, lda: groupRows,
                                         b: gradientPointer + (n * outChannels + g * groupOut) * length, ldb: length,
                                         beta: 0, c: target + g * groupRows * length, ldc: length)
                        }
                        if !geometry.isIdentity { geometry.col2im(UnsafePointer(dColumns.base(T.self)), into: dx.base(T.self) + n * imageCount) }
                    }
                    inputGradient = dx
                }
                if needs[1] {
                    // dW = Σₙ dYₙ · columnsₙᵀ per group, accumulated in place by gemm's beta.
                    let dw = Tensor(uninitializedShape: weight.shape, dtype: T.dtype)
                    withExtendedLifetime(input.storage) {
                        for n in 0..<batch {
                            let sampleColumns = UnsafePointer(geometry.isIdentity ? input.base(T.self) + n * imageCount
                                                                                  : columns!.base(T.self) + n * rows * length)
                            for g in 0..<groups {
                                kernels.gemm(transposeA: false, transposeB: true, m: groupOut, n: groupRows, k: length, alpha: 1,
                                             a: gradientPointer + (n * outChannels + g * groupOut) * length, lda: length,
                                             b: sampleColumns + g * groupRows * length, ldb: length,
                                             beta: n == 0 ? 0 : 1, c: dw.base(T.self) + g * groupOut * groupRows, ldc: groupRows)
                            }
                        }
                    }
                    if batch == 0 { dw.base(T.self).update(repeating: 0, count: dw.scalarCount) }
                    weightGradient = dw
                }
            }
            let biasGradient = needs.count > 2 && needs[2] ? gradient.sum(axes: [0, 2, 3]) : nil
            return [inputGradient, weightGradient, biasGradient]
        }
    }

    /// Sliding local blocks as columns, PyTorch's `F.unfold` (im2col): `[N, C, H, W]`
    /// becomes `[N, C·kh·kw, L]` with L the number of window positions, of the input's
    /// floating dtype, or bool (copied exactly, as PyTorch's CPU kernel takes bool too).
    /// Its gradient is ``fold(outputSize:kernelSize:stride:padding:dilation:)``.
    public func unfold(kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1) -> Tensor {
        guard rank == 4 else { fail("unfold: the input must be [N, C, H, W], got \(describe(shape))") }
        switch dtype {
        // 0 and 1 copy exactly through float32.
        case .bool: return to(.float32).unfold(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation).to(.bool)
        case .int64, .int32, .uint8: fail("unfold: not implemented for \(dtype) tensors (it takes float32, float64, float16, bfloat16, bool)")
        case .float32, .float64, .float16, .bfloat16: break
        }
        let geometry = WindowGeometry(op: "unfold", channels: shape[1], height: shape[2], width: shape[3],
                                      kernel: kernelSize, stride: stride, padding: padding, dilation: dilation)
        requireAllocatable([shape[0], geometry.columnRows, geometry.columnLength], op: "unfold", "the output")
        return dtype.dispatch(WindowCopy(input: self, geometry: geometry, toColumns: true), op: "unfold").recorded("unfold", [self]) { g, _ in
            [g.fold(outputSize: Size2D(geometry.height, geometry.width), kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)]
        }
    }

    /// Sums columns `[N, C·kh·kw, L]` back into images `[N, C, H, W]`, PyTorch's
    /// `F.fold` (col2im): overlapping windows add up, in the input's floating dtype; bool ones
    /// add as logical or, as PyTorch's CPU kernel adds bools.
    /// Its gradient is ``unfold(kernelSize:stride:padding:dilation:)``.
    public func fold(outputSize: Size2D, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1) -> Tensor {
        guard rank == 3 else { fail("fold: the input must be [N, C·kH·kW, L], got \(describe(shape))") }
        switch dtype {
        // A count of overlapping trues is exact in float32; non-zero is the or.
        case .bool: return to(.float32).fold(outputSize: outputSize, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation) .!= 0
        case .int64, .int32, .uint8: fail("fold: not implemented for \(dtype) tensors (it takes float32, float64, float16, bfloat16, bool)")
        case .float32, .float64, .float16, .bfloat16: break
        }
        guard kernelSize.height > 0, kernelSize.width > 0 else { fail("fold: kernel size \(kernelSize) must be positive") }
        let kernelArea = checkedProduct([kernelSize.height, kernelSize.width], op: "fold", "the kernel size")
        guard shape[1] % kernelArea == 0 else {
            fail("fold: the input's second extent \(shape[1]) is not a multiple of the kernel size \(kernelSize)")
        }
        let geometry = WindowGeometry(op: "fold", channels: shape[1] / kernelArea, height: outputSize.height, width: outputSize.width,
                                      kernel: kernelSize, stride: stride, padding: padding, dilation: dilation)
        guard shape[2] == geometry.columnLength else {
            fail("fold: the input \(describe(shape)) has \(shape[2]) blocks but an output of \(outputSize) with kernel \(kernelSize), stride \(stride), padding \(padding), dilation \(dilation) has \(geometry.columnLength)")
        }
        requireAllocatable([shape[0], geometry.channels, outputSize.height, outputSize.width], op: "fold", "the output")
        return dtype.dispatch(WindowCopy(input: self, geometry: geometry, toColumns: false), op: "fold").recorded("fold", [self]) { g, _ in
            [g.unfold(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)]
        }
    }

    /// unfold's im2col (`toColumns`) or fold's col2im of each sample, in the input's floating type.
    private struct WindowCopy: FloatingKernel, HalfPrecisionKernel {
        let input: Tensor, geometry: WindowGeometry, toColumns: Bool
        func widened(_ operands: WidenedOperands) -> Self { Self(input: operands.input(input), geometry: geometry, toColumns: toColumns) }
        func run<T: FloatingScalar>(_ type: T.Type) -> Tensor {
            let batch = input.shape[0], imageCount = geometry.channels * geometry.planeCount
            let columnCount = geometry.columnRows * geometry.columnLength
            let source = input.denseDetached()
            let result = toColumns ? Tensor(uninitializedShape: [batch, geometry.columnRows, geometry.columnLength], dtype: T.dtype)
                                   : Tensor.zeros([batch, geometry.channels, geometry.height, geometry.width], dtype: T.dtype)
            withExtendedLifetime(source.storage) {
                for n in 0..<batch {
                    if toColumns {
                        geometry.im2col(UnsafePointer(source.base(T.self) + n * imageCount), into: result.base(T.self) + n * columnCount)
                    } else {
                        geometry.col2im(UnsafePointer(source.base(T.self) + n * columnCount), into: result.base(T.self) + n * imageCount)
                    }
                }
            }
            return result
        }
    }

    /// This tensor's values, contiguous, without an autograd record.
    func denseDetached() -> Tensor {
        isContiguous ? detached() : materialized()
    }

    /// Adds `bias[c]` to every element of channel c of this contiguous `[N, C, plane]` tensor of `T`, in place.
    func addChannelBias<T: FloatingScalar>(_ bias: Tensor, batch: Int, channels: Int, plane: Int, _ type: T.Type) {
        let out = base(T.self), b = bias.base(T.self)
        withExtendedLifetime(bias.storage) {
            for n in 0..<batch {
                for c in 0..<channels {
                    let row = out + (n * channels + c) * plane, value = b[c]
                    for i in 0..<plane { row[i] += value }
                }
            }
        }
    }
}
