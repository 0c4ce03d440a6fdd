import XCTest
import Nabla
import NablaTestSupport

/// Swift numbers beside tensors: weak in promotion and exact in value, as PyTorch's
/// Python scalars (`torch.result_type` with a Python int or float); each expected
/// value computed by hand.
final class ScalarOperandTests: XCTestCase {
    func testFloatingScalarsKeepTheirPrecisionUntilTheResultDType() {
        let double = Tensor([0.1] as [Double]) * 0.1
        XCTAssertEqual(double.dtype, .float64)
        XCTAssertEqual(double.scalars(as: Double.self), [0.010000000000000002])
        XCTAssertEqual((1 / Tensor([3] as [Double])).scalars(as: Double.self), [0.3333333333333333])
        XCTAssertEqual((Tensor([1] as [Double]) - 0.1).scalars(as: Double.self), [0.9])
        XCTAssertEqual((Tensor([1] as [Double]) / 10).scalars(as: Double.self), [0.1])
        // float32 multiplies by Float(0.1), as it did when the scalar was a Float.
        let single = Tensor([3, 0.1] as [Float]) * 0.1
        XCTAssertEqual(single.dtype, .float32)
        XCTAssertEqual(single.scalars, [Float(3) * Float(0.1), Float(0.1) * Float(0.1)])
        // A Float variable is the float32 value it holds, exactly.
        let learningRate: Float = 0.1
        XCTAssertEqual((Tensor([1] as [Double]) * learningRate).scalars(as: Double.self), [0.10000000149011612])
        XCTAssertEqual((Tensor([2] as [Float]) * learningRate).scalars, [0.2])
    }

    func testIntegerScalarsKeepIntegerDTypesAndWrapAsTorch() {
        let i64 = Tensor([1, 2] as [Int64])
        XCTAssertEqual((i64 + 1).dtype, .int64)
        XCTAssertEqual((i64 + 1).scalars(as: Int64.self), [2, 3])
        XCTAssertEqual((10 - i64).scalars(as: Int64.self), [9, 8])
        XCTAssertEqual((i64 * 3).scalars(as: Int64.self), [3, 6])
        XCTAssertEqual((Tensor([Int64(1) << 53]) + 1).scalars(as: Int64.self), [9_007_199_254_740_993])
        XCTAssertEqual((i64 * (1 << 62)).scalars(as: Int64.self), [4_611_686_018_427_387_904, .min])
        let u8 = Tensor([1, 200] as [UInt8])
        XCTAssertEqual((u8 + 255).dtype, .uint8)
        XCTAssertEqual((u8 + 255).scalars(as: UInt8.self), [0, 199])
        XCTAssertEqual((u8 + 256).scalars(as: UInt8.self), [1, 200])
        XCTAssertEqual((u8 - 1).scalars(as: UInt8.self), [0, 199])
        XCTAssertEqual((u8 * 2).scalars(as: UInt8.self), [2, 144])
        let i32 = Tensor([1, 2] as [Int32])
        XCTAssertEqual((i32 + (1 << 40)).scalars(as: Int32.self), [1, 2])
        XCTAssertEqual((i32 + (1 << 31)).scalars(as: Int32.self), [-2_147_483_647, -2_147_483_646])
        // Variables of each integer type are integers too.
        let n = 2, n64: Int64 = 2, n32: Int32 = 2, byte: UInt8 = 2
        XCTAssertEqual((i64 * n).scalars(as: Int64.self), [2, 4])
        XCTAssertEqual([(i32 * n64).dtype, (i32 * n32).dtype, (u8 * byte).dtype], [.int32, .int32, .uint8])
        // On a floating tensor an integer converts to its dtype.
        XCTAssertEqual((Tensor([0.5] as [Double]) + (1 << 53)).scalars(as: Double.self), [9_007_199_254_740_992])
        XCTAssertEqual((Tensor([0.5] as [Float]) + 1).scalars, [1.5])
    }

    func testIntegerAndBoolTensorsWithAFloatingScalarComputeInFloat32() {
        let i64 = Tensor([1, 2] as [Int64]), b = Tensor([true, false])
        XCTAssertEqual((i64 + 0.5).dtype, .float32)
        XCTAssertEqual((i64 + 0.5).scalars, [1.5, 2.5])
        XCTAssertEqual((i64 / 2).dtype, .float32)
        XCTAssertEqual((i64 / 2).scalars, [0.5, 1])
        XCTAssertEqual((3 / i64).scalars, [3, 1.5])
        XCTAssertEqual((Tensor([1, 200] as [UInt8]) / 2).scalars, [0.5, 100])
        XCTAssertEqual((b + 1).dtype, .int64)
        XCTAssertEqual((b + 1).scalars(as: Int64.self), [2, 1])
        XCTAssertEqual((b * 1.5).dtype, .float32)
        XCTAssertEqual((b * 1.5).scalars, [1.5, 0])
        XCTAssertEqual((b / 2).scalars, [0.5, 0])
    }

