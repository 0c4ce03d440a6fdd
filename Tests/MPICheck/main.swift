// Checks of NablaDistributed that need several ranks: NablaDistributedTests runs
// this program under `mpirun -np N`. Each check prints "ok <check> rank r/n" on
// success; a failure prints "FAIL <what>" and ends the job (MPI_Abort).
import Foundation
import Nabla
import NablaData
import NablaDistributed
import NablaNN

let group = try ProcessGroup.world(collectiveTimeout: CommandLine.arguments.contains("hang") ? 3 : 60)
let rank = group.rank, size = group.size

func require(_ condition: Bool, _ what: @autoclosure () -> String) {
    if !condition { group.abort("FAIL \(what())") }
}

/// allReduce, broadcast and allGather against values computed by hand.
func checkCollectives() throws {
    try group.barrier()
    // Rank r holds (r + 1) · [1, 2, 3, 4, 5, 6]: the sum is n(n + 1)/2 times that.
    let base: [Float] = [1, 2, 3, 4, 5, 6]
    var tensor = Tensor(shape: [2, 3], scalars: base.map { $0 * Float(rank + 1) })
    try group.allReduce(&tensor, .sum)
    let triangle = Float(size * (size + 1) / 2)
    require(tensor.shape == [2, 3] && tensor.scalars == base.map { $0 * triangle }, "allReduce sum gave \(tensor.scalars)")
    var mean = Tensor(base.map { $0 * Float(rank + 1) })
    try group.allReduce(&mean, .mean)
    let expectedMean = base.map { $0 * triangle / Float(size) }
    require(zip(mean.scalars, expectedMean).allSatisfy { abs($0 - $1) <= 1e-6 * abs($1) }, "allReduce mean gave \(mean.scalars), expected \(expectedMean)")

    // A parameter reduced in place stays the same leaf.
    let parameter = Parameter(Tensor([Float(rank), 1]))
    let alias = parameter.value
    try group.allReduce(&parameter.value, .sum)
    require(alias.scalars == [Float(size * (size - 1) / 2), Float(size)], "allReduce of a parameter did not update it in place: \(alias.scalars)")

    // The last rank broadcasts 100·root + i.
    let root = size - 1
    var received = Tensor(rank == root ? (0..<5).map { Float(100 * root + $0) } : [Float](repeating: -1, count: 5))
    try group.broadcast(&received, root: root)
    require(received.scalars == (0..<5).map { Float(100 * root + $0) }, "broadcast from \(root) gave \(received.scalars)")

    let gathered = try group.allGather(Tensor([Float(rank), Float(10 * rank)]))
    require(gathered.shape == [size, 2] && gathered.scalars == (0..<size).flatMap { [Float($0), Float(10 * $0)] },
            "allGather gave \(gathered.shape) \(gathered.scalars)")

    // float64 and int64 travel in their own precision: values a float32 would round.
    var doubles = Tensor([1 + 1e-12 * Double(rank), 1e300, -0.1] as [Double])
    try group.allReduce(&doubles, .sum)
    let expectedDoubles = [Double(size) + 1e-12 * Double(size * (size - 1) / 2), 1e300 * Double(size), -0.1 * Double(size)]
    require(doubles.dtype == .float64 && zip(doubles.scalars(as: Double.self), expectedDoubles).allSatisfy { abs($0 - $1) <= 4e-16 * abs($1) },
            "float64 allReduce sum gave \(doubles.scalars(as: Double.self)), expected \(expectedDoubles)")
    var doubleMean = Tensor([0.1 * Double(rank + 1)] as [Double])
    try group.allReduce(&doubleMean, .mean)
    require(abs(doubleMean.item(as: Double.self) - 0.1 * Double(size + 1) / 2) <= 1e-16, "float64 allReduce mean gave \(doubleMean.item(as: Double.self))")
    var integers = Tensor([Int64(1) << 60, Int64(rank) - 3])
    try group.allReduce(&integers, .sum)
    require(integers.dtype == .int64 && integers.scalars(as: Int64.self) == [Int64(size) << 60, Int64(size * (size - 1) / 2 - 3 * size)],
            "int64 allReduce sum gave \(integers.scalars(as: Int64.self))")
    // int32 and uint8 sum in their own type, wrapping; bool sums as a logical or, as torch.distributed's SUM.
    var int32s = Tensor([Int32.max, Int32(rank) - 3])
    try group.allReduce(&int32s, .sum)
    require(int32s.dtype == .int32 && int32s.scalars(as: Int32.self) == [Int32.max &* Int32(size), Int32(size * (size - 1) / 2 - 3 * size)],
            "int32 allReduce sum gave \(int32s.scalars(as: Int32.self))")
    var bytes = Tensor([200, UInt8(rank)])
    try group.allReduce(&bytes, .sum)
    require(bytes.dtype == .uint8 && bytes.scalars(as: UInt8.self) == [UInt8(truncatingIfNeeded: 200 * size), UInt8(size * (size - 1) / 2)],
            "uint8 allReduce sum gave \(bytes.scalars(as: UInt8.self))")
    var flags = Tensor([rank == root, false, true])
    try group.allReduce(&flags, .sum)
    require(flags.dtype == .bool && flags.scalars(as: Bool.self) == [true, false, true], "bool allReduce sum gave \(flags.scalars(as: Bool.self))")
    // float16 and bfloat16 sum in float32 and round once, as Nabla computes every half op.
    for half in [DType.float16, .bfloat16] {
        var values = Tensor([0.5, 1000 + Float(rank)]).to(half)
        try group.allReduce(&values, .sum)
        let expected = Tensor([0.5 * Float(size), 1000 * Float(size) + Float(size * (size - 1) / 2)]).to(half)
        require(values.dtype == half && values.scalars(as: Float.self) == expected.scalars(as: Float.self),
                "\(half) allReduce sum gave \(values.scalars(as: Float.self))")
    }
    var empty = Tensor.zeros([0], dtype: .int32)
    try group.allReduce(&empty, .sum)
    require(empty.shape == [0], "an empty allReduce gave \(empty.shape)")
    var exact = Tensor(rank == root ? [0.1, 1e-300, Double.pi] : [0, 0, 0] as [Double])
    try group.broadcast(&exact, root: root)
    require(exact.scalars(as: Double.self) == [0.1, 1e-300, Double.pi], "float64 broadcast gave \(exact.scalars(as: Double.self))")
    var labels = Tensor(rank == root ? [Int64.max, -7] : [0, 0])
    try group.broadcast(&labels, root: root)
    require(labels.scalars(as: Int64.self) == [Int64.max, -7], "int64 broadcast gave \(labels.scalars(as: Int64.self))")
    let gatheredDoubles = try group.allGather(Tensor([0.1 * Double(rank)] as [Double]))
    require(gatheredDoubles.dtype == .float64 && gatheredDoubles.scalars(as: Double.self) == (0..<size).map { 0.1 * Double($0) },
            "float64 allGather gave \(gatheredDoubles.scalars(as: Double.self))")

    let sums = try group.allReduceSum([1, Double(rank)])
    require(sums == [Double(size), Double(size * (size - 1) / 2)], "allReduceSum gave \(sums)")

    // Errors name the call and the rank, and leave the job usable.
    do {
        _ = try group.allGather(Tensor([Float](repeating: 0, count: rank + 1)))
        require(size == 1, "allGather of different shapes did not throw")
    } catch let error as MPIError {
        require(error.call == "allGather" && error.rank == rank && error.description.contains("rank 1: [2] float32"), "unexpected error \(error)")
    }
    do {
        var mixed = Tensor.zeros([2], dtype: rank == 0 ? .float32 : .float64)
        try group.allReduce(&mixed, .sum)
        require(size == 1, "allReduce of different dtypes did not throw")
    } catch let error as MPIError {
        require(error.description.contains("rank 0: [2] float32, rank 1: [2] float64"), "unexpected error \(error)")
    }
    do {
        try group.broadcast(&received, root: size)
        require(false, "broadcast from a root outside the job did not throw")
    } catch let error as MPIError {
        require(error.description == "broadcast failed on rank \(rank) of \(size) (MPI error -1): the root \(size) is not a rank of this job of \(size)",
                "unexpected error \(error)")
    }
    try group.barrier()
    print("ok collectives rank \(rank)/\(size)")
}

