import Foundation
import Nabla
import XCTest

/// Compile tests: each file of `Cases` is type-checked with `swiftc` against the modules
/// this build made (a second or two each, no package build). `TorchHabits.swift` must fail
/// with, on each line marked `// error: <text>`, an error containing that text, and no
/// other error; `Compiles.swift` and `OwnTensorType.swift` must type-check cleanly.
final class DiagnosticsTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `file:line:col: error: message` lines of `swiftc -typecheck` on `file`, as the module `moduleName`.
    private func errors(typeChecking file: String, moduleName: String = "main") throws -> [(line: Int, message: String)] {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let mapFiles = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path)
            .filter { $0.hasPrefix("C") }
            .map { root.appendingPathComponent("Sources/\($0)/module.modulemap").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-swift-version", "6", "-module-name", moduleName, "-I", products.appendingPathComponent("Modules").path]
            + mapFiles.flatMap { ["-Xcc", "-fmodule-map-file=\($0)"] } + [file]
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let diagnostics = text.split(separator: "\n").compactMap { line -> (Int, String)? in
            guard line.hasPrefix(file + ":") else { return nil }
            let parts = line.dropFirst(file.count + 1).split(separator: ":", maxSplits: 3)
            guard parts.count == 4, let number = Int(parts[0]), parts[2].trimmingCharacters(in: .whitespaces) == "error" else { return nil }
            return (number, parts[3].trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(process.terminationStatus == 0, diagnostics.isEmpty, "swiftc's status disagrees with its output:\n\(text)")
        return diagnostics
    }

    func testEachTorchHabitFailsWithAMessageNamingNablasSpelling() throws {
        let file = root.appendingPathComponent("Tests/DiagnosticsTests/Cases/TorchHabits.swift").path
        let lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
        let expected = lines.enumerated().compactMap { index, line -> (line: Int, text: String)? in
            guard !line.hasPrefix("//"), let marker = line.range(of: "// error: ") else { return nil }
            return (index + 1, String(line[marker.upperBound...]))
        }
        XCTAssertGreaterThanOrEqual(expected.count, 10)
        let found = try errors(typeChecking: file)
        for (line, text) in expected {
            let here = found.filter { $0.line == line }.map(\.message)
            XCTAssertTrue(here.contains { $0.contains(text) }, "line \(line): expected an error containing \"\(text)\", got \(here)")
        }
        let unexpected = found.filter { error in !expected.contains { $0.line == error.line } }
        XCTAssertTrue(unexpected.isEmpty, "errors on lines that expect none: \(unexpected)")
    }

    /// These made the compiler fail to produce any diagnostic before the element types, and
    /// `[Int]` and `[[Int]]` did not compile; now each compiles (this file would not build
    /// otherwise) and gives torch.tensor's dtype for the same values.
    func testArraysOfOtherElementTypesCompileAndGiveTheirDType() {
        let doubles: [Double] = [1, 2], rows: [[Int]] = [[1, 2, 3]], wideRows: [[Int64]] = [[1, 2, 3]]
        XCTAssertEqual(Tensor(doubles).dtype, .float64)
        XCTAssertEqual(Tensor(rows).dtype, .int64, "torch.tensor([[1, 2, 3]]) is int64")
        XCTAssertEqual(Tensor(rows).shape, [1, 3])
        XCTAssertEqual(Tensor(rows).scalars(as: Int64.self), [1, 2, 3])
        XCTAssertEqual(Tensor(wideRows).dtype, .int64)
        XCTAssertEqual(Tensor([4, 5] as [Int]).dtype, .int64)
        XCTAssertEqual(Tensor([[[6]]] as [[[Int]]]).shape, [1, 1, 1])
        XCTAssertEqual(Tensor(rows.count).dtype, .int64, "torch.tensor(1) is int64")
        XCTAssertEqual(Tensor([true, false]).dtype, .bool)
        let literal: Tensor = [[1, 2, 3]], floatLiteral: Tensor = [[1, 2.5]]
        XCTAssertEqual(literal.dtype, .int64, "a tensor literal infers as torch.tensor does")
        XCTAssertEqual(floatLiteral.dtype, .float32)
        XCTAssertEqual(Tensor([[1, 2, 3]]).dtype, .float32, "the initialiser with untyped numbers is float32, as torch.Tensor([[1, 2, 3]])")
        XCTAssertEqual(Tensor(3).dtype, .float32)
    }

    func testTheRightSpellingsCompile() throws {
        let found = try errors(typeChecking: root.appendingPathComponent("Tests/DiagnosticsTests/Cases/Compiles.swift").path)
        XCTAssertTrue(found.isEmpty, "\(found)")
    }

    /// A module with its own `Tensor` names Nabla's `Nabla.Tensor`: no declaration in Nabla
    /// is named `Nabla`, so that name is always the module's.
    func testAModuleWithItsOwnTensorTypeReachesNablasAsNablaTensor() throws {
        let file = root.appendingPathComponent("Tests/DiagnosticsTests/Cases/OwnTensorType.swift").path
        let found = try errors(typeChecking: file, moduleName: "UserModel")
        XCTAssertTrue(found.isEmpty, "\(found)")
    }
}
