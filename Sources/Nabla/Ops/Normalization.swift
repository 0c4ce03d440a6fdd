/// Batch normalisation over the channel axis of `[N, C, …]`, PyTorch's
/// `F.batch_norm`: each channel is shifted and scaled to zero mean and unit
/// variance, then by the affine `weight` and `bias`. Forward and backward are
/// fused per channel: with x̂ = (x − μ)·σ⁻¹, M values per channel and upstream g,
///
///     dx = w·σ⁻¹ · (g − Σg / M − x̂ · Σ(g·x̂) / M)   (batch statistics)
///     dx = w·σ⁻¹ · g                              (running statistics)
///     dw = Σ(g·x̂),  db = Σg
extension Tensor {
    /// Normalises with the batch's statistics when `training` and updates the
    /// running ones, as `nn.BatchNorm2d` in `train()` mode does:
    /// `running = (1 − momentum)·running + momentum·batch`, the variance unbiased
    /// (×M/(M−1)) there but biased in the normalisation. When not `training` it
    /// normalises with `runningMean` and `runningVariance` and leaves them alone.
    ///
    /// The input, `weight`, `bias` and the running statistics share one floating dtype,
    /// float32 or float64; the normalisation computes in it (`momentum` and `epsilon`
    /// converted to it); the batch statistics sum each plane in that dtype and add the
    /// planes' sums in float64.
    public func batchNorm(runningMean: inout Tensor, runningVariance: inout Tensor, weight: Tensor?, bias: Tensor?,
                          training: Bool, momentum: Double = 0.1, epsilon: Double = 1e-5) -> Tensor {
        let channels = checkBatchNormInput(weight: weight, bias: bias)
        requireSameDType("batchNorm", ("runningMean", runningMean), ("runningVariance", runningVariance))
        for (name, stat) in [("runningMean", runningMean), ("runningVariance", runningVariance)] where stat.shape != [channels] {
            fail("batchNorm: \(name) must be [\(channels)] for the input \(describe(shape)), got \(describe(stat.shape))")
        }
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let input: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVariance: Tensor
            let training: Bool, momentum: Double, epsilon: Double
            typealias Output = (result: Tensor, running: (mean: Tensor, variance: Tensor)?)
            func widened(_ operands: WidenedOperands) -> Self {
                Self(input: operands.input(input), weight: operands.input(weight), bias: operands.input(bias),
                     runningMean: operands.input(runningMean), runningVariance: operands.input(runningVariance),
                     training: training, momentum: momentum, epsilon: epsilon)
            }
            static func narrowed(_ output: Output, _ operands: WidenedOperands) -> Output {
                (operands.narrowed(output.result), output.running.map { (operands.narrowed($0.mean), operands.narrowed($0.variance)) })
            }
            func run<T: FloatingScalar>(_ type: T.Type) -> Output {
                let epsilon = T(epsilon)
                guard training else {
                    let fixed = (mean: runningMean.denseDetached().scalars(as: T.self), variance: runningVariance.denseDetached().scalars(as: T.self))
                    return (input.normalized(weight: weight, bias: bias, epsilon: epsilon, fixed: fixed), nil)
                }
                let (result, mean, variance) = input.normalizedByBatch(weight: weight, bias: bias, epsilon: epsilon)
                let channels = input.shape[1], momentum = T(momentum), count = T(input.scalarCount / channels)
                let unbiased = variance.map { $0 * count / (count - 1) }
                func updated(_ running: Tensor, _ batch: [T]) -> Tensor {
                    Tensor(shape: [channels], scalars: zip(running.scalars(as: T.self), batch).map { (1 - momentum) * $0 + momentum * $1 })
                }
                return (result, (updated(runningMean, mean), updated(runningVariance, unbiased)))
            }
        }
        let (result, running) = dtype.dispatch(Kernel(input: self, weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                                                      training: training, momentum: momentum, epsilon: epsilon), op: "batchNorm")
        if let running {
            runningMean = running.mean
            runningVariance = running.variance
        }
        return result
    }

    /// Normalises with the batch's statistics only (`track_running_stats=False`).
    public func batchNorm(weight: Tensor?, bias: Tensor?, epsilon: Double = 1e-5) -> Tensor {
        _ = checkBatchNormInput(weight: weight, bias: bias)
        struct Kernel: FloatingKernel, HalfPrecisionKernel {
            let input: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double
            func widened(_ operands: WidenedOperands) -> Self { Self(input: operands.input(input), weight: operands.input(weight), bias: operands.input(bias), epsilon: epsilon) }
            func run<T: FloatingScalar>(_ type: T.Type) -> Tensor {
                input.normalizedByBatch(weight: weight, bias: bias, epsilon: T(epsilon)).result
            }
        }
        return dtype.dispatch(Kernel(input: self, weight: weight, bias: bias, epsilon: epsilon), op: "batchNorm")
    }

    /// The channel count, after checking the shapes and dtypes.
    private func checkBatchNormInput(weight: Tensor?, bias: Tensor?) -> Int {
        requireSameDType("batchNorm", ("weight", weight), ("bias", bias))
        guard rank >= 2 else { fail("batchNorm: the input must be [N, C, …], got \(describe(shape))") }
        let channels = shape[1]
        for (name, parameter) in [("weight", weight), ("bias", bias)] {
            if let parameter, parameter.shape != [channels] {
                fail("batchNorm: the \(name) must be [\(channels)] for the input \(describe(shape)), got \(describe(parameter.shape))")
            }
        }
        return channels
    }

    private func normalizedByBatch<T: FloatingScalar>(weight: Tensor?, bias: Tensor?, epsilon: T) -> (result: Tensor, mean: [T], variance: [T]) {
        let channels = shape[1], plane = shape.dropFirst(2).reduce(1, *), batch = shape[0]
        guard batch * plane > 1 else {
            fail("batchNorm: expected more than 1 value per channel when training, got input \(describe(shape))")
        }
        let input = denseDetached(), x = UnsafePointer(input.base(T.self))
        var mean = [T](repeating: 0, count: channels), variance = mean
        withExtendedLifetime(input.storage) {
            let count = Double(batch * plane)
            for c in 0..<channels {
                var total = 0.0
                for n in 0..<batch { total += Double(rowSum(x + (n * channels + c) * plane, plane)) }
                mean[c] = T(total / count)
                var squares = 0.0
                for n in 0..<batch {
                    squares += Double(rowSquaredDeviation(x + (n * channels + c) * plane, mean: mean[c], plane))
                }
                variance[c] = T(squares / count)
            }
        }
        return (normalized(weight: weight, bias: bias, epsilon: epsilon, batch: (mean, variance)), mean, variance)
    }

    /// `(x − mean)·(variance + ε)^−½ · weight + bias` per channel, recorded for
    /// autograd; `batch` statistics depend on x (and get their gradient terms), `fixed` ones do not.
    private func normalized<T: FloatingScalar>(weight: Tensor?, bias: Tensor?, epsilon: T,
                                               batch: (mean: [T], variance: [T])? = nil, fixed: (mean: [T], variance: [T])? = nil) -> Tensor {
        let statistics = batch ?? fixed!
        let channels = shape[1], plane = shape.dropFirst(2).reduce(1, *), batchSize = shape[0]
        let mean = statistics.mean
        let inverseDeviation = statistics.variance.map { 1 / ($0 + epsilon).squareRoot() }
        let weights = weight?.denseDetached().scalars(as: T.self) ?? [T](repeating: 1, count: channels)
        let biases = bias?.denseDetached().scalars(as: T.self) ?? [T](repeating: 0, count: channels)
        let scale = (0..<channels).map { weights[$0] * inverseDeviation[$0] }
        let input = denseDetached()
        let result = Tensor(uninitializedShape: shape, dtype: T.dtype)
        withExtendedLifetime(input.storage) {
            for n in 0..<batchSize {
                for c in 0..<channels {
                    let offset = (n * channels + c) * plane
                    let x = input.base(T.self) + offset, out = result.base(T.self) + offset
                    let a = scale[c], b = biases[c] - mean[c] * scale[c]
                    for i in 0..<plane { out[i] = x[i] * a + b }
                }
            }
        }
        let usesBatch = batch != nil
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil
        return result.recorded("batchNorm", inputs) { g, needs in
            let gradient = g.denseDetached()
            let gr = UnsafePointer(gradient.base(T.self)), x = UnsafePointer(input.base(T.self))
            var sumG = [T](repeating: 0, count: channels), sumGCentered = sumG
            withExtendedLifetime((gradient.storage, input.storage)) {
                for c in 0..<channels {
                    var total = 0.0, centered = 0.0
                    for n in 0..<batchSize {
                        let offset = (n * channels + c) * plane
                        total += Double(rowSum(gr + offset, plane))
                        centered += Double(rowDotCentered(gr + offset, x + offset, mean: mean[c], plane))
                    }
                    sumG[c] = T(total)
                    sumGCentered[c] = T(centered)
                }
            }
            var gradients: [Tensor?] = []
            if needs[0] {
                // dx = k·g + u·x + v per channel (the batch terms folded into u and v).
                let dx = Tensor(uninitializedShape: gradient.shape, dtype: T.dtype)
                let count = T(batchSize * plane)
                withExtendedLifetime((gradient.storage, input.storage)) {
                    for c in 0..<channels {
                        let k = scale[c]
                        let u = usesBatch ? -k * inverseDeviation[c] * inverseDeviation[c] * sumGCentered[c] / count : 0
                        let v = usesBatch ? -k * sumG[c] / count - u * mean[c] : 0
                        for n in 0..<batchSize {
                            let offset = (n * channels + c) * plane
                            let g = gr + offset, xs = x + offset, out = dx.base(T.self) + offset
                            for i in 0..<plane { out[i] = k * g[i] + u * xs[i] + v }
                        }
                    }
                }
                gradients.append(dx)
            } else {
                gradients.append(nil)
            }
            if hasWeight {
                gradients.append(needs[1] ? Tensor(shape: [channels], scalars: (0..<channels).map { sumGCentered[$0] * inverseDeviation[$0] }) : nil)
            }
            if needs.count > gradients.count {
                gradients.append(needs[gradients.count] ? Tensor(shape: [channels], scalars: sumG) : nil)
            }
            return gradients
        }
    }
}

