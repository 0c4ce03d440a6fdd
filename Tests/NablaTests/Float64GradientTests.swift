import XCTest
@testable import Nabla

/// Every op that computes in float64 passes the gradient check in float64, as
/// `torch.autograd.gradcheck` runs it (ε = 1e-6, tolerance 1e-7), on both backends.
final class Float64GradientTests: XCTestCase {
    /// Inputs away from kinks and ties: values in ±[0.3, 1.8], distinct.
    private func inputs(_ shapes: [[Int]], seed: UInt64 = 1, positive: Bool = false) -> [Tensor] {
        var generator = RandomGenerator(seed: seed)
        return shapes.map { shape in
            let magnitude = Tensor.uniform(shape, low: 0.3, high: 1.8, generator: &generator)
            let sign = Tensor.rand(shape, generator: &generator) .> 0.5
            return positive ? magnitude : Tensor.where(sign, magnitude, -magnitude)
        }
    }

    private func check(_ name: String, _ values: [Tensor], _ function: @escaping ([Tensor]) -> Tensor,
                       file: StaticString = #filePath, line: UInt = #line) {
        forEachBackend { kind in
            let result = float64Check(values, function)
            XCTAssertTrue(result.passed, "\(name) on \(kind): \(result)", file: file, line: line)
        }
    }

    func testElementwiseOps() {
        let pair = inputs([[3, 4], [4]]), one = inputs([[3, 4]]), positive = inputs([[3, 4]], positive: true)
        check("add", pair) { $0[0] + $0[1] }
        check("sub", pair) { $0[0] - $0[1] }
        check("mul", pair) { $0[0] * $0[1] }
        check("div", pair) { $0[0] / $0[1] }
        check("scalar ops", one) { (2 - $0[0] * 3 + 1) / 4 }
        check("scalar over tensor", one) { 2 / $0[0] }
        check("neg", one) { -$0[0] }
        check("abs", one) { $0[0].abs() }
        check("exp", one) { $0[0].exp() }
        check("log", positive) { $0[0].log() }
        check("sqrt", positive) { $0[0].sqrt() }
        check("rsqrt", positive) { $0[0].rsqrt() }
        check("square", one) { $0[0].square() }
        check("pow", positive) { $0[0].pow(2.5) }
        check("sigmoid", one) { $0[0].sigmoid() }
        check("relu", one) { $0[0].relu() }
        check("tanh", one) { $0[0].tanh() }
        check("clamp", one) { $0[0].clamp(min: -1, max: 1) }
        check("sin", one) { $0[0].sin() }
        check("cos", one) { $0[0].cos() }
        check("log1p", positive) { $0[0].log1p() }
        check("expm1", one) { $0[0].expm1() }
        check("reciprocal", one) { $0[0].reciprocal() }
        check("leakyRelu", one) { $0[0].leakyRelu(negativeSlope: 0.1) }
        check("gelu", one) { $0[0].gelu() }
        check("gelu tanh", one) { $0[0].gelu(approximate: .tanh) }
        check("softplus", one) { $0[0].softplus(beta: 2) }
        check("maximum", pair) { Tensor.maximum($0[0], $0[1]) }
        check("minimum", pair) { Tensor.minimum($0[0], $0[1]) }
        check("pow tensor", inputs([[3, 4], [4]], positive: true)) { $0[0].pow($0[1]) }
        check("where", pair) { Tensor.where($0[0] .> 0, $0[0], $0[1]) }
        check("maskedFill", one) { $0[0].maskedFill($0[0] .< 0, 2) }
        check("remainder", pair) { $0[0].remainder($0[1]) }
        check("fmod", pair) { $0[0].fmod($0[1]) }
        check("remainder by a scalar", one) { $0[0].remainder(0.7) }
        check("floorDivide", pair) { $0[0].floorDivide($0[1]) }
        check("take", one) { $0[0].take(Tensor([11, -1, 0, 5] as [Int64])) }
    }

