// The usage contract of issue 2, as a program outside the package would write
// it. scripts/check-consumer.sh and ctest compare what it prints, line for line,
// with Tests/Consumer/expected/NablaConsumer.txt.
import Nabla

let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
let w = Tensor(shape: [3, 1], scalars: [1, 0, -1])
print(x.matmul(w).scalars)
print(x.mean(axes: [-1]).scalars)
print(x[0..<2, 1..<3].shape)
print((x - x.mean(axes: [0])).abs().sum().item)

let y = Tensor(shape: [3], scalars: [3, 4, 10], requiresGrad: true)
let loss = (y * y).sum()
loss.backward()
print(y.grad!.scalars)
