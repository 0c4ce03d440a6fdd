import Nabla
import NablaData
import NablaNN

/// Data-parallel training as a ``Callback``, as PyTorch's `DistributedDataParallel`
/// and Horovod: every rank runs the same ``Learner`` on its own shard of each
/// batch (see ``DataParallel/shard(_:)``), and this callback keeps the ranks'
/// models identical.
///
/// - At the start of `fit` the ranks check that they agree (see
///   ``RankDisagreement``), then the parameters and buffers are broadcast from rank 0.
/// - After every backward, all gradients are packed into one flat buffer and
///   summed over the ranks by one allreduce. Each rank's gradient is weighted by
///   its share of the global batch, so the result is the gradient of the mean
///   loss over the whole global batch, as one process would compute it (the loss
///   must be a mean over the batch's items, as the learner's losses are). Every
///   rank then takes the same optimizer step from the same gradients.
/// - Before validation the buffers (batch norm's running statistics, which each
///   rank updates from its own shard) are set to rank 0's, so that validation
///   and a checkpoint see one model.
/// - At the end of every epoch the row's losses and metrics are averaged over
///   the ranks, weighted by their item counts, before the table prints it.
///
/// Give the learner a silent console on every rank but 0, and write files on
/// rank 0 only. Batch norm normalises with its rank's batch statistics, as
/// DistributedDataParallel does without `SyncBatchNorm`.
public final class DataParallel: Callback {
    public let group: ProcessGroup
    /// Wall time spent in the gradient allreduce during the last `fit`.
    public private(set) var allReduceSeconds = 0.0
    /// The gradient allreduces of the last `fit` (one per training step).
    public private(set) var allReduceCount = 0

    private var bucket: [Float] = []
    private var trainItems = 0, validItems = 0
    /// The loaders given to ``shard(_:mode:)`` last, as (items, global batch size), for the agreement check.
    private var trainingLoader: (items: Int, batchSize: Int)?, evaluationLoader: (items: Int, batchSize: Int)?

    public init(_ group: ProcessGroup) { self.group = group }

    /// Before the table (−10) and every other callback: the others see averaged
    /// gradients and the reduced epoch row.
    public var order: Int { -20 }

    /// The batches of `loader` that this rank trains on (or evaluates): its part
    /// of each of the loader's batches, which become global batches of
    /// `loader.batchSize` items over all ranks. See ``DistributedSampler``.
    public func shard(_ loader: DataLoader, mode: DistributedSampler.Mode = .training) -> BatchSource {
        if mode == .training { trainingLoader = (loader.itemCount, loader.batchSize) } else { evaluationLoader = (loader.itemCount, loader.batchSize) }
        let sampler = DistributedSampler(itemCount: loader.itemCount, globalBatchSize: loader.batchSize, rank: group.rank,
                                         rankCount: group.size, shuffle: loader.shuffle, seed: loader.seed, mode: mode)
        var epoch = 0
        return BatchSource(batchCount: sampler.batches(epoch: 0).count) {
            defer { epoch += 1 }
            var batches = sampler.batches(epoch: epoch).makeIterator()
            return AnyIterator { batches.next().map { loader.gather(rows: $0) } }
        }
    }

    public func beforeFit(_ learner: Learner) throws {
        allReduceSeconds = 0
        allReduceCount = 0
        try requireAgreement(learner)
        try broadcast(learner.model.parameters.map(\.value) + learner.model.namedBuffers.map(\.buffer.value),
                      assign: { index, value in
                          let parameters = learner.model.parameters
                          if index < parameters.count {
                              noGrad { parameters[index].value[.ellipsis] = value }
                          } else {
                              learner.model.namedBuffers[index - parameters.count].buffer.value = value
                          }
                      })
    }

    public func beforeEpoch(_ learner: Learner) throws { trainItems = 0 }

    public func afterBackward(_ learner: Learner) throws {
        let parameters = learner.model.parameters
        let items = learner.input.shape.first ?? 1
        trainItems += items
        // [each gradient × items | for each parameter 1 if it has a gradient | items]
        let gradientCount = parameters.reduce(0) { $0 + $1.value.scalarCount }
        let length = gradientCount + parameters.count + 1
        if bucket.count != length { bucket = [Float](repeating: 0, count: length) }
        let weight = Float(items)
        bucket.withUnsafeMutableBufferPointer { out in
            var position = 0
            for (index, parameter) in parameters.enumerated() {
                let count = parameter.value.scalarCount
                if let grad = parameter.grad {
                    grad.withUnsafeBufferPointer { source in
                        for i in 0..<count { out[position + i] = source[i] * weight }
                    }
                    out[gradientCount + index] = 1
                } else {
                    for i in 0..<count { out[position + i] = 0 }
                    out[gradientCount + index] = 0
                }
                position += count
            }
            out[length - 1] = weight
        }
        let start = monotonicSeconds()
        try bucket.withUnsafeMutableBufferPointer { try group.allReduce($0, .sum) }
        allReduceSeconds += monotonicSeconds() - start
        allReduceCount += 1
        try bucket.withUnsafeBufferPointer { reduced in
            let scale = 1 / reduced[length - 1]
            var position = 0
            for (index, parameter) in parameters.enumerated() {
                let shape = parameter.value.shape, count = parameter.value.scalarCount
                defer { position += count }
                guard reduced[gradientCount + index] > 0 else { continue }
                guard reduced[gradientCount + index] == Float(group.size) else {
                    throw MPIError(call: "DataParallel", rank: group.rank, size: group.size, code: -1,
                                   message: "parameter \(index) has a gradient on some ranks and none on others; every rank must compute the same graph")
                }
                parameter.value.grad = Tensor(shape: shape) { grad in
                    for i in 0..<count { grad[i] = reduced[position + i] * scale }
                }
            }
        }
    }

