import Foundation
import XCTest
import Nabla
import NablaData
import NablaTestSupport
@testable import NablaNN

/// NablaNN's optimizers against torch.optim over 100 steps on the same recorded
/// gradients (Fixtures/make_optimizer_reference.py), on both backends.
final class OptimizerTests: XCTestCase {
    private struct Reference: Decodable {
        struct Case: Decodable {
            let optimizer: String
            let options: [String: Double]
            let betas: [Double]
            let scheduled: Bool
            let trajectory: [[Float]]
        }
        let shapes: [[Int]]
        let initial: [Float]
        let gradients: [[Float]]
        let learningRates: [Float]
        let momenta: [Float]
        let cases: [Case]
    }

    /// The tensors of `flat`, cut to `shapes`.
    private func split(_ flat: [Float], _ shapes: [[Int]]) -> [Tensor] {
        var start = 0
        return shapes.map { shape in
            let count = shape.reduce(1, *)
            defer { start += count }
            return Tensor(shape: shape, scalars: Array(flat[start..<start + count]))
        }
    }

    private func makeOptimizer(_ testCase: Reference.Case, _ parameters: [Parameter]) -> any MomentumOptimizer {
        let option = { (key: String, fallback: Double) in Float(testCase.options[key] ?? fallback) }
        switch testCase.optimizer {
        case "sgd":
            return SGD(parameters, learningRate: option("lr", 0), momentum: option("momentum", 0), dampening: option("dampening", 0),
                       nesterov: testCase.options["nesterov"] == 1, weightDecay: option("weight_decay", 0))
        case "adam":
            return Adam(parameters, learningRate: option("lr", 0), beta1: testCase.betas[0], beta2: testCase.betas[1],
                        epsilon: option("eps", 1e-8), weightDecay: option("weight_decay", 0), amsgrad: testCase.options["amsgrad"] == 1)
        default:
            return Adam.adamW(parameters, learningRate: option("lr", 0), beta1: testCase.betas[0], beta2: testCase.betas[1],
                              epsilon: option("eps", 1e-8), weightDecay: option("weight_decay", 0.01), amsgrad: testCase.options["amsgrad"] == 1)
        }
    }

