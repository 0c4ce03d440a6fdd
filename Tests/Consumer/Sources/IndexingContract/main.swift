// The usage contract of issue 21 (indexing and interop), in the Swift 6 language mode.
// The .npy/.npz files are numpy's own (scripts/indexing-contract-fixtures.py); the
// program writes them into its empty working folder first.
import Foundation
import Nabla
import NablaData

for (name, base64) in numPyFixtures {
    try Data(base64Encoded: base64)!.write(to: URL(fileURLWithPath: name))
}

let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
print(x[[0, 2]].shape)                                  // [2, 3]
print(x[x .> 9].scalars(as: Float.self))                // [10.0, 11.0]
let f = try NumPy.load("f64.npy"); print(f.dtype, f.shape)          // float64 [2, 3]
let i = try NumPy.load("i64_fortran.npy"); print(i.scalars(as: Int64.self))  // [0, 1, 2, 3, 4, 5]
let z = try NumPy.loadArchive("z.npz"); print(z["a"]!.dtype, z["b"]!.shape) // bool [4]
try NumPy.save(x, to: "out.npy")                        // np.load reads it back
print(try NumPy.load("out.npy").equal(x))               // true
print(Tensor.einsum("ij,kj->ik", x, x).shape)           // [4, 4]
let t: Tensor = [[1, 2], [3, 4]]
var rows = 0; for _ in t { rows += 1 }; print(rows)     // 2
print(t.dtype)                                          // int64

// Codable: a JSON round trip keeps shape, dtype and values.
let encoder = JSONEncoder()
encoder.outputFormatting = .sortedKeys
let json = try encoder.encode(t)
print(String(decoding: json, as: UTF8.self))
print(try JSONDecoder().decode(Tensor.self, from: json).equal(t))    // true
let mask: Tensor = [true, false, true, true]
print(mask.dtype, x[mask].shape)                        // bool [3, 3]

// A .npy file mapped as the tensor's storage (np.load(mmap_mode="c")), and torch's printing.
let mapped = try NumPy.load("f64.npy", memoryMapped: true)
print(mapped.isMemoryMapped, mapped.equal(f))           // true true
print(t)                                                // tensor([[1, 2], [3, 4]]) laid out as torch, with the shape
print(Tensor([[1, 3, 5], [2, 4, 6]] as [[Float]]).searchsorted([[3], [7]] as Tensor)) // rows search their own row
