import XCTest
import Nabla
import NablaTestSupport

/// Hand values for the ops that the differential test's integer column found returning float32
/// for integer tensors, or refusing dtypes torch takes: each keeps torch's dtype and exact values.
final class IntegerOpsTests: XCTestCase {
    /// 2⁵³ + 1: the first integer a Double (and so a detour through float) cannot hold.
    private let beyondDouble: Int64 = (1 << 53) + 1

    func testExactUnaryOpsKeepAnIntegerTensorsDType() {
        forEachBackend { kind in
            let x = Tensor([-3, 0, 5, beyondDouble] as [Int64])
            for (name, result, expected) in [("floor", x.floor(), [-3, 0, 5, beyondDouble]), ("ceil", x.ceil(), [-3, 0, 5, beyondDouble]),
                                             ("round", x.round(), [-3, 0, 5, beyondDouble]), ("relu", x.relu(), [0, 0, 5, beyondDouble]),
                                             ("sign", x.sign(), [-1, 0, 1, 1]), ("abs", x.abs(), [3, 0, 5, beyondDouble])] {
                XCTAssertEqual(result.dtype, .int64, "\(name) [\(kind)]")
                XCTAssertEqual(result.scalars(as: Int64.self), expected, "\(name) [\(kind)]")
            }
            // Squares wrap as torch's: 3_037_000_500² overflows int64.
            XCTAssertEqual(Tensor([-3, 3_037_000_500] as [Int64]).square().scalars(as: Int64.self), [9, -9_223_372_036_709_301_616], "\(kind)")
            XCTAssertEqual(Tensor([16, 200] as [UInt8]).square().scalars(as: UInt8.self), [0, 64], "\(kind)")
            XCTAssertEqual(Tensor([-7, 7] as [Int32]).relu().dtype, .int32)
            // bool: sign keeps bool, square counts in int64, relu is refused as in torch.
            XCTAssertEqual(Tensor([true, false]).sign().scalars(as: Bool.self), [true, false])
            XCTAssertEqual(Tensor([true, false]).square().dtype, .int64)
            XCTAssertEqual(Tensor([true, false]).square().scalars(as: Int64.self), [1, 0])
        }
        assertFails("relu: not implemented for bool tensors") { _ = Tensor([true]).relu() }
        assertFails("floor: not implemented for bool tensors") { _ = Tensor([true]).floor() }
        // Functions that are not exact on integers still compute in float32, as torch's.
        XCTAssertEqual(Tensor([4, 9] as [Int64]).sqrt().dtype, .float32)
    }

    /// torch.clamp keeps an integer tensor's dtype for integer bounds and promotes for a float one.
    func testClampOfIntegersWithIntegerBoundsStaysInteger() {
        forEachBackend { kind in
            let x = Tensor([-5, 3, 10, beyondDouble] as [Int64])
            XCTAssertEqual(x.clamp(min: -2, max: 4).dtype, .int64)
            XCTAssertEqual(x.clamp(min: -2, max: 4).scalars(as: Int64.self), [-2, 3, 4, 4], "\(kind)")
            XCTAssertEqual(x.clamp(min: 0).scalars(as: Int64.self), [0, 3, 10, beyondDouble], "exact beyond 2^53")
            XCTAssertEqual(x.clamp(max: beyondDouble - 1).scalars(as: Int64.self), [-5, 3, 10, beyondDouble - 1])
            XCTAssertEqual(x.clamp(min: 4, max: -2).scalars(as: Int64.self), [-2, -2, -2, -2], "min > max gives max, as torch")
            XCTAssertEqual(Tensor([1, 200] as [UInt8]).clamp(min: 2, max: 100).scalars(as: UInt8.self), [2, 100])
            XCTAssertEqual(Tensor([7, -7] as [Int32]).clamp(min: Int64(-3)).dtype, .int32)
            // A float bound promotes as torch's: an integer tensor is clamped in float32.
            let mixed = Tensor([-5, 3, 10] as [Int64]).clamp(min: -2.5, max: 4)
            XCTAssertEqual(mixed.dtype, .float32)
            XCTAssertEqual(mixed.scalars, [-2.5, 3, 4])
            XCTAssertEqual(Tensor([-5, 3, 10] as [Int64]).clamp(max: 0.5).scalars, [-5, 0.5, 0.5])
            // bool with integer bounds is int64, with a float bound float32.
            XCTAssertEqual(Tensor([true, false]).clamp(min: 0, max: 1).dtype, .int64)
            XCTAssertEqual(Tensor([true, false]).clamp(min: 0.5, max: 1).scalars, [1, 0.5])
            // The Double? form keeps its meaning (a floating clamp); a float64 tensor keeps its dtype.
            let bound: Double? = 1
            XCTAssertEqual(Tensor([-5, 3] as [Int64]).clamp(max: bound).dtype, .float32)
            XCTAssertEqual(Tensor([-5, 3] as [Double]).clamp(min: -2, max: 1).scalars(as: Double.self), [-2, 1])
        }
        assertFails("clamp: the bound 300 cannot be converted to uint8 without overflow") { _ = Tensor([1] as [UInt8]).clamp(min: 0, max: 300) }
        assertFails("clamp: the bound -1 cannot be converted to uint8 without overflow") { _ = Tensor([1] as [UInt8]).clamp(min: -1) }
    }

