// Fuzzes the IDX reader: any bytes, gzip-wrapped or not, must give an image or
// label tensor or a DataError, never a crash, hang or huge allocation.
import FuzzSupport
import NablaData

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    _ = try? IDX.decodeImages(bytes, source: "fuzz-input")
    _ = try? IDX.decodeLabels(bytes, source: "fuzz-input")
    return 0
}

runFuzzer(testOneInput)
