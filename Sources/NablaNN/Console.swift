// The C library's stdout and stderr are global variables; a Console only passes them to
// fputs/fflush, which lock the stream, so their Swift 6 shared-state diagnostics do not apply.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Where a learner writes its table and progress bar.
public struct Console {
    private let stream: UnsafeMutablePointer<FILE>?

    /// A console on an open C stream (standard output, standard error, or a file), or silent for nil.
    public init(stream: UnsafeMutablePointer<FILE>?) { self.stream = stream }

    /// Standard output.
    public static var standardOutput: Console { Console(stream: stdout) }
    /// Standard error (used when standard output carries JSON for a script).
    public static var standardError: Console { Console(stream: stderr) }
    /// Writes nothing.
    public static var silent: Console { Console(stream: nil) }

    /// Whether the stream is an interactive terminal, where a live progress bar makes sense.
    public var isTerminal: Bool {
        guard let stream else { return false }
        return isatty(fileno(stream)) != 0
    }

    /// Writes `text` as is and flushes, so progress shows at once.
    public func write(_ text: String) {
        guard let stream else { return }
        fputs(text, stream)
        fflush(stream)
    }

    /// Writes `line` and a newline.
    public func writeLine(_ line: String = "") { write(line + "\n") }
}

/// The monotonic clock, in seconds, for timing epochs.
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
