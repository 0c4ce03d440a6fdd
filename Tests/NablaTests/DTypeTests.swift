import Foundation
import XCTest
@testable import Nabla
import NablaTestSupport

/// Storage, creation, conversion and printing of each element type.
final class DTypeTests: XCTestCase {
    func testCreationTakesTheDTypeOfTheSwiftType() {
        XCTAssertEqual(Tensor([1, 2]).dtype, .float32)
        XCTAssertEqual(Tensor([[1, 2]] as [[Float]]).dtype, .float32)
        XCTAssertEqual(Tensor([1, 2] as [Double]).dtype, .float64)
        XCTAssertEqual(Tensor([[4, 1], [1, 3]] as [[Double]]).shape, [2, 2])
        XCTAssertEqual(Tensor([1, 2] as [Int64]).dtype, .int64)
        XCTAssertEqual(Tensor([1, 2] as [Int32]).dtype, .int32)
        XCTAssertEqual(Tensor([1, 2] as [UInt8]).dtype, .uint8)
        XCTAssertEqual(Tensor([true, false]).dtype, .bool)
        XCTAssertEqual(Tensor(Int64(7)).dtype, .int64)
        XCTAssertEqual(Tensor([[[1]], [[2]]] as [[[Double]]]).shape, [2, 1, 1])
        XCTAssertEqual(Tensor(shape: [2], scalars: [1, 2] as [Double]).dtype, .float64)
        XCTAssertEqual(Tensor.zeros([2], dtype: .int32).scalars(as: Int32.self), [0, 0])
        XCTAssertEqual(Tensor.ones([3], dtype: .bool).scalars(as: Bool.self), [true, true, true])
        XCTAssertEqual(Tensor.full([2], 9_007_199_254_740_993, dtype: .int64).scalars(as: Int64.self), [9_007_199_254_740_993, 9_007_199_254_740_993])
        XCTAssertEqual(DType.allCases.map(\.description), ["float32", "float64", "int64", "int32", "uint8", "bool", "float16", "bfloat16"])
    }

    func testValuesComeBackExactInTheirOwnType() {
        let big: Int64 = 9_007_199_254_740_993
        XCTAssertEqual(Tensor([big, -big]).scalars(as: Int64.self), [big, -big])
        XCTAssertEqual(Tensor([0.1, 1e300] as [Double]).scalars(as: Double.self), [0.1, 1e300])
        XCTAssertEqual(Tensor(0.1 as Double).item(as: Double.self), 0.1)
        XCTAssertEqual(Tensor(Int64(16_777_217)).item(as: Int64.self), 16_777_217)
        // The Float accessors convert: rounded to the nearest Float.
        XCTAssertEqual(Tensor(Int64(16_777_217)).item, 16_777_216)
        XCTAssertEqual(Tensor([true, false]).scalars, [1, 0])
        XCTAssertEqual(Tensor([0.1] as [Double]).scalars, [Float(0.1)])
    }

    func testConversionFollowsPyTorchsCasts() {
        let x = Tensor([-2.7, -0.5, 0, 0.5, 2.7, 300, .nan] as [Double])
        XCTAssertEqual(x.to(.int64).scalars(as: Int64.self), [-2, 0, 0, 0, 2, 300, .min])
        XCTAssertEqual(x.to(.int32).scalars(as: Int32.self), [-2, 0, 0, 0, 2, 300, 0])
        XCTAssertEqual(x.to(.uint8).scalars(as: UInt8.self), [254, 0, 0, 0, 2, 44, 0])
        XCTAssertEqual(x.to(.bool).scalars(as: Bool.self), [true, true, false, true, true, true, true])
        XCTAssertEqual(Tensor([Int64(1) << 40 + 1]).to(.int32).scalars(as: Int32.self), [1])
        XCTAssertEqual(Tensor([true, false]).to(.float64).scalars(as: Double.self), [1, 0])
        XCTAssertEqual(Tensor([1, 2] as [Float]).to(.float64).dtype, .float64)
        XCTAssertEqual(Tensor([1, 2] as [Float]).asType(.uint8).dtype, .uint8)
        let same = Tensor([1, 2])
        XCTAssertTrue(same.to(.float32).storage === same.storage)
        // A view converts its own elements, not its storage's.
        let strided = Tensor([[1, 2], [3, 4]] as [[Double]]).T
        XCTAssertEqual(strided.to(.int64).scalars(as: Int64.self), [1, 3, 2, 4])
    }

