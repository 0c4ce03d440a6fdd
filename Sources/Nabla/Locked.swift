#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex: the one lock of Nabla's shared state (the
/// storage cache, a node's accumulated gradient, the once-only warnings, the
/// module tables of NablaNN).
///
/// Not `Synchronization.Mutex`: on Linux that waits on a futex inside a library
/// ThreadSanitizer does not instrument, so TSan cannot see the order it imposes and
/// reports two threads' guarded accesses as a race (it did, on the storage cache,
/// in CI's concurrent-training test). TSan intercepts `pthread_mutex_lock`, so this
/// lock's order is visible to it. The mutex lives in its own allocation because a
/// pthread mutex must not move.
package final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
