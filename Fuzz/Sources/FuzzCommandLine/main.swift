// Fuzzes the command line as `nabla` parses it into sizes: the real commands'
// options and checks (Sources/nabla, linked here without its @main), parsed and
// validated but never run. Any arguments must parse or be refused with a
// message, never crash, hang or allocate beyond the limits.
import ArgumentParser
import FuzzSupport

/// `nabla`'s command tree, without running anything.
struct FuzzedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nabla", subcommands: nablaSubcommands)
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // The arguments, separated by NUL bytes as in /proc/<pid>/cmdline.
    let arguments = fuzzInput(data, size).split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    // parseAsRoot parses every option into its type and runs each command's validate().
    guard let command = try? FuzzedCommand.parseAsRoot(arguments) else { return 0 }
    // The sizes the commands derive from their options before any work.
    switch command {
    case let train as TrainCommand: _ = train.settings
    case let digits as DigitsCommand: _ = (digits.epochCount, digits.peakLearningRate)
    default: break
    }
    return 0
}

runFuzzer(testOneInput)
