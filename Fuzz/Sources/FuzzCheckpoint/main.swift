// Fuzzes a checkpoint as Module.load reads it: the safetensors header checked
// against a model's names and shapes before any data is read, then the data.
// Any bytes must load or give a DataError, never a crash, hang or huge allocation.
import FuzzSupport
import Nabla
import NablaNN

/// The model every input is loaded into: Linear(3, 2) with a bias, as in the seeds.
let model = Linear(weight: Tensor.zeros([2, 3]), bias: Tensor.zeros([2]))

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    try? model.load(safetensors: fuzzInput(data, size), source: "fuzz-input")
    return 0
}

runFuzzer(testOneInput)
