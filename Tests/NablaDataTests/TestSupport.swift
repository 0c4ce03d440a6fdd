import Foundation
import NablaTestSupport
import XCTest
@testable import NablaData

/// A fresh folder under the system temporary folder, removed by the test case's teardown.
func makeTemporaryFolder(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "nabla-data-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func writeFile(_ bytes: [UInt8], to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// gzip-compresses bytes with the system's gzip tool, independent of NablaData's zlib code.
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-c", "-n"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    // Feed and drain on separate threads so a large input cannot deadlock on full pipes.
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let compressed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "gzip failed")
    return [UInt8](compressed)
}

/// Asserts that `body` throws a DataError whose message names `path` and contains `words`.
func assertDataError<T>(_ body: @autoclosure () throws -> T, path: String, mentions words: String,
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError mentioning '\(words)' for \(path)", file: file, line: line)
    } catch let error as DataError {
        let message = error.description
        XCTAssertEqual(error.path, path, file: file, line: line)
        XCTAssertTrue(message.contains(path), "message does not name the file: \(message)", file: file, line: line)
        XCTAssertTrue(message.contains(words), "message '\(message)' does not mention '\(words)'", file: file, line: line)
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}

/// Sum of a tensor's values in Double, exact for integer pixel values.
func exactSum(_ values: [Float]) -> Double {
    values.reduce(0) { $0 + Double($1) }
}
