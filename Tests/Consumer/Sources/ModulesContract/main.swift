// Issue 22's usage contract: a module of one's own is its stored properties and
// `callAsFunction`; its parameters, buffers and train/eval switch are found; a
// tensor moves into a detached task (Tensor is Sendable).
import Nabla
import NablaNN
final class Block: Module {
    let fc = Linear(inputs: 4, outputs: 3)
    let norm = BatchNorm2d(features: 3)
    let heads = [Linear(inputs: 3, outputs: 2), Linear(inputs: 3, outputs: 2)]
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = norm(fc(x).reshape([-1, 3, 1, 1])).reshape([-1, 3])
        return heads[0](h) + heads[1](h)
    }
}
let block = Block()
print(block.parameters.count, block.namedBuffers.map(\.name).sorted())
block.eval()
let x = Tensor.randn([8, 4])
print((block(x)[0..<2] - block(x[0..<2])).abs().max().item < 1e-5)
func total(_ t: Tensor) async -> Tensor { await Task.detached { t.sum() }.value }
print(await total(Tensor.randn([3])).shape)
// Issue 21's state dict in memory: from one model into another, no file.
let copy = Block()
try copy.loadStateDict(block.stateDict())
copy.eval()
print(copy.stateDict().names.count, (copy(x) - block(x)).abs().max().item == 0)
