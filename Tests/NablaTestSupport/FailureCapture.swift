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
/// A programmer error stops the process (see ``Nabla/fail(_:)``), so `body` runs in
/// a forked copy of the test process: there the handler sends the message back
/// through a pipe and ends the copy with `_exit`. The real code path that reports
/// the error runs, and the test process itself loses nothing: ending a thread
/// instead (`pthread_exit` from the handler) leaked whatever `body` held, about
/// 0.9 MB per error, which AddressSanitizer reports. What `body` changes stays in
/// the copy; code that needs a result back uses ``outcome(of:)``.
public func failureMessage(of body: @escaping () -> Void) -> String? {
    outcome { _ in body(); return "" }.failure
}

/// What `body` returned, or the message of the programmer error it stopped with.
///
/// Like ``failureMessage(of:)``, `body` runs in a forked copy of the test process,
/// so only text comes back: its result, and the last line it passed to `note`
/// (context for a failure, such as which backend was running).
public func outcome(of body: @escaping (_ note: (String) -> Void) -> String) -> (result: String?, failure: String?, note: String?) {
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { fatalError("outcome(of:): pipe failed: \(String(cString: strerror(errno)))") }
    let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
    let child = fork()
    guard child >= 0 else { fatalError("outcome(of:): fork failed: \(String(cString: strerror(errno)))") }
    if child == 0 {
        close(readEnd)
        // One thread for OpenBLAS, so the copy starts no threads (ThreadSanitizer
        // refuses new threads in the child of a multi-threaded fork).
        Nabla.setThreadCount(1)
        Nabla.failureHandler = { message in
            send(.failure, message, to: writeEnd)
            _exit(0)
        }
        let result = body { send(.note, $0, to: writeEnd) }
        send(.result, result, to: writeEnd)
        _exit(0)
    }
    close(writeEnd)
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        output += buffer[..<n]
    }
    close(readEnd)
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 && errno == EINTR {}

    var result: String?, failure: String?, note: String?
    var position = 0
    while position + 9 <= output.count {
        let length = output[(position + 1)..<(position + 9)].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard position + 9 + length <= output.count else { break }
        let text = String(decoding: output[(position + 9)..<(position + 9 + length)], as: UTF8.self)
        switch Record(rawValue: output[position]) {
        case .result: result = text
        case .failure: failure = text
        case .note: note = text
        case nil: break
        }
        position += 9 + length
    }
    if result == nil && failure == nil {
        failure = "the code crashed (wait status \(status)) instead of stopping with a message"
    }
    return (result, failure, note)
}

/// The kinds of record the forked copy writes: a kind byte, a little-endian 8-byte length, the text.
private enum Record: UInt8 { case result = 0x72, failure = 0x66, note = 0x6e }

private func send(_ kind: Record, _ text: String, to fd: Int32) {
    var bytes = [kind.rawValue]
    withUnsafeBytes(of: UInt64(text.utf8.count).littleEndian) { bytes += $0 }
    bytes += Array(text.utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        written += n
    }
}

/// Asserts that `body` stops with a message containing `expected`.
public func assertFails(_ expected: String, file: StaticString = #filePath, line: UInt = #line, _ body: @escaping () -> Void) {
    guard let message = failureMessage(of: body) else {
        XCTFail("expected a failure containing \"\(expected)\", but the code completed", file: file, line: line)
        return
    }
    XCTAssertTrue(message.contains(expected), "message \"\(message)\" does not contain \"\(expected)\"", file: file, line: line)
}
