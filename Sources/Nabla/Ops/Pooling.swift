/// Pooling over the last two axes of `[N, C, H, W]`, as PyTorch's
/// `max_pool2d`, `avg_pool2d` and `adaptive_avg_pool2d`. Max pooling keeps the
/// position of each window's maximum for the backward pass; average pooling's
/// backward spreads each gradient evenly over its window again.

/// One output position's window along one axis: the input range it reads and
/// the extent it counts in the average's divisor.
struct PoolWindow {
    let start: Int
    let end: Int
    let counted: Int
}

extension Tensor {
    /// The maximum over each `kernelSize` window, PyTorch's `F.max_pool2d`;
    /// `stride` defaults to the kernel size. Padding counts as −∞ and may be at
    /// most half the kernel. A NaN in a window is its maximum. The gradient goes
    /// to the first position of each window's maximum, or to its last NaN, as
    /// PyTorch's does; a window that lies wholly in the padding (possible with
    /// dilation) is −∞ and passes no gradient. `ceilMode` rounds the output size
    /// up, as PyTorch's `ceil_mode`: a last, partial window is kept when it starts
    /// inside the input or its left padding. It takes every dtype but bool, as
    /// PyTorch's CPU kernel does (an integer window wholly in the padding gives the
    /// type's minimum); the result has the input's dtype.
    public func maxPool2d(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1,
                          ceilMode: Bool = false) -> Tensor {
        let geometry = poolGeometry("maxPool2d", kernelSize: kernelSize, stride: stride ?? kernelSize, padding: padding, dilation: dilation,
                                    ceilMode: ceilMode)
        guard geometry.planeCount <= Int(Int32.max) else {
            fail("maxPool2d: an input plane of \(geometry.planeCount) elements is more than its Int32 indices can address")
        }
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let input: Tensor, geometry: WindowGeometry
            func widened(_ operands: WidenedOperands) -> Self { Self(input: operands.input(input), geometry: geometry) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor { input.maxPooled(geometry, T.self) }
        }
        return dtype.dispatch(Kernel(input: self, geometry: geometry), op: "maxPool2d")
    }

    /// maxPool2d's forward pass and its gradient in `T`, after the checks.
    private func maxPooled<T: NumericScalar>(_ geometry: WindowGeometry, _ type: T.Type) -> Tensor {
        let planes = shape[0] * shape[1], plane = geometry.planeCount
        let outH = geometry.outHeight, outW = geometry.outWidth, outPlane = outH * outW
        let width = geometry.width, height = geometry.height
        let (kh, kw) = (geometry.kernel.height, geometry.kernel.width)
        let (sh, sw) = (geometry.stride.height, geometry.stride.width)
        let (dh, dw) = (geometry.dilation.height, geometry.dilation.width), (ph, pw) = (geometry.padding.height, geometry.padding.width)
        // The usual 2×2 window at stride 2: windows that never overlap nor leave the plane.
        let isPairWindow = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1
            && 2 * outH <= height && 2 * outW <= width
        let input = denseDetached()
        let result = Tensor(uninitializedShape: [shape[0], shape[1], outH, outW], dtype: T.dtype)
        // Each output's argmax as a flat index into its input plane, or `noWinner`
        // for a window wholly in the padding.
        let noWinner: Int32 = -1
        var winners = [Int32](repeating: 0, count: planes * outPlane)
        winners.withUnsafeMutableBufferPointer { winner in
            withExtendedLifetime(input.storage) {
                for p in 0..<planes {
                    let source = input.base(T.self) + p * plane, out = result.base(T.self) + p * outPlane
                    let chosen = winner.baseAddress! + p * outPlane
                    if isPairWindow {
                        maxPoolPairs(source, width: width, into: out, winners: chosen, outHeight: outH, outWidth: outW)
                        continue
                    }
                    for oy in 0..<outH {
                        for ox in 0..<outW {
                            var best = T.lowest, bestIndex = Int(noWinner)
                            for ki in 0..<kh {
                                let iy = oy * sh - ph + ki * dh
                                guard iy >= 0 && iy < height else { continue }
                                let row = source + iy * width
                                for kj in 0..<kw {
                                    let ix = ox * sw - pw + kj * dw
                                    guard ix >= 0 && ix < width else { continue }
                                    let value = row[ix]
                                    if bestIndex == Int(noWinner) || value > best || value.isNaNValue {
                                        best = value
                                        bestIndex = iy * width + ix
                                    }
                                }
                            }
                            out[oy * outW + ox] = best
                            chosen[oy * outW + ox] = Int32(bestIndex)
                        }
                    }
                }
            }
        }
        let inputShape = shape
        return result.recorded("maxPool2d", [self]) { g, _ in
            let gradient = g.denseDetached()
            // Pair windows write every input position once; others add into zeros.
            let dx = isPairWindow ? Tensor(uninitializedShape: inputShape, dtype: T.dtype) : Tensor.zeros(inputShape, dtype: T.dtype)
            withExtendedLifetime(gradient.storage) {
                winners.withUnsafeBufferPointer { winner in
                    for p in 0..<planes {
                        let target = dx.base(T.self) + p * plane, source = UnsafePointer(gradient.base(T.self) + p * outPlane)
                        let chosen = winner.baseAddress! + p * outPlane
                        if isPairWindow {
                            maxUnpoolPairs(source, winners: chosen, into: target, width: width, height: height, outHeight: outH, outWidth: outW)
                            continue
                        }
                        for i in 0..<outPlane where chosen[i] != noWinner { target[Int(chosen[i])] = T.plus(target[Int(chosen[i])], source[i]) }
                    }
                }
            }
            return [dx]
        }
    }

