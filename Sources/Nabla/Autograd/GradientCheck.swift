/// The outcome of ``gradientCheck(_:dtype:epsilon:absoluteTolerance:relativeTolerance:seed:_:)``.
public struct GradientCheckResult: CustomStringConvertible {
    /// Whether every analytic derivative matched its finite difference.
    public let passed: Bool
    /// The largest |analytic − numeric| seen over all elements of all inputs.
    public let maxAbsoluteError: Double
    /// Where the worst mismatch was, for the failure message.
    public let worst: String

    public var description: String {
        (passed ? "gradient check passed" : "gradient check FAILED") + " (max abs error \(maxAbsoluteError); worst: \(worst))"
    }
}

/// Checks the gradients that autograd computes for `function` against central
/// finite differences, as `torch.autograd.gradcheck` does.
///
/// The inputs are converted to `dtype` first. In float64 (as `gradcheck` runs)
/// pass `epsilon: 1e-6`, `absoluteTolerance: 1e-7`, `relativeTolerance: 1e-7`
/// (``float64Check(_:seed:_:)`` does); the float32 defaults below suit float32's rounding.
///
/// The output is reduced to a scalar with fixed random weights w (seeded), so
/// every output element contributes: L = Σ w·f(inputs). For each element x of
/// each input the numeric derivative is (L(x + ε) − L(x − ε)) / 2ε, with the
/// sums taken in Double so that only the rounding of f itself remains.
/// An element passes when |analytic − numeric| ≤ absoluteTolerance +
/// relativeTolerance · |numeric|. With ε = 1e-2 the truncation error of the
/// central difference is O(ε²·f‴), so keep inputs away from kinks (relu or abs
/// at 0, tied maxima). Each input is checked as a fresh leaf; `function` may
/// slice, transpose or broadcast it.
public func gradientCheck(_ inputs: [Tensor], dtype: DType = .float32, epsilon: Double = 1e-2, absoluteTolerance: Double = 1e-3,
                          relativeTolerance: Double = 1e-2, seed: UInt64 = 0,
                          _ function: ([Tensor]) -> Tensor) -> GradientCheckResult {
    guard dtype.isFloatingPoint else { fail("gradientCheck: gradients exist for floating dtypes only, got \(dtype)") }
    let leaves = inputs.map { $0.detached().to(dtype).materialized().requiringGrad() }
    let output = function(leaves)
    var generator = RandomGenerator(seed: seed)
    let weights = Tensor.uniform(output.shape, low: 0.5, high: 1.5, generator: &generator)
    (output * weights.to(output.dtype)).sum().backward()
    let weightValues = weights.scalars(as: Double.self)

    func projected(_ values: [Tensor]) -> Double {
        let out = noGrad { function(values) }.scalars(as: Double.self)
        return zip(out, weightValues).reduce(0) { $0 + $1.0 * $1.1 }
    }

    var passed = true, maxError = 0.0, worst = "none"
    for (i, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.scalars(as: Double.self) ?? [Double](repeating: 0, count: leaf.scalarCount)
        let base = leaf.scalars(as: Double.self)
        for j in base.indices {
            var values = leaves.map { $0.detached() }
            var plus = base, minus = base
            // The step as the dtype rounds it, so that the difference divides by the true spacing.
            plus[j] = Tensor(base[j] + epsilon).to(dtype).item(as: Double.self)
            minus[j] = Tensor(base[j] - epsilon).to(dtype).item(as: Double.self)
            values[i] = Tensor(shape: leaf.shape, scalars: plus).to(dtype)
            let high = projected(values)
            values[i] = Tensor(shape: leaf.shape, scalars: minus).to(dtype)
            let low = projected(values)
            let numeric = (high - low) / (plus[j] - minus[j])
            let error = Swift.abs(analytic[j] - numeric)
            if error > maxError {
                maxError = error
                worst = "input \(i) element \(j): analytic \(analytic[j]), numeric \(numeric)"
            }
            if error > absoluteTolerance + relativeTolerance * Swift.abs(numeric) { passed = false }
        }
    }
    return GradientCheckResult(passed: passed, maxAbsoluteError: maxError, worst: worst)
}

/// ``gradientCheck(_:dtype:epsilon:absoluteTolerance:relativeTolerance:seed:_:)`` in float64 as
/// `torch.autograd.gradcheck` runs it: central differences at ε = 1e-6, tolerance 1e-7 absolute and relative.
public func float64Check(_ inputs: [Tensor], seed: UInt64 = 0, _ function: ([Tensor]) -> Tensor) -> GradientCheckResult {
    gradientCheck(inputs, dtype: .float64, epsilon: 1e-6, absoluteTolerance: 1e-7, relativeTolerance: 1e-7, seed: seed, function)
}
