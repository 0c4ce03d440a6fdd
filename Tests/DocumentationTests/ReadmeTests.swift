import Foundation
import XCTest

/// The README is a front page; what it shows is checked where it runs. Its first program is
/// the Consumer package's `FirstProgram` (built in the Swift 6 language mode and its output
/// compared by scripts/check-consumer.sh, which CI runs); its two commands are the lines
/// `.ci/run` runs (and checks against the README itself).
final class ReadmeTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The lines of the first ```swift block after `heading`.
    private func firstSwiftBlock(after heading: String, in text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: heading),
              let open = lines[start...].firstIndex(of: "```swift"),
              let close = lines[(open + 1)...].firstIndex(of: "```") else { return [] }
        return Array(lines[(open + 1)..<close])
    }

    func testTheFirstProgramIsTheConsumerPackagesFirstProgram() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let shown = firstSwiftBlock(after: "## A first program", in: readme)
        var program = Array(try String(contentsOf: root.appendingPathComponent("Tests/Consumer/Sources/FirstProgram/main.swift"), encoding: .utf8)
            .components(separatedBy: "\n").drop { $0.hasPrefix("//") })
        while program.last == "" { program.removeLast() }
        XCTAssertGreaterThanOrEqual(shown.count, 10)
        XCTAssertEqual(shown, program, "the README's first program differs from Tests/Consumer/Sources/FirstProgram/main.swift")
        let expected = try String(contentsOf: root.appendingPathComponent("Tests/Consumer/expected/FirstProgram.txt"), encoding: .utf8)
            .components(separatedBy: "\n").filter { !$0.isEmpty }
        let promised = shown.compactMap { line in line.range(of: "// ").map { String(line[$0.upperBound...]) } }.suffix(expected.count)
        XCTAssertEqual(Array(promised), expected, "the comments of the README's last lines are what the program prints")
    }

    func testTheTwoCommandsAreTheOnesCIRuns() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8).components(separatedBy: "\n")
        let ci = try String(contentsOf: root.appendingPathComponent(".ci/run"), encoding: .utf8).components(separatedBy: "\n")
        for command in ["bash scripts/setup.sh && swift run -c release nabla lesson", "bash scripts/setup.sh && swift test"] {
            XCTAssertTrue(readme.contains(command), "README.md does not show \(command)")
            XCTAssertTrue(ci.contains(command), ".ci/run does not run \(command)")
        }
    }
}