/// A small classification problem with a non-trivial last batch (200 = 6 × 32 + 8 items).
func makeData(_ count: Int, seed: UInt64) -> (Tensor, Tensor) {
    var generator = RandomGenerator(seed: seed)
    let inputs = Tensor.randn([count, 12], generator: &generator)
    let labels = (0..<count).map { Int64(Int(abs(inputs[$0].scalars[0] * 3)) % 3) }
    return (inputs, Tensor(labels))
}

func makeModel(seed: UInt64) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    return Sequential(Linear(inputs: 12, outputs: 16, generator: &generator), ReLU(), Linear(inputs: 16, outputs: 3, generator: &generator))
}

/// The MLP with its first layer in float64 (its input converted to float64 and its output back to
/// float32): DataParallel reduces the float64 gradients in their own bucket.
func makeMixedModel(seed: UInt64) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    let first = Linear(inputs: 12, outputs: 16, generator: &generator), last = Linear(inputs: 16, outputs: 3, generator: &generator)
    return Sequential(Lambda("float64") { $0.to(.float64) }, Linear(weight: first.weight.value.to(.float64), bias: first.bias!.value.to(.float64)),
                      ReLU(), Lambda("float32") { $0.to(.float32) }, last)
}

/// Every parameter's exact values (a Double holds a float32 exactly).
func flatParameters(_ model: any Module) -> Tensor { Tensor(model.parameters.flatMap { $0.value.scalars(as: Double.self) }) }

