import Foundation

/// Data-parallel training and the allreduce under it, measured as separate
/// `mpirun` jobs on this machine: the CNN of `nabla digits` on MNIST at 1 and 2
/// ranks (one OpenBLAS thread each, the same global batch), and the allreduce
/// bandwidth for buffers from 4 KB to 64 MB.
public struct DistributedScaling: Codable {
    /// One `mpirun -np ranks nabla digits --model cnn --distributed` job.
    public struct TrainingRun: Codable {
        public let ranks: Int
        public let epochs: Int
        /// Training wall time per epoch (validation included, data loading not).
        public let epochSeconds: Double
        /// The share of the training time rank 0 spent in the gradient allreduce (waiting for the other ranks included).
        public let allReduceShare: Double
        public let accuracy: Double
    }

    /// One buffer size of `nabla-allreduce-bandwidth`.
    public struct AllReduceRow: Codable {
        public let ranks: Int
        public let bytes: Int
        /// Seconds per allreduce, the slowest rank's best of three rounds.
        public let seconds: Double
        /// Buffer bytes per second (nccl-tests' "algorithm bandwidth").
        public var algorithmBandwidth: Double { Double(bytes) / seconds }
        /// What each rank sends and receives per second, 2(n − 1)/n times the buffer (nccl-tests' "bus bandwidth").
        public var busBandwidth: Double { algorithmBandwidth * 2 * Double(ranks - 1) / Double(ranks) }
    }

    public let training: [TrainingRun]
    public let allReduce: [AllReduceRow]
    public let notes: [String]

    /// Strong-scaling efficiency of `run` against the one-rank run: T₁ / (n · Tₙ).
    public func efficiency(_ run: TrainingRun) -> Double? {
        guard let one = training.first(where: { $0.ranks == 1 }) else { return nil }
        return one.epochSeconds / (Double(run.ranks) * run.epochSeconds)
    }

    /// mpirun on this machine: loopback TCP only, ranks may exceed cores, root allowed (CI).
    public static let localMPIOptions = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,tcp",
                                         "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo"]

    /// Runs the jobs: training at each of `ranks` for `epochs` (skipped when `epochs` is 0),
    /// then the allreduce bandwidth at 2 ranks up to `largestBuffer` bytes.
    public static func measure(nabla: String, bandwidthProgram: String, ranks: [Int], epochs: Int,
                               largestBuffer: Int, log: (String) -> Void) -> DistributedScaling {
        var notes: [String] = []
        var training: [TrainingRun] = []
        let environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { $1 }
        for count in epochs > 0 ? ranks : [] {
            let command = ["mpirun"] + localMPIOptions + ["-np", "\(count)", nabla, "digits", "--model", "cnn", "--epochs", "\(epochs)",
                                                           "--threads", "1", "--distributed", "--json"]
            log("distributed: \(command.joined(separator: " "))")
            do {
                let result = try runChildProcess(command, environment: environment)
                guard result.status == 0, let report = lastJSONObject(result.standardOutput),
                      let train = report["train_seconds"] as? Double, let reduce = report["allreduce_seconds"] as? Double else {
                    notes.append("the \(count)-rank CNN job failed (status \(result.status)): \(result.standardError.suffix(400))")
                    continue
                }
                training.append(TrainingRun(ranks: count, epochs: epochs, epochSeconds: train / Double(epochs),
                                            allReduceShare: reduce / train, accuracy: report["accuracy"] as? Double ?? .nan))
            } catch { notes.append("the \(count)-rank CNN job could not run: \(error)") }
        }
        var allReduce: [AllReduceRow] = []
        let command = ["mpirun"] + localMPIOptions + ["-np", "2", bandwidthProgram, "\(largestBuffer)"]
        log("distributed: \(command.joined(separator: " "))")
        do {
            let result = try runChildProcess(command, environment: environment)
            if result.status != 0 { notes.append("the allreduce job failed (status \(result.status)): \(result.standardError.suffix(400))") }
            for line in result.standardOutput.split(separator: "\n") {
                guard let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let bytes = row["bytes"] as? Int, let seconds = row["seconds"] as? Double, let ranks = row["ranks"] as? Int else { continue }
                allReduce.append(AllReduceRow(ranks: ranks, bytes: bytes, seconds: seconds))
            }
        } catch { notes.append("the allreduce job could not run: \(error)") }
        return DistributedScaling(training: training, allReduce: allReduce, notes: notes)
    }

    /// The tables as Markdown (`markdown`) or aligned plain text.
    public func lines(markdown: Bool) -> [String] {
        func table(_ header: [String], _ rows: [[String]]) -> [String] {
            if markdown {
                return ["", "| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---:|" }.joined()]
                    + rows.map { "| " + $0.joined(separator: " | ") + " |" }
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! + 2 }
            return ([header] + rows).map { zip($0, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined() }
        }
        var lines: [String] = []
        if !training.isEmpty {
            lines.append("CNN on MNIST (nabla digits --model cnn, batch 128 global), one OpenBLAS thread per rank:")
            lines += table(["ranks", "s/epoch", "allreduce share", "scaling efficiency", "accuracy"], training.map { run in
                [String(run.ranks), formatFixed(run.epochSeconds, 2), formatFixed(100 * run.allReduceShare, 1) + " %",
                 efficiency(run).map { formatFixed(100 * $0, 1) + " %" } ?? "–", formatFixed(run.accuracy, 4)]
            })
            lines.append("")
        }
        if !allReduce.isEmpty {
            lines.append("Allreduce (sum of Float, in place) over \(allReduce[0].ranks) ranks on loopback TCP:")
            lines += table(["buffer", "µs per call", "algorithm GB/s", "bus GB/s"], allReduce.map { row in
                [describeBytes(row.bytes), formatFixed(row.seconds * 1e6, 1), formatFixed(row.algorithmBandwidth / 1e9, 3),
                 formatFixed(row.busBandwidth / 1e9, 3)]
            })
        }
        return lines + notes.map { "note: " + $0 }
    }
}

private func lastJSONObject(_ text: String) -> [String: Any]? {
    text.split(separator: "\n").reversed().lazy.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.first
}

private func describeBytes(_ bytes: Int) -> String {
    bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes >> 10) KB"
}
