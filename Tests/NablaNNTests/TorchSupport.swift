import Foundation
import XCTest

/// The Python with PyTorch that the comparisons run: `NABLA_TORCH_PYTHON`, else the
/// benchmarks' venv `~/.cache/nabla-torch/bin/python`. Skips the test when neither exists.
func torchPython() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    let path = environment["NABLA_TORCH_PYTHON"] ?? (NSHomeDirectory() + "/.cache/nabla-torch/bin/python")
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw XCTSkip("no Python with torch at \(path) (set NABLA_TORCH_PYTHON)")
    }
    return path
}

/// Runs `script` with torch's Python and `arguments`; fails the test with its stderr on a non-zero exit.
func runTorch(_ script: String, arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try torchPython())
    process.arguments = ["-c", script] + arguments
    let errors = Pipe()
    process.standardError = errors
    process.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1"]) { $1 }
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, String(decoding: message, as: UTF8.self), file: file, line: line)
}
