import Foundation

/// One engine's run of the whole lesson (pixel similarity, linear model, net)
/// as its own process: the best of several runs for each time.
public struct LessonRun: Codable {
    public let engine: String
    public let threads: Int
    /// Wall time of the whole process, start-up and data loading included.
    public let processSeconds: Double
    public let peakResidentMiB: Double
    /// Training time of the linear model (20 epochs) and of the net (40 epochs)
    /// in the steady state: for PyTorch, in a process that trained each model
    /// once before (its first optimizer step alone costs over a second of
    /// one-time initialisation); Nabla has no such warm-up, so its times come
    /// from the same process as `processSeconds`.
    public var linearSeconds: Double
    public var netSeconds: Double
    /// The same in a fresh process, as the lesson experiences them.
    public let firstLinearSeconds: Double
    public let firstNetSeconds: Double
    public let linearAccuracy: Double
    public let netAccuracy: Double
}

/// Nabla's lesson against PyTorch's on the same data, recipe and thread count.
public struct LessonComparison: Codable {
    public let nabla: LessonRun?
    public let pytorch: LessonRun?
    /// The same two models in JAX, each training step one `jax.jit` call, pinned to one core (`jax/lesson.py`).
    public var jax: LessonRun?
    /// Nabla's lesson without prefetching (one thread) and at two OpenBLAS threads
    /// (prefetching chosen by the loader, as at one thread), named by their engine.
    public var nablaVariants: [LessonRun] = []
    /// Another `nabla` executable's lesson (`--baseline-nabla`, an older build), at the same thread count, in the same run.
    public var baseline: LessonRun?
    /// Why a side is missing, when one is.
    public let notes: [String]

    /// Nabla's time over PyTorch's: linear model, net, whole lesson.
    public var ratios: (linear: Double, net: Double, whole: Double)? {
        guard let nabla, let pytorch else { return nil }
        return (nabla.linearSeconds / pytorch.linearSeconds, nabla.netSeconds / pytorch.netSeconds,
                nabla.processSeconds / pytorch.processSeconds)
    }

    /// Nabla's training time over JAX's: linear model, net.
    public var jaxRatios: (linear: Double, net: Double)? {
        guard let nabla, let jax else { return nil }
        return (nabla.linearSeconds / jax.linearSeconds, nabla.netSeconds / jax.netSeconds)
    }

