import Foundation
import XCTest
@testable import Nabla

/// OpenBLAS's thread count is one per process, and some results depend on it (a
/// threaded column sum adds its parts in another order). Nabla switches it between
/// small and large calls; these tests check that what one thread computes never
/// depends on what other threads do at the same time.
final class BLASDeterminismTests: XCTestCase {
    /// A few training steps that switch OpenBLAS's thread count call by call: the skinny
    /// products and the column sums over 65536 rows run on one thread (a threaded column
    /// sum differed in its last bits between one thread and two), one [1024, 4]·[4, 1024]
    /// product on all.
    private func train(seed: UInt64) -> [Float] {
        withBackend(.blas) {
            let x = randomTensor([65536, 4], seed: seed)
            let wide = randomTensor([1024, 4], seed: seed + 2)
            var w = (randomTensor([4, 4], seed: seed + 1) * 0.5).requiringGrad()
            let spread = noGrad { (wide • wide.transpose(0, 1)).mean() }
            for _ in 0..<3 {
                let hidden = (x • w).relu()
                let loss = (hidden.sum(axes: [0]) * 1e-3).square().sum() + hidden.square().mean()
                loss.backward()
                noGrad { w.addScaled(w.grad!, by: -0.1) }
                w.zeroGrad()
            }
            return w.scalars + spread.scalars
        }
    }

    /// Twelve runs on four threads at once give bit for bit the results of the same
    /// runs one at a time. When each call set and restored the process-wide count,
    /// a sum could run on the one thread another run's small product had asked for.
    func testConcurrentTrainingMatchesSerialRuns() {
        let saved = Nabla.threadCount
        Nabla.setThreadCount(2)
        defer { Nabla.setThreadCount(saved) }
        let seeds: [UInt64] = [10, 20, 30, 40]
        let serial = seeds.map { train(seed: $0) }
        let runs = seeds.count * 3
        let results = ResultSlots(count: runs)
        DispatchQueue.concurrentPerform(iterations: runs) { index in
            results.set(train(seed: seeds[index % seeds.count]), at: index)
        }
        for index in 0..<runs {
            XCTAssertEqual(results.value(at: index), serial[index % seeds.count], "run \(index) differs from its serial run")
        }
        XCTAssertEqual(Nabla.threadCount, 2)
    }

    /// eigh gives the same bits at one thread and at two: syevd's eigenvectors did not
    /// (the lesson's eigen-digits picture differed), so it always runs on one.
    func testSymmetricEigenIsTheSameAtOneAndTwoThreads() throws {
        let saved = Nabla.threadCount
        defer { Nabla.setThreadCount(saved) }
        let m = randomTensor([160, 160], seed: 7)
        let a = m + m.transposed
        var results: [[Float]] = []
        for threads in [1, 2] {
            Nabla.setThreadCount(threads)
            let (values, vectors) = try withBackend(.blas) { try Linalg.eigh(a) }
            results.append(values.scalars + vectors.scalars)
        }
        XCTAssertEqual(results[0], results[1])
    }
}

/// One result slot per concurrent run; a lock keeps the runs' writes apart.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[Float]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ value: [Float], at index: Int) { lock.withLock { slots[index] = value } }
    func value(at index: Int) -> [Float] { lock.withLock { slots[index] } }
}
