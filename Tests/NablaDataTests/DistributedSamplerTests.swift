import Nabla
import NablaData
import NablaTestSupport
import XCTest

final class DistributedSamplerTests: XCTestCase {
    private func samplers(items: Int, batch: Int, ranks: Int, mode: DistributedSampler.Mode, shuffle: Bool = true) -> [DistributedSampler] {
        (0..<ranks).map { DistributedSampler(itemCount: items, globalBatchSize: batch, rank: $0, rankCount: ranks,
                                             shuffle: shuffle, seed: 5, mode: mode) }
    }

    func testRanksSplitEveryGlobalBatchOfTheLoadersOrder() {
        let loader = DataLoader(inputs: Tensor(shape: [10, 1], scalars: (0..<10).map(Float.init)), targets: Tensor([Float](repeating: 0, count: 10)),
                                batchSize: 4, shuffle: true, seed: 5)
        for ranks in [1, 2, 3] {
            let all = samplers(items: 10, batch: 4, ranks: ranks, mode: .training)
            for epoch in 0..<3 {
                // Rank parts, concatenated in rank order, are the loader's batches.
                let loaderBatches = Array(loader.epoch(epoch)).map { $0.inputs.scalars.map(Int.init) }
                let perRank = all.map { $0.batches(epoch: epoch) }
                // The last batch of 2 items is skipped by 3 ranks: one would have none.
                let steps = ranks <= 2 ? 3 : 2
                XCTAssertEqual(perRank.map(\.count), [Int](repeating: steps, count: ranks))
                for batch in 0..<steps {
                    XCTAssertEqual(perRank.flatMap { $0[batch] }, loaderBatches[batch], "ranks \(ranks) epoch \(epoch) batch \(batch)")
                    let sizes = perRank.map { $0[batch].count }
                    XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1)
                }
            }
        }
    }

    func testShardsAreDisjointAndEpochsDiffer() {
        let all = samplers(items: 103, batch: 16, ranks: 4, mode: .training)
        let shards = all.map { Set($0.batches(epoch: 0).joined()) }
        XCTAssertEqual(shards.map(\.count).reduce(0, +), 103)
        XCTAssertEqual(shards.reduce(Set<Int>()) { $0.union($1) }, Set(0..<103))
        XCTAssertNotEqual(all[0].batches(epoch: 0), all[0].batches(epoch: 1))
        XCTAssertEqual(all[2].batches(epoch: 1), all[2].batches(epoch: 1))
    }

    func testATailSmallerThanTheRanksIsSkippedInTrainingOnly() {
        // 33 items, batches of 16, 4 ranks: the last global batch has 1 item.
        let training = samplers(items: 33, batch: 16, ranks: 4, mode: .training, shuffle: false)
        XCTAssertEqual(training.map { $0.batches(epoch: 0).count }, [2, 2, 2, 2])
        XCTAssertEqual(training[3].batches(epoch: 0), [[12, 13, 14, 15], [28, 29, 30, 31]])
        let evaluation = samplers(items: 33, batch: 16, ranks: 4, mode: .evaluation, shuffle: false)
        XCTAssertEqual(evaluation.map { $0.batches(epoch: 0).count }, [2, 2, 2, 3])
        XCTAssertEqual(evaluation[3].batches(epoch: 0).last, [32])
        XCTAssertEqual(evaluation.flatMap { $0.batches(epoch: 0).joined() }.sorted(), Array(0..<33))
    }

    func testBadArgumentsStopWithAMessage() {
        assertFails("DistributedSampler: rank 2 is not in 0..<2") {
            _ = DistributedSampler(itemCount: 4, globalBatchSize: 2, rank: 2, rankCount: 2, shuffle: false, seed: 0, mode: .training)
        }
        assertFails("DistributedSampler: a global batch of 2 cannot give each of 4 ranks an item; use a batch size of at least 4") {
            _ = DistributedSampler(itemCount: 4, globalBatchSize: 2, rank: 0, rankCount: 4, shuffle: false, seed: 0, mode: .training)
        }
    }
}
