#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads a whole regular file into memory with one `read` loop.
///
/// Refuses folders, FIFOs and devices up front, so that a reader never hangs
/// waiting on a pipe and never mistakes a folder for an empty file.
func readFileBytes(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw DataError(path: path, problem: "cannot open: \(systemErrorMessage())") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw DataError(path: path, problem: "cannot stat: \(systemErrorMessage())") }
    let kind = info.st_mode & S_IFMT
    if kind == S_IFDIR { throw DataError(path: path, problem: "is a folder, not a file") }
    guard kind == S_IFREG else { throw DataError(path: path, problem: "is not a regular file") }
    let size = Int(info.st_size)
    return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        count = 0
        while count < size {
            let n = read(fd, buffer.baseAddress! + count, size - count)
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError(path: path, problem: "read failed: \(systemErrorMessage())")
            }
            if n == 0 { break }  // The file shrank while we read it; parse what is there.
            count += n
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// then a rename, so readers never see a half-written file.
///
/// - Throws: ``DataError`` naming `path` when the file cannot be written.
public func writeFileAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw DataError(path: path, problem: "cannot write: \(error.localizedDescription)")
    }
}

private func systemErrorMessage() -> String { String(cString: strerror(errno)) }