    /// The mean over each `kernelSize` window, PyTorch's `F.avg_pool2d`; `stride`
    /// defaults to the kernel size. With `countIncludePad` (PyTorch's default)
    /// the zero padding counts in the divisor, otherwise only the input positions do;
    /// the part of a `ceilMode` window past the padding never counts. It takes
    /// float32 and float64, and sums and divides in the input's dtype, and int64, whose
    /// window sums divide truncating toward zero, as PyTorch's CPU kernel.
    public func avgPool2d(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludePad: Bool = true,
                          ceilMode: Bool = false) -> Tensor {
        let geometry = poolGeometry("avgPool2d", kernelSize: kernelSize, stride: stride ?? kernelSize, padding: padding, dilation: 1,
                                    ceilMode: ceilMode)
        func windows(outputs: Int, kernel: Int, stride: Int, padding: Int, extent: Int) -> [PoolWindow] {
            (0..<outputs).map { o in
                let paddedStart = o * stride - padding, paddedEnd = Swift.min(paddedStart + kernel, extent + padding)
                let start = Swift.max(paddedStart, 0), end = Swift.min(paddedEnd, extent)
                return PoolWindow(start: start, end: end, counted: countIncludePad ? paddedEnd - paddedStart : end - start)
            }
        }
        let rows = windows(outputs: geometry.outHeight, kernel: kernelSize.height, stride: geometry.stride.height,
                           padding: padding.height, extent: geometry.height)
        let columns = windows(outputs: geometry.outWidth, kernel: kernelSize.width, stride: geometry.stride.width,
                              padding: padding.width, extent: geometry.width)
        switch dtype {
        case .int64: return integerAveragePool(rows: rows, columns: columns)
        case .int32, .uint8, .bool: fail("avgPool2d: not implemented for \(dtype) tensors (it takes float32, float64, int64, float16, bfloat16)")
        case .float32, .float64, .float16, .bfloat16: return averagePool(op: "avgPool2d", rows: rows, columns: columns)
        }
    }

