import XCTest
import Nabla
import NablaTestSupport

/// `registerHook`, as PyTorch's `Tensor.register_hook`.
final class TensorHookTests: XCTestCase {
    func testAHookOnAnInteriorResultSeesAndReplacesItsGradient() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let y = x * 2
        var seen: [[Float]] = []
        y.registerHook { grad in seen.append(grad.scalars); return grad * 3 }
        y.retainGrad()
        (y * Tensor([1, 10, 100])).sum().backward()
        XCTAssertEqual(seen, [[1, 10, 100]])
        // The replaced gradient flows on, and is what retainGrad keeps (PyTorch 2's order).
        XCTAssertEqual(x.grad!.scalars, [6, 60, 600])
        XCTAssertEqual(y.grad!.scalars, [3, 30, 300])
    }

    func testALeafHookSeesThePasssWholeGradientOnceBeforeItIsAccumulated() {
        let x = Tensor([1, 2], requiresGrad: true)
        var calls: [[Float]] = []
        x.registerHook { calls.append($0.scalars); return nil }
        (x * 2 + x * 3).sum().backward()
        XCTAssertEqual(calls, [[5, 5]])
        XCTAssertEqual(x.grad!.scalars, [5, 5])
        let handle = x.registerHook { $0 * 0 }
        (x * 2).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [5, 5], "the second hook zeroed this pass's gradient")
        handle.remove()
        handle.remove()
        (x * 2).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [7, 7])
        XCTAssertEqual(calls.count, 3)
    }

    func testAHookOnTheRootLeafRuns() {
        let x = Tensor([4], requiresGrad: true)
        x.registerHook { $0 + 1 }
        x.backward(gradient: Tensor([2]))
        XCTAssertEqual(x.grad!.scalars, [3])
    }

    func testCopiesOfALeafShareItsHooks() {
        let x = Tensor([1, 1], requiresGrad: true)
        var copy = x
        copy.registerHook { $0 * 10 }
        copy = copy * 1   // rebinding the copy leaves the hook on the leaf
        (x * 2).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [20, 20])
    }

    func testHooksCheckWhatTheyAreGiven() {
        assertFails("registerHook: cannot register a hook on a tensor that does not require grad") {
            Tensor([1]).registerHook { $0 }
        }
        assertFails("registerHook: a hook on the result of") {
            let x = Tensor([1, 2], requiresGrad: true)
            let y = x * 2
            y.registerHook { _ in Tensor([1]) }
            y.sum().backward()
        }
    }
}
