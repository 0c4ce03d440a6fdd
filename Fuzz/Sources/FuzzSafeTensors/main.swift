// Fuzzes the safetensors reader: any bytes must give named tensors or a
// DataError, never a crash, hang or huge allocation.
import FuzzSupport
import NablaData

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    _ = try? SafeTensors.decode(bytes, source: "fuzz-input")
    return 0
}

runFuzzer(testOneInput)