    public func beforeValidate(_ learner: Learner) throws {
        validItems = 0
        try broadcastBuffers(learner.model)
    }

    public func afterBatch(_ learner: Learner) throws {
        if !learner.isTraining { validItems += learner.input.shape.first ?? 1 }
    }

    public func afterEpoch(_ learner: Learner) throws {
        guard let row = learner.recorder.epochs.last else { return }
        // Sums of each mean times its items (0 for a rank without items, whose means are NaN).
        func weighted(_ mean: Float, _ items: Int) -> Double { items == 0 ? 0 : Double(mean) * Double(items) }
        let sums = try group.allReduceSum([Double(trainItems), Double(validItems), weighted(row.trainLoss, trainItems),
                                           weighted(row.validLoss, validItems)] + row.metrics.map { weighted($0, validItems) })
        learner.recorder.reviseLastEpoch(trainLoss: Float(sums[2] / sums[0]), validLoss: Float(sums[3] / sums[1]),
                                         metrics: sums[4...].map { Float($0 / sums[1]) })
    }

    /// What every rank must have in common for the collectives of `fit` to match:
    /// a different model or batch count would pair buffers of different lengths.
    private func fingerprint(_ learner: Learner) -> [(field: String, value: Double, shown: Bool)] {
        let parameters = learner.model.parameters.map(\.value.shape), buffers = learner.model.namedBuffers.map(\.buffer.value.shape)
        return [("the parameter count", Double(parameters.reduce(0) { $0 + $1.reduce(1, *) }), true),
                ("the parameter shapes", shapeHash(parameters), false),
                ("the buffer shapes", shapeHash(buffers), false),
                ("the training set size", Double(trainingLoader?.items ?? 0), true),
                ("the batch size", Double(trainingLoader?.batchSize ?? 0), true),
                ("the steps per epoch", Double(learner.dls.train.batchCount), true),
                ("the validation set size", Double(evaluationLoader?.items ?? 0), true),
                ("the validation batches", Double(learner.dls.valid.batchCount), true),
                ("the number of metrics", Double(learner.metrics.count), true)]
    }

    /// Gathers every rank's ``fingerprint(_:)`` (one small collective) and throws
    /// the same ``RankDisagreement`` on every rank if any differs from rank 0's.
    private func requireAgreement(_ learner: Learner) throws {
        guard group.size > 1 else { return }
        let mine = fingerprint(learner)
        let all = try group.allGather(mine.map(\.value))
        for rank in 1..<group.size {
            if let index = mine.indices.first(where: { all[rank][$0] != all[0][$0] }) {
                let field = mine[index]
                throw RankDisagreement(rank: rank, field: field.field,
                                       values: field.shown ? (Int(all[rank][index]), Int(all[0][index])) : nil)
            }
        }
    }

    private func broadcastBuffers(_ model: any Module) throws {
        let buffers = model.namedBuffers.map(\.buffer)
        try broadcast(buffers.map(\.value), assign: { buffers[$0].value = $1 })
    }

    /// Sets `tensors` on every rank to rank 0's, through one flat buffer.
    private func broadcast(_ tensors: [Tensor], assign: (Int, Tensor) -> Void) throws {
        guard group.size > 1, !tensors.isEmpty else { return }
        var flat = tensors.flatMap(\.scalars)
        try flat.withUnsafeMutableBufferPointer { try group.broadcast($0, root: 0) }
        var position = 0
        for (index, tensor) in tensors.enumerated() {
            let count = tensor.scalarCount
            // Back to the tensor's dtype (an int64 num_batches_tracked travels as float32, exact below 2^24).
            assign(index, Tensor(shape: tensor.shape, scalars: Array(flat[position..<(position + count)])).to(tensor.dtype))
            position += count
        }
    }
}

/// A data-parallel job whose ranks differ in the model or the data: rank `rank`
/// disagrees with rank 0 on `field`. Every rank throws the same error before the
/// first collective of `fit`, which would otherwise pair buffers of different lengths.
public struct RankDisagreement: Error, CustomStringConvertible {
    public let rank: Int
    public let field: String
    /// Rank `rank`'s value and rank 0's, for a field that is a count.
    public let values: (rank: Int, root: Int)?

    public var description: String {
        let detail = values.map { " (\($0.rank) on rank \(rank), \($0.root) on rank 0)" } ?? ""
        return "data-parallel training: rank \(rank) disagrees with rank 0 on \(field)\(detail); every rank must run the same model on the same data with the same settings"
    }
}

/// A 48-bit FNV-1a hash of `shapes` (exact in a Double, so it survives the gather).
private func shapeHash(_ shapes: [[Int]]) -> Double {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for extent in shapes.flatMap({ [$0.count] + $0 }) {
        hash = (hash ^ UInt64(truncatingIfNeeded: extent)) &* 0x100_0000_01b3
    }
    return Double(hash >> 16)
}
