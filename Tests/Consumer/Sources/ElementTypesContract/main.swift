// The usage contract of issue 20 (element types), verbatim, in the Swift 6 language mode.
import Nabla
let a = Tensor([[4, 1], [1, 3]] as [[Double]])
let b = Tensor([1, 2] as [Double])
let x = try Linalg.solve(a, b)
print(a.dtype, x.dtype, x.scalars(as: Double.self))     // float64 float64 [0.09090909090909091, 0.6363636363636364]
let big = Tensor.zeros([16_777_219], dtype: .float32)
var marked = big; marked[16_777_217] = Tensor(1)
print(marked.argmax().dtype, marked.argmax().item(as: Int64.self))   // int64 16777217
let mask = Tensor([1, -2, 3] as [Float]) .> 0
print(mask.dtype, mask.sum().item(as: Int64.self))      // bool 2
print((Tensor([1, 2] as [Int64]) + 0.5).dtype)          // float32
print(Tensor([1, 2] as [Float]).to(.float64).dtype)      // float64
