import XCTest
import Nabla
import NablaData
import NablaNN

/// Forward pre-hooks, forward hooks and full backward hooks, as PyTorch's.
final class ModuleHookTests: XCTestCase {
    private final class Doubler: Module {
        func callAsFunction(_ x: Tensor) -> Tensor { x * 2 }
    }

    private final class SelfHooked: Module {
        func callAsFunction(_ x: Tensor) -> Tensor { withHooks(x) { $0 + 1 } }
    }

    func testForwardHooksSeeAndReplaceTheInputAndTheOutputUntilRemoved() {
        let layer = Linear(weight: Tensor([[1, 0], [0, 1]]), bias: nil)
        var log: [String] = []
        let pre = layer.registerForwardPreHook { module, input in
            log.append("pre \(module is Linear) \(input.scalars)")
            return input * 10
        }
        let post = layer.registerForwardHook { _, input, output in
            log.append("post \(input.scalars) \(output.scalars)")
            return output + 1
        }
        XCTAssertEqual(layer(Tensor([[1, 2]])).scalars, [11, 21])
        XCTAssertEqual(log, ["pre true [1.0, 2.0]", "post [10.0, 20.0] [10.0, 20.0]"])
        pre.remove()
        XCTAssertEqual(layer(Tensor([[1, 2]])).scalars, [2, 3])
        post.remove()
        XCTAssertEqual(layer(Tensor([[1, 2]])).scalars, [1, 2])
        XCTAssertEqual(log.count, 3)
    }

    func testHooksOnAModuleOfYourOwnRunOnceInsideASequential() {
        let plain = Doubler(), hooked = SelfHooked()
        var calls = 0
        plain.registerForwardHook { _, _, _ in calls += 1; return nil }
        hooked.registerForwardHook { _, _, output in calls += 10; return output * 100 }
        let model = Sequential(plain, hooked)
        XCTAssertEqual(model(Tensor([1])).scalars, [300])
        XCTAssertEqual(calls, 11)
        XCTAssertEqual(hooked(Tensor([1])).scalars, [200], "withHooks inside callAsFunction runs the hooks when called directly")
        XCTAssertEqual(calls, 21)
    }

    /// A module of your own whose `callAsFunction` calls its layers directly (`fc(x)`, no
    /// `withHooks`): the layers' hooks run on every call, as in PyTorch; the module's own hooks
    /// run where it is called through Sequential, the Learner or `withHooks`, not on a direct call.
    func testTheLayersHooksRunWhenYourModuleCallsThemDirectly() {
        final class Block: Module {
            let fc = Linear(weight: Tensor([[1, 0], [0, 1]]), bias: nil)
            let act = ReLU()
            func callAsFunction(_ x: Tensor) -> Tensor { act(fc(x)) }
        }
        let block = Block()
        var seen: [String] = []
        block.fc.registerForwardHook { _, input, _ in seen.append("fc \(input.scalars)"); return nil }
        block.act.registerForwardPreHook { _, _ in seen.append("relu"); return nil }
        block.registerForwardHook { _, _, _ in seen.append("block"); return nil }
        XCTAssertEqual(block(Tensor([[1, -2]])).scalars, [1, 0])
        XCTAssertEqual(seen, ["fc [1.0, -2.0]", "relu"], "a direct call runs the layers' hooks, not the block's own")
        _ = Sequential(block)(Tensor([[1, -2]]))
        XCTAssertEqual(Array(seen.dropFirst(2)), ["fc [1.0, -2.0]", "relu", "block"])
        _ = block.withHooks(Tensor([[3, 4]])) { block($0) }
        XCTAssertEqual(Array(seen.dropFirst(5)), ["fc [3.0, 4.0]", "relu", "block"])
    }

    func testAFullBackwardHookSeesTheInputsAndTheOutputsGradients() {
        let layer = Linear(weight: Tensor([[1, 2], [3, 4]]), bias: Tensor([0, 0]))
        var seen: [(input: [Float]?, output: [Float])] = []
        let handle = layer.registerFullBackwardHook { _, gradInput, gradOutput in
            seen.append((gradInput?.scalars, gradOutput.scalars))
            return gradInput.map { $0 * 2 }
        }
        let x = Tensor([[1, 1]], requiresGrad: true)
        (layer(x) * Tensor([[1, 10]])).sum().backward()
        XCTAssertEqual(seen.count, 1)
        // dL/dy = [1, 10]; dL/dx = [1, 10]·W = [31, 42], doubled by the hook.
        XCTAssertEqual(seen[0].output, [1, 10])
        XCTAssertEqual(seen[0].input, [31, 42])
        XCTAssertEqual(x.grad!.scalars, [62, 84])
        XCTAssertEqual(layer.weight.grad!.scalars, [1, 1, 10, 10], "the parameters' gradients are not the hook's business")
        // An input that needs no gradient: the hook gets nil, once.
        layer(Tensor([[1, 1]])).sum().backward()
        XCTAssertEqual(seen.count, 2)
        XCTAssertNil(seen[1].input)
        XCTAssertEqual(seen[1].output, [1, 1])
        handle.remove()
        layer(x).sum().backward()
        XCTAssertEqual(seen.count, 2)
    }

    func testActivationStatsRecordsEveryTrainingBatchOfEveryLayerWithParameters() throws {
        var generator = RandomGenerator(seed: 5)
        let inputs = Tensor.randn([64, 4], generator: &generator)
        let targets = Tensor((0..<64).map { Float($0 % 3) })
        let model = Sequential(Linear(inputs: 4, outputs: 8, generator: &generator), ReLU(),
                               Linear(inputs: 8, outputs: 3, generator: &generator))
        let learner = Learner(DataLoaders(DataLoader(inputs: inputs, targets: targets, batchSize: 16),
                                          DataLoader(inputs: inputs, targets: targets, batchSize: 32)),
                              model, loss: crossEntropy, console: .silent)
        let stats = ActivationStats()
        let first = model.layers[0] as! Linear
        let expected = first(inputs[0..<16]).detached()
        try learner.fit(2, lr: 0.1, callbacks: [stats])
        XCTAssertEqual(stats.layerNames, ["0", "2"])
        XCTAssertEqual(stats.batches.count, 8, "4 training batches a epoch, no validation batch")
        let series = stats.layerStatistics(0)
        XCTAssertEqual(series.means[0], expected.mean().item, accuracy: 1e-6)
        XCTAssertEqual(series.standardDeviations[0], expected.std().item, accuracy: 1e-6)
        XCTAssertEqual(series.nearZero[0], Float(expected.scalars.filter { $0 <= 0.05 }.count) / 128, accuracy: 1e-6)
        // The hooks are gone after the fit.
        _ = model(inputs)
        XCTAssertEqual(stats.batches.count, 8)
    }
}
