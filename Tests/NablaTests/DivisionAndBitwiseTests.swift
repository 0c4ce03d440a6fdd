import XCTest
import Nabla
import NablaTestSupport

/// Hand values, torch's, for floor division, the two remainders, the logical and bitwise ops
/// and take: each result's dtype and values, the sign rules, the edges of each dtype and the
/// messages of what torch refuses.
final class DivisionAndBitwiseTests: XCTestCase {
    func testFloorDivisionAndRemaindersFollowTorchsSignRules() {
        forEachBackend { kind in
            let a = Tensor([7, -7, 7, -7, 0] as [Int64]), b = Tensor([2, 2, -2, -2, 3] as [Int64])
            XCTAssertEqual(a.floorDivide(b).dtype, .int64)
            XCTAssertEqual(a.floorDivide(b).scalars(as: Int64.self), [3, -4, -4, 3, 0], "\(kind)")
            XCTAssertEqual(a.remainder(b).scalars(as: Int64.self), [1, 1, -1, -1, 0], "\(kind)")
            XCTAssertEqual(a.fmod(b).scalars(as: Int64.self), [1, -1, 1, -1, 0], "\(kind)")
            // Int64.min / −1 wraps to itself, with remainder 0, as torch's.
            XCTAssertEqual(Tensor([Int64.min]).floorDivide(-1).scalars(as: Int64.self), [Int64.min])
            XCTAssertEqual(Tensor([Int64.min]).remainder(-1).scalars(as: Int64.self), [0])
            XCTAssertEqual(Tensor([Int32.min]).floorDivide(-1).scalars(as: Int32.self), [Int32.min])
            // Weak scalars: uint8 // 2 stays uint8, an int64 tensor // 2.5 is float32.
            XCTAssertEqual(Tensor([5, 3] as [UInt8]).floorDivide(2).scalars(as: UInt8.self), [2, 1])
            XCTAssertEqual(Tensor([5, 3] as [UInt8]).remainder(2).dtype, .uint8)
            let byFloat = Tensor([5, 3] as [Int64]).floorDivide(2.5)
            XCTAssertEqual(byFloat.dtype, .float32)
            XCTAssertEqual(byFloat.scalars, [2, 1])
            XCTAssertEqual(Tensor([5, 3] as [Int64]).remainder(2.5).scalars, [0, 0.5])
            XCTAssertEqual(Tensor([-5, 3] as [Int64]).fmod(-2).scalars(as: Int64.self), [-1, 1])
            // Mixed tensors promote: int32 with uint8 is int32, with float64 float64.
            XCTAssertEqual(Tensor([5, -5] as [Int32]).floorDivide(Tensor([2, 2] as [UInt8])).scalars(as: Int32.self), [2, -3])
            XCTAssertEqual(Tensor([5, -5] as [Int32]).floorDivide(Tensor([2, 2] as [Double])).scalars(as: Double.self), [2, -3])
        }
    }

    func testFloatingFloorDivisionAndRemaindersAreCPythonsAndIEEEs() {
        let inf = Double.infinity
        let a = Tensor([7.5, -7.5, 7.5, -7.5, 1, inf, -5, 5, 7.5] as [Double])
        let b = Tensor([2, 2, -2, -2, 0, 2, inf, -inf, 2.5] as [Double])
        let quotient = a.floorDivide(b).scalars(as: Double.self)
        XCTAssertEqual(Array(quotient[0..<4]), [3, -4, -4, 3])
        XCTAssertEqual(quotient[4], inf)
        XCTAssertTrue(quotient[5].isNaN)
        XCTAssertEqual(Array(quotient[6...]), [-1, -1, 3], "−5 // inf is −1 and 7.5 // 2.5 exactly 3, as CPython's")
        let remainder = a.remainder(b).scalars(as: Double.self)
        XCTAssertEqual(Array(remainder[0..<4]), [1.5, 0.5, -0.5, -1.5])
        XCTAssertTrue(remainder[4].isNaN && remainder[5].isNaN)
        XCTAssertEqual(Array(remainder[6...]), [inf, -inf, 0])
        let fmod = a.fmod(b).scalars(as: Double.self)
        XCTAssertEqual(Array(fmod[0..<4]), [1.5, -1.5, 1.5, -1.5])
        XCTAssertEqual(Array(fmod[6...]), [-5, 5, 0])
        // A zero quotient keeps the sign of a / b; a zero remainder that of the dividend (fmod) or 0.
        XCTAssertEqual(Tensor([-0.5] as [Double]).floorDivide(2).item(as: Double.self).sign, .minus)
        XCTAssertEqual(Tensor([0.5] as [Double]).floorDivide(2).item(as: Double.self).sign, .plus)
        XCTAssertEqual(Tensor([-0.0] as [Double]).remainder(2).item(as: Double.self).sign, .minus)
        XCTAssertEqual(Tensor([5] as [Float]).floorDivide(0).item, .infinity)
    }

