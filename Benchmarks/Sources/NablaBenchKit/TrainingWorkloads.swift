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
        let layerFLOPs = zip(layers, layers.dropFirst()).map { Double(2 * batch * $0 * $1) }.reduce(0, +)
        // Forward, then two products per layer backward (the first layer's input gradient is skipped).
        return Workload(kind: .training, op: op, shape: "batch \(batch), " + layers.map(String.init).joined(separator: "→"),
                        unit: .milliseconds, flops: 3 * layerFLOPs, limit: .fmaPeak) {
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
