import Foundation

/// Ends the job when one collective waits longer than `timeout` seconds.
///
/// A collective returns only when every rank has joined it, so a rank that died
/// without MPI noticing, or that hangs, would keep the others waiting forever.
/// A thread that sleeps between checks (it never spins) notices the overlong
/// wait and ends this process with a message naming the rank and the call;
/// `mpirun` then ends the other ranks.
/// Its mutable state is behind `lock`, so its thread may share it.
final class CollectiveWatchdog: @unchecked Sendable {
    private let timeout: Double
    private let rank: Int, size: Int
    private let lock = NSLock()
    private var pending: (call: String, since: Date)?

    init(timeout: Double, rank: Int, size: Int) {
        self.timeout = timeout
        self.rank = rank
        self.size = size
        let interval = min(max(timeout / 10, 0.05), 1)
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: interval)
                check()
            }
        }
    }

    func begin(_ call: String) {
        lock.lock()
        pending = (call, Date())
        lock.unlock()
    }

    func end() {
        lock.lock()
        pending = nil
        lock.unlock()
    }

    private func check() {
        lock.lock()
        let waiting = pending
        lock.unlock()
        guard let waiting, -waiting.since.timeIntervalSinceNow > timeout else { return }
        let message = "rank \(rank) of \(size): \(waiting.call) has waited more than \(timeout) s for the other ranks; "
            + "one of them has probably died or hangs, so this job ends here\n"
        FileHandle.standardError.write(Data(message.utf8))
        // Not exit(): atexit handlers could wait on MPI, which is stuck.
        _exit(3)
    }
}
