import Dispatch
import Nabla

/// Mini-batches of `(inputs, targets)` for training, like PyTorch's `DataLoader`.
///
/// Iterating the loader (`for (x, y) in loader`) yields one epoch. With `shuffle`,
/// each new iteration is the next epoch and uses a new order; epoch `e` uses the
/// permutation of `RandomGenerator(seed: seed ⊕ mix(e))`, so a given seed always
/// gives the same sequence of epochs. Without `shuffle` the items come in order.
/// The last, partial batch is kept unless `dropLast` is set. Each batch is gathered
/// straight into one contiguous tensor, by a byte copy of its rows whatever the dtype;
/// a loader over 8-bit images (``init(images:targets:batchSize:shuffle:dropLast:seed:)``)
/// then converts each batch to float32 in [0, 1] in one pass, as fastai's `IntToFloatTensor`.
///
/// With ``prefetch`` on, the loader gathers the next batch on a worker thread while
/// the caller trains on the current one (a queue of one batch, as a PyTorch
/// `DataLoader` worker): the batches and their order are the same either way. By
/// default the loader chooses each epoch from the last one's timings (see ``prefetch``).
/// The worker is a serial dispatch queue, not a child task: iterating a `Sequence`
/// (`for (x, y) in loader`) is synchronous, and awaiting a child task needs an async
/// caller, so structured concurrency would make every training loop async.
public final class DataLoader: Sequence {
    /// One batch: inputs `[B, …]` and targets `[B, …]` of the same `B` items.
    public typealias Element = (inputs: Tensor, targets: Tensor)

    /// The inputs batches are gathered from, items along axis 0 (contiguous).
    private let storedInputs: Tensor
    /// Whether `storedInputs` are 8-bit pixels that each batch converts to float32 in [0, 1].
    private let convertsPixels: Bool
    /// All inputs, items along axis 0 (for a loader over 8-bit images, converted to float32 in [0, 1] on each use).
    public var inputs: Tensor { convertsPixels ? Self.floatPixels(storedInputs) : storedInputs }
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
    /// Whether iterating gathers the next batch on a worker thread while the current one is used;
    /// nil (the default) lets the loader choose each epoch: the first epoch gathers on the caller's
    /// thread, and an epoch prefetches when, in the last full epoch, the caller spent at least
    /// ``prefetchWorkRatio`` times as long with each batch as gathering one took. Handing a batch
    /// to another core costs a wake-up and leaves the batch in that core's cache; when the caller's
    /// work is short (the lesson's linear model: two matrix–vector products a batch), that costs
    /// more than the overlap saves (0.149 s against 0.117 s for its 20 epochs, one thread).
    public var prefetch: Bool?
    /// Whether an epoch started now prefetches: ``prefetch``, or the loader's choice from the last full epoch.
    public var prefetches: Bool { prefetch ?? measuredPrefetchPays }
    /// How many times longer than gathering a batch the caller's work with it must take for the
    /// default (``prefetch`` nil) to prefetch.
    public static let prefetchWorkRatio = 2.0
    /// Whether the last full epoch's timings favour prefetching (false before any).
    private var measuredPrefetchPays = false
    /// The seconds per batch of the last full epoch: the caller's work with a batch, and gathering one.
    public private(set) var lastEpochTimings: (work: Double, gather: Double)?

    /// - Parameters:
    ///   - inputs: Items along axis 0, shape `[N, …]`.
    ///   - targets: Items along axis 0, shape `[N, …]`, matching `inputs`.
    ///   - batchSize: Items per batch, at least 1.
    ///   - shuffle: Whether each epoch visits the items in a new random order.
    ///   - dropLast: Whether to skip the last batch when it has fewer than `batchSize` items.
    ///   - seed: The seed of the shuffling; by default one drawn from the global generator
    ///     (`Nabla.manualSeed(_:)`), as PyTorch's loader draws from `torch.manual_seed`'s.
    /// Fails unless `inputs` and `targets` have rank ≥ 1 and the same length along axis 0, and `batchSize > 0`.
    public convenience init(inputs: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool = false,
                            dropLast: Bool = false, seed: UInt64? = nil) {
        self.init(inputs: inputs, convertsPixels: false, named: "inputs", targets: targets, batchSize: batchSize,
                  shuffle: shuffle, dropLast: dropLast, seed: seed)
    }

    /// A loader whose batches' inputs are the 8-bit `images` (a uint8 tensor `[N, …]`)
    /// as float32 in [0, 1], `Float(p) / 255`, shape `[B, …]` (images of shape `[N, 784]`
    /// give the book's flattened `[B, 784]` batches). A batch is gathered as bytes and
    /// converted once, so the images take a quarter of the memory of float32 and the
    /// gather a quarter of the bandwidth. The other parameters as
    /// ``init(inputs:targets:batchSize:shuffle:dropLast:seed:)``.
    public convenience init(images: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool = false,
                            dropLast: Bool = false, seed: UInt64? = nil) {
        guard images.dtype == .uint8 else {
            Nabla.fail("DataLoader(images:): takes 8-bit images (uint8), got \(images.dtype); pass other tensors as inputs:")
        }
        self.init(inputs: images, convertsPixels: true, named: "images", targets: targets, batchSize: batchSize,
                  shuffle: shuffle, dropLast: dropLast, seed: seed)
    }

