// Spellings that must compile (DiagnosticsTests type-checks this file too).
import Nabla
import NablaData
import NablaNN

manualSeed(0)   // torch.manual_seed(0); Nabla.manualSeed(0) where another manualSeed is in scope
let x = Tensor.randn([3, 2])
let mask = x .> 0
let biggest = x.max().item > 0
let elementwise = Tensor.maximum(x, Tensor(0))
let means = x.mean(axis: 1)
// `metrics: []` is not ambiguous between the Metric and the function initialisers.
let dls = DataLoaders(BatchSource([(x, x)]), BatchSource([(x, x)]))
let learner = Learner(dls, Linear(inputs: 2, outputs: 2), loss: mseLoss, metrics: [])
// Swift numbers beside tensors: literals of either kind, and variables of each scalar type.
let learningRate: Float = 0.1, count = 3, precise = 0.1
let scaled = (x - 0.5) * 2 + 1 / (x * x + 1e-5) - x * learningRate + Tensor([1, 2] as [Int64]) * count
let compared = (x .>= precise) + (0 .< x) * (x .!= Int64(2))
var updated = Tensor([1, 2] as [Double])
updated *= precise
