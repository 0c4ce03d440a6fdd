// Multiplies tensors through Nabla as a program built by CMake links it, and
// compares each product with one worked out by hand. Every value is a small
// integer, exact in Float, so the comparison is exact. Exits 1 on a mismatch.
import Nabla
#if canImport(Glibc)
import Glibc
#endif

var failures = 0
var checks = 0

func expect(_ name: String, _ result: Tensor, shape: [Int], scalars: [Float]) {
  checks += 1
  guard result.shape == shape, result.scalars == scalars else {
    fputs("nabla-matmul-smoke: \(name): expected shape \(shape) scalars \(scalars.prefix(12)), "
      + "got shape \(result.shape) scalars \(result.scalars.prefix(12))\n", stderr)
    failures += 1
    return
  }
}

let a = Tensor(shape: [2, 3], scalars: [1, 2, 3,
                                        4, 5, 6])
let b = Tensor(shape: [3, 2], scalars: [7, 8,
                                        9, 10,
                                        11, 12])
// [1*7+2*9+3*11, 1*8+2*10+3*12; 4*7+5*9+6*11, 4*8+5*10+6*12]
expect("[2,3]•[3,2]", a.matmul(b), shape: [2, 2], scalars: [58, 64, 139, 154])

// A transposed view (strided, not contiguous) on the left:
// [[1,4],[2,5],[3,6]] • [[1,-1],[2,0]]
let c = Tensor(shape: [2, 2], scalars: [1, -1,
                                        2, 0])
expect("[2,3]ᵀ•[2,2]", a.transposed.matmul(c), shape: [3, 2], scalars: [9, -1, 12, -2, 15, -3])

// Matrix-vector and vector-vector products.
let v = Tensor(shape: [3], scalars: [1, 0, -1])
expect("[2,3]•[3]", a.matmul(v), shape: [2], scalars: [-2, -2])
expect("[3]•[3]", Tensor(shape: [3], scalars: [1, 2, 3]).matmul(Tensor(shape: [3], scalars: [4, 5, 6])),
       shape: [], scalars: [32])

// Batched: [[1,2],[3,4]]•[1,1]ᵀ = [3,7] and [[0,1],[1,0]]•[2,3]ᵀ = [3,2].
let batchLeft = Tensor(shape: [2, 2, 2], scalars: [1, 2, 3, 4,
                                                   0, 1, 1, 0])
let batchRight = Tensor(shape: [2, 2, 1], scalars: [1, 1,
                                                    2, 3])
expect("[2,2,2]•[2,2,1]", batchLeft.matmul(batchRight), shape: [2, 2, 1], scalars: [3, 7, 3, 2])

// Sizes past any small-matrix shortcut: every entry of ones(64×128)•ones(128×32)
// is 128, and the identity leaves a matrix unchanged.
expect("ones[64,128]•ones[128,32]", Tensor.ones([64, 128]).matmul(Tensor.ones([128, 32])),
       shape: [64, 32], scalars: [Float](repeating: 128, count: 64 * 32))
let counting = Tensor.arange(50 * 30).reshape([50, 30])
expect("eye(50)•arange[50,30]", Tensor.eye(50).matmul(counting),
       shape: [50, 30], scalars: (0..<(50 * 30)).map(Float.init))

if failures > 0 {
  fputs("nabla-matmul-smoke: \(failures) of \(checks) products wrong\n", stderr)
  exit(1)
}
print("nabla-matmul-smoke: all \(checks) products match the hand-computed values")
