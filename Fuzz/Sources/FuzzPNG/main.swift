// Fuzzes the PNG reader: any bytes must decode to a gray image or give a
// DataError, never a crash, hang or huge allocation; a decoded image must
// encode again.
import FuzzSupport
import NablaData

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let image = try? PNGImage.decode(bytes, source: "fuzz-input") {
        _ = try? PNGImage.encode(image)
    }
    return 0
}

runFuzzer(testOneInput)
