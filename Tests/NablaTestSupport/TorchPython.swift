import Foundation
import XCTest

/// The Python of the torch venv, where `scripts/setup.sh` puts it: `NABLA_TORCH_PYTHON`
/// when set, else `$NABLA_TORCH_VENV/bin/python`, else
/// `${XDG_CACHE_HOME:-~/.cache}/nabla-torch/bin/python`. One lookup for every test, so
/// that a venv moved by those variables is found by all of them, not by some.
public var torchVenvPython: String {
    let environment = ProcessInfo.processInfo.environment
    if let python = environment["NABLA_TORCH_PYTHON"] { return python }
    let venv = environment["NABLA_TORCH_VENV"] ?? (environment["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/nabla-torch"
    return venv + "/bin/python"
}

/// ``torchVenvPython``, or a skip of the test when it is missing.
public func requireTorchPython() throws -> String {
    let python = torchVenvPython
    guard FileManager.default.isExecutableFile(atPath: python) else {
        throw XCTSkip("no Python with torch at \(python) (bash scripts/setup.sh installs it)")
    }
    return python
}

/// Runs `script` with ``torchVenvPython`` and `arguments` (one OpenMP thread), `input` on its
/// standard input, returning its standard output; skips the test when that Python is
/// missing, and fails it with the script's stderr on a non-zero exit.
@discardableResult
public func runTorchPython(_ script: String, arguments: [String] = [], input: String? = nil,
                           file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try requireTorchPython())
    process.arguments = ["-c", script] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1"]) { $1 }
    let output = Pipe(), errors = Pipe(), standardInput = Pipe()
    process.standardOutput = output
    process.standardError = errors
    if input != nil { process.standardInput = standardInput }
    try process.run()
    if let input {
        // The scripts read all of their input before they print.
        standardInput.fileHandleForWriting.write(Data(input.utf8))
        try standardInput.fileHandleForWriting.close()
    }
    // Drain both pipes at once: read one after the other, a script filling the second
    // pipe (64 KiB of warnings) before closing the first would block, and the test with it.
    let message = DrainedPipe(errors)
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, String(decoding: message.bytes, as: UTF8.self), file: file, line: line)
    return String(decoding: printed, as: UTF8.self)
}

/// Everything written to `pipe`, read to its end on a thread of its own.
private final class DrainedPipe: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        Thread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    /// The bytes read, once the writer has closed the pipe.
    var bytes: Data {
        done.wait()
        return data
    }
}
