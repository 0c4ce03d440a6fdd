import Nabla

/// Items of `(input, target)` pairs taken from two tensors along axis 0, as the
/// chapter's `dset = list(zip(train_x, train_y))`: `dset[0]` is the first image and
/// its label, `dset.count` the number of items, and `DataLoader(dset, batchSize: 256)`
/// batches it.
public struct Dataset: RandomAccessCollection {
    /// All inputs, items along axis 0.
    public let inputs: Tensor
    /// All targets, items along axis 0.
    public let targets: Tensor

    /// Pairs item `i` of `inputs` with item `i` of `targets`; both need an item axis of the same length.
    public init(_ inputs: Tensor, _ targets: Tensor) {
        guard inputs.rank >= 1, targets.rank >= 1, inputs.shape[0] == targets.shape[0] else {
            Nabla.fail("Dataset: inputs of shape \(inputs.shape) and targets of shape \(targets.shape) must hold the same number of items along axis 0")
        }
        self.inputs = inputs
        self.targets = targets
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { inputs.shape[0] }

    /// Item `index`: its input and its target (views, without the item axis).
    public subscript(index: Int) -> (input: Tensor, target: Tensor) {
        guard indices.contains(index) else {
            Nabla.fail("Dataset: index \(index) is out of range for \(count) items")
        }
        return (inputs[index], targets[index])
    }
}

extension DataLoader {
    /// A loader over a ``Dataset``'s pairs, as PyTorch's `DataLoader(dset, batch_size=256)`.
    public convenience init(_ dataset: Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                            seed: UInt64? = nil) {
        self.init(inputs: dataset.inputs, targets: dataset.targets, batchSize: batchSize, shuffle: shuffle,
                  dropLast: dropLast, seed: seed)
    }

    /// The first batch of the next epoch, without starting it: fastai's `first(dl)`,
    /// `let (xb, yb) = dl.first!`.
    public var first: Element? {
        var batches = epoch(nextEpoch).makeIterator()
        return batches.next()
    }
}
