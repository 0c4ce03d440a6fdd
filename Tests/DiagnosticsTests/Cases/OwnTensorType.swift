// A user's module with a `Tensor` type of its own still reaches Nabla's as `Nabla.Tensor`,
// and the library's settings as `Nabla.manualSeed`, `Nabla.threadCount`, `Nabla.fail`
// (DiagnosticsTests type-checks this file as the module `UserModel`; it failed while the
// settings lived in an `enum Nabla`, whose name hid the module's).
import Nabla

struct Tensor {
    let label: String
}

Nabla.manualSeed(0)
Nabla.setThreadCount(Nabla.threadCount)
let mine = Tensor(label: "a user's own tensor")
let weights: Nabla.Tensor = Nabla.Tensor.randn([2, 3])
let total: Nabla.Tensor = (weights * 2).sum()
if total.shape != [] { Nabla.fail("sum() of \(mine.label) is not a scalar") }