    func testIntegerDivisionByZeroAndBoolFailAsTorch() {
        assertFails("floorDivide: ZeroDivisionError: the int64 divisor of shape [2] holds 0") {
            _ = Tensor([1, 2] as [Int64]).floorDivide(Tensor([1, 0] as [Int64]))
        }
        assertFails("remainder: ZeroDivisionError: the uint8 divisor of shape [] holds 0") { _ = Tensor([1] as [UInt8]).remainder(0) }
        assertFails("fmod: ZeroDivisionError") { _ = Tensor([1] as [Int32]).fmod(0) }
        assertFails("floorDivide: not implemented for bool tensors") { _ = Tensor([true]).floorDivide(Tensor([true])) }
        assertFails("remainder: not implemented for bool tensors") { _ = Tensor([true]).remainder(Tensor([true])) }
    }

    func testRemainderAndFmodGradientsAreTorchs() {
        let a = Tensor([7.5, -7.5, 3] as [Double], requiresGrad: true), b = Tensor([2, 2, -2] as [Double], requiresGrad: true)
        a.remainder(b).sum().backward()
        XCTAssertEqual(a.grad!.scalars(as: Double.self), [1, 1, 1])
        XCTAssertEqual(b.grad!.scalars(as: Double.self), [-3, 4, 2])
        let c = Tensor([7.5, -7.5, 3] as [Double], requiresGrad: true), d = Tensor([2, 2, -2] as [Double], requiresGrad: true)
        c.fmod(d).sum().backward()
        XCTAssertEqual(c.grad!.scalars(as: Double.self), [1, 1, 1])
        XCTAssertEqual(d.grad!.scalars(as: Double.self), [-3, 3, 1])
        let e = Tensor([7.5, -7.5] as [Double], requiresGrad: true)
        e.floorDivide(2).sum().backward()
        XCTAssertEqual(e.grad!.scalars(as: Double.self), [0, 0])
    }

    func testLogicalOpsTakeAnyDTypeAndGiveBool() {
        let i = Tensor([5, -3, 0] as [Int64]), mask = Tensor([true, false, true])
        let f = Tensor([0.5, .nan, 0] as [Float]), u = Tensor([5, 3, 0] as [UInt8])
        XCTAssertEqual(i.logicalAnd(mask).scalars(as: Bool.self), [true, false, false])
        XCTAssertEqual(f.logicalAnd(u).scalars(as: Bool.self), [true, true, false], "NaN is true")
        XCTAssertEqual(i.logicalOr(mask).scalars(as: Bool.self), [true, true, true])
        XCTAssertEqual(i.logicalXor(mask).scalars(as: Bool.self), [false, true, true])
        XCTAssertEqual(f.logicalXor(u).scalars(as: Bool.self), [false, false, false])
        XCTAssertEqual(f.logicalNot().scalars(as: Bool.self), [false, false, true])
        XCTAssertEqual(u.logicalNot().dtype, .bool)
        // Broadcasting: a [2,1] with a [3].
        XCTAssertEqual(Tensor([[1], [0]] as [[Int64]]).logicalOr(Tensor([0, 0, 2] as [Int64])).shape, [2, 3])
    }

    func testBitwiseOpsOnIntegersAndBool() {
        forEachBackend { kind in
            let i = Tensor([5, -3, 0] as [Int64]), u = Tensor([5, 3, 0] as [UInt8]), mask = Tensor([true, false, true])
            XCTAssertEqual((i & mask).scalars(as: Int64.self), [1, 0, 0], "\(kind)")
            XCTAssertEqual((i & u).scalars(as: Int64.self), [5, 1, 0])
            XCTAssertEqual((i | 8).scalars(as: Int64.self), [13, -3, 8])
            XCTAssertEqual((u ^ 255).scalars(as: UInt8.self), [250, 252, 255])
            XCTAssertEqual((u ^ 300).scalars(as: UInt8.self), [41, 47, 44], "300 wraps to 44, as torch's")
            XCTAssertEqual((5 & i).scalars(as: Int64.self), [5, 5, 0])
            XCTAssertEqual((mask & mask).dtype, .bool)
            XCTAssertEqual((mask ^ Tensor([true, true, false])).scalars(as: Bool.self), [false, true, true])
            XCTAssertEqual((mask | Tensor([false, false, false])).scalars(as: Bool.self), [true, false, true])
            XCTAssertEqual((mask & 1).dtype, .int64)
            XCTAssertEqual((~i).scalars(as: Int64.self), [-6, 2, -1])
            XCTAssertEqual((~u).scalars(as: UInt8.self), [250, 252, 255])
            XCTAssertEqual((~mask).scalars(as: Bool.self), [false, true, false])
        }
        assertFails("bitwiseAnd (&): not implemented for float32 tensors (it takes int64, int32, uint8, bool)") {
            _ = Tensor([1, 2] as [Int64]) & 2.0
        }
        assertFails("bitwiseNot (~): not implemented for float64 tensors") { _ = ~Tensor([1] as [Double]) }
    }