    func testIntegerAndBoolSumsWidenToInt64AsTheyRead() {
        // 255s sum past every byte: the sums are int64 and exact, as the sums of the tensor converted to int64 first.
        let bytes = Tensor(shape: [300, 3, 4], scalars: (0..<3600).map { UInt8(truncatingIfNeeded: $0 % 7 == 0 ? 255 : $0) })
        let wide = bytes.to(.int64)
        for axes in [[0], [1], [2], [0, 2], [0, 1, 2]] {
            XCTAssertEqual(bytes.sum(axes: axes).dtype, .int64)
            XCTAssertEqual(bytes.sum(axes: axes).scalars(as: Int64.self), wide.sum(axes: axes).scalars(as: Int64.self), "axes \(axes)")
            let view = bytes.permute([2, 0, 1])
            XCTAssertEqual(view.sum(axes: axes).scalars(as: Int64.self), wide.permute([2, 0, 1]).sum(axes: axes).scalars(as: Int64.self))
        }
        XCTAssertEqual(bytes.sum().item(as: Int64.self), wide.sum().item(as: Int64.self))
        XCTAssertEqual(Tensor(shape: [3], scalars: [Int32.max, Int32.max, 2]).sum().item(as: Int64.self), 2 * Int64(Int32.max) + 2)
        XCTAssertEqual(Tensor(shape: [2, 2], scalars: [true, false, true, true]).sum(axis: 0).scalars(as: Int64.self), [2, 1])
        XCTAssertEqual(bytes[0..<0].sum(axis: 0).dtype, .int64)
        XCTAssertEqual(bytes[0..<1].sum(axis: 0).scalars(as: Int64.self), wide[0..<1].reshape([3, 4]).scalars(as: Int64.self))
    }

    func testProdOfIntegersAndBoolsIsInt64AndWraps() {
        forEachBackend { kind in
            let x = Tensor([[beyondDouble, 3], [2, -1]] as [[Int64]])
            XCTAssertEqual(x.prod().dtype, .int64)
            XCTAssertEqual(x.prod().item(as: Int64.self), beyondDouble &* -6, "\(kind)")
            XCTAssertEqual(x.prod(axis: 0).scalars(as: Int64.self), [2 * beyondDouble, -3], "\(kind)")
            XCTAssertEqual(x.prod(axis: 1, keepDims: true).shape, [2, 1])
            XCTAssertEqual(Tensor([200, 200, 200] as [UInt8]).prod().item(as: Int64.self), 8_000_000, "\(kind)")
            XCTAssertEqual(Tensor([[true, true], [true, false]]).prod(axis: 1).scalars(as: Int64.self), [1, 0], "\(kind)")
            XCTAssertEqual(Tensor.zeros([0], dtype: .int32).prod().item(as: Int64.self), 1)
            XCTAssertEqual(Tensor([Int64.max, 2]).prod().item(as: Int64.self), -2, "wraps as torch's")
        }
    }

