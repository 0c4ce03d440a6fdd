import Foundation
import XCTest
import NablaTestSupport
@testable import Nabla

/// Tensor as a Swift citizen: literals, iteration, Codable, whole-tensor comparison.
final class SwiftConformanceTests: XCTestCase {
    func testLiteralsTakeTorchsDTypes() {
        let ints: Tensor = [1, 2, 3]
        XCTAssertEqual(ints.dtype, .int64)
        XCTAssertEqual(ints.scalars(as: Int64.self), [1, 2, 3])
        let matrix: Tensor = [[1.5, 2], [3, 4]]
        XCTAssertEqual(matrix.dtype, .float32)
        XCTAssertEqual(matrix.shape, [2, 2])
        XCTAssertEqual(matrix.scalars, [1.5, 2, 3, 4])
        let cube: Tensor = [[[1, 2]], [[3, 4]], [[5, 6]]]
        XCTAssertEqual(cube.shape, [3, 1, 2])
        let flags: Tensor = [true, false]
        XCTAssertEqual(flags.dtype, .bool)
        let empty: Tensor = []
        XCTAssertEqual(empty.shape, [0])
        assertFails("Tensor(arrayLiteral:): element 1 has shape [1] but element 0 has shape [2]; nested literals must be rectangular") {
            let _: Tensor = [[1, 2], [3]]
        }
    }

    func testIterationIsOverTheFirstAxis() {
        let x = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        var rows: [[Float]] = []
        for row in x { rows.append(row.scalars) }
        XCTAssertEqual(rows, [[1, 2], [3, 4], [5, 6]])
        XCTAssertEqual(Array(x).count, 3)
        XCTAssertEqual(x.map { $0.sum().item }, [3, 7, 11])
        assertFails("iteration over a 0-d tensor") { for _ in Tensor(1) {} }
    }

    func testCodableRoundTripsEveryDType() throws {
        let tensors: [Tensor] = [
            Tensor(shape: [2, 2], scalars: [1.5, -2, 0, 3]), Tensor([0.1, 1e300] as [Double]), Tensor([Int64.min, 7]),
            Tensor([Int32(-3)]), Tensor([0, 255] as [UInt8]), Tensor([true, false]), Tensor(2.5),
            Tensor([0.1, 65504, -0.0] as [Float16]), Tensor([0.1, 3e38, 1e-40] as [Float]).to(.bfloat16),
        ]
        for tensor in tensors {
            let decoded = try JSONDecoder().decode(Tensor.self, from: JSONEncoder().encode(tensor))
            XCTAssertEqual(decoded.dtype, tensor.dtype)
            XCTAssertEqual(decoded.shape, tensor.shape)
            XCTAssertTrue(decoded.equal(tensor), "\(tensor)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(Tensor([1, 2] as [Int32])), as: UTF8.self),
                       #"{"data":[1,2],"dtype":"int32","shape":[2]}"#)
        for bad in [#"{"shape":[3],"dtype":"float32","data":[1,2]}"#, #"{"shape":[1],"dtype":"float8","data":[1]}"#,
                    #"{"shape":[-1],"dtype":"float32","data":[]}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(Tensor.self, from: Data(bad.utf8)), bad)
        }
    }

    func testEqualAndAllClose() {
        let a = Tensor([1, 2, 3]), b = Tensor([1, 2, 3.00001])
        XCTAssertTrue(a.equal(Tensor([1, 2, 3])))
        XCTAssertFalse(a.equal(b))
        XCTAssertFalse(a.equal(Tensor([[1, 2, 3]])), "shapes differ")
        XCTAssertTrue(a.equal(Tensor([1, 2, 3] as [Int64])), "values compared across dtypes")
        XCTAssertTrue(a.allClose(b))
        XCTAssertFalse(a.allClose(Tensor([1, 2, 3.1])))
        XCTAssertFalse(Tensor([Float.nan]).allClose(Tensor([Float.nan])))
        XCTAssertTrue(Tensor([Float.nan, .infinity]).allClose(Tensor([Float.nan, .infinity]), equalNaN: true))
        XCTAssertTrue(Tensor([[1, 1], [1, 1]]).allClose(Tensor([1, 1])), "broadcasts")
    }
}
