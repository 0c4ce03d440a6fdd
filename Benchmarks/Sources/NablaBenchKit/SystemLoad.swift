import Foundation

/// The one-minute load average (/proc/loadavg), nil where unavailable. On a
/// machine whose load exceeds its CPU count, other work competes with the
/// benchmark and its figures are lower bounds.
public func oneMinuteLoadAverage() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
          let first = text.split(separator: " ").first else { return nil }
    return Double(first)
}