    /// Runs `nabla lesson` and `pytorch/lesson.py` up to `repeats` times each at `threads`
    /// threads (PyTorch's twice as often: cold for the process, warmed up for the training
    /// times), each configuration repeating only while its runs have taken less than
    /// `budget` seconds; then `jax/lesson.py` once (it warms up and pins itself).
    public static func measure(nablaExecutable: String?, baselineExecutable: String? = nil, python: String,
                               pytorchScript: String, jaxScript: String,
                               threads: Int, repeats: Int, budget: Double, log: (String) -> Void) -> LessonComparison {
        func bestRun(engine: String, threads: Int, repeats: Int, command: [String]) throws -> LessonRun {
            try Self.bestRun(engine: engine, threads: threads, repeats: repeats, budget: budget, command: command)
        }
        var notes: [String] = []
        var nabla: LessonRun?, baseline: LessonRun?
        var variants: [LessonRun] = []
        if let nablaExecutable {
            log("lesson: \(nablaExecutable) lesson --threads \(threads), \(repeats)×")
            let pictures = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-bench-lesson-\(getpid())").path
            try? FileManager.default.createDirectory(atPath: pictures, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: pictures) }
            let command = [nablaExecutable, "lesson", "--json", "--image-directory", pictures]
            do {
                nabla = try bestRun(engine: "nabla", threads: threads, repeats: repeats, command: command + ["--threads", "\(threads)"])
                log("lesson: the same with --no-prefetch, and at 2 threads")
                variants.append(try bestRun(engine: "nabla --no-prefetch", threads: threads, repeats: repeats,
                                            command: command + ["--threads", "\(threads)", "--no-prefetch"]))
                if ProcessInfo.processInfo.activeProcessorCount >= 2 && threads != 2 {
                    variants.append(try bestRun(engine: "nabla", threads: 2, repeats: repeats, command: command + ["--threads", "2"]))
                }
            } catch { notes.append("Nabla's lesson failed: \(error)") }
            if let baselineExecutable {
                log("lesson: the baseline \(baselineExecutable) lesson --threads \(threads)")
                do {
                    baseline = try bestRun(engine: "nabla (baseline)", threads: threads, repeats: repeats,
                                           command: [baselineExecutable] + command.dropFirst() + ["--threads", "\(threads)"])
                } catch { notes.append("The baseline's lesson failed: \(error)") }
            }
        } else {
            notes.append("Nabla's lesson skipped: no `nabla` executable (build it with `swift build -c release --package-path Benchmarks --product nabla` or pass --nabla)")
        }
        var pytorch: LessonRun?
        if (try? runChildProcess([python, "-c", "import torch"]))?.status == 0 {
            log("lesson: \(python) \(pytorchScript) --threads \(threads), \(repeats)×")
            do {
                let command = [python, pytorchScript, "--threads", "\(threads)"]
                var run = try bestRun(engine: "pytorch", threads: threads, repeats: repeats, command: command)
                let warm = try bestRun(engine: "pytorch", threads: threads, repeats: repeats, command: command + ["--warm-up"])
                run.linearSeconds = warm.linearSeconds
                run.netSeconds = warm.netSeconds
                pytorch = run
            } catch { notes.append("PyTorch's lesson failed: \(error)") }
        } else {
            notes.append("PyTorch comparison skipped: `\(python) -c 'import torch'` fails (pip install 'torch==2.13.0+cpu' to enable it)")
        }
        var jax: LessonRun?
        if (try? runChildProcess([python, "-c", "import jax"]))?.status == 0 {
            log("lesson: \(python) \(jaxScript) (one pinned core, jitted steps)")
            do {
                jax = try Self.bestRun(engine: "jax", threads: 1, repeats: 1, budget: 0, command: [python, jaxScript])
            } catch { notes.append("JAX's lesson failed: \(error)") }
        } else {
            notes.append("JAX comparison skipped: `\(python) -c 'import jax'` fails (pip install 'jax[cpu]' into the same Python to enable it)")
        }
        var comparison = LessonComparison(nabla: nabla, pytorch: pytorch, notes: notes)
        comparison.nablaVariants = variants
        comparison.baseline = baseline
        comparison.jax = jax
        return comparison
    }

    /// Runs `command` up to `repeats` times, while the runs so far took less than `budget`
    /// seconds; each time is the best over the runs, the peak memory the highest.
    private static func bestRun(engine: String, threads: Int, repeats: Int, budget: Double, command: [String]) throws -> LessonRun {
        let trainSecondsKey = "train_seconds"
        var runs: [LessonRun] = []
        let start = monotonicSeconds()
        for _ in 0..<max(1, repeats) where runs.isEmpty || monotonicSeconds() - start < budget {
            let result = try runChildProcess(command)
            guard result.status == 0 else {
                throw ChildProcessError(command: command, problem: "exited with status \(result.status): \(result.standardError.suffix(2000))")
            }
            guard let json = result.standardOutput.split(separator: "\n").last.flatMap({ line in
                      try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] }),
                  let linear = json["linear"] as? [String: Any], let net = json["mlp"] as? [String: Any],
                  let linearSeconds = linear[trainSecondsKey] as? Double, let netSeconds = net[trainSecondsKey] as? Double
            else {
                throw ChildProcessError(command: command, problem: "printed no JSON with linear.\(trainSecondsKey) and mlp.\(trainSecondsKey): \(result.standardOutput.suffix(2000))")
            }
            var name = engine
            if let version = (json["torch_version"] ?? json["jax_version"]) as? String { name += " \(version)" }
            runs.append(LessonRun(
                engine: name, threads: threads, processSeconds: result.wallSeconds, peakResidentMiB: result.peakResidentMiB,
                linearSeconds: linearSeconds, netSeconds: netSeconds,
                firstLinearSeconds: linearSeconds, firstNetSeconds: netSeconds,
                linearAccuracy: linear["accuracy"] as? Double ?? .nan, netAccuracy: net["accuracy"] as? Double ?? .nan))
        }
        return LessonRun(
            engine: runs[0].engine, threads: threads,
            processSeconds: runs.map(\.processSeconds).min()!, peakResidentMiB: runs.map(\.peakResidentMiB).max()!,
            linearSeconds: runs.map(\.linearSeconds).min()!, netSeconds: runs.map(\.netSeconds).min()!,
            firstLinearSeconds: runs.map(\.firstLinearSeconds).min()!, firstNetSeconds: runs.map(\.firstNetSeconds).min()!,
            linearAccuracy: runs[0].linearAccuracy, netAccuracy: runs[0].netAccuracy)
    }
}
