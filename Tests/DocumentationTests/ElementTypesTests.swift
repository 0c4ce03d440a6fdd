import XCTest
import Nabla

/// The code of the article "Element types", run.
final class ElementTypesTests: XCTestCase {
    func testTheArticlesExample() {
        let a = Tensor([[4, 1], [1, 3]] as [[Double]])   // float64
        let i = Tensor([1, 2] as [Int64])                 // int64
        let m = Tensor([true, false])                     // bool
        let x = Tensor([0.5, 1])                          // float32, the default, as before
        let y = x.to(.float64)                            // float64, and differentiable
        let exact = i.scalars(as: Int64.self)             // [1, 2]
        let mask = x .> 0.7                               // bool: [false, true]
        XCTAssertEqual([a.dtype, i.dtype, m.dtype, x.dtype, y.dtype, mask.dtype], [.float64, .int64, .bool, .float32, .float64, .bool])
        XCTAssertEqual(exact, [1, 2])
        XCTAssertEqual(mask.scalars(as: Bool.self), [false, true])
    }

    /// The table's rows for floor division, the logical and the bitwise ops.
    func testTheTablesIntegerAndBoolRows() {
        XCTAssertEqual(Tensor([7, -7] as [Int64]).floorDivide(2).scalars(as: Int64.self), [3, -4])
        XCTAssertEqual(Tensor([7, -7] as [Int64]).remainder(2).scalars(as: Int64.self), [1, 1])
        let mask = Tensor([true, false])
        XCTAssertEqual((~mask).scalars(as: Bool.self), [false, true])
        XCTAssertEqual((mask & Tensor([true, true])).scalars(as: Bool.self), [true, false])
        XCTAssertEqual((mask ^ Tensor([true, true])).scalars(as: Bool.self), [false, true])
        XCTAssertEqual(Tensor([0.5, 0] as [Double]).logicalAnd(mask).scalars(as: Bool.self), [true, false])
        XCTAssertEqual((Tensor([1, 2] as [Int32]) << 2).scalars(as: Int32.self), [4, 8])
    }
}
