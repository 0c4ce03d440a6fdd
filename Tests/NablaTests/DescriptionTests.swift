import Foundation
import XCTest
import NablaTestSupport
@testable import Nabla

/// `description` against torch's `repr`, for a table of shapes, dtypes and values: the
/// values are laid out by torch itself (`_tensor_str`, checked to be what `repr` prints),
/// and Nabla's suffixes (shape, dtype, requiresGrad) wrapped by torch's own `_add_suffixes`.
final class DescriptionTests: XCTestCase {
    /// A tensor of the table, the suffixes Nabla adds to it, and a label.
    private struct Printed {
        let label: String
        let tensor: Tensor
        let suffixes: [String]
    }

    private func table() -> [Printed] {
        var generator = RandomGenerator(seed: 21)
        func normal(_ shape: [Int], scale: Float = 1) -> Tensor { Tensor.randn(shape, generator: &generator) * scale }
        func counting(_ count: Int) -> [Float] { (0..<count).map(Float.init) }
        func printed(_ label: String, _ tensor: Tensor) -> Printed {
            var suffixes = ["shape: \(tensor.shape)"]
            let quiet: [DType] = tensor.scalarCount == 0 ? [.float32] : [.float32, .int64, .bool]
            if !quiet.contains(tensor.dtype) { suffixes.append("dtype: \(tensor.dtype)") }
            if tensor.requiresGrad { suffixes.append("requiresGrad: true") }
            return Printed(label: label, tensor: tensor, suffixes: suffixes)
        }
        return [
            printed("float32 [5] decimals", Tensor([0.5, -1.25, 3, 1e-3, 2])),
            printed("float32 [3,4] whole", Tensor(shape: [3, 4], scalars: counting(12).map { $0 * 3 - 7 })),
            printed("float32 [30] normal wraps", normal([30])),
            printed("float32 [2,40] normal, rows wrap", normal([2, 40])),
            printed("float64 [4,5] normal × 1e5 scientific", normal([4, 5], scale: 1e5).to(.float64)),
            printed("float32 [1000] whole, not summarised", Tensor(counting(1000))),
            printed("float32 [1001] whole, summarised", Tensor(counting(1001))),
            printed("float32 [50,50] normal summarised", normal([50, 50])),
            printed("float32 [20,20,20] summarised", normal([20, 20, 20])),
            printed("float32 [4,300] summarised rows", normal([4, 300], scale: 100)),
            printed("float32 [2,3,4,5] rank 4", normal([2, 3, 4, 5])),
            printed("float32 [8] nan inf zeros", Tensor([.nan, .infinity, -.infinity, 0, 1.5, -2, -0.0, 7])),
            printed("float32 [3] nan only", Tensor([.nan, .nan, .nan])),
            printed("float32 [4] zeros and inf", Tensor([0, 0, .infinity, -0.0])),
            printed("float32 [4] whole, ratio > 1000", Tensor([1, 2000, 3, 4])),
            printed("float32 [3] tiny", Tensor([1e-5, 1, 2])),
            printed("float64 [3] large", Tensor([1e9, 1, 2.5] as [Double])),
            printed("float64 [12] wide, the suffixes wrap", Tensor((0..<12).map { Double($0) * 1234.5678 - 5000.25 })),
            printed("float64 [9] the suffixes wrap", Tensor((0..<9).map { Double($0) * 1234.5678 - 5000.25 })),
            printed("float32 [3,4] transposed view", normal([4, 3]).transposed),
            printed("float32 [6,5] expanded view", normal([1, 5]).expand(to: [6, 5])),
            printed("int64 [3,4]", Tensor(shape: [3, 4], scalars: (0..<12).map { Int64($0 * $0 - 30) })),
            printed("int64 [100] wraps", Tensor((0..<100).map { Int64($0 * 7919 % 1000 - 500) })),
            printed("int64 [2000] summarised", Tensor((0..<2000).map { Int64($0) * 1_000_003 })),
            printed("int64 extremes", Tensor([Int64.min, 0, Int64.max])),
            printed("int32 [10]", Tensor((0..<10).map { Int32($0 * 37 - 100) })),
            printed("uint8 [30,10]", Tensor(shape: [30, 10], scalars: (0..<300).map { UInt8($0 % 256) })),
            printed("bool [4,5]", Tensor(shape: [4, 5], scalars: (0..<20).map { $0 % 3 == 0 })),
            printed("bool [1200] summarised", Tensor((0..<1200).map { $0 % 2 == 1 })),
            printed("float32 scalar", Tensor(Float(3.5))),
            printed("float32 whole scalar", Tensor(Float(3))),
            printed("int64 scalar", Tensor(Int64(-7))),
            printed("bool scalar", Tensor(true)),
            printed("float64 scalar", Tensor(Double(0.1))),
            printed("float16 [2,6] normal", normal([2, 6]).to(.float16)),
            printed("float16 [5] extremes and nan", Tensor([65504, -6e-8, .nan, .infinity, 0.1]).to(.float16)),
            printed("float16 [40] whole, wraps", Tensor(counting(40).map { $0 * 100 - 2000 }).to(.float16)),
            printed("float16 [30,40] summarised", normal([30, 40], scale: 1e3).to(.float16)),
            printed("bfloat16 [3,4] normal × 1e5 scientific", normal([3, 4], scale: 1e5).to(.bfloat16)),
            printed("bfloat16 [4] huge and tiny", Tensor([3e38, 1e-38, -1, 0.5]).to(.bfloat16)),
            printed("bfloat16 scalar", Tensor(Float(1.5)).to(.bfloat16)),
            printed("float16 [0]", Tensor(shape: [0], scalars: [Float16]())),
            printed("bfloat16 [3] requires grad", Tensor(shape: [3], scalars: [1, 2.5, -3] as [BFloat16], requiresGrad: true)),
            printed("float32 [0]", Tensor(shape: [0], scalars: [Float]())),
            printed("float32 [0,3]", Tensor(shape: [0, 3], scalars: [Float]())),
            printed("int64 [0]", Tensor(shape: [0], scalars: [Int64]())),
            printed("float32 [3] requires grad", Tensor([1, 2.5, -3], requiresGrad: true)),
            printed("float64 [10] normal requires grad", Tensor(shape: [10], scalars: normal([10]).scalars(as: Double.self), requiresGrad: true)),
        ]
    }

