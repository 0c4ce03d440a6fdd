/// 2-D convolution as patches + gemm, PyTorch's `conv2d`, `unfold` and `fold`.
///
/// The convolution copies each sample's receptive fields into a matrix and makes
/// it one gemm with the filters; the input gradient is the product of the output
/// gradient with the filters, added back onto the image, and the weight gradient
/// the product of the output gradient with the receptive fields. The kernel picks
/// one of two layouts for that matrix (``WindowGeometry/columnLayout(groups:)``,
/// as candle's CPU conv2d picks inside its kernel): im2col's channel-major columns
/// `[C·kh·kw, outH·outW]`, one gemm per sample, when the output rows are the long
/// runs to copy (few channels, stride 1); or channels-last patches
/// `[outH·outW, kh·kw·C]` of an NHWC copy of the input, one gemm per block of
/// samples, when a kernel row of channels is (many channels, strided or small
/// output planes). Both backends run the same copies; only the gemm differs.

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

    /// The layout of the receptive fields that conv2d's gemm reads: the one whose copies
    /// run longer. im2col's runs are output rows (long at stride 1, single values at a
    /// larger stride); the patches' are a kernel row of channels (kw·C values, C under
    /// dilation). A 1×1 kernel at stride 1 without padding needs no copy channel-major,
    /// and grouped convolutions stay channel-major, where each group is a block of rows.
    func columnLayout(groups: Int) -> ColumnLayout {
        guard groups == 1, !isIdentity else { return .channelsFirst }
        let patchRun = dilation.width == 1 ? kernel.width * channels : channels
        let columnRun = stride.width == 1 ? outWidth : 1
        return patchRun > 1 && patchRun >= columnRun ? .channelsLast : .channelsFirst
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

/// How conv2d's kernel lays out the receptive fields for its gemm (``WindowGeometry/columnLayout(groups:)`` chooses).
enum ColumnLayout {
    /// im2col's columns `[C·kh·kw, outH·outW]` per sample (the input itself for a 1×1
    /// kernel at stride 1 without padding): one gemm per sample and group, straight
    /// into the NCHW output.
    case channelsFirst
    /// Patches `[outH·outW, kh·kw·C]` of an NHWC copy of each sample, whose rows stack
    /// over a block of samples: each gemm covers the block, so a small output plane
    /// (a strided layer's) still makes a long panel. The output comes out position by
    /// channel and is transposed per sample.
    case channelsLast
}

extension WindowGeometry {
    /// Visits the runs of consecutive values that make one sample's patches
    /// `[outH·outW, kh·kw·C]` (column `(ki·kw + kj)·C + c`) from its NHWC copy `[H, W, C]`:
    /// `body(patchOffset, imageOffset, count)`, with `imageOffset` nil for a run in the padding.
    @inline(__always)
    func forEachPatchRun(_ body: (_ patchOffset: Int, _ imageOffset: Int?, _ count: Int) -> Void) {
        let c = channels, rowLength = kernel.width * c, patchLength = kernel.height * rowLength
        for ox in 0..<outWidth {
            let x0 = ox * stride.width - padding.width
            // The kernel columns kj whose input column x0 + kj·dilation lies in the image.
            let inside = WindowGeometry.validOutputs(offset: x0, stride: dilation.width, outputs: kernel.width, extent: width)
            for oy in 0..<outHeight {
                let patch = (oy * outWidth + ox) * patchLength
                for ki in 0..<kernel.height {
                    let row = patch + ki * rowLength, iy = oy * stride.height + ki * dilation.height - padding.height
                    guard iy >= 0, iy < height, !inside.isEmpty else { body(row, nil, rowLength); continue }
                    if inside.lowerBound > 0 { body(row, nil, inside.lowerBound * c) }
                    if dilation.width == 1 {
                        body(row + inside.lowerBound * c, (iy * width + x0 + inside.lowerBound) * c, inside.count * c)
                    } else {
                        for kj in inside { body(row + kj * c, (iy * width + x0 + kj * dilation.width) * c, c) }
                    }
                    if inside.upperBound < kernel.width { body(row + inside.upperBound * c, nil, (kernel.width - inside.upperBound) * c) }
                }
            }
        }
    }

    /// Copies one NHWC sample `[H, W, C]` into its patches `[outH·outW, kh·kw·C]`.
    func gatherPatches<T: FloatingScalar>(_ image: UnsafePointer<T>, into patches: UnsafeMutablePointer<T>) {
        forEachPatchRun { patchOffset, imageOffset, count in
            let target = patches + patchOffset
            guard let imageOffset else { target.update(repeating: 0, count: count); return }
            target.update(from: image + imageOffset, count: count)
        }
    }

    /// Adds patches `[outH·outW, kh·kw·C]` back onto one initialised NHWC sample `[H, W, C]`.
    func addPatches<T: FloatingScalar>(_ patches: UnsafePointer<T>, into image: UnsafeMutablePointer<T>) {
        forEachPatchRun { patchOffset, imageOffset, count in
            guard let imageOffset else { return }
            let source = patches + patchOffset, target = image + imageOffset
            for t in 0..<count { target[t] += source[t] }
        }
    }
}

/// conv2d's samples in blocks fixed by the shapes alone, each about 10^6 multiply-adds
/// of product: OpenBLAS's small-matrix kernels take products up to that size, and ran
/// the CNN's channels-last blocks 20% faster than one product over the batch. The
/// blocks run through ``ParallelLoop``; the weight gradient keeps one term per block and
/// sums the terms in block order, so every result is the same at any thread count.
struct SampleBlocks {
    let batch: Int, size: Int, multiplyAdds: Int

    init(batch: Int, multiplyAddsPerSample: Int) {
        self.batch = batch
        size = Swift.max(1, Swift.min(batch, 1_000_000 / Swift.max(1, multiplyAddsPerSample)))
        let (product, overflow) = batch.multipliedReportingOverflow(by: multiplyAddsPerSample)
        multiplyAdds = overflow ? .max : product
    }

    var count: Int { (batch + size - 1) / size }
    func samples(_ block: Int) -> Range<Int> { block * size..<Swift.min(batch, (block + 1) * size) }

    /// Runs `body(block)` for every block, on the pool's threads when the work is large enough.
    func forEach(_ body: (Int) -> Void) { ParallelLoop.forEachBlock(count, elements: multiplyAdds, body) }

    /// Sums the `count` terms of `length` values at `terms` (one after another) into the first, in block order.
    func sumTerms<T: FloatingScalar>(_ terms: UnsafeMutablePointer<T>, length: Int, kernels: any Backend) {
        if count == 0 { terms.update(repeating: 0, count: length) }
        for block in 1..<Swift.max(count, 1) { kernels.axpy(count: length, alpha: 1, x: terms + block * length, y: terms) }
    }
}

/// The multiply-adds of an m×k by k×n product, saturating at `Int.max` (a measure of work, never a size).
func multiplyAdds(_ m: Int, _ k: Int, _ n: Int) -> Int {
    let (mk, first) = m.multipliedReportingOverflow(by: k), (mkn, second) = mk.multipliedReportingOverflow(by: n)
    return first || second ? .max : mkn
}

/// conv2d through channels-last patches (``ColumnLayout/channelsLast``), one block of
/// samples (``SampleBlocks``) at a time: the block's patches `[block·L, K]` make one
/// product, still in cache when it reads them. Every product is plain (no operand
/// transposed), which OpenBLAS ran fastest here: the filters are kept both as
/// `[O, kh·kw·C]` and as its transpose, and a block's outputs and output gradients
/// are position by channel, `[block·L, O]`, transposed per sample.
struct ChannelsLastConvolution {
    let geometry: WindowGeometry, outChannels: Int
    let blocks: SampleBlocks

    init(geometry: WindowGeometry, batch: Int, outChannels: Int) {
        self.geometry = geometry
        self.outChannels = outChannels
        blocks = SampleBlocks(batch: batch, multiplyAddsPerSample: multiplyAdds(outChannels, geometry.columnRows, geometry.columnLength))
    }

    /// Values of one sample's patches, of its image, of its output; of the filters.
    var patchCount: Int { geometry.columnLength * geometry.columnRows }
    var imageCount: Int { geometry.channels * geometry.planeCount }
    var outputCount: Int { outChannels * geometry.columnLength }
    var filterCount: Int { outChannels * geometry.columnRows }

    /// Filters `[O, C, kh, kw]` as `[O, kh·kw·C]` (`rows`) and as `[kh·kw·C, O]` (`columns`).
    func reorderFilters<T: FloatingScalar>(_ filters: UnsafePointer<T>, rows: UnsafeMutablePointer<T>, columns: UnsafeMutablePointer<T>,
                                           kernels: any Backend) {
        let area = geometry.kernel.height * geometry.kernel.width, length = geometry.columnRows
        for o in 0..<outChannels { kernels.transpose(rows: geometry.channels, columns: area, a: filters + o * length, b: rows + o * length) }
        kernels.transpose(rows: outChannels, columns: length, a: rows, b: columns)
    }

    /// A weight gradient `[O, kh·kw·C]` as `[O, C, kh, kw]`.
    func restoreFilterOrder<T: FloatingScalar>(_ rows: UnsafePointer<T>, into filters: UnsafeMutablePointer<T>, kernels: any Backend) {
        let area = geometry.kernel.height * geometry.kernel.width, length = geometry.columnRows
        for o in 0..<outChannels { kernels.transpose(rows: area, columns: geometry.channels, a: rows + o * length, b: filters + o * length) }
    }

    /// One block's forward pass: NCHW `input` `[N, C, H, W]` to `output` `[N, O, outH, outW]`
    /// through the filters `[kh·kw·C, O]`. The block's patches go to `patches` (`[N, L, K]`) when
    /// given, for the weight gradient, else to scratch.
    func forward<T: FloatingScalar>(block: Int, input: UnsafePointer<T>, filterColumns: UnsafePointer<T>,
                                    patches: UnsafeMutablePointer<T>?, output: UnsafeMutablePointer<T>, kernels: any Backend) {
        let samples = blocks.samples(block), length = geometry.columnLength, rows = geometry.columnRows
        let scratchCount = Swift.max(imageCount, samples.count * length * outChannels)
        withScratch(scratchCount + (patches == nil ? samples.count * patchCount : 0), T.self) { scratch in
            let blockPatches = patches.map { $0 + samples.lowerBound * patchCount } ?? scratch + scratchCount
            for (i, n) in samples.enumerated() {
                kernels.transpose(rows: geometry.channels, columns: geometry.planeCount, a: input + n * imageCount, b: scratch)
                geometry.gatherPatches(UnsafePointer(scratch), into: blockPatches + i * patchCount)
            }
            kernels.gemm(transposeA: false, transposeB: false, m: samples.count * length, n: outChannels, k: rows, alpha: 1,
                         a: blockPatches, lda: rows, b: filterColumns, ldb: outChannels, beta: 0, c: scratch, ldc: outChannels)
            for (i, n) in samples.enumerated() {
                kernels.transpose(rows: length, columns: outChannels, a: scratch + i * length * outChannels, b: output + n * outputCount)
            }
        }
    }

    /// One block's backward pass from `gradient` `[N, O, outH, outW]` through the filters
    /// `[O, kh·kw·C]`: the block's samples of `inputGradient` `[N, C, H, W]`, and the block's
    /// own term of the weight gradient (`[O, kh·kw·C]`, from `patches` `[N, L, K]`), each when given.
    func backward<T: FloatingScalar>(block: Int, gradient: UnsafePointer<T>, filterRows: UnsafePointer<T>, patches: UnsafePointer<T>?,
                                     inputGradient: UnsafeMutablePointer<T>?, weightGradient: UnsafeMutablePointer<T>?, kernels: any Backend) {
        let samples = blocks.samples(block), length = geometry.columnLength, rows = geometry.columnRows
        let positionCount = samples.count * length
        withScratch(positionCount * outChannels, T.self) { positions in
            for (i, n) in samples.enumerated() {
                kernels.transpose(rows: outChannels, columns: length, a: gradient + n * outputCount, b: positions + i * length * outChannels)
            }
            if let inputGradient {
                withScratch(samples.count * patchCount + imageCount, T.self) { scratch in
                    let patchGradient = scratch, image = scratch + samples.count * patchCount
                    kernels.gemm(transposeA: false, transposeB: false, m: positionCount, n: rows, k: outChannels, alpha: 1,
                                 a: positions, lda: outChannels, b: filterRows, ldb: rows, beta: 0, c: patchGradient, ldc: rows)
                    for (i, n) in samples.enumerated() {
                        image.update(repeating: 0, count: imageCount)
                        geometry.addPatches(UnsafePointer(patchGradient + i * patchCount), into: image)
                        kernels.transpose(rows: geometry.planeCount, columns: geometry.channels, a: image, b: inputGradient + n * imageCount)
                    }
                }
            }
            if let weightGradient, let patches {
                kernels.gemm(transposeA: true, transposeB: false, m: outChannels, n: rows, k: positionCount, alpha: 1,
                             a: positions, lda: outChannels, b: patches + samples.lowerBound * patchCount, ldb: rows,
                             beta: 0, c: weightGradient, ldc: rows)
            }
        }
    }
}

/// Runs `body` on `count` uninitialised values of `T` from the storage cache, alive until it returns.
func withScratch<T: FloatingScalar, Result>(_ count: Int, _ type: T.Type, _ body: (UnsafeMutablePointer<T>) -> Result) -> Result {
    let storage = TensorStorage(uninitializedCount: count, dtype: T.dtype)
    return withExtendedLifetime(storage) { body(storage.typed(T.self)) }
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
    /// The kernel's layout (im2col's columns, or channels-last patches when a kernel row of
    /// channels is the longer run) changes the order of the floating sums, not what is
    /// summed. The weight gradient sums over samples in blocks fixed by the shapes, then
    /// over the blocks in order; the blocks may run on several threads
    /// (`setThreadCount(_:)`), and every result is the same bits at any thread count.
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

    /// conv2d's backward pass from the output's gradient (dense): the input's and the weight's gradients, each when needed.
    private typealias ConvolutionBackward = (_ outputGradient: Tensor, _ needsInput: Bool, _ needsWeight: Bool) -> (input: Tensor?, weight: Tensor?)

    /// conv2d's forward pass and its gradients in `T`, after the checks, in the layout its kernel picks.
    private func convolved<T: FloatingScalar>(_ weight: Tensor, bias: Tensor?, geometry: WindowGeometry, groups: Int, _ type: T.Type) -> Tensor {
        let input = denseDetached(), filters = weight.denseDetached()
        let result = Tensor(uninitializedShape: [shape[0], weight.shape[0], geometry.outHeight, geometry.outWidth], dtype: T.dtype)
        // The weight gradient needs every sample's receptive fields: keep them only then.
        let keepsFields = GradMode.isEnabled && weight.autograd != nil
        let backward: ConvolutionBackward
        switch geometry.columnLayout(groups: groups) {
        case .channelsFirst:
            backward = input.convolvedChannelsFirst(filters, geometry: geometry, groups: groups, into: result, keepsColumns: keepsFields, T.self)
        case .channelsLast:
            backward = input.convolvedChannelsLast(filters, geometry: geometry, into: result, keepsPatches: keepsFields, T.self)
        }
        if let bias { result.addChannelBias(bias.denseDetached(), batch: shape[0], channels: weight.shape[0], plane: geometry.columnLength, T.self) }

        return result.recorded("conv2d", [self, weight] + (bias.map { [$0] } ?? [])) { g, needs in
            let gradient = g.denseDetached()
            let (inputGradient, weightGradient) = backward(gradient, needs[0], needs[1])
            let biasGradient = needs.count > 2 && needs[2] ? gradient.sum(axes: [0, 2, 3]) : nil
            return [inputGradient, weightGradient, biasGradient]
        }
    }

    /// conv2d of this dense input through im2col's columns (``ColumnLayout/channelsFirst``) into `result`,
    /// one gemm per sample and group, in ``SampleBlocks``.
    private func convolvedChannelsFirst<T: FloatingScalar>(_ filters: Tensor, geometry: WindowGeometry, groups: Int, into result: Tensor,
                                                            keepsColumns: Bool, _ type: T.Type) -> ConvolutionBackward {
        let outChannels = filters.shape[0], filterCount = filters.scalarCount
        let rows = geometry.columnRows, length = geometry.columnLength, imageCount = geometry.channels * geometry.planeCount
        // Group g: filter rows g·groupOut..<(g+1)·groupOut against column rows g·groupRows..<(g+1)·groupRows.
        let groupRows = rows / groups, groupOut = outChannels / groups
        let blocks = SampleBlocks(batch: shape[0], multiplyAddsPerSample: multiplyAdds(outChannels, groupRows, length))
        let kernels = Nabla.kernels
        // A 1×1 kernel at stride 1 without padding reads the input itself; otherwise the
        // weight gradient needs every sample's columns, kept only then.
        let keepsColumns = keepsColumns && !geometry.isIdentity
        let columns = keepsColumns ? Tensor(uninitializedShape: [shape[0], rows, length], dtype: T.dtype) : nil
        withExtendedLifetime((storage, filters.storage, columns?.storage, result.storage)) {
            let filterPointer = UnsafePointer(filters.base(T.self)), input = UnsafePointer(base(T.self)), output = result.base(T.self)
            let kept = columns?.base(T.self)
            blocks.forEach { block in
                withScratch(geometry.isIdentity || keepsColumns ? 0 : rows * length, T.self) { scratch in
                    for n in blocks.samples(block) {
                        let image = input + n * imageCount
                        var columnPointer = image
                        if !geometry.isIdentity {
                            let target = kept.map { $0 + n * rows * length } ?? scratch
                            geometry.im2col(image, into: target)
                            columnPointer = UnsafePointer(target)
                        }
                        for g in 0..<groups {
                            kernels.gemm(transposeA: false, transposeB: false, m: groupOut, n: length, k: groupRows, alpha: 1,
                                         a: filterPointer + g * groupOut * groupRows, lda: groupRows,
                                         b: columnPointer + g * groupRows * length, ldb: length,
                                         beta: 0, c: output + (n * outChannels + g * groupOut) * length, ldc: length)
                        }
                    }
                }
            }
        }
        return { gradient, needsInput, needsWeight in
            precondition(keepsColumns || geometry.isIdentity || !needsWeight, "conv2d: the weight needs a gradient that its forward pass did not expect")
            let inputGradient = needsInput ? Tensor.zeros(self.shape, dtype: T.dtype) : nil
            // Each block's term of the weight gradient, summed in block order below.
            let terms = needsWeight ? Tensor(uninitializedShape: [Swift.max(blocks.count, 1) * filterCount], dtype: T.dtype) : nil
            let weightGradient = needsWeight ? Tensor(uninitializedShape: filters.shape, dtype: T.dtype) : nil
            withExtendedLifetime((gradient.storage, filters.storage, self.storage, columns?.storage, inputGradient?.storage, terms?.storage,
                                  weightGradient?.storage)) {
                let gradientPointer = UnsafePointer(gradient.base(T.self)), filterPointer = UnsafePointer(filters.base(T.self))
                let dx = inputGradient?.base(T.self), dw = terms?.base(T.self)
                // The columns of sample n start at sampleColumns + n · columnCount.
                let sampleColumns: UnsafePointer<T>? = geometry.isIdentity ? UnsafePointer(self.base(T.self)) : columns.map { UnsafePointer($0.base(T.self)) }
                let columnCount = geometry.isIdentity ? imageCount : rows * length
                blocks.forEach { block in
                    if let dx {
                        // dX = col2im(Wᵀ · dY), one sample at a time.
                        withScratch(geometry.isIdentity ? 0 : rows * length, T.self) { dColumns in
                            for n in blocks.samples(block) {
                                let target = geometry.isIdentity ? dx + n * imageCount : dColumns
                                for g in 0..<groups {
                                    kernels.gemm(transposeA: true, transposeB: false, m: groupRows, n: length, k: groupOut, alpha: 1,
                                                 a: filterPointer + g * groupOut * groupRows, lda: groupRows,
                                                 b: gradientPointer + (n * outChannels + g * groupOut) * length, ldb: length,
                                                 beta: 0, c: target + g * groupRows * length, ldc: length)
                                }
                                if !geometry.isIdentity { geometry.col2im(UnsafePointer(dColumns), into: dx + n * imageCount) }
                            }
                        }
                    }
                    if let dw, let sampleColumns {
                        // The block's Σₙ dYₙ · columnsₙᵀ per group, accumulated in place by gemm's beta.
                        let term = dw + block * filterCount
                        for (i, n) in blocks.samples(block).enumerated() {
                            for g in 0..<groups {
                                kernels.gemm(transposeA: false, transposeB: true, m: groupOut, n: groupRows, k: length, alpha: 1,
                                             a: gradientPointer + (n * outChannels + g * groupOut) * length, lda: length,
                                             b: sampleColumns + n * columnCount + g * groupRows * length,
                                             ldb: length, beta: i == 0 ? 0 : 1, c: term + g * groupOut * groupRows, ldc: groupRows)
                            }
                        }
                    }
                }
                if let dw, let weightGradient {
                    blocks.sumTerms(dw, length: filterCount, kernels: kernels)
                    weightGradient.base(T.self).update(from: dw, count: filterCount)
                }
            }
            return (inputGradient, weightGradient)
        }
    }

    /// conv2d of this dense input through channels-last patches (``ColumnLayout/channelsLast``) into `result`.
    private func convolvedChannelsLast<T: FloatingScalar>(_ filters: Tensor, geometry: WindowGeometry, into result: Tensor,
                                                           keepsPatches: Bool, _ type: T.Type) -> ConvolutionBackward {
        let plan = ChannelsLastConvolution(geometry: geometry, batch: shape[0], outChannels: filters.shape[0])
        let kernels = Nabla.kernels, filterCount = plan.filterCount, blocks = plan.blocks
        // The filters as [O, kh·kw·C] and, after them, as [kh·kw·C, O].
        let reordered = Tensor(uninitializedShape: [2 * filterCount], dtype: T.dtype)
        let patches = keepsPatches ? Tensor(uninitializedShape: [shape[0] * plan.patchCount], dtype: T.dtype) : nil
        withExtendedLifetime((storage, filters.storage, reordered.storage, patches?.storage, result.storage)) {
            plan.reorderFilters(UnsafePointer(filters.base(T.self)), rows: reordered.base(T.self), columns: reordered.base(T.self) + filterCount,
                                kernels: kernels)
            let input = UnsafePointer(base(T.self)), filterColumns = UnsafePointer(reordered.base(T.self) + filterCount)
            let kept = patches?.base(T.self), output = result.base(T.self)
            blocks.forEach { block in
                plan.forward(block: block, input: input, filterColumns: filterColumns, patches: kept, output: output, kernels: kernels)
            }
        }
        return { gradient, needsInput, needsWeight in
            precondition(keepsPatches || !needsWeight, "conv2d: the weight needs a gradient that its forward pass did not expect")
            let inputGradient = needsInput ? Tensor(uninitializedShape: self.shape, dtype: T.dtype) : nil
            // Each block's term of the weight gradient, summed in block order below.
            let terms = needsWeight ? Tensor(uninitializedShape: [Swift.max(blocks.count, 1) * filterCount], dtype: T.dtype) : nil
            let weightGradient = needsWeight ? Tensor(uninitializedShape: filters.shape, dtype: T.dtype) : nil
            withExtendedLifetime((gradient.storage, reordered.storage, patches?.storage, inputGradient?.storage, terms?.storage,
                                  weightGradient?.storage)) {
                let gradientPointer = UnsafePointer(gradient.base(T.self)), filterRows = UnsafePointer(reordered.base(T.self))
                let kept = UnsafePointer(patches?.base(T.self)), dx = inputGradient?.base(T.self), dw = terms?.base(T.self)
                blocks.forEach { block in
                    plan.backward(block: block, gradient: gradientPointer, filterRows: filterRows, patches: kept,
                                  inputGradient: dx, weightGradient: dw.map { $0 + block * filterCount }, kernels: kernels)
                }
                if let dw, let weightGradient {
                    blocks.sumTerms(dw, length: filterCount, kernels: kernels)
                    plan.restoreFilterOrder(UnsafePointer(dw), into: weightGradient.base(T.self), kernels: kernels)
                }
            }
            return (inputGradient, weightGradient)
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
