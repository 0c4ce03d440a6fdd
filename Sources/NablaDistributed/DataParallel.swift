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
/// - After every backward, all gradients are packed into one flat buffer per dtype
///   (float32, float64: a model may mix them) and summed over the ranks by one
///   allreduce each, in their own precision. Each rank's gradient is weighted by
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
    /// The gradient allreduces of the last `fit` (one per training step and dtype of the parameters).
    public private(set) var allReduceCount = 0

    private var floatBucket: [Float] = [], doubleBucket: [Double] = []
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
        let floats = parameters.indices.filter { parameters[$0].value.dtype == .float32 }
        let doubles = parameters.indices.filter { parameters[$0].value.dtype == .float64 }
        if let other = parameters.first(where: { $0.value.dtype != .float32 && $0.value.dtype != .float64 }) {
            Nabla.fail(other.value.dtype.isFloatingPoint
                ? "DataParallel: a parameter is \(other.value.dtype); gradients are averaged in float32 and float64 only (convert the model with to(.float32))"
                : "DataParallel: a parameter is \(other.value.dtype); only float32 and float64 parameters have gradients")
        }
        // The head (which parameters have a gradient, and the items) rides in the first bucket.
        let headInFloats = !floats.isEmpty || doubles.isEmpty
        if headInFloats { try allReduce(parameters, floats, items: items, head: true, bucket: &floatBucket) { try group.allReduce($0, .sum) } }
        if !doubles.isEmpty {
            try allReduce(parameters, doubles, items: items, head: !headInFloats, bucket: &doubleBucket) { try group.allReduce($0, .sum) }
        }
        let head = headInFloats ? floatBucket.suffix(parameters.count + 1).map(Double.init) : Array(doubleBucket.suffix(parameters.count + 1))
        for (index, count) in head.dropLast().enumerated() where count > 0 && count != Double(group.size) {
            throw MPIError(call: "DataParallel", rank: group.rank, size: group.size, code: -1,
                           message: "parameter \(index) has a gradient on some ranks and none on others; every rank must compute the same graph")
        }
        let hasGradient = head.dropLast().map { $0 > 0 }, globalItems = head.last!
        assignMeanGradients(parameters, floats, hasGradient, from: floatBucket, globalItems: globalItems)
        assignMeanGradients(parameters, doubles, hasGradient, from: doubleBucket, globalItems: globalItems)
    }

    /// Sums over the ranks, in one allreduce of `T`, the gradients of `members` (the
    /// parameters of `T`'s dtype) each times this rank's `items`, packed into `bucket` as
    /// [each gradient × items | with `head`: for each parameter 1 if it has a gradient | items];
    /// `sum` is the group's allreduce for `T`.
    private func allReduce<T: BinaryFloatingPoint & TensorScalar>(_ parameters: [Parameter], _ members: [Int], items: Int, head: Bool,
                                                                   bucket: inout [T], _ sum: (UnsafeMutableBufferPointer<T>) throws -> Void) throws {
        let gradientCount = members.reduce(0) { $0 + parameters[$1].value.scalarCount }
        let length = gradientCount + (head ? parameters.count + 1 : 0)
        if bucket.count != length { bucket = [T](repeating: 0, count: length) }
        let weight = T(items)
        bucket.withUnsafeMutableBufferPointer { out in
            var position = 0
            for index in members {
                let count = parameters[index].value.scalarCount
                if let grad = parameters[index].grad {
                    grad.withUnsafeBufferPointer(as: T.self) { source in
                        for i in 0..<count { out[position + i] = source[i] * weight }
                    }
                } else {
                    for i in 0..<count { out[position + i] = 0 }
                }
                position += count
            }
            if head {
                for (index, parameter) in parameters.enumerated() { out[gradientCount + index] = parameter.grad == nil ? 0 : 1 }
                out[length - 1] = weight
            }
        }
        let start = monotonicSeconds()
        try bucket.withUnsafeMutableBufferPointer { try sum($0) }
        allReduceSeconds += monotonicSeconds() - start
        allReduceCount += 1
    }

    /// Sets each of `members` that has a gradient to its reduced sum in `bucket` divided by `globalItems`.
    private func assignMeanGradients<T: BinaryFloatingPoint & TensorScalar>(_ parameters: [Parameter], _ members: [Int], _ hasGradient: [Bool],
                                                                             from bucket: [T], globalItems: Double) {
        let scale = 1 / T(globalItems)
        bucket.withUnsafeBufferPointer { reduced in
            var position = 0
            for index in members {
                let shape = parameters[index].value.shape, count = parameters[index].value.scalarCount
                defer { position += count }
                guard hasGradient[index] else { continue }
                parameters[index].value.grad = Tensor(shape: shape) { (grad: UnsafeMutableBufferPointer<T>) in
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

    /// Sets `tensors` on every rank to rank 0's exactly, whatever their dtypes: their
    /// bytes travel in one flat buffer.
    private func broadcast(_ tensors: [Tensor], assign: (Int, Tensor) -> Void) throws {
        guard group.size > 1, !tensors.isEmpty else { return }
        var flat = Tensor(shape: [tensors.reduce(0) { $0 + $1.scalarCount * $1.dtype.byteSize }], dtype: .uint8) { bytes in
            var position = 0
            for tensor in tensors {
                tensor.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: bytes[position..<(position + $0.count)]).copyMemory(from: $0) }
                position += tensor.scalarCount * tensor.dtype.byteSize
            }
        }
        try group.broadcast(&flat, root: 0)
        flat.withUnsafeBytes { bytes in
            var position = 0
            for (index, tensor) in tensors.enumerated() {
                let count = tensor.scalarCount * tensor.dtype.byteSize
                assign(index, Tensor(shape: tensor.shape, dtype: tensor.dtype) {
                    $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
                })
                position += count
            }
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
