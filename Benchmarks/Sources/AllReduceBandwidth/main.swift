// `nabla-allreduce-bandwidth`, run under `mpirun -np N` by `nabla-bench-scaling`:
// times ProcessGroup.allReduce (in place, sum, Float) on buffers from 4 KB to
// 64 MB (a factor of 4 apart) and prints, on rank 0, one JSON object per size.
import Foundation
import Nabla
import NablaDistributed
import NablaNN

let group = try ProcessGroup.world(collectiveTimeout: 120)
let largest = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 64 << 20
do {
    var bytes = 4 << 10
    while bytes <= largest {
        var buffer = [Float](repeating: 1, count: bytes / 4)
        // Enough calls for about 128 MB per size (at least 5), the same on every rank.
        let calls = max(5, min(2000, (128 << 20) / bytes))
        var best = Double.infinity
        try buffer.withUnsafeMutableBufferPointer { pointer in
            try group.allReduce(pointer, .sum)
            for _ in 0..<3 {
                try group.barrier()
                let start = monotonicSeconds()
                for _ in 0..<calls { try group.allReduce(pointer, .sum) }
                best = min(best, (monotonicSeconds() - start) / Double(calls))
            }
        }
        // The slowest rank's time is the collective's.
        let worst = try group.allGather(Tensor([Float(best)])).scalars.max()!
        if group.isRoot { print("{\"bytes\": \(bytes), \"seconds\": \(Double(worst)), \"ranks\": \(group.size)}") }
        bytes *= 4
    }
    try group.finalize()
} catch {
    group.abort("\(error)")
}