    func testBoolTensorsAddAsOrMultiplyAsAndAndDoNotSubtract() {
        let b = Tensor([true, false, false]), c = Tensor([true, true, false])
        XCTAssertEqual((b + c).dtype, .bool)
        XCTAssertEqual((b + c).scalars(as: Bool.self), [true, true, false])
        XCTAssertEqual((b * c).dtype, .bool)
        XCTAssertEqual((b * c).scalars(as: Bool.self), [true, false, false])
        XCTAssertEqual((b / c).dtype, .float32)
        let quotient = (b / c).scalars
        XCTAssertEqual(Array(quotient.prefix(2)), [1, 0])
        XCTAssert(quotient[2].isNaN)
        assertFails("sub: subtraction, the `-` operator, with two bool tensors is not supported; use the `^` operator or logicalXor(_:) instead") {
            _ = b - c
        }
    }

    /// torch refuses `-` with any bool tensor operand, a Python number or another dtype on the other
    /// side (`1 - mask` would be an int64 tensor where the user meant `~mask`), and negating one.
    func testABoolTensorIsNeitherSubtractedNorSubtractedFromNorNegated() {
        let mask = Tensor([true, false])
        let message = "sub: subtraction, the `-` operator, with a bool tensor is not supported; to invert a mask, use the `~` operator or logicalNot() instead"
        assertFails(message) { _ = mask - 1 }
        assertFails(message) { _ = 1 - mask }
        assertFails(message) { _ = mask - 1.5 }
        assertFails(message) { _ = 1.5 - mask }
        assertFails(message) { _ = mask - Tensor(1 as Int64) }
        assertFails(message) { _ = Tensor([1, 2] as [Int64]) - mask }
        assertFails(message) { var counts = Tensor([1, 2] as [Int64]); counts -= mask }
        assertFails("neg: negation, the `-` operator, on a bool tensor is not supported; to invert a mask, use the `~` operator or logicalNot() instead") {
            _ = -mask
        }
        // What torch suggests instead, and the counts of a mask, which subtract.
        XCTAssertEqual((~mask).scalars(as: Bool.self), [false, true])
        XCTAssertEqual((1 - mask.to(.int64)).scalars(as: Int64.self), [0, 1])
        XCTAssertEqual((mask.sum() - 1).item(as: Int64.self), 0)
    }

    func testCompoundAssignmentKeepsTheDTypeOrRefusesAsTorch() {
        var i64 = Tensor([1, 2] as [Int64])
        i64 += 1
        i64 *= 3
        XCTAssertEqual(i64.dtype, .int64)
        XCTAssertEqual(i64.scalars(as: Int64.self), [6, 9])
        var u8 = Tensor([0] as [UInt8])
        u8 -= 1
        XCTAssertEqual(u8.scalars(as: UInt8.self), [255])
        var f64 = Tensor([0.1] as [Double])
        f64 *= 0.1
        XCTAssertEqual(f64.scalars(as: Double.self), [0.010000000000000002])
        assertFails("/=: result type float32 can't be cast to the desired output type int64") { i64 /= 2 }
    }

    func testComparisonsWithScalarsAreExact() {
        XCTAssertEqual((Tensor([0.1] as [Double]) .== 0.1).scalars(as: Bool.self), [true])
        XCTAssertEqual((Tensor([0.1] as [Float]) .== 0.1).scalars(as: Bool.self), [true])
        XCTAssertEqual((Tensor([Int64(1) << 53 + 1]) .== (1 << 53) + 1).scalars(as: Bool.self), [true])
        XCTAssertEqual((Tensor([1, 2] as [Int64]) .> 1.5).scalars(as: Bool.self), [false, true])
        XCTAssertEqual((1.5 .< Tensor([1, 2] as [Int64])).scalars(as: Bool.self), [false, true])
        // The scalar converts to the tensor's dtype, wrapping as torch's does: 300 is 44 in uint8.
        XCTAssertEqual((Tensor([1, 200] as [UInt8]) .< 300).scalars(as: Bool.self), [true, false])
        XCTAssertEqual((Tensor([true, false]) .== 1).scalars(as: Bool.self), [true, false])
    }

    func testOtherScalarParametersKeepDoublePrecision() {
        XCTAssertEqual(Tensor([0] as [Double]).clamp(min: 0.1).scalars(as: Double.self), [0.1])
        XCTAssertEqual(Tensor([0] as [Float]).clamp(min: 0.1).scalars, [0.1])
        XCTAssertEqual(Tensor([0, 1] as [Double]).maskedFill(Tensor([true, false]), 0.1).scalars(as: Double.self), [0.1, 1])
        XCTAssertEqual(Tensor([0] as [Int64]).maskedFill(Tensor([true]), (1 << 53) + 1).scalars(as: Int64.self), [9_007_199_254_740_993])
        XCTAssertEqual(Tensor([Double.nan]).nanToNum(nan: 0.1).scalars(as: Double.self), [0.1])
        XCTAssertEqual(Tensor.full([1], 0.1, dtype: .float64).scalars(as: Double.self), [0.1])
    }

    func testGradientsOfScalarOpsUseTheExactScalar() {
        let x = Tensor([2] as [Double], requiresGrad: true)
        (x * 0.1 + 0.3 / x - 1).sum().backward()
        XCTAssertEqual(x.grad!.dtype, .float64)
        XCTAssertEqual(x.grad!.scalars(as: Double.self), [0.1 - 0.3 / 2 / 2])
        let y = Tensor([2] as [Double], requiresGrad: true)
        (y / 10).sum().backward()
        XCTAssertEqual(y.grad!.scalars(as: Double.self), [0.1])
    }
}
