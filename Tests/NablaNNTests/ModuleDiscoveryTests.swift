import XCTest
import Nabla
import NablaData
import NablaNN
import NablaTestSupport

/// The issue's `Block`: stored properties and `callAsFunction`, nothing else.
private final class Block: Module {
    let fc = Linear(inputs: 4, outputs: 3)
    let norm = BatchNorm2d(features: 3)
    let heads = [Linear(inputs: 3, outputs: 2), Linear(inputs: 3, outputs: 2)]
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = norm(fc(x).reshape([-1, 3, 1, 1])).reshape([-1, 3])
        return heads[0](h) + heads[1](h)
    }
}

/// Nesting: a list of blocks, a dictionary of layers, an optional layer and a bare parameter.
private final class Net: Module {
    let scale = Parameter(Tensor.ones([2]))
    let blocks = [Block(), Block()]
    let extras: [String: any Module] = ["out": Linear(inputs: 2, outputs: 2), "act": ReLU()]
    var skip: Linear? = nil
    let notes = "plain properties are left alone"
    let constant = Tensor.zeros([2])
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = blocks[1](x) * scale.value + blocks[0](x)
        return extras["out"]!(extras["act"]!(h)) + (skip?(h) ?? constant)
    }
}

/// A subclass's properties come after its superclass's.
private class Base: Module {
    let first = Linear(inputs: 2, outputs: 2)
    func callAsFunction(_ x: Tensor) -> Tensor { first(x) }
}

private final class Derived: Base {
    let second = Linear(inputs: 2, outputs: 2)
    override func callAsFunction(_ x: Tensor) -> Tensor { second(first(x)) }
}

final class ModuleDiscoveryTests: XCTestCase {
    override func setUp() { Nabla.manualSeed(0) }

    func testTheContractBlockFindsEveryParameterAndBufferWithPyTorchsNames() {
        let block = Block()
        XCTAssertEqual(block.parameters.count, 8)
        XCTAssertEqual(block.namedParameters.map(\.name), ["fc.weight", "fc.bias", "norm.weight", "norm.bias",
                                                           "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"])
        XCTAssertEqual(block.namedBuffers.map(\.name), ["norm.running_mean", "norm.running_var", "norm.num_batches_tracked"])
        XCTAssertEqual(block.namedChildren.map(\.name), ["fc", "norm", "heads.0", "heads.1"])
        XCTAssertEqual(block.namedModules.map(\.name), ["", "fc", "norm", "heads.0", "heads.1"])
        XCTAssertTrue(block.namedParameters.first { $0.name == "norm.weight" }!.parameter === block.norm.weight)
    }

    func testEvalReachesTheBatchNormSoARowGivesTheSameOutputInAnyBatch() {
        let block = Block()
        // Some training first, so that the running statistics are not the initial ones.
        for _ in 0..<3 { _ = block(Tensor.randn([8, 4])) }
        block.eval()
        let x = Tensor.randn([8, 4])
        XCTAssertLessThan((block(x)[0..<2] - block(x[0..<2])).abs().max().item, 1e-5)
        block.train()
        XCTAssertGreaterThan((block(x)[0..<2] - block(x[0..<2])).abs().max().item, 1e-3, "batch statistics in training mode")
    }

    func testOneOptimizerStepTrainsEveryParameterOfANestedModel() {
        let net = Net()
        XCTAssertEqual(net.parameters.count, 1 + 2 * 8 + 2)
        let before = net.parameters.map(\.value.scalars)
        let optimizer = SGD(net.parameters, learningRate: 0.1)
        mseLoss(net(Tensor.randn([8, 4])), Tensor.randn([8, 2])).backward()
        optimizer.step()
        for ((name, parameter), old) in zip(net.namedParameters, before) {
            XCTAssertNotNil(parameter.grad, "\(name) got no gradient")
            // A bias just before a batch norm in training mode has a zero gradient (the mean is taken out), as in PyTorch.
            if !name.hasSuffix("fc.bias") { XCTAssertNotEqual(parameter.value.scalars, old, "\(name) did not train") }
        }
    }

