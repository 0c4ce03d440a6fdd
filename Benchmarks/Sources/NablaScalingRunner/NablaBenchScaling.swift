import ArgumentParser
import Foundation
import NablaBenchKit

/// `nabla-bench-scaling`: data-parallel training at 1 and 2 ranks and the allreduce bandwidth.
@main
struct NablaBenchScaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nabla-bench-scaling",
        abstract: "Time the CNN on MNIST at 1 and 2 MPI ranks (s/epoch, allreduce share, scaling efficiency) and the allreduce bandwidth from 4 KB to 64 MB.")

    @Option(help: ArgumentHelp("The release `nabla` executable (default: next to nabla-bench-scaling).", valueName: "path"))
    var nabla: String = NablaBenchScaling.productsFolder + "/nabla"

    @Option(help: "Epochs of each training job (0 skips the training rows).")
    var epochs: Int = 1

    @Flag(help: "Only the allreduce, up to 1 MB (seconds).")
    var quick = false

    @Flag(help: "Print Markdown tables (for the article Training on several machines).")
    var markdown = false

    @Option(help: ArgumentHelp("Where to write the figures as JSON.", valueName: "file"))
    var json: String = "nabla-bench-scaling.json"

    func validate() throws {
        if epochs < 0 { throw ValidationError("--epochs must not be negative, got \(epochs)") }
        if !quick && epochs > 0 && !FileManager.default.isExecutableFile(atPath: nabla) {
            throw ValidationError("--nabla \(nabla) is not an executable; build it with `swift build -c release --package-path Benchmarks --product nabla`")
        }
    }

    func run() throws {
        let bandwidthProgram = Self.productsFolder + "/nabla-allreduce-bandwidth"
        let load = oneMinuteLoadAverage()
        let scaling = DistributedScaling.measure(nabla: nabla, bandwidthProgram: bandwidthProgram, ranks: [1, 2],
                                                 epochs: quick ? 0 : epochs, largestBuffer: quick ? 1 << 20 : 64 << 20) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print("Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, 1-minute load average \(load.map { formatFixed($0, 2) } ?? "unknown") at the start")
        scaling.lines(markdown: markdown).forEach { print($0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(scaling).write(to: URL(fileURLWithPath: json))
        if scaling.allReduce.isEmpty || (!quick && epochs > 0 && scaling.training.count < 2) { throw ExitCode.failure }
    }

    /// Where SwiftPM put this program, and the others it runs.
    static let productsFolder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
}