    func testConversionBetweenFloatTypesIsDifferentiable() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let y = x.to(.float64)
        XCTAssertEqual(y.dtype, .float64)
        (y.to(.float32) * x).sum().backward()
        XCTAssertEqual(x.grad!.dtype, .float32)
        XCTAssertEqual(x.grad!.scalars, [2, 4, 6])
        XCTAssertFalse(x.to(.int64).requiresGrad)
    }

    func testOnlyFloatingTensorsRequireGrad() {
        assertFails("requiresGrad: only tensors of floating point dtype can require gradients, this one is int64") {
            _ = Tensor([1, 2] as [Int64], requiresGrad: true)
        }
        XCTAssertTrue(Tensor([1, 2] as [Double], requiresGrad: true).requiresGrad)
    }

    func testPrintingShowsTheDTypeAsPyTorchDoes() {
        XCTAssertEqual(Tensor([1, 2]).description, "tensor([1., 2.], shape: [2])")
        XCTAssertEqual(Tensor([1.5, 2] as [Double]).description, "tensor([1.5000, 2.0000], shape: [2], dtype: float64)")
        XCTAssertEqual(Tensor([1, -20] as [Int64]).description, "tensor([  1, -20], shape: [2])")
        XCTAssertEqual(Tensor([3, 4] as [Int32]).description, "tensor([3, 4], shape: [2], dtype: int32)")
        XCTAssertEqual(Tensor([7] as [UInt8]).description, "tensor([7], shape: [1], dtype: uint8)")
        XCTAssertEqual(Tensor([true, false]).description, "tensor([ True, False], shape: [2])")
    }

    func testSubscriptAssignmentConvertsTheValue() {
        var x = Tensor.zeros([3], dtype: .int64)
        x[1] = Tensor(2.9)
        XCTAssertEqual(x.scalars(as: Int64.self), [0, 2, 0])
        var big = Tensor.zeros([16_777_219])
        big[16_777_217] = Tensor(1)
        XCTAssertEqual(big.scalars(as: Float.self)[16_777_217], 1)
    }

    func testCatPromotes() {
        let joined = Tensor.cat([Tensor([1, 2] as [Int64]), Tensor([0.5] as [Double])])
        XCTAssertEqual(joined.dtype, .float64)
        XCTAssertEqual(joined.scalars(as: Double.self), [1, 2, 0.5])
    }

    func testFloat32OnlyKernelsRefuseOtherDTypesInsteadOfReadingTheirBytes() {
        assertFails("float64") { _ = Tensor([1, 2] as [Double]).withUnsafeBufferPointer { $0[0] } }
    }

    func testByteCountLimitsDependOnTheDType() {
        XCTAssertEqual(Tensor.elementCount(ofShape: [1 << 61], dtype: .uint8), 1 << 61)
        XCTAssertNil(Tensor.elementCount(ofShape: [1 << 61], dtype: .float64))
        XCTAssertEqual(Tensor.elementCount(ofShape: [1 << 40], dtype: .int64), 1 << 40)
    }

    func testPromotionFollowsTorchResultType() {
        let f32 = Tensor([1, 2] as [Float]), f64 = Tensor([1, 2] as [Double]), i64 = Tensor([1, 2] as [Int64])
        let i32 = Tensor([1, 2] as [Int32]), u8 = Tensor([1, 2] as [UInt8]), b = Tensor([true, false])
        XCTAssertEqual((f32 + f64).dtype, .float64)
        XCTAssertEqual((i64 + f32).dtype, .float32)
        XCTAssertEqual((u8 + i32).dtype, .int32)
        XCTAssertEqual((b + u8).dtype, .uint8)
        XCTAssertEqual((i64 + 0.5).dtype, .float32)
        XCTAssertEqual((i64 + 0.5).scalars, [1.5, 2.5])
        XCTAssertEqual((f64 * 2).dtype, .float64)
        XCTAssertEqual((i64 / i64).dtype, .float32)
        // A rank-0 tensor is weaker than a dimensioned one of the same category.
        XCTAssertEqual((f32 + Tensor(2.0 as Double)).dtype, .float32)
        XCTAssertEqual((i32 + Tensor(Int64(2))).dtype, .int32)
        XCTAssertEqual((i32 + Tensor(2.0 as Double)).dtype, .float64)
        XCTAssertEqual(DType.uint8.promoted(with: .int64), .int64)
        XCTAssertEqual(Tensor.resultType(b, b), .bool)
    }

    func testFloat64ArithmeticKeepsFloat64Digits() {
        let x = Tensor(1e8 as Double)
        XCTAssertEqual((x + 1 - 1e8).item(as: Double.self), 1)
        XCTAssertEqual((Tensor([0.1] as [Double]) * Tensor([3] as [Double])).item(as: Double.self), 0.1 * 3)
        XCTAssertEqual(Tensor([1, 2, 3] as [Double]).exp().scalars(as: Double.self), [1, 2, 3].map { Foundation.exp(Double($0)) })
        XCTAssertEqual(Tensor([1, 2, 3, 4] as [Double]).mean().item(as: Double.self), 2.5)
        XCTAssertEqual(Tensor([[1, 2], [3, 4]] as [[Double]]).sum(axis: 0).scalars(as: Double.self), [4, 6])
        let big = Tensor([Int64.max - 1, 1])
        XCTAssertEqual(big.sum().item(as: Int64.self), .max)
        XCTAssertEqual((big + Tensor([Int64(1), 0])).scalars(as: Int64.self), [.max, 1])
    }

    func testFloat64GradientsStayFloat64() {
        let x = Tensor([0.5, 1.5] as [Double], requiresGrad: true)
        (x * x).sum().backward()
        XCTAssertEqual(x.grad!.dtype, .float64)
        XCTAssertEqual(x.grad!.scalars(as: Double.self), [1, 3])
        let y = Tensor([0.1, 0.2] as [Double], requiresGrad: true)
        y.sigmoid().log().mean().backward()
        XCTAssertEqual(y.grad!.scalars(as: Double.self)[0], 0.5 * (1 - 1 / (1 + Foundation.exp(-0.1))), accuracy: 1e-15)
    }

    func testComparisonsGiveBoolAndIndicesAreInt64() {
        let mask = Tensor([1, -2, 3] as [Float]) .> 0
        XCTAssertEqual(mask.dtype, .bool)
        XCTAssertEqual(mask.scalars(as: Bool.self), [true, false, true])
        XCTAssertEqual(mask.sum().dtype, .int64)
        XCTAssertEqual(mask.sum().item(as: Int64.self), 2)
        XCTAssertEqual((Tensor([1, 2] as [Int64]) .== Tensor([1.0, 3.0])).scalars(as: Bool.self), [true, false])
        XCTAssertEqual(Tensor([3, 1, 2]).argmax().dtype, .int64)
        XCTAssertEqual(Tensor([3, 1, 2]).sort().indices.scalars(as: Int64.self), [1, 2, 0])
        XCTAssertEqual(Tensor([3, 1, 2]).topk(1).indices.scalars(as: Int64.self), [0])
        XCTAssertEqual(Tensor([3, 1, 2] as [Int64]).max().item(as: Int64.self), 3)
        XCTAssertEqual(Tensor([0, 1]).all().dtype, .bool)
        XCTAssertEqual(Tensor([0, 1]).any().item(as: Bool.self), true)
        XCTAssertEqual(Tensor([1, .nan]).isNaN().scalars(as: Bool.self), [false, true])
    }

    func testArgmaxIsExactPastTwoToTheTwentyFour() {
        var marked = Tensor.zeros([16_777_219], dtype: .float32)
        marked[16_777_217] = Tensor(1)
        XCTAssertEqual(marked.argmax().item(as: Int64.self), 16_777_217)
    }

    func testIndexOpsTakeIntegerTensors() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(x.indexSelect(axis: 1, Tensor([2, 0] as [Int64])).scalars, [3, 1, 6, 4])
        XCTAssertEqual(x.gather(axis: 1, indices: Tensor([[1], [2]] as [[Int64]])).scalars, [2, 6])
        // Integral Floats are still accepted (with a deprecation message once).
        XCTAssertEqual(x.indexSelect(axis: 1, Tensor([1])).scalars, [2, 5])
        assertFails("indexSelect: index 3 at position 0 is out of range for an axis of extent 3") {
            _ = x.indexSelect(axis: 1, Tensor([3] as [Int64]))
        }
        assertFails("gather: index tensors must be integers, got bool") {
            _ = x.gather(axis: 1, indices: Tensor([[true], [false]]))
        }
    }

    func testWhereTakesBoolMasksAndStillAcceptsFloatMasks() {
        let a = Tensor([1, 2, 3]), b = Tensor([10, 20, 30])
        XCTAssertEqual(Tensor.where(Tensor([true, false, true]), a, b).scalars, [1, 20, 3])
        XCTAssertEqual(Tensor.where(Tensor([1, 0, 1]), a, b).scalars, [1, 20, 3])
        XCTAssertEqual(a.maskedFill(Tensor([false, true, false]), 0).scalars, [1, 0, 3])
    }

    func testDeprecatedFloatMasksAndIndicesWarnOnceThroughTheWarningHandler() {
        let saved = Nabla.warningHandler
        var warnings: [String] = []
        Nabla.resetWarnings()
        Nabla.warningHandler = { warnings.append($0) }
        defer { Nabla.warningHandler = saved; Nabla.resetWarnings() }
        let x = Tensor([1, 2, 3])
        for _ in 0..<2 {
            _ = Tensor.where(Tensor([1, 0, 1]), x, x)
            _ = x.indexSelect(axis: 0, Tensor([1]))
        }
        XCTAssertEqual(warnings, [
            "where: a float32 mask is deprecated and will be refused in the next release; pass a bool mask (comparisons such as x .> 0 give one, or use to(.bool))",
            "indexSelect: a float32 index tensor is deprecated and will be refused in the next release; pass int64 indices (to(.int64))",
        ])
    }

    func testMeanOfIntegersFailsAsInTorch() {
        assertFails("mean: could not infer output dtype") { _ = Tensor([1, 2] as [Int64]).mean() }
        XCTAssertEqual(Tensor([1, 2] as [Int64]).to(.float32).mean().item, 1.5)
    }

    func testOpsNameThemselvesForADTypeTheyDoNotTake() {
        assertFails("softmax: not implemented for bool tensors (it takes float32, float64, float16, bfloat16)") { _ = Tensor([true]).softmax() }
        assertFails("sub: subtraction, the `-` operator, with two bool tensors is not supported") { _ = Tensor([true]) - Tensor([false]) }
        assertFails("+=: result type float32 can't be cast to the desired output type int64") {
            var x = Tensor([1, 2] as [Int64])
            x += 0.5
        }
    }

    /// The window ops that take every floating dtype compute float16 and bfloat16 in float32
    /// and round once: the float32 result of the widened input, narrowed.
    func testWindowOpsOnHalfTensorsAreTheFloat32ResultRounded() {
        let image = Tensor((0..<32).map { Float($0) * 0.37 - 5 }).reshape([1, 2, 4, 4])
        let filters = Tensor((0..<18).map { Float($0 % 5) * 0.25 - 0.5 }).reshape([1, 2, 3, 3])
        for half in [DType.float16, .bfloat16] {
            let input = image.to(half), weight = filters.to(half)
            let cases: [(String, (Tensor, Tensor) -> Tensor)] = [
                ("conv2d", { $0.conv2d($1, padding: 1) }),
                ("unfold", { x, _ in x.unfold(kernelSize: 2) }),
                ("fold", { x, _ in x.unfold(kernelSize: 2).fold(outputSize: 4, kernelSize: 2) }),
                ("avgPool2d", { x, _ in x.avgPool2d(kernelSize: 2) }),
                ("maxPool2d", { x, _ in x.maxPool2d(kernelSize: 2) }),
            ]
            for (name, op) in cases {
                let result = op(input, weight)
                XCTAssertEqual(result.dtype, half, "\(name) of \(half)")
                XCTAssertEqual(result.scalars(as: Float.self), op(input.to(.float32), weight.to(.float32)).to(half).scalars(as: Float.self),
                               "\(name) of \(half)")
            }
        }
    }

    func testWindowAndNormalizationOpsNameTheDTypesTheyRefuse() {
        let image = Tensor.zeros([1, 1, 4, 4], dtype: .float64)
        assertFails("conv2d: the input is float64 but the weight is float32; convert one with to(_:) so both have the same dtype") {
            _ = image.conv2d(Tensor.zeros([1, 1, 3, 3]))
        }
        assertFails("conv2d: the input is float32 but the bias is float64") {
            _ = image.to(.float32).conv2d(Tensor.zeros([1, 1, 3, 3]), bias: Tensor.zeros([1], dtype: .float64))
        }
        assertFails("conv2d: not implemented for bool tensors (it takes float32, float64, int64, int32, uint8, float16, bfloat16)") {
            _ = image.to(.bool).conv2d(Tensor.zeros([1, 1, 3, 3], dtype: .bool))
        }
        assertFails("unfold: not implemented for int32 tensors") { _ = image.to(.int32).unfold(kernelSize: 2) }
        assertFails("fold: not implemented for uint8 tensors") { _ = image.to(.uint8).reshape([1, 4, 4]).fold(outputSize: 3, kernelSize: 2) }
        // As torch 2.13's CPU kernels: max_pool2d takes the integer types, not bool; avg_pool2d int64 only, the adaptive one none.
        assertFails("maxPool2d: not implemented for bool tensors (it takes float32, float64, int64, int32, uint8, float16, bfloat16)") {
            _ = image.to(.bool).maxPool2d(kernelSize: 2)
        }
        assertFails("avgPool2d: not implemented for int32 tensors (it takes float32, float64, int64, float16, bfloat16)") { _ = image.to(.int32).avgPool2d(kernelSize: 2) }
        assertFails("adaptiveAvgPool2d: not implemented for uint8 tensors") { _ = image.to(.uint8).adaptiveAvgPool2d(outputSize: 1) }
        assertFails("batchNorm: not implemented for int64 tensors") { _ = image.to(.int64).batchNorm(weight: nil, bias: nil) }
        assertFails("batchNorm: the input is float64 but the weight is float32") { _ = image.batchNorm(weight: Tensor.ones([1]), bias: nil) }
        var mean = Tensor.zeros([1]), variance = Tensor.ones([1])
        assertFails("batchNorm: the input is float64 but the runningMean is float32") {
            _ = image.batchNorm(runningMean: &mean, runningVariance: &variance, weight: nil, bias: nil, training: true)
        }
        var generator = RandomGenerator(seed: 1)
        XCTAssertEqual(image.dropout(probability: 0.5, training: true, generator: &generator).dtype, .float64)
    }

    func testMaxPoolOfIntegersKeepsTheirDTypeAndValues() {
        // torch.arange(16).reshape(1, 1, 4, 4) through F.max_pool2d(x, 2) and F.max_pool2d(x, 3, 1, 1).
        let values = Tensor(Array(0..<16) as [Int64]).reshape([1, 1, 4, 4])
        for dtype in [DType.int64, .int32, .uint8] {
            let pooled = values.to(dtype).maxPool2d(kernelSize: 2)
            XCTAssertEqual(pooled.dtype, dtype)
            XCTAssertEqual(pooled.scalars(as: Int64.self), [5, 7, 13, 15])
            XCTAssertEqual(values.to(dtype).maxPool2d(kernelSize: 3, stride: 1, padding: 1).scalars(as: Int64.self),
                           [5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15, 13, 14, 15, 15])
        }
        XCTAssertEqual(Tensor([-7, -3, -9, -1] as [Int32]).reshape([1, 1, 2, 2]).maxPool2d(kernelSize: 2).scalars(as: Int32.self), [-1])
    }

    func testCumulativeOpsKeepFloatsAndInt64AndSumSmallIntegersInInt64AsTorch() {
        let big = Tensor([1e8, 1, -1e8, 1] as [Double])
        XCTAssertEqual(big.cumsum(axis: 0).dtype, .float64)
        XCTAssertEqual(big.cumsum(axis: 0).scalars(as: Double.self), [1e8, 100_000_001, 1, 2])
        let counts = Tensor([[3_000_000_000, 1], [2, 5]] as [[Int64]])
        XCTAssertEqual(counts.cumsum(axis: 0).scalars(as: Int64.self), [3_000_000_000, 1, 3_000_000_002, 6])
        XCTAssertEqual(counts.cumprod(axis: 1).scalars(as: Int64.self), [3_000_000_000, 3_000_000_000, 2, 10])
        for small in [Tensor([200, 100] as [UInt8]), Tensor([200, 100] as [Int32])] {
            XCTAssertEqual(small.cumsum(axis: 0).dtype, .int64, "\(small.dtype)")
            XCTAssertEqual(small.cumsum(axis: 0).scalars(as: Int64.self), [200, 300], "\(small.dtype)")
            XCTAssertEqual(small.cumprod(axis: 0).scalars(as: Int64.self), [200, 20_000], "\(small.dtype)")
        }
        XCTAssertEqual(Tensor([true, false, true]).cumsum(axis: 0).scalars(as: Int64.self), [1, 1, 2])
        XCTAssertEqual(Tensor([[0.5, 2], [4, 0.25]] as [[Double]]).cumprod(axis: 0).scalars(as: Double.self), [0.5, 2, 2, 0.5])
    }

    func testIndexPutWritesEveryDType() {
        var int64 = Tensor([10, 20, 30] as [Int64])
        int64.indexPut([[2, 0, 2]], values: Tensor([1, 2, 3] as [Int64]), accumulate: true)
        XCTAssertEqual(int64.scalars(as: Int64.self), [12, 20, 34])
        var float64 = Tensor([1, 2, 3] as [Double])
        float64.indexPut([[1]], values: Tensor([1e-12] as [Double]), accumulate: true)
        XCTAssertEqual(float64.scalars(as: Double.self), [1, 2 + 1e-12, 3])
        float64[Tensor([true, false, true])] = Tensor(0.5)
        XCTAssertEqual(float64.dtype, .float64)
        XCTAssertEqual(float64.scalars(as: Double.self), [0.5, 2 + 1e-12, 0.5])
        var flags = Tensor([false, false, true])
        flags.indexPut([[0]], values: Tensor([true]))
        XCTAssertEqual(flags.scalars(as: Bool.self), [true, false, true])
        // Accumulating bools is an or, as torch's.
        flags.indexPut([[1, 1, 0]], values: Tensor([false, true, false]), accumulate: true)
        XCTAssertEqual(flags.scalars(as: Bool.self), [true, true, true])
        var cleared = Tensor([false, false])
        cleared.indexPut([[0, 0]], values: Tensor([false]), accumulate: true)
        XCTAssertEqual(cleared.scalars(as: Bool.self), [false, false])
    }

    func testFloat64MatmulAndDotKeepFloat64Digits() {
        forEachBackend { kind in
            let a = Tensor([[1e8, 1], [0, 1]] as [[Double]], requiresGrad: true), b = Tensor([[1], [1]] as [[Double]])
            let product = a • b
            XCTAssertEqual(product.dtype, .float64)
            XCTAssertEqual(product.scalars(as: Double.self), [100_000_001, 1], "on \(kind)")
            product.sum().backward()
            XCTAssertEqual(a.grad!.scalars(as: Double.self), [1, 1, 1, 1], "on \(kind)")
            let batched = Tensor.ones([3, 2, 2], dtype: .float64) • Tensor([[1e8, 1], [1, 1e-8]] as [[Double]])
            XCTAssertEqual(batched.scalars(as: Double.self)[0...1], [100_000_001, 1.00000001], "on \(kind)")
            XCTAssertEqual(Tensor([1e8, 1] as [Double]).dot(Tensor([1, 1] as [Double])).item(as: Double.self), 100_000_001, "on \(kind)")
        }
        assertFails("matmul: expected both operands to have the same dtype, but got float32 and float64") {
            _ = Tensor([[1]]) • Tensor([[1]] as [[Double]])
        }
    }

    func testTheIssuesSolveInFloat64() throws {
        let a = Tensor([[4, 1], [1, 3]] as [[Double]])
        let x = try Linalg.solve(a, Tensor([1, 2] as [Double]))
        XCTAssertEqual(x.dtype, .float64)
        XCTAssertEqual(x.scalars(as: Double.self)[0], 1.0 / 11, accuracy: 1e-16)
        XCTAssertEqual(x.scalars(as: Double.self)[1], 7.0 / 11, accuracy: 1e-16)
    }
}