    func testNestedNamesAreThoseOfModuleListAndModuleDict() {
        let net = Net()
        let names = net.namedParameters.map(\.name)
        XCTAssertEqual(Array(names.prefix(3)), ["scale", "blocks.0.fc.weight", "blocks.0.fc.bias"])
        XCTAssertEqual(Array(names.suffix(2)), ["extras.out.weight", "extras.out.bias"])
        XCTAssertTrue(names.contains("blocks.1.heads.1.bias"))
        XCTAssertEqual(net.namedBuffers.map(\.name).last, "blocks.1.norm.num_batches_tracked")
        XCTAssertEqual(net.namedChildren.map(\.name), ["blocks.0", "blocks.1", "extras.act", "extras.out"])
        // A `var` layer assigned later is seen (the kinds are per type, the values are read each time).
        net.skip = Linear(inputs: 2, outputs: 2)
        XCTAssertEqual(Array(net.namedParameters.map(\.name).suffix(2)), ["skip.weight", "skip.bias"])
        XCTAssertEqual(net.namedChildren.map(\.name).last, "skip")
    }

    func testSubclassesListTheirSuperclasssPropertiesFirst() {
        XCTAssertEqual(Derived().namedParameters.map(\.name), ["first.weight", "first.bias", "second.weight", "second.bias"])
        XCTAssertEqual(Base().namedParameters.map(\.name), ["first.weight", "first.bias"])
    }

    func testThePrintoutShowsDiscoveredChildren() {
        XCTAssertEqual(Block().description, """
            Block(
              (fc): Linear(inputs: 4, outputs: 3, bias: true)
              (norm): BatchNorm2d()
              (heads.0): Linear(inputs: 3, outputs: 2, bias: true)
              (heads.1): Linear(inputs: 3, outputs: 2, bias: true)
            )
            """)
    }

    func testStateThatCannotBeDiscoveredStopsAtTheFirstLook() {
        final class Paired: Module {
            let pair = (Linear(inputs: 2, outputs: 2), Linear(inputs: 2, outputs: 2))
            func callAsFunction(_ x: Tensor) -> Tensor { pair.1(pair.0(x)) }
        }
        assertFails("Paired.pair: a (Linear, Linear) holding a Linear inside a container of another kind, which Module cannot discover") {
            _ = Paired().parameters
        }
        final class RawWeight: Module {
            let weight = Tensor.randn([2, 2]).requiringGrad()
            func callAsFunction(_ x: Tensor) -> Tensor { x.matmul(weight) }
        }
        assertFails("RawWeight.weight: a Tensor that requires grad (wrap it in Parameter(…))") { RawWeight().eval() }
        struct Stage { let layer = Linear(inputs: 2, outputs: 2) }
        final class Staged: Module {
            let stage = Stage()
            let byIndex: [Int: Linear] = [0: Linear(inputs: 2, outputs: 2)]
            func callAsFunction(_ x: Tensor) -> Tensor { stage.layer(x) }
        }
        assertFails("Staged.stage: a Stage holding a Linear") { print(Staged()) }
    }

    func testNamesAndStateDictOrderMatchPyTorchs() throws {
        let folder = try temporaryFolder(self)
        let net = Net()
        try runTorchPython("""
            import sys, torch
            from torch import nn
            class Block(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 3)
                    self.norm = nn.BatchNorm2d(3)
                    self.heads = nn.ModuleList([nn.Linear(3, 2), nn.Linear(3, 2)])
            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.scale = nn.Parameter(torch.ones(2))
                    self.blocks = nn.ModuleList([Block(), Block()])
                    self.extras = nn.ModuleDict({"act": nn.ReLU(), "out": nn.Linear(2, 2)})
            open(sys.argv[1], "w").write("\\n".join(Net().state_dict().keys()))
            """, arguments: [folder + "/keys.txt"])
        let torchKeys = try String(contentsOfFile: folder + "/keys.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(net.stateDict().names, torchKeys)
    }
}
