import Foundation
import Nabla
import NablaTestSupport
import XCTest

/// The `nabla` command run as a user runs it: a separate process, its standard
/// output and error read back. SwiftPM builds the executable beside the test binary.
final class CommandTests: XCTestCase {
    /// What the reader thread collected; `done` orders its write before the test's read.
    private final class Collected: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }

    private struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    private func nabla(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let process = Process()
        process.executableURL = products.appendingPathComponent("nabla")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Drain both pipes before waiting, so a full pipe cannot block the child.
        let errorData = Collected()
        let reader = Thread {
            errorData.data = error.fileHandleForReading.readDataToEndOfFile()
            errorData.done.signal()
        }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorData.done.wait()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   error: String(decoding: errorData.data, as: UTF8.self))
    }

    private func jsonObject(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        XCTAssertNotNil(object, "standard output is not one JSON object: \(text)", file: file, line: line)
        return object ?? [:]
    }

    func testSimilarityJSONHasTheDocumentedKeys() throws {
        let run = try nabla(["similarity", "--json", "--image-directory", NSTemporaryDirectory()])
        XCTAssertEqual(run.status, 0, run.error)
        let report = jsonObject(run.output)
        for key in ["accuracy", "accuracy3", "accuracy7", "seconds", "train_seconds"] {
            XCTAssertNotNil(report[key] as? Double, "missing \(key) in \(run.output)")
        }
        // MNIST's test 3s and 7s, the book's validation set: 926 of 1,010 3s and 1,013 of 1,028 7s,
        // the book's 0.9168 and 0.9854.
        XCTAssertEqual(report["accuracy3"] as? Double ?? 0, 926.0 / 1010, accuracy: 1e-6)
        XCTAssertEqual(report["accuracy7"] as? Double ?? 0, 1013.0 / 1028, accuracy: 1e-6)
        XCTAssertEqual(report["accuracy"] as? Double ?? 0, 1939.0 / 2038, accuracy: 1e-6)
        XCTAssertTrue(run.error.contains("Pixel similarity"), "the human-readable report goes to standard error")
    }

    func testTrainJSONAndSavedCheckpoint() throws {
        let checkpoint = NSTemporaryDirectory() + "nabla-command-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: checkpoint) }
        let run = try nabla(["train", "--model", "mlp", "--epochs", "5", "--json", "--save", checkpoint])
        XCTAssertEqual(run.status, 0, run.error)
        let report = jsonObject(run.output)
        XCTAssertEqual(report["epochs"] as? Int, 5)
        XCTAssertGreaterThan(report["accuracy"] as? Double ?? 0, 0.9)
        XCTAssertLessThanOrEqual(report["train_seconds"] as? Double ?? .infinity, report["seconds"] as? Double ?? 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint))
    }

    func testBadInputGetsAClearErrorAndFailingStatus() throws {
        let missing = try nabla(["train", "--data", "/no/such/folder"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.error.contains("/no/such/folder: no such folder"), missing.error)
        let badOption = try nabla(["train", "--epochs", "0"])
        XCTAssertNotEqual(badOption.status, 0)
        XCTAssertTrue(badOption.error.contains("--epochs must be at least 1"), badOption.error)
        let badClasses = try nabla(["similarity", "--classes", "3,x"])
        XCTAssertNotEqual(badClasses.status, 0)
        XCTAssertTrue(badClasses.error.contains("has no class 'x'"), badClasses.error)
    }

    func testMissingDataNamesTheDatasetAndTheSetupScript() throws {
        let empty = NSTemporaryDirectory() + "nabla-no-data-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        for command in ["lesson", "similarity", "train"] {
            let run = try nabla([command], environment: ["NABLA_DATA": empty])
            XCTAssertNotEqual(run.status, 0, command)
            XCTAssertTrue(run.error.contains("\(empty)/mnist/train-images.idx3-ubyte: MNIST is not installed; run scripts/setup.sh"),
                          "\(command): \(run.error)")
        }
    }

    /// Runs `arguments` and asserts that they fail at once, before any data is loaded, with `message` on standard error.
    private func assertRefused(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try nabla(arguments)
        XCTAssertNotEqual(run.status, 0, "\(arguments)", file: file, line: line)
        XCTAssertTrue(run.error.contains(message), "\(arguments): \(run.error)", file: file, line: line)
        XCTAssertFalse(run.output.contains("=="), "\(arguments) did work before refusing: \(run.output)", file: file, line: line)
        XCTAssertFalse(run.error.contains("NSCocoaErrorDomain"), run.error, file: file, line: line)
    }

    func testEveryNumberIsCheckedBeforeWork() throws {
        for lr in ["0", "-1", "inf", "nan"] {
            try assertRefused(["train", "--lr", lr], "--lr must be a finite positive number")
            try assertRefused(["quadratic", "--lr", lr], "--lr must be a finite positive number")
        }
        for lr in ["0", "-1", "inf", "nan"] { try assertRefused(["digits", "--lr", lr], "--lr must be a finite positive number") }
        try assertRefused(["digits", "--epochs", "-1"], "--epochs must be at least 1, got -1")
        try assertRefused(["train", "--epochs", "-1"], "--epochs must be at least 1, got -1")
        try assertRefused(["train", "--batch-size", "-5"], "--batch-size must be at least 1, got -5")
        try assertRefused(["quadratic", "--steps", "-2"], "--steps must not be negative, got -2")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        try assertRefused(["train", "--threads", String(cores + 1)],
                          "--threads \(cores + 1) is more than the \(cores) cores of this machine")
    }

    func testOutputPathsAreCheckedBeforeWork() throws {
        // /proc takes no new files, even from root, so the check cannot be fooled by permissions.
        try assertRefused(["train", "--save", "/proc/model.safetensors"], "--save /proc/model.safetensors: cannot write in the folder /proc")
        try assertRefused(["train", "--save", "/no/such/folder/model.safetensors"],
                          "--save /no/such/folder/model.safetensors: the folder /no/such/folder does not exist")
        try assertRefused(["train", "--save", NSTemporaryDirectory()], "is a folder; give a file name such as")
        try assertRefused(["similarity", "--image-directory", "/proc"], "--image-directory /proc: cannot write in the folder /proc")
        try assertRefused(["lesson", "--image-directory", "/no/such/folder"], "--image-directory /no/such/folder: the folder /no/such/folder does not exist")
        // digits checks its path as train does, before loading or training anything (issue 24: a folder failed only after training).
        try assertRefused(["digits", "--save", "/proc/model.safetensors"], "--save /proc/model.safetensors: cannot write in the folder /proc")
        try assertRefused(["digits", "--save", NSTemporaryDirectory()], "is a folder; give a file name such as")
    }

    func testALearningRateThatStallsTheFirstEpochIsWarnedAbout() throws {
        for lr in ["1e9", "1e-6"] {
            let run = try nabla(["train", "--lr", lr, "--epochs", "1"])
            XCTAssertEqual(run.status, 0, run.error)
            XCTAssertTrue(run.error.contains("warning: the training loss did not fall during the first epoch"), "lr \(lr): \(run.error)")
        }
        let good = try nabla(["train", "--epochs", "1"])
        XCTAssertFalse(good.error.contains("warning"), good.error)
        let silenced = try nabla(["train", "--lr", "1e9", "--epochs", "1"], environment: ["NABLA_WARNINGS": "ignore"])
        XCTAssertFalse(silenced.error.contains("warning"), silenced.error)
    }

    /// Issue 24: huge counts crashed (an overflow counting steps or batches) after
    /// the data had loaded. Epochs and steps are refused before work; a batch larger
    /// than the training set is refused once its size is known, before training.
    func testHugeCountsAreRefusedWithoutACrash() throws {
        let huge = String(Int.max)
        try assertRefused(["digits", "--epochs", huge], "--epochs must be at most 1000000, got 9223372036854775807")
        try assertRefused(["train", "--epochs", huge], "--epochs must be at most 1000000, got 9223372036854775807")
        try assertRefused(["quadratic", "--steps", huge], "--steps must be at most 1000000, got 9223372036854775807")
        for command in ["train", "digits"] {
            let run = try nabla([command, "--epochs", "1", "--batch-size", huge, "--threads", "1"])
            XCTAssertNotEqual(run.status, 0, run.output)
            XCTAssertTrue(run.error.contains("--batch-size 9223372036854775807 is more than the"), run.error)
            XCTAssertFalse(run.output.contains("epoch") || run.error.contains("Fatal error"), run.output + run.error)
        }
    }

    /// Issue 24: `nabla digits` stopped inside training on a label of 10, 14×14
    /// images, an empty set or constant pixels; it names the file and trains nothing.
    func testDigitsRefusesADatasetItCannotTrainOn() throws {
        func idx(_ dimensions: [UInt32], _ payload: [UInt8]) -> Data { Data(idxBytes(dimensions: dimensions, payload: payload)) }
        let cases: [(side: UInt32, count: UInt32, pixel: (Int) -> UInt8, labels: [UInt8], file: String, message: String)] = [
            (28, 2, { UInt8($0 % 256) }, [3, 10], "train-labels.idx1-ubyte", "label 10 of image 1 is not one of the 10 classes 0...9"),
            (14, 2, { UInt8($0 % 256) }, [3, 4], "train-images.idx3-ubyte", "holds images of 14×14 pixels"),
            (28, 0, { UInt8($0 % 256) }, [], "train-images.idx3-ubyte", "holds no images"),
            (28, 2, { _ in 7 }, [3, 4], "train-images.idx3-ubyte", "every pixel is 0.02745098: images of one value cannot be normalised"),
        ]
        for item in cases {
            let root = NSTemporaryDirectory() + "nabla-digits-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: root) }
            let folder = root + "/mnist"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for split in ["train", "t10k"] {
                let pixels = (0..<Int(item.count * item.side * item.side)).map(item.pixel)
                try idx([item.count, item.side, item.side], pixels).write(to: URL(fileURLWithPath: "\(folder)/\(split)-images.idx3-ubyte"))
                try idx([UInt32(item.labels.count)], item.labels).write(to: URL(fileURLWithPath: "\(folder)/\(split)-labels.idx1-ubyte"))
            }
            let run = try nabla(["digits", "--model", "linear", "--epochs", "1", "--batch-size", "1"], environment: ["NABLA_DATA": root])
            XCTAssertNotEqual(run.status, 0, run.output)
            XCTAssertTrue(run.error.contains("\(folder)/\(item.file): \(item.message)"), run.error)
            XCTAssertFalse(run.output.contains("epoch") || run.error.contains("Fatal error"), run.output + run.error)
        }
    }

    func testADivergingWalkIsWarnedAboutAndPrinted() throws {
        let run = try nabla(["quadratic", "--lr", "1e9", "--steps", "6"])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.output.contains("3.600000e+19"), "a huge value prints in scientific notation: \(run.output)")
        XCTAssertTrue(run.output.contains("warning: f(x) has grown for 3 steps in a row; the learning rate 1e+09 is too high"), run.output)
        XCTAssertTrue(run.output.contains("stopped: f(x) is no longer a finite number"), run.output)
        let negativeStart = try nabla(["quadratic", "--start", "-3", "--steps", "1"])
        XCTAssertEqual(negativeStart.status, 0, "a negative number is a value, not an option: \(negativeStart.error)")
        XCTAssertTrue(negativeStart.output.contains("from x = -3.0"), negativeStart.output)
    }

    func testDigitsTrainsTenClassesAndPrintsTheConfusionMatrix() throws {
        let checkpoint = NSTemporaryDirectory() + "nabla-digits-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: checkpoint) }
        let run = try nabla(["digits", "--model", "linear", "--epochs", "1", "--json", "--save", checkpoint])
        XCTAssertEqual(run.status, 0, run.error)
        let report = jsonObject(run.output)
        XCTAssertEqual(report["model"] as? String, "linear")
        XCTAssertEqual(report["epochs"] as? Int, 1)
        XCTAssertGreaterThan(report["accuracy"] as? Double ?? 0, 0.88)
        let perClass = report["per_class_accuracy"] as? [String: Double] ?? [:]
        XCTAssertEqual(perClass.keys.sorted(), (0...9).map(String.init))
        XCTAssertTrue(run.error.contains("epoch      train_loss  valid_loss  accuracy"), run.error)
        XCTAssertTrue(run.error.contains("actual \\ predicted"), run.error)
        XCTAssertFalse(run.error.contains("deprecated"), "MNIST's labels are int64 class indices: \(run.error)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint))
        for (arguments, message) in [(["digits", "--model", "resnet"], "resnet"), (["digits", "--epochs", "0"], "--epochs must be at least 1"),
                                     (["digits", "--optimizer", "lbfgs"], "lbfgs"), (["digits", "--save", "/no/such/folder/x.safetensors"], "/no/such/folder")] {
            let bad = try nabla(arguments)
            XCTAssertNotEqual(bad.status, 0, "\(arguments)")
            XCTAssertTrue(bad.error.contains(message), bad.error)
        }
    }

    func testDoctorReportsTheCoreTheUserForcedAndLeavesItAlone() throws {
        #if arch(x86_64)
        // Prescott's SSE3 kernels run on every x86-64 CPU: the slow core of issue 23, forced.
        let run = try nabla(["doctor", "--json"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = jsonObject(run.output)
        XCTAssertEqual(report["openblas_core"] as? String, "Prescott", "the user's core type is never overridden")
        XCTAssertEqual(report["openblas_coretype"] as? String, "Prescott")
        XCTAssertEqual(report["verdict"] as? String, "chosen by the user")
        XCTAssertLessThanOrEqual(report["max_relative_difference_from_reference"] as? Double ?? 1, 1e-4,
                                 "Prescott's kernels agree with the reference backend")
        XCTAssertGreaterThan(report["sgemm_gflops"] as? Double ?? 0, 0)
        XCTAssertFalse(run.error.contains("warning"), "a core the user chose gets no warning: \(run.error)")
        #endif
    }

    func testDoctorWarnsOnceExactlyWhenOpenBLASChoseAnOlderCore() throws {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else {
            throw XCTSkip("OPENBLAS_CORETYPE is set for the tests, so OpenBLAS did not choose its core")
        }
        let run = try nabla(["doctor", "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let report = jsonObject(run.output)
        XCTAssertEqual(report["openblas_core"] as? String, Nabla.openBLASCoreName)
        let older = report["verdict"] as? String == "older than the CPU"
        let warnings = run.error.components(separatedBy: "nabla: warning: OpenBLAS runs its").count - 1
        XCTAssertEqual(warnings, older ? 1 : 0, run.error)
        XCTAssertLessThanOrEqual(report["max_relative_difference_from_reference"] as? Double ?? 1, 1e-4)
        let text = try nabla(["doctor"])
        XCTAssertTrue(text.output.contains("OpenBLAS core:    \(Nabla.openBLASCoreName)"), text.output)
        XCTAssertTrue(text.output.contains("Verdict: "), text.output)
    }
}
