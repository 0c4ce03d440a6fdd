#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A finished child process: its exit status, output, wall time and peak memory.
public struct ChildProcessResult {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
    public let wallSeconds: Double
    /// The child's peak resident set size in MiB (wait4's ru_maxrss).
    public let peakResidentMiB: Double
}

/// Runs `arguments[0]` (searched in PATH) with the rest as arguments and waits
/// for it, measuring what the operating system accounts to that process alone.
public func runChildProcess(_ arguments: [String], environment: [String: String]? = nil) throws -> ChildProcessResult {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("nabla-bench-\(getpid())-\(UInt64(monotonicSeconds() * 1e9))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outputPath = folder.appendingPathComponent("stdout").path
    let errorPath = folder.appendingPathComponent("stderr").path

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    let environmentStrings = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    var envp: [UnsafeMutablePointer<CChar>?] = environmentStrings.map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }

    var pid = pid_t()
    let start = monotonicSeconds()
    let spawnStatus = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, &envp)
    guard spawnStatus == 0 else {
        throw ChildProcessError(command: arguments, problem: "could not be started: \(String(cString: strerror(spawnStatus)))")
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw ChildProcessError(command: arguments, problem: "wait4 failed: \(String(cString: strerror(errno)))") }
    }
    let wallSeconds = monotonicSeconds() - start
    // Exited normally: the low 7 bits are 0 and the exit code is in bits 8-15.
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildProcessResult(
        status: exitStatus,
        standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
        standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
        wallSeconds: wallSeconds,
        peakResidentMiB: Double(usage.ru_maxrss) / 1024)
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let command: [String]
    public let problem: String
    public var description: String { "`\(command.joined(separator: " "))` \(problem)" }
}