    /// The mean over the windows that divide each plane into `outputSize`
    /// cells, PyTorch's `F.adaptive_avg_pool2d`: cell i spans
    /// `⌊i·H/out⌋ ..< ⌈(i+1)·H/out⌉`. `outputSize` 1 is global average pooling.
    /// It takes float32 and float64, and sums and divides in the input's dtype.
    public func adaptiveAvgPool2d(outputSize: Size2D) -> Tensor {
        guard rank == 4 else { fail("adaptiveAvgPool2d: the input must be [N, C, H, W], got \(describe(shape))") }
        guard outputSize.height > 0, outputSize.width > 0 else { fail("adaptiveAvgPool2d: output size \(outputSize) must be positive") }
        requireAllocatable([shape[0], shape[1], outputSize.height, outputSize.width], op: "adaptiveAvgPool2d", "the output")
        func windows(outputs: Int, extent: Int) -> [PoolWindow] {
            // o·extent / outputs in double width: o·extent may pass Int.max.
            func divided(_ o: Int) -> (quotient: Int, remainder: Int) { outputs.dividingFullWidth(o.multipliedFullWidth(by: extent)) }
            return (0..<outputs).map { o in
                let start = divided(o).quotient, end = divided(o + 1)
                let ceiling = end.quotient + (end.remainder > 0 ? 1 : 0)
                return PoolWindow(start: start, end: ceiling, counted: ceiling - start)
            }
        }
        return averagePool(op: "adaptiveAvgPool2d", rows: windows(outputs: outputSize.height, extent: shape[2]),
                           columns: windows(outputs: outputSize.width, extent: shape[3]))
    }

    /// Validates a pooling op's input and sizes.
    private func poolGeometry(_ op: String, kernelSize: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D,
                              ceilMode: Bool) -> WindowGeometry {
        guard rank == 4 else { fail("\(op): the input must be [N, C, H, W], got \(describe(shape))") }
        guard padding.height <= kernelSize.height / 2, padding.width <= kernelSize.width / 2 else {
            fail("\(op): padding \(padding) should be at most half of the kernel size \(kernelSize)")
        }
        let geometry = WindowGeometry(op: op, channels: shape[1], height: shape[2], width: shape[3],
                                      kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
        requireAllocatable([shape[0], shape[1], geometry.outHeight, geometry.outWidth], op: op, "the output")
        return geometry
    }

    /// Each output is the sum over its row window × column window divided by
    /// the product of the windows' counted extents, in the input's floating dtype.
    private func averagePool(op: String, rows: [PoolWindow], columns: [PoolWindow]) -> Tensor {
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let input: Tensor, op: String, rows: [PoolWindow], columns: [PoolWindow]
            func widened(_ operands: WidenedOperands) -> Self { Self(input: operands.input(input), op: op, rows: rows, columns: columns) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor { input.averagePooled(op: op, rows: rows, columns: columns, T.self) }
        }
        return dtype.dispatch(Kernel(input: self, op: op, rows: rows, columns: columns), op: op)
    }

    private func averagePooled<T: FloatingScalar>(op: String, rows: [PoolWindow], columns: [PoolWindow], _ type: T.Type) -> Tensor {
        let planes = shape[0] * shape[1], width = shape[3], plane = shape[2] * width
        let outH = rows.count, outW = columns.count, outPlane = outH * outW
        let input = denseDetached()
        let result = Tensor(uninitializedShape: [shape[0], shape[1], outH, outW], dtype: T.dtype)
        withExtendedLifetime(input.storage) {
            for p in 0..<planes {
                let source = input.base(T.self) + p * plane, out = result.base(T.self) + p * outPlane
                for (oy, rowWindow) in rows.enumerated() {
                    for (ox, columnWindow) in columns.enumerated() {
                        var total: T = 0
                        for iy in rowWindow.start..<rowWindow.end {
                            let row = source + iy * width
                            for ix in columnWindow.start..<columnWindow.end { total += row[ix] }
                        }
                        out[oy * outW + ox] = total / T(rowWindow.counted * columnWindow.counted)
                    }
                }
            }
        }
        let inputShape = shape
        return result.recorded(op, [self]) { g, _ in
            let gradient = g.denseDetached()
            let dx = Tensor.zeros(inputShape, dtype: T.dtype)
            withExtendedLifetime(gradient.storage) {
                for p in 0..<planes {
                    let target = dx.base(T.self) + p * plane, source = gradient.base(T.self) + p * outPlane
                    for (oy, rowWindow) in rows.enumerated() {
                        for (ox, columnWindow) in columns.enumerated() {
                            let share = source[oy * outW + ox] / T(rowWindow.counted * columnWindow.counted)
                            for iy in rowWindow.start..<rowWindow.end {
                                let row = target + iy * width
                                for ix in columnWindow.start..<columnWindow.end { row[ix] += share }
                            }
                        }
                    }
                }
            }
            return [dx]
        }
    }
}

/// Max pooling's usual 2×2 window at stride 2 over one plane `[H, W]` into `[outH, outW]`
/// and each output's winner (a flat index into the plane): two hoisted input rows per output
/// row, no bounds to test. float32 runs four outputs at a time on selects: which of the
/// four values wins is the data's, and the branches of a scalar scan mispredicted so often
/// that this loop was 18% of the ten-digit CNN's one-thread training time (4.3× faster so).
private func maxPoolPairs<T: NumericScalar>(_ source: UnsafePointer<T>, width: Int, into out: UnsafeMutablePointer<T>,
                                            winners: UnsafeMutablePointer<Int32>, outHeight: Int, outWidth: Int) {
    var firstScalar = 0
    if T.self == Float.self {
        firstScalar = maxPoolPairsFloat(UnsafeRawPointer(source).assumingMemoryBound(to: Float.self), width: width,
                                        into: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), winners: winners,
                                        outHeight: outHeight, outWidth: outWidth)
    }
    for oy in 0..<outHeight {
        let top = source + 2 * oy * width, bottom = top + width, topIndex = 2 * oy * width
        let outRow = out + oy * outWidth, chosenRow = winners + oy * outWidth
        for ox in firstScalar..<outWidth {
            let x = 2 * ox
            var best = top[x], bestIndex = topIndex + x
            // In window order: the first maximum wins, and a NaN beats everything before it.
            @inline(__always) func consider(_ value: T, _ index: Int) {
                if value > best || value.isNaNValue { best = value; bestIndex = index }
            }
            consider(top[x + 1], topIndex + x + 1)
            consider(bottom[x], topIndex + width + x)
            consider(bottom[x + 1], topIndex + width + x + 1)
            outRow[ox] = best
            chosenRow[ox] = Int32(bestIndex)
        }
    }
}

