import Foundation
import Synchronization

/// The one parallel loop of the kernel layer: runs the blocks of a kernel's work on the
/// calling thread and on a small pool of persistent worker threads.
///
/// Why it has this shape:
/// - **Fixed blocks.** The caller cuts its work into blocks from the sizes alone; the threads
///   only decide who runs which block. A reduction keeps one partial result per block and
///   combines the partials in block order, so every result is bit for bit the same at any
///   thread count.
/// - **Blocking workers.** Between jobs, and while a caller waits for the last blocks, threads
///   sleep on a condition variable; nothing spins. On a machine with two vCPUs a spinning
///   thread takes the core the caller, OpenBLAS or another process needs, and a spinner that
///   the system deschedules stalls the job for a whole time slice (milliseconds).
/// - **Small work stays on the calling thread**: below ``minimumParallelElements`` waking a
///   worker costs more than it saves.
/// - **One job at a time, and nobody waits for the pool.** A caller that finds the pool busy
///   (another thread's op, or a block that itself calls an op) runs its blocks itself, so
///   concurrent callers and nested calls can never deadlock.
///
/// The pool has ``threadCount`` − 1 workers: ``setThreadCount(_:)`` sets OpenBLAS's threads
/// and Nabla's alike, and the calling thread is the remaining one.
enum ParallelLoop {
    /// Elements per block of a memory-bound loop (256 KiB of float32): enough that a
    /// block's bookkeeping is noise, few enough that two threads share out a 1M-element
    /// op evenly even when one of them is slowed by another process.
    static let blockElements = 1 << 16

    /// Loops over fewer elements than this run on the calling thread. Measured on a 2-vCPU
    /// Zen 4 VM: waking a sleeping worker takes 10–60 µs, about what a memory-bound
    /// elementwise op takes for 256K float32 elements.
    static let minimumParallelElements = 1 << 18

    /// Calls `body(block)` once for every block in `0..<blockCount` and returns when all
    /// have returned. `elements` is the work of the whole loop (elements read or written,
    /// or their equivalent): below ``minimumParallelElements`` every block runs on the
    /// calling thread, in order; above it, blocks run concurrently in any order, so a block
    /// must touch only its own output.
    static func forEachBlock(_ blockCount: Int, elements: Int, _ body: (Int) -> Void) {
        guard blockCount > 1, elements >= minimumParallelElements else {
            for block in 0..<blockCount { body(block) }
            return
        }
        let threads = Swift.min(threadCount, blockCount)
        guard threads > 1 else {
            for block in 0..<blockCount { body(block) }
            return
        }
        WorkerPool.shared.run(blockCount, workers: threads - 1, body)
    }

    /// Calls `body` on consecutive ranges of `0..<count`, each `rangeLength` long but the
    /// last, through ``forEachBlock(_:elements:_:)``; `elementsPerItem` is the work of one
    /// index (the row length, for ranges of rows).
    static func forEachRange(_ count: Int, rangeLength: Int, elementsPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        precondition(rangeLength > 0, "a parallel range must hold at least one index")
        let blocks = (count + rangeLength - 1) / rangeLength
        forEachBlock(blocks, elements: count * elementsPerItem) { block in
            let start = block * rangeLength
            body(start..<Swift.min(start + rangeLength, count))
        }
    }
}

/// The persistent threads behind ``ParallelLoop``, and the one job they may be running.
private final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// Guards every variable below and each job's `open` and `joined`. A pthread mutex and
    /// condition inside, which ThreadSanitizer sees.
    private let condition = NSCondition()
    private var workerCount = 0
    /// Whether a caller owns the pool; another caller then runs its blocks itself.
    private var busy = false
    /// The newest job and its number; a worker wakes when the number changes.
    private var job: Job?
    private var generation = 0

    /// One call's blocks, shared by the caller and the workers that join it.
    private final class Job: @unchecked Sendable {
        let blockCount: Int
        /// How many workers may join (the first `workers` of the pool).
        let workers: Int
        /// Valid while the caller is inside `run`; nil after.
        var body: ((Int) -> Void)?
        let nextBlock = Atomic<Int>(0)
        /// Whether workers may still join, and how many are running blocks (under the pool's condition).
        var open = true
        var joined = 0

        init(blockCount: Int, workers: Int, body: @escaping (Int) -> Void) {
            self.blockCount = blockCount
            self.workers = workers
            self.body = body
        }

        /// Runs blocks until none is left. Never inlined, so the copy of `body` it holds is
        /// gone when it returns, before its thread says it has left the job.
        @inline(never)
        func runBlocks() {
            guard let body else { return }
            while true {
                let block = nextBlock.wrappingAdd(1, ordering: .relaxed).oldValue
                guard block < blockCount else { return }
                body(block)
            }
        }
    }

    func run(_ blockCount: Int, workers: Int, _ body: (Int) -> Void) {
        condition.lock()
        guard !busy else {
            condition.unlock()
            for block in 0..<blockCount { body(block) }
            return
        }
        busy = true
        while workerCount < workers { startWorker(index: workerCount, seenGeneration: generation) }
        withoutActuallyEscaping(body) { body in
            let job = Job(blockCount: blockCount, workers: workers, body: body)
            self.job = job
            generation &+= 1
            condition.broadcast()
            condition.unlock()

            job.runBlocks()

            // Every block is taken; wait for the workers still running theirs, and let no late one join.
            condition.lock()
            job.open = false
            while job.joined > 0 { condition.wait() }
            job.body = nil
            self.job = nil
            busy = false
            condition.unlock()
        }
    }

    /// Starts worker `index` (under the condition), which waits for the job after `seenGeneration`.
    private func startWorker(index: Int, seenGeneration: Int) {
        workerCount += 1
        let thread = Thread { [self] in workerLoop(index: index, seenGeneration: seenGeneration) }
        thread.name = "nabla-worker-\(index + 1)"
        thread.start()
    }

    private func workerLoop(index: Int, seenGeneration: Int) {
        var seen = seenGeneration
        condition.lock()
        while true {
            while generation == seen { condition.wait() }
            seen = generation
            guard let job, job.open, index < job.workers else { continue }
            job.joined += 1
            condition.unlock()
            job.runBlocks()
            condition.lock()
            job.joined -= 1
            if job.joined == 0 { condition.broadcast() }
        }
    }
}