    func testShiftsFollowTorchAtAndBeyondTheBitWidth() {
        let i = Tensor([5, -3, 0] as [Int64])
        XCTAssertEqual((i << 2).scalars(as: Int64.self), [20, -12, 0])
        XCTAssertEqual((i >> 1).scalars(as: Int64.self), [2, -2, 0])
        XCTAssertEqual((i << Tensor([64, 63, 65] as [Int64])).scalars(as: Int64.self), [0, Int64.min, 0])
        XCTAssertEqual((i >> Tensor([64, 63, 65] as [Int64])).scalars(as: Int64.self), [0, -1, 0])
        XCTAssertEqual((i << -1).scalars(as: Int64.self), [0, 0, 0], "a negative shift is 0, not Swift's shift the other way")
        XCTAssertEqual((i >> -1).scalars(as: Int64.self), [0, -1, 0])
        let u = Tensor([5, 3, 0] as [UInt8]), byte = Tensor([200, 3, 255] as [UInt8])
        XCTAssertEqual((u << 3).scalars(as: UInt8.self), [40, 24, 0])
        XCTAssertEqual((u << Tensor([8, 7, 9] as [UInt8])).scalars(as: UInt8.self), [0, 128, 0])
        XCTAssertEqual((byte >> Tensor([8, 200, 255] as [UInt8])).scalars(as: UInt8.self), [0, 0, 0])
        XCTAssertEqual((Tensor([-5, -3] as [Int32]) >> Tensor([32, 40] as [Int32])).scalars(as: Int32.self), [-1, -1])
        XCTAssertEqual((2 << i).scalars(as: Int64.self), [64, 0, 2])
        XCTAssertEqual((Tensor([true, false]) << 1).scalars(as: Int64.self), [2, 0], "bool with an Int shifts in int64")
        assertFails("bitwiseRightShift (>>): not implemented for bool tensors (it takes int64, int32, uint8)") {
            _ = Tensor([true]) >> Tensor([true])
        }
        assertFails("bitwiseLeftShift (<<): not implemented for float32 tensors") { _ = Tensor([1] as [Int64]) << 2.0 }
    }

    func testTakeReadsTheFlatTensor() {
        forEachBackend { kind in
            let x = Tensor(shape: [2, 3], scalars: (0..<6).map(Int64.init))
            XCTAssertEqual(x.take(Tensor([0, 5, -1, -6] as [Int64])).scalars(as: Int64.self), [0, 5, 5, 0], "\(kind)")
            let picked = x.transposed.take(Tensor([[0, 1], [2, 3]] as [[Int64]]))
            XCTAssertEqual(picked.shape, [2, 2])
            XCTAssertEqual(picked.scalars(as: Int64.self), [0, 3, 1, 4], "the transposed view's row-major order")
            XCTAssertEqual(Tensor(5 as Int64).take(Tensor([0, -1] as [Int64])).scalars(as: Int64.self), [5, 5])
            XCTAssertEqual(x.take(Tensor(2 as Int64)).shape, [])
            XCTAssertEqual(Tensor.zeros([0]).take(Tensor.zeros([0], dtype: .int64)).shape, [0])
        }
        let x = Tensor(shape: [2, 3], scalars: (0..<6).map(Float.init))
        assertFails("take: index 6 at position 1 is out of range for a tensor of shape [2, 3] with 6 elements (expected -6..<6)") {
            _ = x.take(Tensor([0, 6] as [Int64]))
        }
        assertFails("take: index -7 at position 0") { _ = x.take(Tensor([-7] as [Int64])) }
        assertFails("take: indices must be an int64 tensor, got int32") { _ = x.take(Tensor([1] as [Int32])) }
        assertFails("take: cannot take 1 elements from a tensor of shape [0]") { _ = Tensor.zeros([0]).take(Tensor([0] as [Int64])) }
        // The gradient adds back at each picked position, twice for an index taken twice.
        let leaf = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4] as [Double], requiresGrad: true)
        leaf.take(Tensor([3, -1, 0] as [Int64])).sum().backward()
        XCTAssertEqual(leaf.grad!.scalars(as: Double.self), [1, 0, 0, 2])
    }
}