    func testEveryStepMatchesTorchOptim() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/optimizer_reference.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        XCTAssertEqual(reference.cases.count, 9)
        forEachBackend { kind in
            for testCase in reference.cases {
                let label = "\(testCase.optimizer) \(testCase.options)\(testCase.scheduled ? " scheduled" : "") on \(kind)"
                let parameters = split(reference.initial, reference.shapes).map(Parameter.init)
                let optimizer = makeOptimizer(testCase, parameters)
                var worst: Float = 0
                for (step, expected) in testCase.trajectory.enumerated() {
                    if testCase.scheduled {
                        optimizer.learningRate = reference.learningRates[step]
                        optimizer.momentum = reference.momenta[step]
                    }
                    for (parameter, gradient) in zip(parameters, split(reference.gradients[step], reference.shapes)) {
                        parameter.value.grad = gradient
                    }
                    optimizer.step()
                    optimizer.zeroGrad()
                    let actual = parameters.flatMap(\.value.scalars)
                    for (a, e) in zip(actual, expected) { worst = max(worst, abs(a - e) / max(1, abs(e))) }
                }
                // Measured: Adam and AdamW within 1–4 ulps, SGD with momentum within ~12 (fused multiply-adds differ).
                XCTAssertLessThan(worst, 4e-6, "\(label): largest relative difference from torch over 100 steps \(worst)")
                XCTAssertTrue(parameters.allSatisfy { $0.value.requiresGrad }, "parameters stay leaves: \(label)")
            }
        }
    }

    /// A model that mixes a float64 and a float32 parameter: each keeps its dtype, its state
    /// has it, and the float64 one follows torch.optim at float64 precision (torch given the
    /// same hyperparameter values, the Floats the optimizers hold), on both backends.
    func testAFloat64ParameterStepsAtFloat64Precision() throws {
        _ = try requireTorchPython()
        let folder = try temporaryFolder(self)
        let steps = 20
        let weight = Tensor((0..<12).map { sin(Double($0) * 1.3) } as [Double]).reshape([3, 4])
        let bias = Tensor((0..<4).map { Float(cos(Double($0))) })
        // Gradients of both dtypes, different at every step.
        func gradient(_ step: Int, _ count: Int, scale: Double) -> [Double] { (0..<count).map { sin(0.7 * Double(step) + 0.3 * Double($0)) * scale } }
        var files: [(String, Tensor)] = [("weight", weight), ("bias", bias)]
        for step in 0..<steps {
            files.append(("weight\(step)", Tensor(gradient(step, 12, scale: 2)).reshape([3, 4])))
            files.append(("bias\(step)", Tensor(gradient(step, 4, scale: 0.5)).to(.float32)))
        }
        try SafeTensors.write(files, to: folder + "/inputs.safetensors")
        let inputs = Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: folder + "/inputs.safetensors").map { ($0.name, $0.tensor) })

        let (lr, eps, decay, momentum): (Float, Float, Float, Float) = (0.01, 1e-8, 0.25, 0.9)
        let optimizers: [(name: String, torch: String, make: ([Parameter]) -> any Optimizer)] = [
            ("adam", "torch.optim.Adam(p, lr=\(Double(lr)), eps=\(Double(eps)), weight_decay=\(Double(decay)), amsgrad=True)",
             { Adam($0, learningRate: lr, epsilon: eps, weightDecay: decay, amsgrad: true) }),
            ("adamw", "torch.optim.AdamW(p, lr=\(Double(lr)), eps=\(Double(eps)), weight_decay=\(Double(decay)))",
             { Adam.adamW($0, learningRate: lr, epsilon: eps, weightDecay: decay) }),
            ("sgd", "torch.optim.SGD(p, lr=\(Double(lr)), momentum=\(Double(momentum)), nesterov=True, weight_decay=\(Double(decay)))",
             { SGD($0, learningRate: lr, momentum: momentum, nesterov: true, weightDecay: decay) }),
        ]
        try runTorchPython("""
            import sys, torch
            from safetensors.torch import load_file, save_file
            inputs = load_file(sys.argv[1])
            results = {}
            for name, make in [\(optimizers.map { "(\"\($0.name)\", lambda p: \($0.torch))" }.joined(separator: ", "))]:
                p = [inputs["weight"].clone().requires_grad_(), inputs["bias"].clone().requires_grad_()]
                optimizer = make(p)
                for step in range(\(steps)):
                    p[0].grad, p[1].grad = inputs[f"weight{step}"], inputs[f"bias{step}"]
                    optimizer.step()
                results[name + ".weight"], results[name + ".bias"] = p[0].detach(), p[1].detach()
            save_file(results, sys.argv[2])
            """, arguments: [folder + "/inputs.safetensors", folder + "/torch.safetensors"])
        let expected = Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: folder + "/torch.safetensors").map { ($0.name, $0.tensor) })

        forEachBackend { kind in
            for (name, _, make) in optimizers {
                let parameters = [Parameter(inputs["weight"]!), Parameter(inputs["bias"]!)]
                let optimizer = make(parameters)
                for step in 0..<steps {
                    parameters[0].value.grad = inputs["weight\(step)"]!
                    parameters[1].value.grad = inputs["bias\(step)"]!
                    optimizer.step()
                }
                XCTAssertEqual(parameters.map(\.value.dtype), [.float64, .float32], "\(name) on \(kind)")
                func largestRelativeError(_ actual: Tensor, _ reference: Tensor) -> Double {
                    zip(actual.scalars(as: Double.self), reference.scalars(as: Double.self)).map { abs($0 - $1) / max(1, abs($1)) }.max()!
                }
                let weightError = largestRelativeError(parameters[0].value, expected[name + ".weight"]!)
                let biasError = largestRelativeError(parameters[1].value, expected[name + ".bias"]!)
                // A float32 moment or hyperparameter anywhere in the float64 step would leave errors near 1e-8.
                XCTAssertLessThan(weightError, 1e-14, "\(name) on \(kind): the float64 weight after \(steps) steps")
                XCTAssertLessThan(biasError, 4e-6, "\(name) on \(kind): the float32 bias after \(steps) steps")
            }
        }
    }
}
