#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The limits every NablaData reader applies to the files it is given, so that a
/// damaged or hostile file gets a ``DataError`` instead of exhausting the machine.
///
/// The defaults fit real datasets with room to spare (MNIST's largest file is 47 MB)
/// while keeping the worst case to a few GiB. A caller with larger data raises them:
///
///     var limits = DataLimits.default
///     limits.maximumDataBytes = 8 << 30
///     let images = try IDX.readImages(at: path, limits: limits)
public struct DataLimits: Sendable, Equatable {
    /// The largest file read into memory, in bytes (default 4 GiB). Checked with
    /// `fstat` before anything is read. It bounds a safetensors file's tensors too:
    /// each takes its bytes in the file, except `F16`/`BF16` tensors, which load as
    /// float32 in twice theirs.
    public var maximumFileBytes: Int
    /// The most bytes of element data a reader decodes from one file (default 1 GiB):
    /// the inflated size of gzip data, the payload an IDX header declares, the text
    /// of a CSV file, a `.npy` array's elements in their dtype (an int64 element is 8
    /// bytes). gzip data is inflated only up to this size, never further.
    public var maximumDataBytes: Int
    /// The largest image, width × height (default 178,956,970, the size at which
    /// Pillow raises `DecompressionBombError`).
    public var maximumImagePixels: Int

    public init(maximumFileBytes: Int = 4 << 30, maximumDataBytes: Int = 1 << 30,
                maximumImagePixels: Int = 178_956_970) {
        self.maximumFileBytes = maximumFileBytes
        self.maximumDataBytes = maximumDataBytes
        self.maximumImagePixels = maximumImagePixels
    }

    /// 4 GiB files, 1 GiB of data, 178,956,970 pixels.
    public static let `default` = DataLimits()
}

/// Throws, naming `path`, when `byteCount` bytes cannot be allocated now, so that a
/// large but permitted allocation fails as an error instead of aborting the process
/// (Swift's allocators stop on failure). The probe is freed untouched, so it costs
/// one `mmap` and `munmap`.
func ensureAllocatable(_ byteCount: Int, for path: String, _ what: @autoclosure () -> String) throws {
    guard byteCount >= 1 << 24 else { return }
    guard let probe = malloc(byteCount) else {
        throw DataError(path: path, problem: "cannot allocate \(byteCount) bytes for \(what()): out of memory")
    }
    free(probe)
}

/// A regular file open for reading; the descriptor closes when `body` returns.
///
/// The file is opened with `O_NONBLOCK`, so a FIFO or device never blocks the
/// open, and anything but a regular file is refused before a byte is read.
func withRegularFile<R>(_ path: String, _ body: (_ fd: Int32, _ size: Int) throws -> R) throws -> R {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else { throw DataError(path: path, problem: "cannot open: \(systemErrorMessage())") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw DataError(path: path, problem: "cannot stat: \(systemErrorMessage())") }
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw DataError(path: path, problem: "is a folder, not a file")
    case S_IFIFO: throw DataError(path: path, problem: "is a FIFO (named pipe), not a regular file")
    case S_IFCHR, S_IFBLK: throw DataError(path: path, problem: "is a device, not a regular file")
    case S_IFSOCK: throw DataError(path: path, problem: "is a socket, not a regular file")
    default: throw DataError(path: path, problem: "is not a regular file")
    }
    return try body(fd, Int(info.st_size))
}

/// Reads up to `count` bytes at `offset` of an open file (fewer if the file ends first).
func readBytes(_ fd: Int32, count: Int, at offset: Int, path: String) throws -> [UInt8] {
    try ensureAllocatable(count, for: path, "the file's contents")
    return try [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
        // Fewer when the file shrank while we read it; the caller parses what is there.
        filled = try readBytes(fd, into: UnsafeMutableRawBufferPointer(buffer), at: offset, path: path)
    }
}

/// Reads up to `buffer.count` bytes at `offset` of an open file into `buffer`;
/// returns how many it read (fewer if the file ends first).
func readBytes(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws -> Int {
    var filled = 0
    while filled < buffer.count {
        let n = pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset + filled))
        if n < 0 {
            if errno == EINTR { continue }
            throw DataError(path: path, problem: "read failed: \(systemErrorMessage())")
        }
        if n == 0 { break }
        filled += n
    }
    return filled
}

/// Reads a whole regular file into memory, after refusing anything but a regular file
/// (without blocking on a FIFO) and any file larger than `limits.maximumFileBytes`.
///
/// - Parameter signature: When given, the file must start with one of these byte
///   strings (checked on its first bytes before the rest is read); `format` names
///   what was expected in the error.
func readFileBytes(_ path: String, limits: DataLimits = .default,
                   signatures: [[UInt8]] = [], format: String = "") throws -> [UInt8] {
    try withRegularFile(path) { fd, size in
        if !signatures.isEmpty {
            let head = try readBytes(fd, count: signatures.map(\.count).max()!, at: 0, path: path)
            guard signatures.contains(where: { head.starts(with: $0) }) else {
                throw DataError(path: path, problem: "not \(format) (its first bytes are not the expected signature)")
            }
        }
        guard size <= limits.maximumFileBytes else {
            throw DataError(path: path, problem: "is \(size) bytes, larger than the limit of \(limits.maximumFileBytes) bytes (DataLimits.maximumFileBytes)")
        }
        return try readBytes(fd, count: size, at: 0, path: path)
    }
}

