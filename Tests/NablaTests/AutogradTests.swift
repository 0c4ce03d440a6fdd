import XCTest
@testable import Nabla

final class AutogradTests: XCTestCase {
    /// Runs `gradientCheck` on both backends and fails with its description.
    private func check(_ inputs: [Tensor], _ name: String, file: StaticString = #filePath, line: UInt = #line,
                       _ function: @escaping ([Tensor]) -> Tensor) {
        assertGradientsMatch(inputs, name, file: file, line: line, function)
    }

    /// Values in [0.5, 1.5] with random signs: away from the kinks of abs and relu.
    private func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        let magnitude = Tensor.uniform(shape, low: 0.5, high: 1.5, generator: &g)
        let sign = Tensor.where(Tensor.rand(shape, generator: &g) .> 0.5, Tensor(1), Tensor(-1))
        return magnitude * sign
    }

    private func positive(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return Tensor.uniform(shape, low: 0.5, high: 2, generator: &g)
    }

    func testArithmeticWithBroadcasting() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([4], seed: 2), c = positive([3, 1], seed: 3)
        check([a, b], "add") { $0[0] + $0[1] }
        check([a, b], "sub") { $0[0] - $0[1] }
        check([a, b], "mul") { $0[0] * $0[1] }
        check([a, c], "div") { $0[0] / $0[1] }
        check([a], "scalar ops") { (2 - $0[0] * 3 + 1) / 4 }
        check([c], "scalar over tensor") { 1 / $0[0] }
        check([a], "neg") { -$0[0] }
    }

    func testUnaryMath() {
        let x = awayFromZero([2, 5], seed: 4), p = positive([2, 5], seed: 5)
        check([x], "abs") { $0[0].abs() }
        check([x], "exp") { $0[0].exp() }
        check([p], "log") { $0[0].log() }
        check([p], "sqrt") { $0[0].sqrt() }
        check([x], "square") { $0[0].square() }
        check([p], "pow") { $0[0].pow(2.5) }
        check([x], "sigmoid") { $0[0].sigmoid() }
        check([x], "relu") { $0[0].relu() }
        check([x], "tanh") { $0[0].tanh() }
        check([x], "clamp") { $0[0].clamp(min: -1, max: 1) }
    }

    func testWhere() {
        let a = randomTensor([3, 4], seed: 6), b = randomTensor([4], seed: 7)
        var generator = RandomGenerator(seed: 99)
        let mask = Tensor.rand([3, 4], generator: &generator) .> 0.5
        check([a, b], "where") { Tensor.where(mask, $0[0], $0[1]) }
    }

    func testReductions() {
        let x = randomTensor([2, 3, 4], seed: 8)
        check([x], "sum all") { $0[0].sum() }
        check([x], "sum axes") { $0[0].sum(axes: [0, 2]) }
        check([x], "sum keepDims") { $0[0].sum(axis: 1, keepDims: true) }
        check([x], "mean") { $0[0].mean(axes: [-1, -2]) }
        check([x], "max") { $0[0].max(axis: 1) }
        check([x], "min keepDims") { $0[0].min(axes: [0, 2], keepDims: true) }
    }

    func testMovement() {
        let x = randomTensor([2, 3, 4], seed: 9)
        check([x], "reshape") { $0[0].reshape([4, -1]) * Tensor.arange(6) }
        check([x], "permute") { $0[0].permute([2, 0, 1]) * Tensor.arange(3) }
        check([x], "transpose") { $0[0].transpose(0, 2).contiguous() }
        check([x], "slice") { $0[0][1, 0..<2, 1...] }
        check([x], "expand") { $0[0][0..<1].expand(to: [5, 3, 4]) }
        check([x], "squeeze") { $0[0][0..<1].squeeze(axis: 0).unsqueeze(axis: 1) }
        check([x], "flatten") { $0[0].flatten(startAxis: 1) }
        check([x], "gather") { $0[0].gather(rows: [1, 0, 1]) }
        let y = randomTensor([2, 3, 4], seed: 10)
        check([x, y], "stack") { Tensor.stack([$0[0], $0[1] * 2], axis: 1) }
        check([x, y], "cat") { Tensor.cat([$0[0], $0[1][0..<2, 0..<3, 0..<1]], axis: 2) }
    }

    func testMatmulInAllForms() {
        let a = randomTensor([3, 4], seed: 11), b = randomTensor([4, 5], seed: 12)
        let v = randomTensor([4], seed: 13), batched = randomTensor([2, 3, 4], seed: 14)
        check([a, b], "matrix") { $0[0] • $0[1] }
        check([a, v], "matrix-vector") { $0[0] • $0[1] }
        check([v, b], "vector-matrix") { $0[0] • $0[1] }
        check([v, v * 2], "dot") { $0[0] • $0[1] }
        check([batched, b], "batch times matrix") { $0[0] • $0[1] }
        check([batched, randomTensor([1, 4, 2], seed: 15)], "broadcast batch") { $0[0] • $0[1] }
        check([randomTensor([4, 3], seed: 16), randomTensor([5, 4], seed: 17)], "transposed views") { $0[0].transposed • $0[1].transposed }
        check([randomTensor([6, 8], seed: 18), b], "sliced") { $0[0][1..<4, 2..<6] • $0[1] }
    }

    func testLessonLinearModelStep() {
        // The book's linear model on a tiny batch: x • w + b, mnistLoss.
        let x = randomTensor([6, 10], seed: 19), target = Tensor([1, 0, 1, 1, 0, 0]).unsqueeze(axis: 1)
        check([randomTensor([10, 1], seed: 20), randomTensor([1], seed: 21)], "mnist loss") { p in
            let s = (x • p[0] + p[1]).sigmoid()
            return Tensor.where(target .== 1, 1 - s, s).mean()
        }
    }

    func testGradientsAccumulateAndZero() {
        let x = Tensor([1, 2], requiresGrad: true)
        (x * 3).sum().backward()
        (x * x).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [5, 7])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testNoGradAndDetach() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = noGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertFalse((x.detached() * 2).requiresGrad)
        XCTAssertTrue((x * 2).requiresGrad)
        XCTAssertFalse((Tensor([1]) * 2).requiresGrad)
    }

    func testUnusedInputGetsNoGradient() {
        let used = Tensor([1, 2], requiresGrad: true), unused = Tensor([3, 4], requiresGrad: true)
        let constant = Tensor([5, 6])
        (used * constant).sum().backward()
        XCTAssertEqual(used.grad!.scalars, [5, 6])
        XCTAssertNil(unused.grad)
    }

    func testBackwardWithGradient() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x * x).backward(gradient: Tensor([1, 0, 2]))
        XCTAssertEqual(x.grad!.scalars, [2, 0, 12])
    }

    func testSharedSubexpressionGathersBothPaths() {
        let x = Tensor(2, requiresGrad: true)
        let y = x * x
        (y * y + y).backward()   // d/dx (x⁴ + x²) = 4x³ + 2x = 36
        XCTAssertEqual(x.grad!.item, 36)
    }

    func testGraphIsFreedAndMemoryStaysFlat() {
        var w = Tensor.zeros([5, 1], requiresGrad: true)
        let x = randomTensor([8, 5], seed: 1), target = Tensor([1, 0, 1, 0, 1, 0, 1, 0]).unsqueeze(axis: 1)
        func step() {
            let loss = ((x • w).sigmoid() - target).square().mean()
            loss.backward()
            noGrad { w.addScaled(w.grad!, by: -0.1) }
            w.zeroGrad()
        }
        step()
        let before = AutogradNode.liveCount.load(ordering: .relaxed)
        for _ in 0..<10_000 { step() }
        XCTAssertEqual(AutogradNode.liveCount.load(ordering: .relaxed), before)
    }

    /// Dropping a graph without backward() frees it with a loop: a million ops deep
    /// used to overflow the stack in recursive deinits (40,000 were enough).
    func testDroppingAMillionOpChainFreesItWithoutRecursion() {
        let before = AutogradNode.liveCount.load(ordering: .relaxed)
        do {
            let x = Tensor(1, requiresGrad: true)
            var y = x
            for _ in 0..<1_000_000 { y = y + 1 }
            XCTAssertEqual(y.item, 1_000_001)
        }
        XCTAssertEqual(AutogradNode.liveCount.load(ordering: .relaxed), before)
    }
}
