import XCTest
import Nabla
import NablaData
import NablaNN

/// Asserts elementwise agreement within `tolerance` relative to max(1, |expected|).
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count differs \(message)", file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance * max(1, abs(e))) {
        XCTFail("element \(index): \(a) != \(e) \(message)", file: file, line: line)
        return
    }
}

/// Runs `body` on each backend.
func forEachBackend(_ body: (BackendKind) throws -> Void) rethrows {
    for kind in BackendKind.allCases { try withBackend(kind) { try body(kind) } }
}

/// A fresh empty folder for files a test writes, removed at the end of the test.
func temporaryFolder(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "NablaNNTests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// The lesson's data as `nabla` builds it by default, the book's MNIST_SAMPLE:
/// the 3s and 7s of MNIST's training set train (6,131 and 6,265), those of its
/// test set validate (1,010 and 1,028); 3s have target 1.
struct DigitsSplit {
    let train3, train7, valid3, valid7: Tensor  // [n, 28, 28]

    static func load() throws -> DigitsSplit {
        let train = try Datasets.mnist(split: .train), test = try Datasets.mnist(split: .test)
        return DigitsSplit(train3: train.selectingClasses([3]).images, train7: train.selectingClasses([7]).images,
                           valid3: test.selectingClasses([3]).images, valid7: test.selectingClasses([7]).images)
    }

    /// `[N, 784]` inputs, 3s first, and `[N, 1]` targets.
    static func flattened(_ threes: Tensor, _ sevens: Tensor) -> (Tensor, Tensor) {
        let inputs = Tensor.cat([threes, sevens]).reshape([-1, 784])
        let targets = Tensor(shape: [inputs.shape[0], 1],
                             scalars: Array(repeating: 1, count: threes.shape[0]) + Array(repeating: 0, count: sevens.shape[0]))
        return (inputs, targets)
    }

    var trainingSet: (Tensor, Tensor) { Self.flattened(train3, train7) }
    var validationSet: (Tensor, Tensor) { Self.flattened(valid3, valid7) }
}

