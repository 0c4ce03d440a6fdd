import XCTest
import Nabla
@testable import NablaData

final class DataLoaderTests: XCTestCase {
    /// 10 items: input i is [i, 100 + i], target i is 1000 + i.
    private let inputs = Tensor(shape: [10, 2], scalars: (0..<10).flatMap { [Float($0), Float(100 + $0)] })
    private let targets = Tensor(shape: [10], scalars: (0..<10).map { Float(1000 + $0) })

    private func itemOrder(_ batches: [DataLoader.Element]) -> [Int] {
        batches.flatMap { batch -> [Int] in
            let x = batch.inputs.scalars, y = batch.targets.scalars
            XCTAssertEqual(batch.inputs.shape, [y.count, 2])
            for k in 0..<y.count {
                XCTAssertEqual(x[2 * k + 1], x[2 * k] + 100, "input row is gathered whole")
                XCTAssertEqual(y[k], x[2 * k] + 1000, "target matches its input")
            }
            return (0..<y.count).map { Int(x[2 * $0]) }
        }
    }

    func testInOrderKeepsLastPartialBatch() {
        let loader = DataLoader(inputs: inputs, targets: targets, batchSize: 4)
        let batches = Array(loader)
        XCTAssertEqual(loader.batchCount, 3)
        XCTAssertEqual(batches.map { $0.targets.shape }, [[4], [4], [2]])
        XCTAssertEqual(itemOrder(batches), Array(0..<10))
    }

    /// Issue 24: `--batch-size 9223372036854775807` overflowed counting the batches.
    /// A batch larger than the set is the whole set, as PyTorch's DataLoader gives.
    func testABatchSizeOfIntMaxIsOneBatchOfEverything() {
        let loader = DataLoader(inputs: inputs, targets: targets, batchSize: .max)
        XCTAssertEqual(loader.batchCount, 1)
        XCTAssertEqual(itemOrder(Array(loader)), Array(0..<10))
        XCTAssertEqual(DataLoader(inputs: inputs, targets: targets, batchSize: .max, dropLast: true).batchCount, 0)
    }

    func testDropLast() {
        let loader = DataLoader(inputs: inputs, targets: targets, batchSize: 4, dropLast: true)
        let batches = Array(loader)
        XCTAssertEqual(loader.batchCount, 2)
        XCTAssertEqual(batches.count, 2)
        XCTAssertEqual(itemOrder(batches), Array(0..<8))
    }

    func testShuffleVisitsEveryItemOnceAndReshufflesEachEpoch() {
        let loader = DataLoader(inputs: inputs, targets: targets, batchSize: 3, shuffle: true, seed: 42)
        let first = itemOrder(Array(loader))
        let second = itemOrder(Array(loader))
        XCTAssertEqual(first.sorted(), Array(0..<10))
        XCTAssertEqual(second.sorted(), Array(0..<10))
        XCTAssertNotEqual(first, second, "a new epoch uses a new order")
        XCTAssertNotEqual(first, Array(0..<10))
        XCTAssertEqual(loader.nextEpoch, 2)
    }

    func testShuffleIsDeterministicForASeed() {
        let a = DataLoader(inputs: inputs, targets: targets, batchSize: 3, shuffle: true, seed: 7)
        let b = DataLoader(inputs: inputs, targets: targets, batchSize: 3, shuffle: true, seed: 7)
        let c = DataLoader(inputs: inputs, targets: targets, batchSize: 3, shuffle: true, seed: 8)
        let epochsA = (0..<3).map { _ in itemOrder(Array(a)) }
        let epochsB = (0..<3).map { _ in itemOrder(Array(b)) }
        XCTAssertEqual(epochsA, epochsB)
        XCTAssertEqual(itemOrder(Array(a.epoch(1))), epochsA[1], "epoch(_:) replays an epoch")
        XCTAssertNotEqual(itemOrder(Array(c)), epochsA[0])
    }

    /// The default prefetching: off in the first epoch; afterwards on only when the caller's work with a
    /// batch took at least `prefetchWorkRatio` times as long as gathering one in the last full epoch.
    func testTheDefaultPrefetchesOnlyWhenTheWorkOutlastsTheGathering() {
        let images = Tensor(shape: [512, 784], scalars: (0..<512 * 784).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let loader = DataLoader(images: images, targets: Tensor.zeros([512, 1]), batchSize: 64, shuffle: true, seed: 5)
        XCTAssertNil(loader.prefetch)
        XCTAssertFalse(loader.prefetches)
        XCTAssertNil(loader.lastEpochTimings)
        let order = Array(loader.epoch(0)).map(\.inputs.scalars)
        // A full epoch records its timings per batch (their values are the machine's: the choice is checked below on given ones).
        for _ in loader {}
        let measured = try? XCTUnwrap(loader.lastEpochTimings)
        XCTAssertGreaterThanOrEqual(measured?.work ?? -1, 0)
        XCTAssertGreaterThan(measured?.gather ?? -1, 0)
        // The choice: prefetch when the work with a batch takes prefetchWorkRatio times its gathering or more.
        loader.recordEpoch(work: 8 * 1.9, gather: 8, batches: 8)
        XCTAssertEqual(loader.lastEpochTimings?.work, 1.9)
        XCTAssertEqual(loader.lastEpochTimings?.gather, 1)
        XCTAssertFalse(loader.prefetches)
        loader.recordEpoch(work: 8 * DataLoader.prefetchWorkRatio, gather: 8, batches: 8)
        XCTAssertTrue(loader.prefetches)
        // An epoch without batches records nothing; an epoch left early neither.
        loader.recordEpoch(work: 0, gather: 1, batches: 0)
        XCTAssertTrue(loader.prefetches)
        var partial = loader.makeIterator()
        _ = partial.next()
        XCTAssertTrue(loader.prefetches)
        // An explicit choice overrides the measured one.
        loader.prefetch = false
        XCTAssertFalse(loader.prefetches)
        loader.prefetch = nil
        XCTAssertTrue(loader.prefetches)
        // A prefetching epoch gives the same batches.
        XCTAssertEqual(Array(loader.epoch(0)).map(\.inputs.scalars), order)
    }
}