/// After every step, gathers every rank's parameters and requires them bitwise equal.
final class IdenticalParameters: Callback {
    var steps = 0
    func afterBatch(_ learner: Learner) throws {
        guard learner.isTraining else { return }
        let all = try group.allGather(flatParameters(learner.model))
        let rows = (0..<size).map { all[$0].scalars(as: Double.self) }
        require(rows.allSatisfy { $0 == rows[0] }, "the ranks' parameters differ after step \(steps)")
        steps += 1
    }
}

/// 2 epochs of SGD with momentum, data-parallel, against one process training on the same global batches:
/// the float32 MLP, and the one whose first layer is float64 (two allreduces per step, one per dtype).
func checkTraining() throws {
    try checkTraining(makeModel(seed:), allReducesPerStep: 1)
    try checkTraining(makeMixedModel(seed:), allReducesPerStep: 2)
}

func checkTraining(_ makeModel: (UInt64) -> Sequential, allReducesPerStep: Int) throws {
    let (trainX, trainY) = makeData(200, seed: 1), (validX, validY) = makeData(90, seed: 2)
    let globalBatch = 32, epochs = 2
    let optimizer: OptimizerFactory = { SGD($0, learningRate: $1, momentum: 0.9) }
    func loaders() -> (DataLoader, DataLoader) {
        (DataLoader(inputs: trainX, targets: trainY, batchSize: globalBatch, shuffle: true, seed: 99),
         DataLoader(inputs: validX, targets: validY, batchSize: globalBatch))
    }

    let parallel = DataParallel(group), identical = IdenticalParameters()
    let (train, valid) = loaders()
    // Each rank draws different weights: the broadcast at the start must fix that.
    let model = makeModel(7 + UInt64(rank))
    let learner = Learner(DataLoaders(parallel.shard(train), parallel.shard(valid, mode: .evaluation)), model,
                          optimizer: optimizer, loss: crossEntropy, metrics: [.multiClassAccuracy],
                          callbacks: [parallel, identical], console: .silent)
    try learner.fit(epochs, lr: 0.05)
    let steps = epochs * ((200 + globalBatch - 1) / globalBatch)
    require(identical.steps == steps && parallel.allReduceCount == steps * allReducesPerStep,
            "\(identical.steps) steps checked, \(parallel.allReduceCount) allreduces, expected \(steps) steps")

    // The reference: one process, rank 0's initial weights, the whole global batches.
    let reference = makeModel(7)
    let (referenceTrain, referenceValid) = loaders()
    let referenceLearner = Learner(DataLoaders(referenceTrain, referenceValid), reference, optimizer: optimizer,
                                   loss: crossEntropy, metrics: [.multiClassAccuracy], console: .silent)
    try referenceLearner.fit(epochs, lr: 0.05)
    require(model.parameters.map(\.value.dtype) == reference.parameters.map(\.value.dtype), "the parameters' dtypes changed")

    let got = flatParameters(model).scalars(as: Double.self), expected = flatParameters(reference).scalars(as: Double.self)
    let worst = zip(got, expected).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? 0
    require(worst <= 1e-5, "the distributed parameters differ from one process's by \(worst) (relative)")
    for (ours, theirs) in zip(learner.recorder.values, referenceLearner.recorder.values) {
        let gap = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0
        require(gap <= 1e-5, "the reduced epoch row \(ours) differs from one process's \(theirs)")
    }
    print("ok training rank \(rank)/\(size): \(steps) steps identical on every rank, final parameters within \(worst) of one process")
}