    func testReductionsAndProducts() {
        let one = inputs([[3, 4]])
        check("sum", one) { $0[0].sum(axis: 1) }
        check("mean", one) { $0[0].mean(axis: 0) }
        check("max", one) { $0[0].max(axis: 1) }
        check("min", one) { $0[0].min() }
        check("prod", one) { $0[0].prod(axis: 1) }
        check("cumsum", one) { $0[0].cumsum(axis: 1) * Tensor([1, 2, 3, 4] as [Double]) }
        check("cumprod", one) { $0[0].cumprod(axis: 0) * Tensor([1, 2, 3, 4] as [Double]) }
        check("softmax", one) { $0[0].softmax(axis: 1) }
        check("logSoftmax", one) { $0[0].logSoftmax(axis: 0) }
        check("logsumexp", one) { $0[0].logsumexp(axis: 1) }
        check("variance", one) { $0[0].variance(axis: 1) }
        check("std", one) { $0[0].std() }
        check("norm 2", one) { $0[0].norm() }
        check("norm 1", one) { $0[0].norm(p: 1, axes: [1]) }
        check("norm 3", one) { $0[0].norm(p: 3) }
        check("norm inf", one) { $0[0].norm(p: .infinity, axes: [0]) }
        check("matmul", inputs([[3, 4], [4, 2]])) { $0[0] • $0[1] }
        check("batched matmul", inputs([[2, 3, 4], [4, 2]])) { $0[0] • $0[1] }
        check("matmul transposed", inputs([[3, 4], [2, 4]])) { $0[0] • $0[1].T }
        check("dot", inputs([[5], [5]])) { $0[0].dot($0[1]) }
    }

    func testIndexingAndMovement() {
        let one = inputs([[3, 4]])
        check("gather", one) { $0[0].gather(axis: 1, indices: Tensor([[0, 3], [1, 1], [2, 0]] as [[Int64]])) }
        check("indexSelect", one) { $0[0].indexSelect(axis: 0, Tensor([2, 0, 2] as [Int64])) }
        check("gather rows", one) { $0[0].gather(rows: [1, 1, 0]) }
        check("cat", inputs([[3, 4], [2, 4]])) { Tensor.cat([$0[0], $0[1]]) }
        check("permute and reshape", one) { $0[0].T.reshape([2, 6]) * Tensor.arange(6).to(.float64) }
        check("slice", one) { $0[0][1..., 1..<3] }
        check("sort", one) { $0[0].sort(axis: 1).values * Tensor([1, 2, 3, 4] as [Double]) }
        check("indexPut", inputs([[3, 4], [2, 4]])) { x in
            var target = x[0] * 1
            target.indexPut([[2, 0]], values: x[1], accumulate: false)
            return target * Tensor([1, 2, 3, 4] as [Double])
        }
    }

    func testWindowOpsAndBatchNorm() {
        let image = inputs([[2, 4, 5, 4]])[0]
        check("conv2d stride, padding, dilation", [image] + inputs([[3, 4, 3, 2], [3]], seed: 2)) {
            $0[0].conv2d($0[1], bias: $0[2], stride: Size2D(2, 1), padding: 1, dilation: Size2D(1, 2))
        }
        check("conv2d groups", [image] + inputs([[6, 2, 2, 3], [6]], seed: 3)) {
            $0[0].conv2d($0[1], bias: $0[2], stride: Size2D(1, 2), padding: Size2D(1, 0), groups: 2)
        }
        check("conv2d depthwise", [image] + inputs([[4, 1, 3, 3]], seed: 4)) { $0[0].conv2d($0[1], padding: 1, groups: 4) }
        check("conv2d 1×1", [image] + inputs([[2, 4, 1, 1]], seed: 5)) { $0[0].conv2d($0[1]) }
        check("unfold", [image]) { $0[0].unfold(kernelSize: Size2D(2, 3), stride: Size2D(1, 2), padding: 1, dilation: Size2D(2, 1)) }
        check("fold", inputs([[1, 12, 8]], seed: 6)) { $0[0].fold(outputSize: Size2D(3, 4), kernelSize: Size2D(2, 3), padding: Size2D(0, 1)) }
        // Distinct values with gaps above the step keep every window's maximum away from a tie.
        var generator = RandomGenerator(seed: 7)
        let distinct = Tensor(shape: [1, 2, 5, 4], scalars: generator.permutation(40).map { Double($0) * 0.1 })
        check("maxPool2d", [distinct]) { $0[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1, dilation: Size2D(1, 2)) }
        check("maxPool2d 2×2", [distinct]) { $0[0].maxPool2d(kernelSize: 2) }
        check("avgPool2d", [image]) { $0[0].avgPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true) }
        check("avgPool2d without padding in the count", [image]) { $0[0].avgPool2d(kernelSize: 2, stride: 1, padding: 1, countIncludePad: false) }
        check("adaptiveAvgPool2d", [image]) { $0[0].adaptiveAvgPool2d(outputSize: Size2D(2, 3)) }
        let affine = inputs([[4], [4]], seed: 8)
        check("batchNorm training", [image] + affine) { $0[0].batchNorm(weight: $0[1], bias: $0[2]) }
        check("batchNorm evaluation", [image] + affine) { x in
            var mean = Tensor([0.5, -0.5, 0.25, 0] as [Double]), variance = Tensor([2, 0.5, 1, 3] as [Double])
            return x[0].batchNorm(runningMean: &mean, runningVariance: &variance, weight: x[1], bias: x[2], training: false)
        }
    }
}
