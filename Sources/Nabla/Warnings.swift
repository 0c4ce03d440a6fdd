import Foundation

/// Reports something that is allowed but probably a mistake, as PyTorch's
/// `warnings.warn`: a loss whose target broadcasts against its input, a batch
/// size larger than the data set. The program goes on.
///
/// Like Python's default filter, each warning is shown once per `site` (the
/// place that warns, with whatever identifies the case: a loss passes its name
/// and the two shapes, so a training loop warns once, not at every batch). The
/// text goes through ``warningHandler``: to standard error by default; set it to
/// `{ _ in }` to silence warnings, as `warnings.filterwarnings("ignore")` does,
/// or set the environment variable `NABLA_WARNINGS=ignore`.
public func warn(_ message: @autoclosure () -> String, site: String) {
    guard !warningsIgnoredByEnvironment, warnedSites.withLock({ $0.insert(site).inserted }) else { return }
    warningHandler(message())
}

/// Receives each warning's text once per site (see ``warn(_:site:)``). The default
/// flushes standard output, so that the warning appears where it happened, then
/// writes `warning: <text>` to standard error. Set it before starting tasks.
nonisolated(unsafe) public var warningHandler: (String) -> Void = { message in
    fflush(nil)   // every output stream, standard output included
    FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
}

/// Forgets which sites have warned, so that each warns again once (as clearing
/// Python's `__warningregistry__`); for tests and long-lived programs.
public func resetWarnings() {
    warnedSites.withLock { $0.removeAll() }
}

private let warnedSites = Locked<Set<String>>([])
private let warningsIgnoredByEnvironment = ProcessInfo.processInfo.environment["NABLA_WARNINGS"] == "ignore"
