import Foundation
import XCTest

/// The DocC pages show only code that the tests of this target compile and run: every Swift code
/// block line, and every code span in the last column of a table (the Nabla column), must appear in
/// one of this folder's test files, whitespace aside.
final class ArticleCodeTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func squeezed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The Nabla code a page shows: lines of ```swift blocks, and last-column code spans of table rows.
    static func shownCode(_ page: String) -> [String] {
        var code: [String] = []
        var inSwiftBlock = false
        for line in page.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inSwiftBlock = !inSwiftBlock && trimmed == "```swift"
                continue
            }
            if inSwiftBlock {
                if !trimmed.isEmpty { code.append(trimmed) }
            } else if trimmed.hasPrefix("|"), !trimmed.hasPrefix("| ---") {
                let cells = trimmed.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard cells.count >= 3 else { continue }
                let last = cells[cells.count - 2]
                // Code spans: the text between pairs of backticks.
                let parts = last.components(separatedBy: "`")
                code += stride(from: 1, to: parts.count, by: 2).map { parts[$0] }
            }
        }
        return code
    }

    func testEveryLineOfCodeOnThePagesIsTested() throws {
        let testsFolder = root.appendingPathComponent("Tests/DocumentationTests")
        let tested = try FileManager.default.contentsOfDirectory(atPath: testsFolder.path)
            .filter { $0.hasSuffix(".swift") && $0 != "ArticleCodeTests.swift" }
            .map { try String(contentsOf: testsFolder.appendingPathComponent($0), encoding: .utf8) }
            .map(squeezed).joined(separator: "\n")
        var pages = 0
        for module in ["Nabla", "NablaNN", "NablaData", "NablaPlot"] {
            let catalog = root.appendingPathComponent("Sources/\(module)/\(module).docc")
            for file in try FileManager.default.contentsOfDirectory(atPath: catalog.path) where file.hasSuffix(".md") {
                pages += 1
                let page = try String(contentsOf: catalog.appendingPathComponent(file), encoding: .utf8)
                for code in Self.shownCode(page) where !code.hasPrefix("import ") {
                    XCTAssertTrue(tested.contains(squeezed(code)), "\(module).docc/\(file) shows code no test runs: \(code)")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(pages, 6, "the four landing pages and the two articles")
    }

    func testTheCheckerFindsBlockLinesAndTheNablaColumn() {
        let page = """
        | PyTorch | Nabla |
        | --- | --- |
        | `x.T` | `x.transposed` |
        ```swift
        let a = 1
        ```
        ```python
        b = 2
        ```
        """
        XCTAssertEqual(Self.shownCode(page), ["x.transposed", "let a = 1"])
    }
}
