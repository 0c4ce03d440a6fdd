import XCTest
import Nabla
import NablaData
import NablaNN

/// The lesson's net in its steady state: no tensor storage from the system, and
/// the same numbers whether the loader prefetches or not.
final class SteadyStateTests: XCTestCase {
    /// Records the storage allocator's system allocations after every training batch.
    private final class AllocationTrace: Callback {
        var afterBatch: [[Int]] = []
        func beforeEpoch(_ learner: Learner) { afterBatch.append([]) }
        func afterBatch(_ learner: Learner) {
            if learner.isTraining { afterBatch[afterBatch.count - 1].append(Nabla.storageStatistics.systemAllocations) }
        }
    }

    /// The chapter's net on 1,024 random 28×28 byte images, batch 256.
    private func netLearner(prefetch: Bool, callbacks: [any Callback] = []) -> Learner {
        var generator = RandomGenerator(seed: 5)
        let images = Tensor(shape: [1024, 784], scalars: (0..<1024 * 784).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        let targets = Tensor(shape: [1024, 1], scalars: (0..<1024).map { _ in Float(generator.next() & 1) })
        let train = DataLoader(images: images, targets: targets, batchSize: 256, shuffle: true, seed: 9)
        let valid = DataLoader(images: images[0..<512], targets: targets[0..<512], batchSize: 512)
        train.prefetch = prefetch
        valid.prefetch = prefetch
        let model = Sequential(Linear(inputs: 784, outputs: 30, generator: &generator), ReLU(),
                               Linear(inputs: 30, outputs: 1, generator: &generator))
        return Learner(DataLoaders(train, valid), model, optimizer: SGD.self, loss: mnistLoss, metrics: [.accuracy],
                       callbacks: callbacks, console: .silent)
    }

    func testASteadyStateStepAllocatesNoTensorStorage() throws {
        let trace = AllocationTrace()
        try netLearner(prefetch: false, callbacks: [trace]).fit(3, lr: 0.1)
        XCTAssertEqual(trace.afterBatch.count, 3)
        for (epoch, counts) in trace.afterBatch.enumerated().dropFirst() {
            XCTAssertEqual(counts.count, 4)
            XCTAssertEqual(counts.last, counts.first,
                           "epoch \(epoch): training steps 2–4 took \(counts.last! - counts.first!) buffers from the system")
        }
    }

    func testPrefetchingChangesNoLossToTheLastDigit() throws {
        let plain = netLearner(prefetch: false), prefetching = netLearner(prefetch: true)
        try plain.fit(3, lr: 0.1)
        try prefetching.fit(3, lr: 0.1)
        XCTAssertEqual(prefetching.recorder.losses, plain.recorder.losses)
        XCTAssertEqual(prefetching.recorder.values, plain.recorder.values)
        XCTAssertEqual(plain.recorder.losses.count, 12)
    }
}
