import NablaNN

/// `text` followed by spaces up to `width` characters (at least one space).
func padded(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(width - text.count, 1))
}

/// A duration for people: `0.4 ms`, `12.3 ms`, `1.234 s`.
func formatSeconds(_ seconds: Double) -> String {
    // 0.99996 s would print as "1000.0 ms": milliseconds only below what rounds to 1000.
    seconds < 0.99995 ? formatFixed(seconds * 1000, decimals: 1) + " ms" : formatFixed(seconds, decimals: 3) + " s"
}

/// A fraction with four decimals, as the book rounds accuracies.
func fourDecimals(_ fraction: Float) -> String { formatFixed(Double(fraction), decimals: 4) }