/// Writes `bytes` to `path` so that, whenever the process is killed, `path` holds
/// either its old contents or all of the new ones, and nothing else is left behind.
///
/// On Linux the data goes to an unnamed `O_TMPFILE` file in the target's folder,
/// which the kernel deletes if the process dies; once written and `fsync`ed it is
/// linked in (under the target's name when that is free, else under a temporary
/// name renamed over the target at once), and the folder is `fsync`ed so the new
/// name survives a power cut. Where `O_TMPFILE` is missing, the data goes to a
/// named temporary file `.<name>.nabla-partial-<pid>-<random>` instead. Either way
/// a temporary name left by a process that was killed (the only debris possible,
/// for the instant between link and rename) is removed by the next write of the
/// same target.
///
/// - Throws: ``DataError`` naming `path` when the file cannot be written.
public func writeFileAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    try writeFileAtomically(bytes, to: path, unnamedFirst: true)
}

/// ``writeFileAtomically(_:to:)``; `unnamedFirst: false` skips `O_TMPFILE`, so tests can exercise the fallback.
func writeFileAtomically(_ bytes: UnsafeRawBufferPointer, to path: String, unnamedFirst: Bool) throws {
    func failure(_ what: String) -> DataError {
        DataError(path: path, problem: "cannot write: \(what): \(systemErrorMessage())")
    }
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let name = url.lastPathComponent
    let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard folderFD >= 0 else { throw failure("cannot open its folder \(folder)") }
    defer { close(folderFD) }
    removeAbandonedFiles(prefix: ".\(name).nabla-partial-", in: folderFD)

    let temporaryName = ".\(name).nabla-partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var unnamed = unnamedFirst
    var fd = unnamed ? openat(folderFD, ".", unnamedFileFlag | O_WRONLY | O_CLOEXEC, 0o666) : -1
    if fd < 0 {
        unnamed = false
        fd = openat(folderFD, temporaryName, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(folder)") }
    }
    var linkedName: String? = unnamed ? nil : temporaryName
    do {
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write failed")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw failure("fsync failed") }
        if unnamed {
            // Linking an O_TMPFILE file by descriptor needs a privilege; through /proc it does not.
            let procPath = "/proc/self/fd/\(fd)"
            if linkat(AT_FDCWD, procPath, folderFD, name, AT_SYMLINK_FOLLOW) == 0 {
                guard fsync(folderFD) == 0 else { throw failure("fsync of the folder failed") }
                return
            }
            guard errno == EEXIST, linkat(AT_FDCWD, procPath, folderFD, temporaryName, AT_SYMLINK_FOLLOW) == 0 else {
                throw failure("cannot link the new file into \(folder)")
            }
            linkedName = temporaryName
        }
        guard renameat(folderFD, temporaryName, folderFD, name) == 0 else { throw failure("cannot rename the new file over it") }
        linkedName = nil
        guard fsync(folderFD) == 0 else { throw failure("fsync of the folder failed") }
    } catch {
        if let linkedName { unlinkat(folderFD, linkedName, 0) }
        throw error
    }
}

/// Linux's `O_TMPFILE`, a macro Swift does not import: `__O_TMPFILE` (the same
/// value on every Linux architecture) with `O_DIRECTORY`. 0 elsewhere, so the open
/// fails and the named temporary file is used.
#if os(Linux)
private let unnamedFileFlag = O_DIRECTORY | 0o20000000
#else
private let unnamedFileFlag: Int32 = 0
#endif

/// Throws a ``DataError`` naming `folder` unless a file can be created in it:
/// the only test that holds for every user (root included) and every file system
/// (read-only mounts, /proc). The probe `.nabla-write-check-<pid>` is removed at
/// once, and probes that killed processes left behind are removed first, so no
/// run leaves more than the instant's one.
public func requireWritableFolder(_ folder: String) throws {
    let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    // The problems name the folder too, so that a command can print one alone after its option.
    guard folderFD >= 0 else { throw DataError(path: folder, problem: "cannot open the folder \(folder) (\(systemErrorMessage()))") }
    defer { close(folderFD) }
    let prefix = ".nabla-write-check-"
    removeAbandonedFiles(prefix: prefix, in: folderFD)
    let probe = "\(prefix)\(getpid())"
    let descriptor = openat(folderFD, probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw DataError(path: folder, problem: "cannot write in the folder \(folder) (\(systemErrorMessage()))") }
    close(descriptor)
    unlinkat(folderFD, probe, 0)
}

/// Removes the files `<prefix><pid>` and `<prefix><pid>-…` whose process is gone.
private func removeAbandonedFiles(prefix: String, in folderFD: Int32) {
    let listing = dup(folderFD)
    guard listing >= 0, let folder = fdopendir(listing) else { return }
    defer { closedir(folder) }
    while let entry = readdir(folder) {
        // d_name is declared as 256 bytes but the kernel's record may be shorter:
        // read only up to the terminating NUL.
        let entryName = withUnsafePointer(to: &entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
        }
        guard entryName.hasPrefix(prefix),
              let pid = Int32(entryName.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
        // A live writer's file stays; kill(pid, 0) fails with ESRCH once the process is gone.
        if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
            unlinkat(folderFD, entryName, 0)
        }
    }
}

private func systemErrorMessage() -> String { String(cString: strerror(errno)) }
