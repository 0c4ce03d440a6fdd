/// The outcome of ``gradientCheck(_:epsilon:absoluteTolerance:relativeTolerance:seed:_:)``.
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
/// The output is reduced to a scalar with fixed random weights w (seeded), so
/// every output element contributes: L = Σ w·f(inputs). For each element x of
/// each input the numeric derivative is (L(x + ε) − L(x − ε)) / 2ε, with the
/// sums taken in Double so that only Float32 rounding of f itself remains.
/// An element passes when |analytic − numeric| ≤ absoluteTolerance +
/// relativeTolerance · |numeric|. With ε = 1e-2 the truncation error of the
/// central difference is O(ε²·f‴), so keep inputs away from kinks (relu or abs
/// at 0, tied maxima). Each input is checked as a fresh leaf; `function` may
/// slice, transpose or broadcast it.
public func gradientCheck(_ inputs: [Tensor], epsilon: Float = 1e-2, absoluteTolerance: Double = 1e-3,
                          relativeTolerance: Double = 1e-2, seed: UInt64 = 0,
                          _ function: ([Tensor]) -> Tensor) -> GradientCheckResult {
    let leaves = inputs.map { $0.detached().materialized().requiringGrad() }
    let output = function(leaves)
    var generator = RandomGenerator(seed: seed)
    let weights = Tensor.uniform(output.shape, low: 0.5, high: 1.5, generator: &generator)
    (output * weights).sum().backward()
    let weightValues = weights.scalars.map(Double.init)

    func projected(_ values: [Tensor]) -> Double {
        let out = noGrad { function(values) }.scalars
        return zip(out, weightValues).reduce(0) { $0 + Double($1.0) * $1.1 }
    }

    var passed = true, maxError = 0.0, worst = "none"
    for (i, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.scalars ?? [Float](repeating: 0, count: leaf.scalarCount)
        let base = leaf.scalars
        for j in base.indices {
            var values = leaves.map { $0.detached() }
            var plus = base, minus = base
            plus[j] += epsilon
            minus[j] -= epsilon
            values[i] = Tensor(shape: leaf.shape, scalars: plus)
            let high = projected(values)
            values[i] = Tensor(shape: leaf.shape, scalars: minus)
            let low = projected(values)
            let numeric = (high - low) / (Double(plus[j]) - Double(minus[j]))
            let error = Swift.abs(Double(analytic[j]) - numeric)
            if error > maxError {
                maxError = error
                worst = "input \(i) element \(j): analytic \(analytic[j]), numeric \(numeric)"
            }
            if error > absoluteTolerance + relativeTolerance * Swift.abs(numeric) { passed = false }
        }
    }
    return GradientCheckResult(passed: passed, maxAbsoluteError: maxError, worst: worst)
}
