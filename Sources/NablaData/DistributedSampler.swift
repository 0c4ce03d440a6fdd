import Nabla

/// Which items each rank of a data-parallel job takes from every batch, as
/// PyTorch's `DistributedSampler`, arranged so that the ranks together train on
/// exactly the batches one process would.
///
/// Every rank derives the same epoch order from the shared `seed` (the order a
/// ``DataLoader`` with that seed visits, so one rank reproduces it). That order
/// is cut into global batches of `globalBatchSize` items, and rank `r` of `n`
/// takes the `r`-th of `n` contiguous, disjoint parts of each (sizes differ by
/// at most one). Over one epoch the ranks' shards are disjoint and cover the
/// items.
///
/// In training every rank must take part in every step (each step is one
/// collective), so a last global batch with fewer items than ranks is skipped
/// there (at most `n − 1` items of an epoch); in evaluation it is kept and the
/// ranks without an item of it have one batch fewer.
public struct DistributedSampler {
    /// Whether every rank needs a part of every batch (training) or not (evaluation).
    public enum Mode { case training, evaluation }

    public let itemCount: Int
    /// The items of one step over all ranks together.
    public let globalBatchSize: Int
    public let rank: Int
    public let rankCount: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let mode: Mode

    /// Fails unless `0 ≤ rank < rankCount`, `globalBatchSize ≥ rankCount` (every rank
    /// needs an item of a full batch) and `itemCount ≥ 0`.
    public init(itemCount: Int, globalBatchSize: Int, rank: Int, rankCount: Int,
                shuffle: Bool, seed: UInt64, mode: Mode) {
        guard rankCount >= 1, (0..<rankCount).contains(rank) else {
            Nabla.fail("DistributedSampler: rank \(rank) is not in 0..<\(rankCount)")
        }
        guard globalBatchSize >= rankCount else {
            Nabla.fail("DistributedSampler: a global batch of \(globalBatchSize) cannot give each of \(rankCount) ranks an item; use a batch size of at least \(rankCount)")
        }
        guard itemCount >= 0 else { Nabla.fail("DistributedSampler: the item count must not be negative, got \(itemCount)") }
        self.itemCount = itemCount
        self.globalBatchSize = globalBatchSize
        self.rank = rank
        self.rankCount = rankCount
        self.shuffle = shuffle
        self.seed = seed
        self.mode = mode
    }

    /// The number of global batches of one epoch (the steps, in training).
    public var globalBatchCount: Int {
        let full = itemCount / globalBatchSize, rest = itemCount % globalBatchSize
        return full + (rest >= (mode == .training ? rankCount : 1) ? 1 : 0)
    }

    /// The item indices of epoch `epoch`, in visiting order, the same on every rank.
    public func epochOrder(_ epoch: Int) -> [Int] {
        shuffle ? DataLoader.shuffledOrder(itemCount: itemCount, seed: seed, epoch: epoch) : Array(0..<itemCount)
    }

    /// The positions (in the epoch order) of this rank's part of global batch `batch`.
    public func part(ofBatch batch: Int) -> Range<Int> {
        let start = batch * globalBatchSize
        let length = min(globalBatchSize, itemCount - start)
        return (start + rank * length / rankCount)..<(start + (rank + 1) * length / rankCount)
    }

    /// This rank's batches of epoch `epoch`: its part of each global batch, as item indices.
    public func batches(epoch: Int) -> [[Int]] {
        let order = epochOrder(epoch)
        return (0..<globalBatchCount).map { Array(order[part(ofBatch: $0)]) }.filter { !$0.isEmpty }
    }
}

extension DataLoader {
    /// The order in which a shuffling loader with `seed` visits `itemCount` items in epoch `epoch`.
    public static func shuffledOrder(itemCount: Int, seed: UInt64, epoch: Int) -> [Int] {
        // splitmix64's increment spreads consecutive epochs over unrelated seeds.
        var generator = RandomGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
        return generator.permutation(itemCount)
    }
}
