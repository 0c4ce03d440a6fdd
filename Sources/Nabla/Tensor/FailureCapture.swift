import Foundation

extension Nabla {
    /// The message of the programmer error that `body` stops with, or `nil` if it
    /// completes: how tests (Nabla's and a user's) check that bad input gets a clear error.
    ///
    /// `body` runs on a thread of its own while ``failureHandler`` is replaced by
    /// one that records the message and ends that thread, so the real code path
    /// that reports the error is exercised without stopping the process. What
    /// `body` allocated before failing is not freed. Not for concurrent use.
    public static func failureMessage(of body: @escaping () -> Void) -> String? {
        let capture = CapturedFailure(body)
        let previous = failureHandler
        failureHandler = { message in
            capture.message = message
            capture.done.signal()
            pthread_exit(nil)
        }
        defer { failureHandler = previous }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(capture).toOpaque()
        pthread_create(&thread, nil, { context in
            let capture = Unmanaged<CapturedFailure>.fromOpaque(context!).takeRetainedValue()
            capture.body()
            capture.done.signal()
            return nil
        }, context)
        capture.done.wait()
        pthread_join(thread, nil)
        return capture.message
    }
}

private final class CapturedFailure: @unchecked Sendable {
    var message: String?
    let done = DispatchSemaphore(value: 0)
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
