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

/// One file per fuzzing process, rewritten for each input.
let mappedInputPath = NSTemporaryDirectory() + "/nabla-fuzz-numpy-\(getpid()).npy"

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if bytes.starts(with: [0x50, 0x4b]) {
        _ = try? NumPy.decodeArchive(bytes, source: "fuzz-input")
    } else {
        let decoded = try? NumPy.decode(bytes, source: "fuzz-input")
        guard FileManager.default.createFile(atPath: mappedInputPath, contents: Data(bytes)) else { fatalError("cannot write \(mappedInputPath)") }
        let mapped = try? NumPy.load(mappedInputPath, memoryMapped: true)
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