    func testIntegerPowerIsExactAndWraps() {
        forEachBackend { kind in
            let base = Tensor([2, -3, 3, 1, -1, -1, 0, 2] as [Int64]), exponent = Tensor([62, 3, 40, -5, -3, -2, 0, -1] as [Int64])
            let power = base.pow(exponent)
            XCTAssertEqual(power.dtype, .int64)
            // 3⁴⁰ wraps; negative exponents follow torch's integer rule.
            let wrapped = (0..<40).reduce(Int64(1)) { product, _ in product &* 3 }
            XCTAssertEqual(power.scalars(as: Int64.self), [1 << 62, -27, wrapped, 1, -1, 1, 1, 0], "\(kind)")
            XCTAssertEqual(Tensor([3, 2] as [UInt8]).pow(Tensor([5, 8] as [Int32])).dtype, .int32)
            XCTAssertEqual(Tensor([3, 2] as [UInt8]).pow(Tensor([5, 8] as [UInt8])).scalars(as: UInt8.self), [243, 0], "\(kind)")
            // With a floating operand the power is floating.
            XCTAssertEqual(Tensor([2] as [Int64]).pow(Tensor([0.5] as [Float])).dtype, .float32)
        }
    }

    func testScatterKeepsIntegerValuesExact() {
        forEachBackend { kind in
            let base = Tensor([[beyondDouble, 0], [1, 2]] as [[Int64]]), index = Tensor([[0, 0], [0, 1]] as [[Int64]])
            let source = Tensor([[10, 20], [30, 40]] as [[Int64]])
            let scattered = base.scatter(axis: 0, index: index, source: source)
            XCTAssertEqual(scattered.dtype, .int64)
            XCTAssertEqual(scattered.scalars(as: Int64.self), [30, 20, 1, 40], "\(kind)")
            XCTAssertEqual(base.scatterAdd(axis: 0, index: index, source: source).scalars(as: Int64.self),
                           [beyondDouble + 40, 20, 1, 42], "\(kind)")
            XCTAssertEqual(base.scatterReduce(axis: 0, index: index, source: source, reduce: .amax).scalars(as: Int64.self),
                           [beyondDouble, 20, 1, 40], "\(kind)")
            // An integer mean rounds down, as torch's: (−3 − 2 + 0) / 3 → −2, and uint8 sums wrap first.
            let mean = Tensor([-3, 7] as [Int32]).scatterReduce(axis: 0, index: Tensor([0, 0] as [Int64]), source: Tensor([-2, 0] as [Int32]), reduce: .mean)
            XCTAssertEqual(mean.dtype, .int32)
            XCTAssertEqual(mean.scalars(as: Int32.self), [-2, 7], "\(kind)")
            let bytes = Tensor([253, 7] as [UInt8]).scatterReduce(axis: 0, index: Tensor([0, 0] as [Int64]), source: Tensor([254, 0] as [UInt8]), reduce: .mean)
            XCTAssertEqual(bytes.scalars(as: UInt8.self), [83, 7], "\(kind)")
            // bool scatters as bool; a bool sum is an or.
            let flags = Tensor([false, false, true]).scatterAdd(axis: 0, index: Tensor([0, 0] as [Int64]), source: Tensor([true, true]))
            XCTAssertEqual(flags.dtype, .bool)
            XCTAssertEqual(flags.scalars(as: Bool.self), [true, false, true], "\(kind)")
        }
    }

    func testMaximumAndMinimumOfBoolsAreOrAndAnd() {
        forEachBackend { kind in
            let a = Tensor([true, true, false, false]), b = Tensor([true, false, true, false])
            XCTAssertEqual(Tensor.maximum(a, b).dtype, .bool)
            XCTAssertEqual(Tensor.maximum(a, b).scalars(as: Bool.self), [true, true, true, false], "\(kind)")
            XCTAssertEqual(Tensor.minimum(a, b).scalars(as: Bool.self), [true, false, false, false], "\(kind)")
            XCTAssertEqual(Tensor.maximum(a, Tensor([-1, 0, 2, 0] as [Int32])).scalars(as: Int32.self), [1, 1, 2, 0], "\(kind)")
        }
    }

