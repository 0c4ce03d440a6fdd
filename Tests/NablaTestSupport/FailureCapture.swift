import Foundation
import XCTest
import Nabla

// Shared by the test targets of Nabla, NablaNN and NablaData, which all check
// that programmer errors stop with a clear message.

private final class CapturedFailure: @unchecked Sendable {
    var message: String?
    let done = DispatchSemaphore(value: 0)
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// The message of the programmer error that `body` stops with, or nil if it completes.
///
/// `body` runs on its own thread; the failure handler records the message and
/// ends that thread, so the real code path that reports the error is exercised
/// without stopping the test process.
public func failureMessage(of body: @escaping () -> Void) -> String? {
    let capture = CapturedFailure(body)
    let previous = Nabla.failureHandler
    Nabla.failureHandler = { message in
        capture.message = message
        capture.done.signal()
        pthread_exit(nil)
    }
    defer { Nabla.failureHandler = previous }
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

/// Asserts that `body` stops with a message containing `expected`.
public func assertFails(_ expected: String, file: StaticString = #filePath, line: UInt = #line, _ body: @escaping () -> Void) {
    guard let message = failureMessage(of: body) else {
        XCTFail("expected a failure containing \"\(expected)\", but the code completed", file: file, line: line)
        return
    }
    XCTAssertTrue(message.contains(expected), "message \"\(message)\" does not contain \"\(expected)\"", file: file, line: line)
}
