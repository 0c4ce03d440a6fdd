// Fuzzes the safetensors reader: any bytes must give named tensors or a
// DataError, never a crash, hang or huge allocation. Every element of every
// dtype read is then converted, so a BOOL byte other than 0 or 1 that slipped
// through, or an F16/BF16 widening past its buffer, shows up under ASan.
import FuzzSupport
import Nabla
import NablaData

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let tensors = try? SafeTensors.decode(bytes, source: "fuzz-input") else { return 0 }
    for (_, tensor) in tensors { _ = tensor.scalars(as: Double.self) }
    return 0
}

runFuzzer(testOneInput)
