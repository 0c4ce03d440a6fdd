import Foundation
import XCTest
import Nabla

/// The promotion table against `torch.result_type`: every pair of dtypes, as
/// tensors with axes and as rank-0 tensors, and each dtype with weak Swift scalars
/// (`Int` as a Python int, `Double` and `Float` as a Python float, on either side),
/// through the ops themselves (`+`, `-`, `*`, `/` for true division, `.>`).
final class PromotionTests: XCTestCase {
    /// An operand of the table: a dtype, at rank 1 or rank 0.
    private struct Operand {
        let dtype: DType
        let rank: Int
        var tensor: Tensor { Tensor.ones(rank == 0 ? [] : [2], dtype: dtype) }
        var torch: String { "torch.ones(\(rank == 0 ? "()" : "2"), dtype=torch.\(dtype))" }
    }

    func testThePromotionTableIsTorchResultType() throws {
        if ProcessInfo.processInfo.environment["NABLA_NO_TORCH"] == "1" { throw XCTSkip("NABLA_NO_TORCH=1") }
        guard let python = torchPython() else { return }
        let operands = DType.allCases.flatMap { dtype in [1, 0].map { Operand(dtype: dtype, rank: $0) } }
        var expressions: [String] = [], ours: [String] = []
        for a in operands {
            for b in operands {
                expressions.append("torch.result_type(\(a.torch), \(b.torch))")
                ours.append("\(Tensor.resultType(a.tensor, b.tensor))")
                // The ops promote as the table says (bool + bool is logical or, as torch's).
                expressions.append("(\(a.torch) + \(b.torch)).dtype")
                ours.append("\((a.tensor + b.tensor).dtype)")
                expressions.append("(\(a.torch) / \(b.torch)).dtype")
                ours.append("\((a.tensor / b.tensor).dtype)")
            }
            // Weak scalars: a Swift Int is a Python int, a Double or a Float a Python float, on either side.
            func withScalar<S: ScalarOperand>(_ scalar: S, python: String) {
                let x = a.tensor
                expressions += ["torch.result_type(\(a.torch), \(python))", "(\(a.torch) * \(python)).dtype",
                                "(\(a.torch) / \(python)).dtype", "(\(python) / \(a.torch)).dtype",
                                "(\(python) + \(a.torch)).dtype", "(\(a.torch) > \(python)).dtype", "(\(python) > \(a.torch)).dtype"]
                ours += [x + scalar, x * scalar, x / scalar, scalar / x, scalar + x, x .> scalar, scalar .> x].map { "\($0.dtype)" }
                // torch refuses `-` with a bool tensor and a number; here it promotes (bool − 1 is int64).
                if a.dtype != .bool {
                    expressions += ["(\(a.torch) - \(python)).dtype", "(\(python) - \(a.torch)).dtype"]
                    ours += [x - scalar, scalar - x].map { "\($0.dtype)" }
                }
            }
            withScalar(2, python: "2")
            withScalar(0.5, python: "0.5")
            withScalar(Float(0.5), python: "0.5")
        }
        let script = "import torch\nfor value in [\(expressions.joined(separator: ", "))]:\n    print(str(value).replace('torch.', ''))\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let torch = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(torch.count, expressions.count, "torch printed \(torch.count) results for \(expressions.count) expressions")
        for (expression, (theirs, mine)) in zip(expressions, zip(torch, ours)) {
            XCTAssertEqual(mine, theirs, expression)
        }
    }
}
