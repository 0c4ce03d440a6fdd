import Nabla

/// Mini-batches of `(inputs, targets)` for training, like PyTorch's `DataLoader`.
///
/// Iterating the loader (`for (x, y) in loader`) yields one epoch. With `shuffle`,
/// each new iteration is the next epoch and uses a new order; epoch `e` uses the
/// permutation of `RandomGenerator(seed: seed ⊕ mix(e))`, so a given seed always
/// gives the same sequence of epochs. Without `shuffle` the items come in order.
/// The last, partial batch is kept unless `dropLast` is set. Each batch is gathered
/// straight into one contiguous tensor.
public final class DataLoader: Sequence {
    /// One batch: inputs `[B, …]` and targets `[B, …]` of the same `B` items.
    public typealias Element = (inputs: Tensor, targets: Tensor)

    /// All inputs, items along axis 0 (stored contiguous).
    public let inputs: Tensor
    /// All targets, items along axis 0 (stored contiguous).
    public let targets: Tensor
    /// Items per batch.
    public let batchSize: Int
    /// Whether each epoch visits the items in a new random order.
    public let shuffle: Bool
    /// Whether the last batch is skipped when it is partial.
    public let dropLast: Bool
    /// The seed from which every epoch's order is derived.
    public let seed: UInt64
    /// The epoch that the next iteration will produce (starts at 0).
    public private(set) var nextEpoch = 0

    /// - Parameters:
    ///   - inputs: Items along axis 0, shape `[N, …]`.
    ///   - targets: Items along axis 0, shape `[N, …]`, matching `inputs`.
    ///   - batchSize: Items per batch, at least 1.
    ///   - shuffle: Whether each epoch visits the items in a new random order.
    ///   - dropLast: Whether to skip the last batch when it has fewer than `batchSize` items.
    ///   - seed: The seed of the shuffling; by default one drawn from the global generator
    ///     (`Nabla.manualSeed(_:)`), as PyTorch's loader draws from `torch.manual_seed`'s.
    /// Fails unless `inputs` and `targets` have rank ≥ 1 and the same length along axis 0, and `batchSize > 0`.
    public init(inputs: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool = false,
                dropLast: Bool = false, seed: UInt64? = nil) {
        guard !inputs.shape.isEmpty && !targets.shape.isEmpty else {
            Nabla.fail("DataLoader: inputs \(inputs.shape) and targets \(targets.shape) need an item axis")
        }
        guard inputs.shape[0] == targets.shape[0] else {
            Nabla.fail("DataLoader: inputs \(inputs.shape) and targets \(targets.shape) hold different numbers of items")
        }
        guard batchSize > 0 else { Nabla.fail("DataLoader: batch size must be positive, got \(batchSize)") }
        // Contiguous once here, so gathering a batch never re-materialises a view.
        self.inputs = inputs.contiguous()
        self.targets = targets.contiguous()
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed ?? Nabla.withGlobalGenerator { $0.next() }
    }

    /// The number of items.
    public var itemCount: Int { inputs.shape[0] }

    /// The number of batches in one epoch.
    public var batchCount: Int { dropLast ? itemCount / batchSize : (itemCount + batchSize - 1) / batchSize }

    /// The batches of the next epoch; advances ``nextEpoch``.
    public func makeIterator() -> Epoch.Iterator {
        defer { nextEpoch += 1 }
        return epoch(nextEpoch).makeIterator()
    }

    /// The batches of a given epoch, without touching ``nextEpoch``.
    public func epoch(_ index: Int) -> Epoch {
        let order = shuffle ? DataLoader.shuffledOrder(itemCount: itemCount, seed: seed, epoch: index) : Array(0..<itemCount)
        return Epoch(loader: self, order: order)
    }

    /// The batches of one epoch in a fixed order.
    public struct Epoch: Sequence {
        let loader: DataLoader
        /// The item indices of this epoch, in visiting order.
        public let order: [Int]

        /// Iterates the batches of this epoch.
        public func makeIterator() -> Iterator { Iterator(epoch: self) }

        /// Gathers one batch per call to `next()`.
        public struct Iterator: IteratorProtocol {
            let epoch: Epoch
            var batch = 0

            /// The next batch, or nil after the epoch's last one.
            public mutating func next() -> DataLoader.Element? {
                let loader = epoch.loader
                guard batch < loader.batchCount else { return nil }
                let start = batch * loader.batchSize
                let rows = Array(epoch.order[start..<Swift.min(start + loader.batchSize, loader.itemCount)])
                batch += 1
                return (loader.inputs.gather(rows: rows), loader.targets.gather(rows: rows))
            }
        }
    }
}
