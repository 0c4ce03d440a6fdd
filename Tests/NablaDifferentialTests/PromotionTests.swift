import Foundation
import XCTest
import Nabla

/// The promotion table against `torch.result_type`: every pair of dtypes, as
/// tensors with axes and as rank-0 tensors, and each dtype with a weak Swift scalar,
/// through the ops themselves (`+`, and `/` for true division).
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
                // The ops promote as the table says (bool + bool is not arithmetic here).
                if !(a.dtype == .bool && b.dtype == .bool) {
                    expressions.append("(\(a.torch) + \(b.torch)).dtype")
                    ours.append("\((a.tensor + b.tensor).dtype)")
                }
                expressions.append("(\(a.torch) / \(b.torch)).dtype")
                ours.append("\((a.tensor / b.tensor).dtype)")
            }
            // Weak scalars: a Swift Float is a Python float.
            expressions.append("torch.result_type(\(a.torch), 0.5)")
            ours.append("\((a.tensor * 0.5).dtype)")
            expressions.append("(\(a.torch) > 0.5).dtype")
            ours.append("\((a.tensor .> 0.5).dtype)")
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
