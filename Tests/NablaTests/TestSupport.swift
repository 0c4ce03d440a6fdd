import Foundation
import XCTest
@testable import Nabla

/// Runs `body` once on each backend: every test is written once and run for both.
func forEachBackend(_ body: (BackendKind) throws -> Void) rethrows {
    for kind in BackendKind.allCases {
        try withBackend(kind) { try body(kind) }
    }
}

/// Runs `gradientCheck` on both backends and fails with its description.
func assertGradientsMatch(_ inputs: [Tensor], _ name: String, file: StaticString = #filePath, line: UInt = #line,
                          _ function: @escaping ([Tensor]) -> Tensor) {
    forEachBackend { kind in
        let result = gradientCheck(inputs, function)
        XCTAssertTrue(result.passed, "\(name) on \(kind): \(result)", file: file, line: line)
    }
}

/// Asserts elementwise agreement within `tolerance` relative to max(1, |expected|).
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ message: @autoclosure () -> String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element counts differ \(message())", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let bound = tolerance * Swift.max(1, Swift.abs(e))
        if !(Swift.abs(a - e) <= bound) && !(a.isNaN && e.isNaN) {
            XCTFail("element \(i): \(a) != \(e) (tolerance \(bound)) \(message())", file: file, line: line)
            return
        }
    }
}

func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, _ message: @autoclosure () -> String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shapes differ \(message())", file: file, line: line)
    assertClose(actual.scalars, expected.scalars, tolerance: tolerance, message(), file: file, line: line)
}

/// A random tensor with a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.randn(shape, generator: &generator)
}

/// Row-major multi-index iteration, for the naive reference computations in tests.
func forEachIndex(_ shape: [Int], _ body: ([Int]) -> Void) {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    var index = [Int](repeating: 0, count: shape.count)
    for _ in 0..<count {
        body(index)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }
}

/// The flat row-major position of `index` in `shape`.
func flatIndex(_ index: [Int], _ shape: [Int]) -> Int {
    zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
}

/// Matrix product in Double from scalars, for checking both backends.
func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var total = 0.0
            for p in 0..<k { total += Double(a[i * k + p]) * Double(b[p * n + j]) }
            c[i * n + j] = Float(total)
        }
    }
    return c
}
