import XCTest
import Nabla
import NablaNN

final class StateDictTests: XCTestCase {
    private func model(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential(Linear(inputs: 3, outputs: 4, generator: &generator), BatchNorm2d(features: 4), ReLU(),
                          Linear(inputs: 4, outputs: 2, generator: &generator))
    }

    private func error(_ body: () throws -> Void) -> String {
        do { try body(); XCTFail("expected an error"); return "" } catch { return String(describing: error) }
    }

    func testAStateDictMovesAModelIntoAnotherWithoutAFile() throws {
        let source = model(seed: 1), target = model(seed: 2)
        _ = source(Tensor.randn([5, 3]))   // updates the running statistics
        let state = source.stateDict()
        XCTAssertEqual(state.names, ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                     "1.num_batches_tracked", "3.weight", "3.bias"])
        XCTAssertEqual(state["1.num_batches_tracked"]?.item, 1)
        let optimizer = SGD(target.parameters, learningRate: 0.1)
        let result = try target.loadStateDict(state)
        XCTAssertTrue(result.missingKeys.isEmpty && result.unexpectedKeys.isEmpty)
        source.eval(); target.eval()
        let x = Tensor.randn([6, 3])
        XCTAssertEqual(target(x).scalars, source(x).scalars)
        // Loaded in place: the optimizer made before still holds the model's parameters.
        XCTAssertTrue(zip(optimizer.parameters, target.parameters).allSatisfy { $0 === $1 })
        XCTAssertEqual(target.parameters[0].value.scalars, source.parameters[0].value.scalars)
        XCTAssertTrue(target.parameters.allSatisfy(\.value.requiresGrad))
    }

    func testAStateDictIsASnapshot() {
        let net = model(seed: 1)
        let state = net.stateDict()
        let before = state["0.weight"]!.scalars
        noGrad { net.parameters[0].value -= 1 }
        _ = net(Tensor.randn([5, 3]))
        XCTAssertEqual(state["0.weight"]!.scalars, before)
        XCTAssertEqual(state["1.running_mean"]!.scalars, [0, 0, 0, 0])
        XCTAssertNotEqual(net.stateDict()["0.weight"]!.scalars, before)
    }

    func testAveragedStateDictsLoad() throws {
        let a = model(seed: 1).stateDict(), b = model(seed: 2).stateDict()
        var average = StateDict()
        // The floating tensors, as torch recipes average them; num_batches_tracked (int64) is kept.
        for (name, tensor) in a { average[name] = tensor.dtype.isFloatingPoint ? (tensor + b[name]!) / 2 : tensor }
        let net = model(seed: 3)
        try net.loadStateDict(average)
        XCTAssertEqual(net.stateDict()["3.bias"]!.scalars, ((a["3.bias"]! + b["3.bias"]!) / 2).scalars)
    }

    func testStrictListsMissingAndUnexpectedKeysAsPyTorchDoes() {
        let net = model(seed: 1)
        var state = net.stateDict()
        state["3.bias"] = nil
        state["1.running_var"] = nil
        state["head.weight"] = Tensor.zeros([2])
        let before = net.parameters.map(\.value.scalars)
        state["0.weight"] = Tensor.zeros([4, 3])
        XCTAssertEqual(error { try net.loadStateDict(state) }, """
            Error(s) in loading state_dict for Sequential:
            \tMissing key(s) in state_dict: "1.running_var", "3.bias".
            \tUnexpected key(s) in state_dict: "head.weight".
            """)
        XCTAssertEqual(net.parameters.map(\.value.scalars), before, "nothing changed")
    }

    func testNonStrictLoadsWhatFitsAndReturnsTheRest() throws {
        let net = model(seed: 1)
        var state = model(seed: 2).stateDict()
        state["3.bias"] = nil
        state["extra"] = Tensor(1)
        let result = try net.loadStateDict(state, strict: false)
        XCTAssertEqual(result.missingKeys, ["3.bias"])
        XCTAssertEqual(result.unexpectedKeys, ["extra"])
        XCTAssertEqual(net.parameters[0].value.scalars, state["0.weight"]!.scalars)
    }

    func testAShapeThatDiffersIsAnErrorEvenWhenNotStrict() {
        let net = model(seed: 1)
        var state = net.stateDict()
        state["3.weight"] = Tensor.zeros([2, 5])
        let before = net.parameters.map(\.value.scalars)
        XCTAssertEqual(error { try net.loadStateDict(state, strict: false) }, """
            Error(s) in loading state_dict for Sequential:
            \tsize mismatch for 3.weight: copying a param with shape [2, 5] from checkpoint, the shape in current model is [2, 4].
            """)
        XCTAssertEqual(net.parameters.map(\.value.scalars), before)
    }

    func testPrintingShowsNamesAndShapes() {
        XCTAssertEqual(Linear(weight: Tensor.zeros([2, 3]), bias: nil).stateDict().description, "StateDict(\n  weight [2, 3]\n)")
    }
}