    private init(inputs: Tensor, convertsPixels: Bool, named name: String, targets: Tensor, batchSize: Int,
                 shuffle: Bool, dropLast: Bool, seed: UInt64?) {
        let shape = inputs.shape
        guard !shape.isEmpty && !targets.shape.isEmpty else {
            Nabla.fail("DataLoader: \(name) \(shape) and targets \(targets.shape) need an item axis")
        }
        guard shape[0] == targets.shape[0] else {
            Nabla.fail("DataLoader: \(name) \(shape) and targets \(targets.shape) hold different numbers of items")
        }
        guard batchSize > 0 else { Nabla.fail("DataLoader: batch size must be positive, got \(batchSize)") }
        // PyTorch's RandomSampler refuses an empty data set; an epoch of nothing would train nothing.
        guard !(shuffle && shape[0] == 0) else {
            Nabla.fail("DataLoader: \(name) \(shape) hold no items, so there is nothing to shuffle or train on")
        }
        if batchSize > shape[0] && shape[0] > 0 {
            Nabla.warn("DataLoader: the batch size \(batchSize) is larger than the data set (\(shape[0]) items), so "
                       + (dropLast ? "with dropLast an epoch has no batch at all" : "an epoch is one batch of \(shape[0])"),
                       site: "DataLoader batch size \(batchSize) of \(shape[0]) dropLast \(dropLast)")
        }
        // Contiguous once here, so gathering a batch never re-materialises a view.
        self.storedInputs = inputs.contiguous()
        self.convertsPixels = convertsPixels
        self.targets = targets.contiguous()
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed ?? Nabla.withGlobalGenerator { $0.next() }
    }

    /// The number of items.
    public var itemCount: Int { targets.shape[0] }

    /// The number of batches in one epoch.
    public var batchCount: Int { itemCount / batchSize + (dropLast || itemCount % batchSize == 0 ? 0 : 1) }

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

    /// Batch `index` of an epoch visiting items in `order`.
    fileprivate func batch(_ index: Int, order: [Int]) -> Element {
        let start = index * batchSize
        return gather(rows: Array(order[start..<(start + Swift.min(batchSize, itemCount - start))]))
    }

    /// The items `rows` as one batch (a ``DistributedSampler``'s shard of a batch, say).
    public func gather(rows: [Int]) -> Element {
        let inputs = storedInputs.gather(rows: rows)
        return (convertsPixels ? Self.floatPixels(inputs) : inputs, targets.gather(rows: rows))
    }

    /// 8-bit pixels as float32 in [0, 1].
    private static func floatPixels(_ pixels: Tensor) -> Tensor { pixels.to(.float32, dividedBy: 255) }

    /// Records a full epoch's timings, which choose whether the next epoch prefetches by default.
    func recordEpoch(work: Double, gather: Double, batches: Int) {
        guard batches > 0 else { return }
        let timings = (work: work / Double(batches), gather: gather / Double(batches))
        lastEpochTimings = timings
        measuredPrefetchPays = timings.work >= DataLoader.prefetchWorkRatio * timings.gather
    }

    /// The batches of one epoch in a fixed order.
    public struct Epoch: Sequence {
        let loader: DataLoader
        /// The item indices of this epoch, in visiting order.
        public let order: [Int]

        /// Iterates the batches of this epoch.
        public func makeIterator() -> Iterator { Iterator(epoch: self) }

        /// Gathers one batch per call to `next()`, or takes the one the worker gathered meanwhile.
        /// Times the caller's work between calls and the gathering, for the loader's default choice.
        public struct Iterator: IteratorProtocol {
            let epoch: Epoch
            var batch = 0
            private let prefetcher: Prefetcher?
            /// When the last batch was handed out, and the seconds spent so far with batches and gathering them.
            private var handedOut: Double?
            private var workSeconds = 0.0, gatherSeconds = 0.0

            init(epoch: Epoch) {
                self.epoch = epoch
                prefetcher = epoch.loader.prefetches ? Prefetcher() : nil
            }

            /// The next batch, or nil after the epoch's last one.
            public mutating func next() -> DataLoader.Element? {
                let loader = epoch.loader
                let now = loaderClock()
                if let handedOut { workSeconds += now - handedOut }
                guard batch < loader.batchCount else {
                    if handedOut != nil {
                        handedOut = nil
                        loader.recordEpoch(work: workSeconds, gather: gatherSeconds + (prefetcher?.gatherSeconds ?? 0),
                                           batches: loader.batchCount)
                    }
                    return nil
                }
                let (order, index) = (epoch.order, batch)
                batch += 1
                defer { handedOut = loaderClock() }
                guard let prefetcher else {
                    let gathered = loader.batch(index, order: order)
                    gatherSeconds += loaderClock() - now
                    return gathered
                }
                let current = prefetcher.take() ?? loader.batch(index, order: order)
                if batch < loader.batchCount {
                    let following = batch
                    // The gathering reads only what the loader never changes (its items, targets and batch size).
                    nonisolated(unsafe) let loader = loader
                    prefetcher.start { loader.batch(following, order: order) }
                }
                return current
            }
        }
    }
}

/// Gathers one batch ahead on a serial queue; `take` waits for it.
private final class Prefetcher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "NablaData.DataLoader.prefetch")
    /// Written on `queue` only; read on the caller's thread after `queue.sync` has waited for the write.
    private var ready: DataLoader.Element?
    private var gathering = 0.0

    /// The seconds the worker has spent gathering (waits for the batch in flight).
    var gatherSeconds: Double { queue.sync { gathering } }

    func start(_ gather: @escaping @Sendable () -> DataLoader.Element) {
        queue.async {
            let start = loaderClock()
            self.ready = gather()
            self.gathering += loaderClock() - start
        }
    }

    func take() -> DataLoader.Element? {
        queue.sync {
            defer { ready = nil }
            return ready
        }
    }
}

/// Seconds on a monotonic clock, for the loader's timings.
private func loaderClock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