/// ``maxPoolPairs(_:width:into:winners:outHeight:outWidth:)``'s float32 outputs in groups of four
/// (when a row has four); returns the first output column of each row left to the scalar loop.
private func maxPoolPairsFloat(_ source: UnsafePointer<Float>, width: Int, into out: UnsafeMutablePointer<Float>,
                               winners: UnsafeMutablePointer<Int32>, outHeight: Int, outWidth: Int) -> Int {
    typealias Values = SIMD4<Float>
    typealias Indices = SIMD4<Int32>
    /// The later candidates where they are larger or NaN, else the earlier: the scan's step, lane by lane.
    @inline(__always) func winner(_ first: (Values, Indices), _ second: (Values, Indices)) -> (Values, Indices) {
        let takesSecond = (second.0 .> first.0) .| (second.0 .!= second.0)
        return (first.0.replacing(with: second.0, where: takesSecond), first.1.replacing(with: second.1, where: takesSecond))
    }
    guard outWidth >= 4 else { return 0 }
    let lanes = Indices(0, 2, 4, 6), rowStep = Int32(width)
    for oy in 0..<outHeight {
        let top = source + 2 * oy * width, bottom = top + width, topIndex = Int32(2 * oy * width)
        forEachGroupOfFour(outWidth) { ox in
            let upperRow = UnsafeRawPointer(top + 2 * ox).loadUnaligned(as: SIMD8<Float>.self)
            let lowerRow = UnsafeRawPointer(bottom + 2 * ox).loadUnaligned(as: SIMD8<Float>.self)
            let index = lanes &+ (topIndex &+ Int32(2 * ox))
            // Pairs, then the pairs' winners: the same winner as the scan in window order.
            let upper = winner((upperRow.evenHalf, index), (upperRow.oddHalf, index &+ 1))
            let lower = winner((lowerRow.evenHalf, index &+ rowStep), (lowerRow.oddHalf, index &+ (rowStep &+ 1)))
            let best = winner(upper, lower)
            UnsafeMutableRawPointer(out + oy * outWidth + ox).storeBytes(of: best.0, as: Values.self)
            UnsafeMutableRawPointer(winners + oy * outWidth + ox).storeBytes(of: best.1, as: Indices.self)
        }
    }
    return outWidth
}

