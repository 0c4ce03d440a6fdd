#if canImport(Glibc)
import Glibc
#endif
import CLibFuzzer

/// Hands the command line to libFuzzer, which calls `testOneInput` with each input.
///
/// Each target also exports `testOneInput` as `LLVMFuzzerTestOneInput`, because
/// the linker may pick libFuzzer's own `main` instead of SwiftPM's; both then run
/// the same driver on the same function.
public func runFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}

/// The bytes of one fuzzer input.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}