    func testBincountTakesIntegerWeightsAndCountsInFloat64() {
        let counts = Tensor([1, 1, 0] as [Int64]).bincount(weights: Tensor([5, -1, 3] as [Int32]))
        XCTAssertEqual(counts.dtype, .float64)
        XCTAssertEqual(counts.scalars(as: Double.self), [3, 4])
        XCTAssertEqual(Tensor([2] as [UInt8]).bincount(weights: Tensor([true])).scalars(as: Double.self), [0, 0, 1])
        XCTAssertEqual(Tensor([0] as [Int32]).bincount(weights: Tensor([0.5] as [Float])).dtype, .float32)
        assertFails("bincount: weights must have the input's shape [2], got float32 [3]") {
            _ = Tensor([0, 1] as [Int64]).bincount(weights: Tensor([1, 2, 3] as [Float]))
        }
    }

    func testIntegerMatmulAndDotAreExactAndWrapInTheirDType() {
        forEachBackend { kind in
            let a = Tensor([[beyondDouble, 1], [0, 2]] as [[Int64]]), b = Tensor([[1, 3], [1, 0]] as [[Int64]])
            let product = a.matmul(b)
            XCTAssertEqual(product.dtype, .int64)
            XCTAssertEqual(product.scalars(as: Int64.self), [beyondDouble + 1, 3 * beyondDouble, 2, 0], "\(kind)")
            // Batched, broadcast and vector operands go through the same loop.
            let batch = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4] as [Int32]).matmul(Tensor([[1, 0], [0, 1]] as [[Int32]]))
            XCTAssertEqual(batch.shape, [2, 1, 2])
            XCTAssertEqual(batch.scalars(as: Int32.self), [1, 2, 3, 4], "\(kind)")
            XCTAssertEqual(Tensor([[200, 100]] as [[UInt8]]).matmul(Tensor([2, 1] as [UInt8])).scalars(as: UInt8.self), [244], "wraps mod 256")
            let dot = Tensor([1 << 30, 3] as [Int32]).dot(Tensor([4, 5] as [Int32]))
            XCTAssertEqual(dot.dtype, .int32)
            XCTAssertEqual(dot.item(as: Int32.self), 15, "2^32 + 15 wraps to 15 in int32 [\(kind)]")
            XCTAssertEqual(Tensor.einsum("ij,j->i", [a, Tensor([1, 1] as [Int64])]).scalars(as: Int64.self), [beyondDouble + 1, 2], "\(kind)")
            XCTAssertEqual(Tensor.zeros([2, 0], dtype: .int64).matmul(Tensor.zeros([0, 3], dtype: .int64)).scalars(as: Int64.self), [0, 0, 0, 0, 0, 0])
        }
        assertFails("matmul: not implemented for bool tensors") { _ = Tensor([[true]]).matmul(Tensor([[true]])) }
        assertFails("matmul: expected both operands to have the same dtype, but got int64 and int32") {
            _ = Tensor([[1]] as [[Int64]]).matmul(Tensor([[1]] as [[Int32]]))
        }
    }

    /// The window ops torch 2.13's CPU kernels run on integers (values printed by torch): conv2d on
    /// the integer dtypes, wrapping; avg_pool2d on int64, truncating; unfold and fold on bool.
    func testWindowOpsTorchRunsOnIntegersAndBools() {
        forEachBackend { kind in
            let image = Tensor(shape: [2, 3, 5, 5], scalars: (0..<150).map(Int64.init))
            let filters = Tensor.ones([4, 3, 3, 3], dtype: .int64)
            let out = image.conv2d(filters)
            XCTAssertEqual(out.dtype, .int64)
            XCTAssertEqual(out.shape, [2, 4, 3, 3])
            XCTAssertEqual(Array(out.scalars(as: Int64.self).prefix(6)), [837, 864, 891, 972, 999, 1026], "\(kind)")
            let strided = image.conv2d(filters, bias: Tensor.ones([4], dtype: .int64), stride: 2, padding: 1)
            XCTAssertEqual(Array(strided.scalars(as: Int64.self).prefix(6)), [337, 532, 373, 640, 1000, 694], "\(kind)")
            let bytes = image.to(.uint8).conv2d(filters.to(.uint8), bias: Tensor.ones([4], dtype: .uint8), stride: 2, padding: 1)
            XCTAssertEqual(Array(bytes.scalars(as: UInt8.self).prefix(6)), [81, 20, 117, 128, 232, 182], "wraps as torch's")
            XCTAssertEqual(Array(image.to(.int32).conv2d(filters.to(.int32)).scalars(as: Int32.self).prefix(3)), [837, 864, 891])
            // Groups: each output channel sees its own input channel.
            let depthwise = image.conv2d(Tensor.ones([3, 1, 1, 1], dtype: .int64), groups: 3)
            XCTAssertEqual(depthwise.scalars(as: Int64.self), image.scalars(as: Int64.self))
            XCTAssertEqual(Tensor.full([1, 1, 2, 2], Int64(1) << 62, dtype: .int64).conv2d(Tensor.ones([1, 1, 2, 2], dtype: .int64)).item(as: Int64.self), 0)

            func pooled(_ values: [Int64], _ side: Int, padding: Size2D = 0, countIncludePad: Bool = true, ceilMode: Bool = false) -> [Int64] {
                Tensor(shape: [1, 1, side, side], scalars: values)
                    .avgPool2d(kernelSize: 2, padding: padding, countIncludePad: countIncludePad, ceilMode: ceilMode).scalars(as: Int64.self)
            }
            XCTAssertEqual(pooled([1, 2, 3, 5], 2), [2])
            XCTAssertEqual(pooled([-1, -2, -3, -5], 2), [-2], "truncated toward zero")
            XCTAssertEqual(pooled([-7, 2, 3, -5], 2), [-1])
            let nine: [Int64] = [1, 2, 3, 3, 5, 6, 1, 1, 1]
            XCTAssertEqual(pooled(nine, 3, padding: 1), [0, 1, 1, 3], "\(kind)")
            XCTAssertEqual(pooled(nine, 3, padding: 1, countIncludePad: false), [1, 2, 2, 3])
            XCTAssertEqual(pooled(nine, 3, ceilMode: true), [2, 4, 1, 1])

            let mask = image.to(.bool)
            let columns = mask.unfold(kernelSize: 2)
            XCTAssertEqual(columns.dtype, .bool)
            XCTAssertEqual(columns.shape, [2, 12, 16])
            XCTAssertEqual(Array(columns.scalars(as: Bool.self).prefix(6)), [false, true, true, true, true, true])
            let folded = Tensor(shape: [1, 4, 4], scalars: [true, false, false, false] + [Bool](repeating: false, count: 12))
                .fold(outputSize: 3, kernelSize: 2)
            XCTAssertEqual(folded.dtype, .bool)
            XCTAssertEqual(folded.scalars(as: Bool.self), [true, false, false, false, false, false, false, false, false])
            XCTAssertEqual(Tensor.ones([1, 12, 4], dtype: .bool).fold(outputSize: 3, kernelSize: 2).scalars(as: Bool.self),
                           [Bool](repeating: true, count: 27), "overlaps or together")
        }
        assertFails("conv2d: not implemented for bool tensors (it takes float32, float64, int64, int32, uint8, float16, bfloat16)") {
            _ = Tensor.ones([1, 1, 3, 3], dtype: .bool).conv2d(Tensor.ones([1, 1, 2, 2], dtype: .bool))
        }
        assertFails("conv2d: the input is int64 but the weight is int32") {
            _ = Tensor.ones([1, 1, 3, 3], dtype: .int64).conv2d(Tensor.ones([1, 1, 2, 2], dtype: .int32))
        }
        assertFails("avgPool2d: not implemented for int32 tensors (it takes float32, float64, int64, float16, bfloat16)") {
            _ = Tensor.ones([1, 1, 2, 2], dtype: .int32).avgPool2d(kernelSize: 2)
        }
        assertFails("unfold: not implemented for int64 tensors (it takes float32, float64, float16, bfloat16, bool)") {
            _ = Tensor.ones([1, 1, 2, 2], dtype: .int64).unfold(kernelSize: 2)
        }
        assertFails("adaptiveAvgPool2d: not implemented for int64 tensors") {
            _ = Tensor.ones([1, 1, 2, 2], dtype: .int64).adaptiveAvgPool2d(outputSize: 1)
        }
    }
}
