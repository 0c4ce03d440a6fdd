// Fuzzes the .npy and .npz readers: any bytes must give a tensor (or named tensors)
// or a DataError, never a crash, hang or huge allocation. Zip archives start with
// "PK"; everything else goes to the .npy reader, so one target covers both formats.
// A .npy input is also written to a file and loaded memory-mapped, which must agree
// with the in-memory decoder: the same error, or the same tensor.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FuzzSupport
import Nabla
import NablaData

/// One file per fuzzing process, rewritten in place for each input (no temporary file and
/// rename per input, which would slow the fuzzer down), and unlinked at once: the open
/// descriptor keeps it, and `/proc/self/fd` names it to the loader.
let mappedInput: (fd: Int32, path: String) = {
    let path = NSTemporaryDirectory() + "/nabla-fuzz-numpy-\(getpid()).npy"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { fatalError("cannot create \(path)") }
    unlink(path)
    return (fd, "/proc/self/fd/\(fd)")
}()

/// Replaces the mapped input file's contents with `bytes`.
func rewriteMappedInput(_ bytes: [UInt8]) {
    guard ftruncate(mappedInput.fd, 0) == 0,
          bytes.withUnsafeBytes({ pwrite(mappedInput.fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
        fatalError("cannot write the fuzz input file")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if bytes.starts(with: [0x50, 0x4b]) {
        _ = try? NumPy.decodeArchive(bytes, source: "fuzz-input")
    } else {
        let decoded = try? NumPy.decode(bytes, source: "fuzz-input")
        rewriteMappedInput(bytes)
        let mapped = try? NumPy.load(mappedInput.path, memoryMapped: true)
        switch (decoded, mapped) {
        case (nil, nil): break
        case let (decoded?, mapped?) where decoded.dtype == mapped.dtype && decoded.shape == mapped.shape
                                            && NumPy.encode(decoded) == NumPy.encode(mapped): break
        default: fatalError("the memory-mapped load disagrees with the decoder: \(String(describing: decoded)) vs \(String(describing: mapped))")
        }
    }
    return 0
}

runFuzzer(testOneInput)
