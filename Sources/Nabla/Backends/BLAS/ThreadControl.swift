import COpenBLAS
import Foundation
import Synchronization

/// The number of threads OpenBLAS may use for large products (small ones run on
/// one thread; see ``setThreadCount(_:)``).
public var threadCount: Int { Int(BLASThreads.gate.configured) }

/// Sets how many threads OpenBLAS may use for large products (at least 1).
/// Waits for BLAS calls running on other threads to finish first.
public func setThreadCount(_ count: Int) {
    guard count >= 1 else { fail("setThreadCount: the thread count must be at least 1, got \(count)") }
    BLASThreads.gate.configure(Int32(clamping: count))
}

/// The kernel family OpenBLAS chose for this CPU, e.g. `Haswell` or `SkylakeX`.
public var openBLASCoreName: String { String(cString: openblas_get_corename()) }

/// OpenBLAS's build configuration string.
public var openBLASConfig: String { String(cString: openblas_get_config()) }

/// OpenBLAS has one thread count for the whole process, and a call's result can
/// depend on it (measured here: a column sum through a transposed `sgemv` of
/// 65536×2 differs in its last bits between one thread and two). Nabla runs
/// small products on one thread and large ones on the configured count, so the
/// count must change between calls without ever changing under a running call,
/// or what one thread computes would depend on what others do at the same moment.
enum BLASThreads {
    /// Every thread-count-sensitive BLAS call goes through the gate, so building it
    /// is the process's first BLAS call: the moment to say if OpenBLAS's core is slow.
    static let gate: ThreadCountGate = {
        OpenBLASCoreCheck.warnOnce
        return ThreadCountGate(configured: openblas_get_num_threads())
    }()
}

/// Lets any number of BLAS calls run at once as long as they want the same thread
/// count; a call that wants the other count waits until the running ones finish,
/// then switches it. So every call runs with the count its own size chose.
final class ThreadCountGate: @unchecked Sendable {
    private let condition = NSCondition()
    /// The count for large calls, as `setThreadCount` left it.
    private let configuredCount: Atomic<Int32>
    /// What OpenBLAS is set to now, and how many calls are running with it (under `condition`).
    private var current: Int32
    private var running = 0

    init(configured: Int32) {
        configuredCount = Atomic(configured)
        current = configured
    }

    var configured: Int32 { configuredCount.load(ordering: .relaxed) }

    /// Runs `body` with OpenBLAS on one thread when `small`, else on the configured count.
    func run(small: Bool, _ body: () -> Void) {
        let wanted: Int32 = small ? 1 : configured
        // One configured thread: no call ever needs a switch, so none needs the gate.
        if wanted == 1 && configured == 1 { return body() }
        enter(wanted)
        body()
        leave()
    }

    /// Changes the count for large calls once no call is running.
    func configure(_ count: Int32) {
        condition.lock()
        while running > 0 { condition.wait() }
        configuredCount.store(count, ordering: .relaxed)
        openblas_set_num_threads(count)
        current = count
        condition.unlock()
    }

    private func enter(_ wanted: Int32) {
        condition.lock()
        while running > 0 && current != wanted { condition.wait() }
        if current != wanted {
            openblas_set_num_threads(wanted)
            current = wanted
        }
        running += 1
        condition.unlock()
    }

    private func leave() {
        condition.lock()
        running -= 1
        if running == 0 { condition.broadcast() }
        condition.unlock()
    }
}
