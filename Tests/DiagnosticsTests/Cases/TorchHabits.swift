// PyTorch spellings that must not compile, each with the message that names
// Nabla's spelling. DiagnosticsTests type-checks this file against the built
// modules; `// error:` gives a part of the message expected on that line.
import Nabla
import NablaNN

let x = Tensor.randn([3, 2])
let positive = x > 0                     // error: '>' is unavailable: use .> for an elementwise comparison
let below = x < x                        // error: '<' is unavailable: use .< for an elementwise comparison
let atLeast = 0 >= x                     // error: '>=' is unavailable: use .>= for an elementwise comparison
let atMost = (x <= 0.5).sum()            // error: '<=' is unavailable: use .<= for an elementwise comparison
if x > 0.5 { print("big") }              // error: '>' is unavailable: a tensor is not a number: compare its item (x.item > 0)
let rowMeans = x.mean(dim: 1)            // error: 'mean(dim:keepdim:)' is unavailable: use mean(axis:keepDims:)
let columnSums = x.sum(dim: 0, keepdim: true)   // error: 'sum(dim:keepdim:)' is unavailable: use sum(axis:keepDims:)
let noise = Tensor.randn(3, 2)           // error: 'randn' is unavailable: the shape is one array: Tensor.randn([3, 2])
let detachedCopy = x.detach()            // error: 'detach()' has been renamed to 'detached()'
let rectified = x.max(Tensor(0))         // error: 'max' is unavailable: max(_:) is a reduction here; for torch's elementwise max(a, b) use Tensor.maximum(a, b)
