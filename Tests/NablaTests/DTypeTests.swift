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
        XCTAssertEqual(Tensor.full([2], 9_007_199_254_740_993, dtype: .int64).scalars(as: Int64.self), [9_007_199_254_740_992, 9_007_199_254_740_992])
        XCTAssertEqual(DType.allCases.map(\.description), ["float32", "float64", "int64", "int32", "uint8", "bool"])
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
        XCTAssertEqual(Tensor([true, false]).description, "tensor([ true, false], shape: [2])")
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
}
