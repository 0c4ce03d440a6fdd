// Tensors moved between tasks in the Swift 6 language mode: results made in child
// tasks come back as values, and tasks that run backward through one shared
// parameter at once add up their gradients. scripts/check-tsan.sh runs this
// program under ThreadSanitizer.
import Nabla

func run() async {
    Nabla.manualSeed(3)
    let weight = Tensor.randn([4, 3]).requiringGrad()
    let batches = (0..<8).map { _ in Tensor.randn([16, 4]) }

    // Each task computes its batch's loss and runs backward; the gradients meet in the shared leaf.
    let losses = await withTaskGroup(of: Float.self) { group in
        for batch in batches {
            group.addTask {
                let loss = batch.matmul(weight).square().mean()
                loss.backward()
                return loss.item
            }
        }
        return await group.reduce(0, +)
    }
    // The same gradient, one batch after another on this task.
    let reference = weight.detached().clone().requiringGrad()
    var sequentialLoss: Float = 0
    for batch in batches {
        let loss = batch.matmul(reference).square().mean()
        loss.backward()
        sequentialLoss += loss.item
    }
    print(abs(losses - sequentialLoss) < 1e-4, (weight.grad! - reference.grad!).abs().max().item < 1e-5)

    // Tensors made in child tasks, returned and combined here.
    let parts = await withTaskGroup(of: (Int, Tensor).self) { group in
        for index in 0..<4 { group.addTask { (index, Tensor.ones([2, 2]) * Float(index)) } }
        var parts = [Tensor](repeating: Tensor(0), count: 4)
        for await (index, part) in group { parts[index] = part }
        return parts
    }
    print(Tensor.stack(parts).sum().item)
}

await run()
