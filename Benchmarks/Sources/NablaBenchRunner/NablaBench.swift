import ArgumentParser
import Foundation
import Nabla
import NablaBenchKit

/// `nabla-bench`: how much BLAS buys on this machine and how close Nabla is to the limit.
@main
struct NablaBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nabla-bench",
        abstract: "Benchmark Nabla's BLAS path against its pure-Swift reference, direct CBLAS, the machine's limits and PyTorch.",
        discussion: """
            Prints one table (and writes it as JSON): for each op and shape, the BLAS and reference \
            figures, the speedup, the percentage of a direct CBLAS call on the same shape, and the \
            percentage of the fp32 FMA peak or read bandwidth measured in the same run; at one thread \
            and at OpenBLAS's default. Then the whole lesson as separate processes, Nabla against \
            PyTorch (when the Python interpreter imports torch), and the issue's targets.
            """)

    @Flag(help: "Fewer shapes and shorter measurements: about 1.5 minutes, 45 s with --no-lesson (what CI runs).")
    var quick = false

    @Option(help: ArgumentHelp("Where to write the JSON report.", valueName: "file"))
    var json: String = "nabla-bench.json"

    @Option(help: ArgumentHelp("Thread counts to run at, comma-separated (default: 1 and OpenBLAS's default).", valueName: "list"))
    var threads: String?

    @Option(help: ArgumentHelp("Workload kinds to run, comma-separated: \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ",")) (default: all).", valueName: "list"))
    var kinds: String?

    @Option(help: "Seconds to spend measuring each variant of each workload (default 0.3, quick 0.08).")
    var budget: Double?

    @Flag(help: "Skip the whole-lesson comparison with PyTorch.")
    var noLesson = false

    @Flag(help: "Skip conv2d on the ten-digit CNN's shapes and the CNN epoch against PyTorch.")
    var noConvolution = false

    @Option(help: ArgumentHelp("The `nabla` executable for the lesson (default: next to nabla-bench, built there if missing).", valueName: "path"))
    var nabla: String?

    @Option(help: ArgumentHelp("Another `nabla` executable (an older build) whose lesson runs beside this one's, for before-and-after figures from one run.", valueName: "path"))
    var baselineNabla: String?

    @Option(help: "The Python interpreter for the PyTorch lesson and the NumPy linear algebra (default: the torch venv that setup installs, else python3).")
    var python: String = NablaBench.defaultPython

    /// The venv `scripts/setup.sh` installs torch into (`$NABLA_TORCH_VENV`, else
    /// `~/.cache/nabla-torch`), as the differential test finds it; python3 without it.
    static var defaultPython: String {
        let environment = ProcessInfo.processInfo.environment
        let venv = environment["NABLA_TORCH_VENV"] ?? (environment["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/nabla-torch"
        let interpreter = venv + "/bin/python"
        return FileManager.default.isExecutableFile(atPath: interpreter) ? interpreter : "python3"
    }

    @Option(help: "Runs of each lesson at most; each time reported is the best. A lesson is not run again once its runs took 20 s (default 3, quick 1).")
    var lessonRuns: Int?

    @Flag(help: "Print the report as Markdown (for the results section of Benchmarks/README.md) instead of plain text.")
    var markdown = false

    mutating func validate() throws {
        if let budget, !(budget > 0) { throw ValidationError("--budget must be positive, got \(budget)") }
        if let lessonRuns, lessonRuns < 1 { throw ValidationError("--lesson-runs must be at least 1, got \(lessonRuns)") }
        _ = try threadCounts()
        _ = try selectedKinds()
    }

    func threadCounts() throws -> [Int] {
        guard let threads else {
            let fallback = OpenBLASInfo.current().defaultThreads
            return fallback > 1 ? [1, fallback] : [1]
        }
        return try threads.split(separator: ",").map { part in
            guard let count = Int(part.trimmingCharacters(in: .whitespaces)), count >= 1 else {
                throw ValidationError("--threads takes positive integers separated by commas, got '\(threads)'")
            }
            return count
        }
    }

    func selectedKinds() throws -> [WorkloadKind] {
        guard let kinds else { return WorkloadKind.allCases }
        return try kinds.split(separator: ",").map { part in
            guard let kind = WorkloadKind(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--kinds: unknown kind '\(part)'; the kinds are \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    func run() throws {
        #if DEBUG
        log("warning: this is a debug build; its figures are far below what Nabla does. Use `swift run -c release`.")
        #endif
        let start = monotonicSeconds()
        let startLoad = oneMinuteLoadAverage()
        let openBLAS = OpenBLASInfo.current()
        let threadCounts = try threadCounts()
        let budget = budget ?? (quick ? 0.08 : 0.3)
        let workloads = try selectedKinds().flatMap { Workload.catalog($0, quick: quick) }
        var limits: [MachineLimits] = []
        for threadCount in threadCounts {
            log("measuring the machine's limits at \(threadCount) thread(s)")
            limits.append(MachineLimits.measure(threads: threadCount, quick: quick))
        }
        // NumPy first, in its own process, so that its inputs are gone before Nabla's are built.
        var notes: [String] = []
        var numpySeconds: [Int: [String: Double]] = [:]
        for threadCount in threadCounts {
            log("\(threadCount) thread(s): numpy.linalg")
            let measured = NumPyComparison.measure(workloads, python: python, script: Self.numpyScript, threads: threadCount, budget: budget)
            numpySeconds[threadCount] = measured.seconds
            if let note = measured.note, !notes.contains(note) { notes.append(note) }
        }
        // Workload by workload, so that only one workload's inputs are alive at a time.
        var rows: [(order: Int, row: ResultRow)] = []
        for (index, workload) in workloads.enumerated() {
            let ready = workload.prepare()
            let referenceReady = workload.referenceStandIn?.workload.prepare() ?? ready
            var variants: [(Int) -> Void] = [(BackendKind.blas, ready), (.reference, referenceReady)].map { backend, prepared in
                { calls in withBackend(backend) { for _ in 0..<calls { prepared.call() } } }
            }
            if let direct = ready.direct { variants.append { calls in for _ in 0..<calls { direct.run() } } }
            for (threadCount, limit) in zip(threadCounts, limits) {
                log("\(threadCount) thread(s): \(workload.name)")
                Nabla.setThreadCount(threadCount)
                let seconds = bestSecondsPerCall(variants, budget: budget)
                rows.append((index, ResultRow(
                    threads: threadCount, workload: workload, blasSeconds: seconds[0], referenceSeconds: seconds[1],
                    directSeconds: ready.direct == nil ? nil : seconds[2], directRoutine: ready.direct?.routine,
                    limits: limit, numpySeconds: numpySeconds[threadCount]?[workload.name])))
            }
        }
        Nabla.setThreadCount(openBLAS.defaultThreads)
        let table = rows.sorted { ($0.row.threads, $0.order) < ($1.row.threads, $1.order) }.map(\.row)

        let lesson = noLesson ? nil : LessonComparison.measure(
            nablaExecutable: locateNablaExecutable(), baselineExecutable: baselineNabla, python: python, pytorchScript: Self.pytorchScript,
            jaxScript: Self.jaxScript, threads: 1, repeats: lessonRuns ?? (quick ? 1 : 3), budget: quick ? 0 : 20, log: log)

        let convolution = noConvolution ? nil : ConvolutionComparison.measure(
            python: python, script: Self.packageFolder + "/pytorch/convolution.py", quick: quick, budget: budget, log: log)

        log("the lesson's BLAS floors and the net's steady-state step")
        Nabla.setThreadCount(1)
        let floors = LessonFloors.measure(budget: max(budget, 1))
        let steadyState = [SteadyStateStep.measure(threads: 1)]
        Nabla.setThreadCount(openBLAS.defaultThreads)

        var report = BenchReport(
            date: Self.timestamp(), quick: quick, cpu: Self.cpuModel(),
            logicalCPUs: ProcessInfo.processInfo.activeProcessorCount, openBLAS: openBLAS,
            openBLASCoreTypeVariable: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
            limits: limits, rows: table, lesson: lesson, convolution: convolution,
            targets: checkTargets(rows: table, limits: limits, lesson: lesson, floors: floors, steadyState: steadyState,
                                  convolution: convolution, coreCheck: OpenBLASCoreCheck.current),
            seconds: monotonicSeconds() - start,
            loadAverage: [startLoad, oneMinuteLoadAverage()].compactMap { $0 }, notes: notes)
        report.lessonFloors = floors
        report.steadyState = steadyState
        print(markdown ? report.markdown : report.text)
        try report.writeJSON(to: json)
        log("JSON report written to \(json)")
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("nabla-bench: \(message)\n".utf8))
    }

    /// The `nabla` executable: --nabla, else the one next to this executable,
    /// brought up to date by `swift build` in the same configuration and build
    /// folder (a no-op when nothing changed), so the lesson never runs a stale binary.
    private func locateNablaExecutable() -> String? {
        if let nabla { return nabla }
        let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidate = folder.appendingPathComponent("nabla").path
        let configuration = folder.lastPathComponent
        guard configuration == "release" || configuration == "debug" else {
            return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
        }
        // <scratch>/<triple>/<configuration>/nabla-bench
        let scratch = folder.deletingLastPathComponent().deletingLastPathComponent().path
        log("building `nabla` for the lesson comparison (swift build -c \(configuration) --product nabla)")
        let build = try? runChildProcess(["swift", "build", "-c", configuration, "--package-path", Self.packageFolder,
                                          "--scratch-path", scratch, "--product", "nabla"])
        guard build?.status == 0, FileManager.default.isExecutableFile(atPath: candidate) else {
            log("could not build `nabla`: \(build.map { String($0.standardError.suffix(1000)) } ?? "swift not found")")
            return nil
        }
        return candidate
    }

    /// The Benchmarks package folder, found from this source file's path.
    static let packageFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let pytorchScript = packageFolder + "/pytorch/lesson.py"

    static let jaxScript = packageFolder + "/jax/lesson.py"

    static let numpyScript = packageFolder + "/numpy/linalg.py"

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }

    /// The CPU's model name from /proc/cpuinfo.
    static func cpuModel() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
}
