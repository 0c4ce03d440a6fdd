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
