#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest
import Nabla

// Shared by the test targets of Nabla, NablaNN and NablaData, which all check
// that programmer errors stop with a clear message.

/// The message of the programmer error that `body` stops with, or nil if it completes.
///
/// A programmer error stops the process (see ``Nabla/failureHandler``), so `body`
/// runs in a forked copy of the test process: there the handler writes the message
/// to a pipe and ends the copy with `_exit`. The real code path that reports the
/// error runs, and the test process itself loses nothing: ending a thread instead
/// (`pthread_exit` from the handler) leaked whatever `body` held, about 0.9 MB per
/// error, which AddressSanitizer reports. Side effects of `body` stay in the copy.
public func failureMessage(of body: @escaping () -> Void) -> String? {
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { fatalError("failureMessage: pipe failed: \(String(cString: strerror(errno)))") }
    let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
    let child = fork()
    guard child >= 0 else { fatalError("failureMessage: fork failed: \(String(cString: strerror(errno)))") }
    if child == 0 {
        close(readEnd)
        // One thread for OpenBLAS, so the copy starts no threads (ThreadSanitizer
        // refuses new threads in the child of a multi-threaded fork).
        Nabla.setThreadCount(1)
        Nabla.failureHandler = { message in
            let bytes = Array(message.utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                written += n
            }
            _exit(stoppedStatus)
        }
        body()
        _exit(completedStatus)
    }
    close(writeEnd)
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        output += buffer[..<n]
    }
    close(readEnd)
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7f == 0, exitCode = (status >> 8) & 0xff
    switch (exited, exitCode) {
    case (true, stoppedStatus): return String(decoding: output, as: UTF8.self)
    case (true, completedStatus): return nil
    default:
        return "failureMessage: the code crashed (wait status \(status)) instead of stopping with a message"
    }
}

/// Exit statuses of the forked copy: stopped through the failure handler, or ran to the end.
private let stoppedStatus: Int32 = 17
private let completedStatus: Int32 = 18

/// Asserts that `body` stops with a message containing `expected`.
public func assertFails(_ expected: String, file: StaticString = #filePath, line: UInt = #line, _ body: @escaping () -> Void) {
    guard let message = failureMessage(of: body) else {
        XCTFail("expected a failure containing \"\(expected)\", but the code completed", file: file, line: line)
        return
    }
    XCTAssertTrue(message.contains(expected), "message \"\(message)\" does not contain \"\(expected)\"", file: file, line: line)
}
