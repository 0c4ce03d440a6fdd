import Foundation
import XCTest
import NablaTestSupport
import Nabla

/// Every op of the table against PyTorch in float64, on both backends: the
/// outputs and the gradients of sum(out · upstream) with respect to each input.
/// The Swift side writes the cases with what each backend computed;
/// `torch_oracle.py` recomputes them in torch and fails on any mismatch.
///
/// torch comes from the venv that `scripts/setup.sh` installs
/// (`$NABLA_TORCH_VENV`, else `~/.cache/nabla-torch`). A missing torch fails the
/// test, unless `NABLA_NO_TORCH=1` says it cannot be installed on this machine.
final class DifferentialTests: XCTestCase {
    static var table: [DifferentialOp] {
        ElementwiseTable.ops + ReductionTable.ops + MovementTable.ops + MatmulTable.ops + LinalgTable.ops + LossTable.ops
            + TorchParityTable.ops + LayersTable.ops + DecompositionTable.ops + EinsumTable.ops + RecipeArgumentsTable.ops + AdvancedIndexingTable.ops + ScatterTable.ops + CountingTable.ops
            + IntegerTable.ops + DivisionAndBitwiseTable.ops
    }

    func testEveryOpAgreesWithPyTorch() throws {
        let environment = ProcessInfo.processInfo.environment
        if environment["NABLA_NO_TORCH"] == "1" {
            let banner = String(repeating: "!", count: 72)
            print("\(banner)\nDIFFERENTIAL TEST SKIPPED: NABLA_NO_TORCH=1 says torch cannot be installed here.\n"
                  + "Nothing was compared with PyTorch.\n\(banner)")
            throw XCTSkip("NABLA_NO_TORCH=1: the differential test against PyTorch did not run")
        }
        guard let python = torchPython() else { return }

        let started = Date()
        let records = Self.table.flatMap { op in op.dtypes.flatMap { dtype in op.cases.map { op.record($0, dtype: dtype) } } }
        let casesFile = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-differential-\(getpid()).json")
        try ("[" + records.joined(separator: ",\n") + "]").write(to: casesFile, atomically: false, encoding: .utf8)
        let swiftSeconds = Date().timeIntervalSince(started)

        let oracle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("torch_oracle.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [oracle.path, casesFile.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let torchSeconds = Date().timeIntervalSince(started) - swiftSeconds

        print(text, terminator: "")
        print(String(format: "differential: Swift side %.1f s, torch side %.1f s", swiftSeconds, torchSeconds))
        if process.terminationStatus == 0 {
            try? FileManager.default.removeItem(at: casesFile)
        } else {
            let mismatches = text.split(separator: "\n").filter { $0.hasPrefix("MISMATCH") || $0.contains("Error") }
            XCTFail("Nabla disagrees with PyTorch (oracle exit \(process.terminationStatus); cases kept in \(casesFile.path)):\n"
                    + (mismatches.isEmpty ? text : mismatches.prefix(40).joined(separator: "\n"))
                    + (mismatches.count > 40 ? "\n… and \(mismatches.count - 40) more lines, printed above" : ""))
        }
    }
}

/// ``torchVenvPython``, or nil after recording a failure when it is missing: here a missing
/// torch fails, where the other suites' comparisons skip.
func torchPython(file: StaticString = #filePath, line: UInt = #line) -> String? {
    let python = torchVenvPython
    guard FileManager.default.isExecutableFile(atPath: python) else {
        XCTFail("no torch at \(python): run `bash scripts/setup.sh`, which installs it (NABLA_NO_TORCH=1 skips this test)", file: file, line: line)
        return nil
    }
    return python
}
