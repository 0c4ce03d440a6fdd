import Foundation
import XCTest
@testable import Nabla

/// The kernel layer's parallel loop: every block runs once, large loops use the pool's
/// worker, small ones stay on the calling thread, and nested or concurrent callers finish.
final class ParallelLoopTests: XCTestCase {
    private var savedThreads = 1

    override func setUp() {
        savedThreads = Nabla.threadCount
        Nabla.setThreadCount(2)
    }

    override func tearDown() { Nabla.setThreadCount(savedThreads) }

    private let large = ParallelLoop.minimumParallelElements

    func testEveryBlockRunsExactlyOnce() {
        for threads in [1, 2, 4] {
            Nabla.setThreadCount(threads)
            for blockCount in [0, 1, 2, 3, 17, 1000] {
                let runs = BlockRecord(count: blockCount)
                ParallelLoop.forEachBlock(blockCount, elements: large) { runs.record($0) }
                XCTAssertEqual(runs.counts, [Int](repeating: 1, count: blockCount), "\(blockCount) blocks at \(threads) threads")
            }
        }
    }

    func testRangesCoverTheCountOnce() {
        for (count, length) in [(0, 5), (1, 5), (10, 5), (11, 5), (100_003, 1000)] {
            let seen = BlockRecord(count: count)
            ParallelLoop.forEachRange(count, rangeLength: length, elementsPerItem: large) { range in
                if range.isEmpty || range.count > length { seen.note("range \(range)") }
                for index in range { seen.record(index) }
            }
            XCTAssertEqual(seen.counts, [Int](repeating: 1, count: count), "\(count) indices in ranges of \(length)")
            XCTAssertEqual(seen.problems, [], "\(count) indices in ranges of \(length)")
        }
    }

    /// Blocks that take a while leave the worker time to wake and take some of them.
    func testLargeLoopsRunOnTwoThreads() {
        let runs = BlockRecord(count: 200)
        ParallelLoop.forEachBlock(200, elements: large) { block in
            runs.record(block)
            usleep(500)
        }
        XCTAssertEqual(runs.counts, [Int](repeating: 1, count: 200))
        XCTAssertEqual(runs.threads.count, 2, "the worker took no block of 200 that each sleep 0.5 ms")
    }

    func testSmallLoopsAndOneThreadStayOnTheCallingThreadInOrder() {
        let caller = pthread_self()
        for (threads, elements) in [(2, large - 1), (1, large)] {
            Nabla.setThreadCount(threads)
            var order: [Int] = []
            ParallelLoop.forEachBlock(50, elements: elements) { block in
                if pthread_equal(pthread_self(), caller) == 0 { order.append(-1) }
                order.append(block)
            }
            XCTAssertEqual(order, Array(0..<50), "\(elements) elements at \(threads) threads")
        }
    }

    /// A block that calls the loop again (an op inside an op) finds the pool busy and runs
    /// the inner blocks itself, on whichever thread it is.
    func testNestedLoopsFinish() {
        let outer = BlockRecord(count: 8), inner = BlockRecord(count: 8 * 64)
        ParallelLoop.forEachBlock(8, elements: large) { block in
            outer.record(block)
            ParallelLoop.forEachBlock(64, elements: large) { inner.record(block * 64 + $0) }
        }
        XCTAssertEqual(outer.counts, [Int](repeating: 1, count: 8))
        XCTAssertEqual(inner.counts, [Int](repeating: 1, count: 8 * 64))
    }

    /// Many threads call at once; each call runs its own blocks exactly once.
    func testConcurrentCallersEachRunTheirBlocksOnce() {
        let callers = 16, blocks = 300
        let runs = BlockRecord(count: callers * blocks)
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for _ in 0..<3 {
                let round = BlockRecord(count: blocks)
                ParallelLoop.forEachBlock(blocks, elements: large) { round.record($0) }
                if round.counts != [Int](repeating: 1, count: blocks) { runs.note("caller \(caller): \(round.counts)") }
            }
            ParallelLoop.forEachBlock(blocks, elements: large) { runs.record(caller * blocks + $0) }
        }
        XCTAssertEqual(runs.counts, [Int](repeating: 1, count: callers * blocks))
        XCTAssertEqual(runs.problems, [])
    }
}

/// How often each block ran, on which threads, and what went wrong; a lock keeps the writers apart.
private final class BlockRecord: @unchecked Sendable {
    private var runCounts: [Int]
    private var threadIDs: Set<UInt> = []
    private var notes: [String] = []
    private let lock = NSLock()

    init(count: Int) { runCounts = [Int](repeating: 0, count: count) }

    func record(_ block: Int) {
        lock.withLock {
            runCounts[block] += 1
            threadIDs.insert(UInt(pthread_self()))
        }
    }

    /// Records something that went wrong on a thread where XCTest cannot assert.
    func note(_ problem: String) { lock.withLock { notes.append(problem) } }

    var counts: [Int] { lock.withLock { runCounts } }
    var problems: [String] { lock.withLock { notes } }
    var threads: Set<UInt> { lock.withLock { threadIDs } }
}
