#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ArgumentParser
import Nabla
import NablaNN

/// Which images the lesson uses; see ``LessonData/load(_:)``.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A folder with train/<class> and valid/<class> PNG folders (fastai's MNIST_SAMPLE layout), or a folder of MNIST IDX files.",
        valueName: "path"))
    var data: String?

    @Option(help: "The installed dataset to use without --data: digits (MNIST) or fashion (Fashion-MNIST).")
    var dataset: DatasetChoice = .digits

    @Option(help: ArgumentHelp(
        "The two classes, positive first (target 1, then target 0): digits or folder names, or for fashion class numbers or names such as Sneaker,Sandal.",
        valueName: "A,B"))
    var classes: String?

    enum DatasetChoice: String, ExpressibleByArgument, CaseIterable {
        case digits, fashion
    }

    func validate() throws {
        if let classes, classes.split(separator: ",", omittingEmptySubsequences: false).count != 2 {
            throw ValidationError("--classes takes two classes separated by a comma, such as 3,7; got '\(classes)'")
        }
        if data != nil && dataset != .digits {
            throw ValidationError("--dataset chooses an installed dataset; it cannot be combined with --data")
        }
    }

    /// The two class names given, or the dataset's default.
    var classPair: (positive: String, negative: String)? {
        guard let classes else { return nil }
        let parts = classes.split(separator: ",", omittingEmptySubsequences: false)
            .map { String($0).trimmedOfSpaces }
        return (parts[0], parts[1])
    }
}

/// How the computation runs and reports.
struct RunOptions: ParsableArguments {
    @Option(help: "The kernels: blas (OpenBLAS) or reference (pure Swift).")
    var backend: BackendKind = .blas

    @Option(parsing: .unconditional, help: "OpenBLAS threads, at most the machine's core count (default: OpenBLAS's own choice).")
    var threads: Int?

    @Flag(help: "Print the final figures as one JSON object on standard output; the table and progress go to standard error.")
    var json = false

    @Flag(help: "Gather each training batch on the caller's thread instead of the next one on a worker while this one trains (by default the loader chooses each epoch from the last one's timings). The numbers are the same either way.")
    var noPrefetch = false

    /// The training loader's prefetching: off with `--no-prefetch`, else the loader's default.
    var prefetch: Bool? { noPrefetch ? false : nil }

    func validate() throws {
        if let threads { try requireAtLeastOne(threads, option: "--threads") }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let threads, threads > cores {
            throw ValidationError("--threads \(threads) is more than the \(cores) cores of this machine; more threads than cores only wait for each other")
        }
    }

    /// Where human-readable output goes: standard error when standard output carries JSON.
    var console: Console { json ? .standardError : .standardOutput }

    /// Applies the thread count and runs `body` on the chosen backend.
    func run<R>(_ body: () throws -> R) rethrows -> R {
        #if canImport(Glibc)
        // glibc raises its mmap threshold whenever a mapped block is freed (up to 32 MiB); blocks below
        // it then come from the heap, whose freed middle it never returns. The lesson's heap so grew to
        // 42 MiB by its least-squares stage. A fixed threshold (glibc's default, 128 KiB) keeps every
        // large block mapped on its own and returned when freed; tensor buffers that a training step
        // needs again are kept by Nabla's storage cache either way.
        // (mallopt is not in Swift's Glibc module: found by name; -3 is malloc.h's M_MMAP_THRESHOLD.)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let mallopt = dlsym(nil, "mallopt") { _ = unsafeBitCast(mallopt, to: Mallopt.self)(-3, 128 << 10) }
        #endif
        if let threads { Nabla.setThreadCount(threads) }
        return try withBackend(backend, body)
    }
}

extension BackendKind: ExpressibleByArgument {}

extension String {
    /// The text without leading and trailing spaces.
    var trimmedOfSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