    /// A JSON number Python's `json` reads back exactly (NaN and the infinities as its extensions).
    private func json(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return "\(value)"
    }

    func testDescriptionIsTorchsRepr() throws {
        let cases = table()
        let records = cases.map { printed in
            let values = printed.tensor.dtype.isFloatingPoint
                ? printed.tensor.scalars(as: Double.self).map(json)
                : printed.tensor.scalars(as: Int64.self).map(String.init)
            let suffixes = printed.suffixes.map { "\"\($0)\"" }.joined(separator: ",")
            return "{\"dtype\":\"\(printed.tensor.dtype)\",\"shape\":\(printed.tensor.shape),\"data\":[\(values.joined(separator: ","))],"
                + "\"requires_grad\":\(printed.tensor.requiresGrad),\"suffixes\":[\(suffixes)]}"
        }
        let path = NSTemporaryDirectory() + "nabla-description-\(UUID().uuidString).json"
        try ("[" + records.joined(separator: ",\n") + "]").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
        import json, sys, torch
        from torch._tensor_str import _tensor_str, _add_suffixes
        out = []
        for case in json.load(open(sys.argv[1])):
            t = torch.tensor(case["data"], dtype=getattr(torch, case["dtype"])).reshape(case["shape"])
            t.requires_grad_(case["requires_grad"])
            values = "tensor(" + _tensor_str(t.detach(), len("tensor("))
            # The layout used is exactly what repr prints before its suffixes.
            assert repr(t).startswith(values), (repr(t), values)
            out.append(_add_suffixes(values, case["suffixes"], len("tensor("), False))
        print(json.dumps(out))
        """
        let expected = try JSONDecoder().decode([String].self, from: Data(try runTorchPython(script, arguments: [path]).utf8))
        XCTAssertEqual(expected.count, cases.count)
        for (printed, torchText) in zip(cases, expected) {
            XCTAssertEqual(printed.tensor.description, torchText, "\(printed.label):\nNabla:\n\(printed.tensor.description)\ntorch:\n\(torchText)")
        }
    }

    /// The same rules by hand, where no torch is needed to see them.
    func testDescriptionByHand() {
        XCTAssertEqual(Tensor([true, false]).description, "tensor([ True, False], shape: [2])")
        XCTAssertEqual(Tensor([1, 2000]).description, "tensor([1.0000e+00, 2.0000e+03], shape: [2])", "whole numbers spanning more than 1000×")
        XCTAssertEqual(Tensor([1e-5, 1]).description, "tensor([1.0000e-05, 1.0000e+00], shape: [2])")
        XCTAssertEqual(Tensor(shape: [0, 3], scalars: [Int64]()).description, "tensor([], shape: [0, 3], dtype: int64)")
        // Elements of width 5 ("1000."): (80 − 7) / (5 + 2) = 10 to a line, the next line under the first.
        XCTAssertEqual(Tensor((0..<12).map { Float($0) * 100 }).description, """
            tensor([   0.,  100.,  200.,  300.,  400.,  500.,  600.,  700.,  800.,  900.,
                    1000., 1100.], shape: [12])
            """)
        XCTAssertEqual(Tensor((0..<1001).map { Int64($0) }).description, "tensor([   0,    1,    2,  ...,  998,  999, 1000], shape: [1001])")
    }
}
