import XCTest
@testable import Nabla
import NablaTestSupport

/// Every programmer error stops with a message that names the op and the shapes at fault.
final class ErrorMessageTests: XCTestCase {
    func testMatmulMismatch() {
        let x = Tensor.zeros([256, 784]), w = Tensor.zeros([30, 784])
        assertFails("matmul: [256, 784] and [30, 784] cannot be multiplied: 784 != 30") { _ = x.matmul(w) }
        assertFails("matmul: vectors [3] and [4] cannot be multiplied: 3 != 4") { _ = Tensor.zeros([3]) • Tensor.zeros([4]) }
        assertFails("matmul: both operands need at least one axis") { _ = Tensor(1) • Tensor.zeros([1]) }
        assertFails("matmul: shapes [2] and [3] cannot be broadcast together") {
            _ = Tensor.zeros([2, 4, 5]) • Tensor.zeros([3, 5, 1])
        }
    }

    func testBroadcastMismatch() {
        assertFails("add: shapes [2, 3] and [4] cannot be broadcast together: 3 != 4 at axis -1") {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        assertFails("mul: shapes [2, 3] and [3, 3] cannot be broadcast together: 2 != 3 at axis -2") {
            _ = Tensor.zeros([2, 3]) * Tensor.zeros([3, 3])
        }
        assertFails("where: shapes") { _ = Tensor.where(Tensor.zeros([2]), Tensor.zeros([3]), Tensor.zeros([3])) }
    }

    func testReshapeErrors() {
        let t = Tensor.zeros([2, 3])
        assertFails("reshape: only one extent can be -1, got [-1, -1]") { _ = t.reshape([-1, -1]) }
        assertFails("reshape: shape [4, -1] is invalid for a tensor of 6 elements") { _ = t.reshape([4, -1]) }
        assertFails("reshape: shape [4] is invalid for a tensor of shape [2, 3] (6 elements)") { _ = t.reshape([4]) }
    }

    func testAxisErrors() {
        let t = Tensor.zeros([2, 3])
        assertFails("sum: axis 2 is out of range for a tensor of rank 2 (expected -2..<2)") { _ = t.sum(axis: 2) }
        assertFails("mean: axis -3 is out of range") { _ = t.mean(axes: [-3]) }
        assertFails("sum: axis -1 appears more than once in [1, -1]") { _ = t.sum(axes: [1, -1]) }
        assertFails("permute: [0, 0] is not a permutation") { _ = t.permute([0, 0]) }
        assertFails("max: cannot reduce over an empty axis") { _ = Tensor.zeros([0, 3]).max(axis: 0) }
        assertFails("expand: a tensor of shape [2, 3] cannot be expanded to [3, 3]") { _ = t.expand(to: [3, 3]) }
    }

    func testIndexErrors() {
        let t = Tensor.zeros([2, 3])
        assertFails("subscript: index 2 is out of bounds for axis 0 with extent 2 (shape [2, 3])") { _ = t[2] }
        assertFails("subscript: slice step must be greater than zero, got 0") { _ = t[.every(0)] }
        assertFails("subscript: an index can only have a single ellipsis, got 2") { _ = t[.ellipsis, .ellipsis] }
        assertFails("subscript: 3 indices given for a tensor of shape [2, 3]") { _ = t[0, 0, 0] }
        assertFails("gather: row 5 is out of range for axis 0 of extent 2") { _ = t.gather(rows: [5]) }
        assertFails("cat: tensor 1 has shape [2, 2] but tensor 0 has shape [2, 3]; only axis 0 may differ") {
            _ = Tensor.cat([t, Tensor.zeros([2, 2])])
        }
        assertFails("stack: tensor 1 has shape [3] but tensor 0 has shape [2]") { _ = Tensor.stack([Tensor.zeros([2]), Tensor.zeros([3])]) }
    }

    func testCreationErrors() {
        assertFails("Tensor(shape:scalars:): shape [2, 2] holds 4 elements but 3 scalars were given") {
            _ = Tensor(shape: [2, 2], scalars: [1, 2, 3])
        }
        assertFails("Tensor(_ rows:): row 1 has 1 elements but row 0 has 2") { _ = Tensor([[1, 2], [3]]) }
        assertFails("item: only a one-element tensor has an item, this one has shape [2]") { _ = Tensor([1, 2]).item }
        assertFails("full: shape [-1] has a negative extent -1") { _ = Tensor.zeros([-1]) }
        assertFails("full: shape [0, 4294967296, 4294967296] has too many elements to address") { _ = Tensor.zeros([0, 1 << 32, 1 << 32]) }
        assertFails("full: shape [4294967296, 1073741824] has too many elements to address") { _ = Tensor.zeros([1 << 32, 1 << 30]) }
        XCTAssertEqual(Tensor.zeros([0, 1 << 31, 1 << 31]).shape, [0, 1 << 31, 1 << 31])
    }

    func testAutogradErrors() {
        assertFails("backward: this tensor does not require grad") { Tensor([1]).sum().backward() }
        assertFails("backward: a gradient can be created implicitly only for a one-element result") {
            (Tensor([1, 2], requiresGrad: true) * 2).backward()
        }
        assertFails("backward: the graph through sum was already freed") {
            let x = Tensor([1, 2], requiresGrad: true)
            let loss = (x * x).sum()
            loss.backward()
            loss.backward()
        }
        assertFails("-=: a leaf tensor that requires grad cannot be changed in place") {
            var w = Tensor([1], requiresGrad: true)
            w -= 1
        }
        assertFails("addScaled: a tensor of shape [3] cannot be added into one of shape [2]") {
            var w = Tensor([1, 2])
            w.addScaled(Tensor([1, 2, 3]), by: 1)
        }
        assertFails("requiresGrad: only a leaf can stop requiring grad; this tensor was made by mul") {
            var y = Tensor([1], requiresGrad: true) * 2
            y.requiresGrad = false
        }
    }

    func testNoFailureWhenValid() {
        XCTAssertNil(failureMessage { _ = Tensor.zeros([2, 3]) + Tensor.zeros([3]) })
    }
}
