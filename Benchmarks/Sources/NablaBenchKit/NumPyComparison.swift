import Foundation

/// A NumPy statement doing a workload's work, over inputs of `shape` and `dtype`
/// (`float32` or `float64`) that the Python side builds like the Swift side
/// (see Benchmarks/numpy/linalg.py).
public struct NumPyStatement: Sendable {
    public let statement: String
    public let shape: [Int]
    public let dtype: String

    public init(statement: String, shape: [Int], dtype: String = "float32") {
        self.statement = statement
        self.shape = shape
        self.dtype = dtype
    }
}

/// numpy.linalg timed on the workloads that name a NumPy statement, in one
/// Python process per thread count (OPENBLAS_NUM_THREADS and OMP_NUM_THREADS set to it).
public enum NumPyComparison {
    /// Seconds per call by workload name, or why there are none.
    public static func measure(_ workloads: [Workload], python: String, script: String, threads: Int,
                               budget: Double) -> (seconds: [String: Double], note: String?) {
        let jobs = workloads.compactMap { workload in
            workload.numpy.map { ["name": workload.name, "statement": $0.statement, "shape": $0.shape, "dtype": $0.dtype] as [String: Any] }
        }
        guard !jobs.isEmpty else { return ([:], nil) }
        guard (try? runChildProcess([python, "-c", "import numpy"]))?.status == 0 else {
            return ([:], "NumPy comparison skipped: `\(python) -c 'import numpy'` fails")
        }
        let jobFile = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-bench-numpy-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: jobFile) }
        var environment = ProcessInfo.processInfo.environment
        for variable in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[variable] = "\(threads)" }
        do {
            try JSONSerialization.data(withJSONObject: jobs).write(to: jobFile)
            let result = try runChildProcess([python, script, jobFile.path, "\(budget)"], environment: environment)
            guard result.status == 0,
                  let seconds = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Double] else {
                return ([:], "NumPy comparison failed (status \(result.status)): \(result.standardError.suffix(500))")
            }
            return (seconds, nil)
        } catch {
            return ([:], "NumPy comparison failed: \(error)")
        }
    }
}
