// The README's first program, in the Swift 6 language mode. DocumentationTests checks
// that the README shows exactly the lines below this comment; scripts/check-consumer.sh
// compares what it prints with Tests/Consumer/expected/FirstProgram.txt.
import Nabla
import NablaNN

manualSeed(0)
let x = Tensor.randn([256, 3])                              // 256 samples of 3 features
let y = x • Tensor([[2], [-1], [0.5]]) + 1                  // targets on a plane
let model = Linear(inputs: 3, outputs: 1)                   // PyTorch's nn.Linear(3, 1)
let optimizer = SGD(model.parameters, learningRate: 0.1)
for _ in 0..<200 {
    let loss = mseLoss(model(x), y)                         // the graph is recorded as it runs
    loss.backward()                                         // each parameter's grad
    optimizer.step()
    optimizer.zeroGrad()
}
print(((model.weight.value * 100).round() / 100).scalars)   // [2.0, -1.0, 0.5]
print(((model.bias!.value * 100).round() / 100).scalars)    // [1.0]
print(mseLoss(model(x), y).item < 1e-6)                     // true
