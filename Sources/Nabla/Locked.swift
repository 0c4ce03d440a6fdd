#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex: the one lock of Nabla's shared state (the
/// storage cache, a node's accumulated gradient, the once-only warnings, the
/// module tables of NablaNN). A copy shares the value and the lock.
///
/// Not `Synchronization.Mutex`: on Linux that waits on a futex inside a library
/// ThreadSanitizer does not instrument, so TSan cannot see the order it imposes and
/// reports two threads' guarded accesses as a race (it did, on the storage cache,
/// in CI's concurrent-training test). TSan intercepts `pthread_mutex_lock`, so this
/// lock's order is visible to it.
package struct Locked<Value>: @unchecked Sendable {
    private let storage: LockedStorage<Value>

    package init(_ value: Value) { storage = LockedStorage.make(value) }

    /// Runs `body` with the value while holding the lock.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try storage.withLock(body)
    }
}

/// The value and its mutex in one allocation (every autograd node holds one): the
/// value is the buffer's header and the mutex its one tail element, which never
/// moves, as a pthread mutex must not. swift-nio's `LockStorage` has this shape.
private final class LockedStorage<Value>: ManagedBuffer<Value, pthread_mutex_t> {
    static func make(_ value: Value) -> LockedStorage {
        let buffer = create(minimumCapacity: 1) { _ in value }
        buffer.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            pthread_mutex_init(mutex, nil)
        }
        return unsafeDowncast(buffer, to: LockedStorage.self)
    }

    deinit {
        withUnsafeMutablePointerToElements { mutex in
            pthread_mutex_destroy(mutex)
            mutex.deinitialize(count: 1)
        }
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { value, mutex in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&value.pointee)
        }
    }
}
