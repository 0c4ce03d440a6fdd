import Foundation

/// A flat JSON object built in insertion order, for `--json` output that
/// scripts read: numbers, strings and nested reports.
struct JSONReport {
    private var fields: [(key: String, json: String)] = []

    mutating func add(_ key: String, _ value: Double) {
        fields.append((key, value.isFinite ? "\(value)" : "null"))
    }

    /// A Float is written with its own shortest digits (0.94, not 0.9399999976158142).
    mutating func add(_ key: String, _ value: Float) {
        fields.append((key, value.isFinite ? "\(value)" : "null"))
    }

    mutating func add(_ key: String, _ value: Int) { fields.append((key, "\(value)")) }

    mutating func add(_ key: String, _ value: UInt64) { fields.append((key, "\(value)")) }

    mutating func add(_ key: String, _ value: String) { fields.append((key, quoted(value))) }

    mutating func add(_ key: String, _ value: JSONReport) { fields.append((key, value.text)) }

    var text: String {
        "{" + fields.map { "\(quoted($0.key)): \($0.json)" }.joined(separator: ", ") + "}"
    }
}

/// `text` as a JSON string literal, escaped by Foundation's encoder.
private func quoted(_ text: String) -> String {
    // Encoding a String cannot fail.
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}