/// The last rank differs from the others in one setting at a time: `fit` must
/// throw the same ``RankDisagreement`` on every rank, naming the last rank and the
/// setting, before any collective that would pair buffers of different lengths.
func checkDisagreement() throws {
    let odd = rank == size - 1 && size > 1
    let variants: [(field: String, values: String, hidden: Int, items: Int, batch: Int)] = [
        ("the parameter count", "(275 on rank \(size - 1), 259 on rank 0)", odd ? 17 : 16, 200, 32),
        ("the training set size", "(190 on rank \(size - 1), 200 on rank 0)", 16, odd ? 190 : 200, 32),
        ("the batch size", "(16 on rank \(size - 1), 32 on rank 0)", 16, 200, odd ? 16 : 32),
    ]
    for variant in variants {
        var generator = RandomGenerator(seed: 7)
        let model = Sequential(Linear(inputs: 12, outputs: variant.hidden, generator: &generator), ReLU(),
                               Linear(inputs: variant.hidden, outputs: 3, generator: &generator))
        let (x, y) = makeData(variant.items, seed: 1)
        let parallel = DataParallel(group)
        let loaders = DataLoaders(parallel.shard(DataLoader(inputs: x, targets: y, batchSize: variant.batch, shuffle: true, seed: 1)),
                                  parallel.shard(DataLoader(inputs: x, targets: y, batchSize: 32), mode: .evaluation))
        let learner = Learner(loaders, model, optimizer: { SGD($0, learningRate: $1) }, loss: crossEntropy,
                              callbacks: [parallel], console: .silent)
        do {
            try learner.fit(1, lr: 0.1)
            require(size == 1, "\(variant.field): the ranks trained although they disagree")
        } catch let error as RankDisagreement {
            let expected = "data-parallel training: rank \(size - 1) disagrees with rank 0 on \(variant.field) \(variant.values); every rank must run the same model on the same data with the same settings"
            require(error.description == expected, "got \(error), expected \(expected)")
        }
    }
    try group.barrier()
    print("ok disagreement rank \(rank)/\(size)")
}

/// In the middle of a run of allreduces the last rank kills itself with SIGKILL
/// (`kill`) or stops answering (`hang`, which only the watchdog can notice).
func checkFailure(hang: Bool) throws {
    var buffer = [Float](repeating: 1, count: 1024)
    for step in 0..<100_000 {
        if rank == size - 1 && step == 50 {
            if hang { while true { sleep(1000) } }
            kill(getpid(), SIGKILL)
        }
        try buffer.withUnsafeMutableBufferPointer { try group.allReduce($0, .mean) }
        usleep(1000)
    }
    print("FAIL the job outlived its killed rank")
}

do {
    for check in CommandLine.arguments.dropFirst() {
        switch check {
        case "collectives": try checkCollectives()
        case "training": try checkTraining()
        case "disagreement": try checkDisagreement()
        case "kill": try checkFailure(hang: false)
        case "hang": try checkFailure(hang: true)
        default: group.abort("FAIL unknown check \(check)")
        }
    }
    try group.finalize()
} catch {
    group.abort("FAIL \(error)")
}