/// Σ row[i], with eight lanes in flight so that the loop vectorizes.
private func rowSum<T: FloatingScalar>(_ row: UnsafePointer<T>, _ count: Int) -> T {
    var lanes = SIMD8<T>()
    var i = 0
    while i + 8 <= count {
        lanes += UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<T>.self)
        i += 8
    }
    var total = lanes.sum()
    while i < count { total += row[i]; i += 1 }
    return total
}

/// Σ a[i]·(b[i] − mean), vectorized like `rowSum`.
private func rowDotCentered<T: FloatingScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, mean: T, _ count: Int) -> T {
    var lanes = SIMD8<T>()
    let center = SIMD8<T>(repeating: mean)
    var i = 0
    while i + 8 <= count {
        let x = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<T>.self) - center
        lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<T>.self) * x
        i += 8
    }
    var total = lanes.sum()
    while i < count { total += a[i] * (b[i] - mean); i += 1 }
    return total
}

/// Σ (row[i] − mean)², the second pass of a two-pass variance.
private func rowSquaredDeviation<T: FloatingScalar>(_ row: UnsafePointer<T>, mean: T, _ count: Int) -> T {
    var lanes = SIMD8<T>()
    let center = SIMD8<T>(repeating: mean)
    var i = 0
    while i + 8 <= count {
        let x = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<T>.self) - center
        lanes += x * x
        i += 8
    }
    var total = lanes.sum()
    while i < count { total += (row[i] - mean) * (row[i] - mean); i += 1 }
    return total
}
