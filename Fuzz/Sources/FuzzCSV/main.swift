// Fuzzes the CSV reader: any bytes, gzip-wrapped or not, must give images and
// labels or a DataError, never a crash, hang or huge allocation.
import FuzzSupport
import NablaData

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    _ = try? CSVDigits.decode(bytes, source: "fuzz-input", labelColumn: -1)
    _ = try? CSVDigits.decode(bytes, source: "fuzz-input", labelColumn: 0, imageShape: [2, 2])
    return 0
}

runFuzzer(testOneInput)