/// Runs `body(ox)` for the first output column of each group of four that covers `outWidth` ≥ 4
/// columns: the last group overlaps the one before when 4 does not divide it (its outputs are
/// computed twice, alike), so no column is left to a scalar loop.
@inline(__always)
private func forEachGroupOfFour(_ outWidth: Int, _ body: (Int) -> Void) {
    var ox = 0
    while true {
        body(ox)
        if ox == outWidth - 4 { return }
        ox = Swift.min(ox + 4, outWidth - 4)
    }
}

/// maxPoolPairs's gradient for one plane: each window's gradient to its winner and zero to
/// the other three, and zero to a last odd row or column that no window covers. The windows
/// never overlap, so every input position is written once, without a pass of zeros first;
/// float32 runs four windows at a time, as the forward pass.
private func maxUnpoolPairs<T: NumericScalar>(_ gradient: UnsafePointer<T>, winners: UnsafePointer<Int32>, into target: UnsafeMutablePointer<T>,
                                              width: Int, height: Int, outHeight: Int, outWidth: Int) {
    var firstScalar = 0
    if T.self == Float.self {
        firstScalar = maxUnpoolPairsFloat(UnsafeRawPointer(gradient).assumingMemoryBound(to: Float.self), winners: winners,
                                          into: UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self),
                                          width: width, outHeight: outHeight, outWidth: outWidth)
    }
    for oy in 0..<outHeight {
        let top = target + 2 * oy * width, bottom = top + width
        for ox in firstScalar..<outWidth {
            let x = 2 * ox
            top[x] = T.zero; top[x + 1] = T.zero; bottom[x] = T.zero; bottom[x + 1] = T.zero
            target[Int(winners[oy * outWidth + ox])] = gradient[oy * outWidth + ox]
        }
        for x in 2 * outWidth..<width { top[x] = T.zero; bottom[x] = T.zero }
    }
    (target + 2 * outHeight * width).update(repeating: T.zero, count: (height - 2 * outHeight) * width)
}

/// ``maxUnpoolPairs(_:winners:into:width:height:outHeight:outWidth:)``'s float32 windows in groups of
/// four (when a row has four); returns the first output column of each row left to the scalar loop.
private func maxUnpoolPairsFloat(_ gradient: UnsafePointer<Float>, winners: UnsafePointer<Int32>, into target: UnsafeMutablePointer<Float>,
                                 width: Int, outHeight: Int, outWidth: Int) -> Int {
    typealias Values = SIMD4<Float>
    typealias Indices = SIMD4<Int32>
    @inline(__always) func interleaved(_ even: Values, _ odd: Values) -> SIMD8<Float> {
        SIMD8(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3])
    }
    guard outWidth >= 4 else { return 0 }
    let lanes = Indices(0, 2, 4, 6), rowStep = Int32(width)
    for oy in 0..<outHeight {
        let top = target + 2 * oy * width, bottom = top + width, topIndex = Int32(2 * oy * width)
        forEachGroupOfFour(outWidth) { ox in
            let output = oy * outWidth + ox
            let g = UnsafeRawPointer(gradient + output).loadUnaligned(as: Values.self)
            let winner = UnsafeRawPointer(winners + output).loadUnaligned(as: Indices.self)
            let index = lanes &+ (topIndex &+ Int32(2 * ox))
            @inline(__always) func at(_ offset: Int32) -> Values { Values(repeating: 0).replacing(with: g, where: winner .== index &+ offset) }
            UnsafeMutableRawPointer(top + 2 * ox).storeBytes(of: interleaved(at(0), at(1)), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(bottom + 2 * ox).storeBytes(of: interleaved(at(rowStep), at(rowStep &+ 1)), as: SIMD8<Float>.self)
        }
    }
    return outWidth
}
