// Fuzzes the .npy and .npz readers: any bytes must give a tensor (or named tensors)
// or a DataError, never a crash, hang or huge allocation. Zip archives start with
// "PK"; everything else goes to the .npy reader, so one target covers both formats.
import FuzzSupport
import NablaData

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if bytes.starts(with: [0x50, 0x4b]) {
        _ = try? NumPy.decodeArchive(bytes, source: "fuzz-input")
    } else {
        _ = try? NumPy.decode(bytes, source: "fuzz-input")
    }
    return 0
}

runFuzzer(testOneInput)
