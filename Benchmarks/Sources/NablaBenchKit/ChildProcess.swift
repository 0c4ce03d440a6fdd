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
    /// The child's peak resident set size in MiB: its VmHWM, sampled every 5 ms.
    public let peakResidentMiB: Double
}

/// Runs `arguments[0]` (searched in PATH) with the rest as arguments and waits
/// for it, measuring what the operating system accounts to that process alone.
///
/// The peak memory is the child's own high-water mark (VmHWM in
/// /proc/<pid>/status), polled while it runs: wait4's ru_maxrss would not do,
/// because Linux carries the parent's RSS into a child across exec.
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
    var peakKiB = 0
    while true {
        let waited = waitpid(pid, &status, WNOHANG)
        if waited == pid { break }
        if waited < 0 && errno != EINTR {
            throw ChildProcessError(command: arguments, problem: "waitpid failed: \(String(cString: strerror(errno)))")
        }
        peakKiB = max(peakKiB, highWaterMarkKiB(pid: pid) ?? 0)
        usleep(5000)
    }
    let wallSeconds = monotonicSeconds() - start
    // Exited normally: the low 7 bits are 0 and the exit code is in bits 8-15.
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildProcessResult(
        status: exitStatus,
        standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
        standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
        wallSeconds: wallSeconds,
        peakResidentMiB: Double(peakKiB) / 1024)
}

/// VmHWM of a running process in KiB, nil when it cannot be read.
private func highWaterMarkKiB(pid: pid_t) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
    return Int(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let command: [String]
    public let problem: String
    public var description: String { "`\(command.joined(separator: " "))` \(problem)" }
}
