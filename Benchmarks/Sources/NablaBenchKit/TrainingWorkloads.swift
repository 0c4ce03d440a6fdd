import Nabla
import NablaNN

extension Workload {
    /// One SGD step (forward, mnistLoss, backward, update) of each of the
    /// lesson's models on a batch of 256 images: the linear model 784→1 and
    /// the net 784→30→ReLU→1.
    public static func training(quick: Bool) -> [Workload] {
        [
            trainingStep(op: "train step linear", layers: [784, 1], learningRate: 1),
            trainingStep(op: "train step net", layers: [784, 30, 1], learningRate: 0.1),
        ]
    }

    static func trainingStep(op: String, layers: [Int], learningRate: Float) -> Workload {
        let batch = 256
        // Per layer: the forward product and the weight gradient's, plus the input
        // gradient's for every layer but the first (the images need none).
        let productFLOPs = zip(layers, layers.dropFirst()).enumerated().map { index, size in
            Double(index == 0 ? 2 : 3) * Double(2 * batch * size.0 * size.1)
        }.reduce(0, +)
        return Workload(kind: .training, op: op, shape: "batch \(batch), " + layers.map(String.init).joined(separator: "→"),
                        unit: .milliseconds, flops: productFLOPs, limit: .fmaPeak) {
            var generator = RandomGenerator(seed: 11)
            let images = Tensor.rand([batch, layers[0]], generator: &generator)
            let targets = Tensor.rand([batch, 1], generator: &generator) .> 0.5
            var modules: [any Module] = []
            for (inputs, outputs) in zip(layers, layers.dropFirst()) {
                if !modules.isEmpty { modules.append(ReLU()) }
                modules.append(Linear(inputs: inputs, outputs: outputs, generator: &generator))
            }
            let model = Sequential(modules)
            let optimizer = SGD(model.parameters, learningRate: learningRate)
            return PreparedWorkload(call: {
                let loss = mnistLoss(model(images), targets)
                loss.backward()
                optimizer.step()
                optimizer.zeroGrad()
            })
        }
    }
}
