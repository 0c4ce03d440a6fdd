import Foundation
import XCTest

/// NablaDistributed under real `mpirun` jobs of 1, 2 and 4 ranks on this machine
/// (loopback TCP only, more ranks than cores allowed, as root in CI). Each rank
/// of `nabla-mpi-check` runs the named checks and prints "ok <check> rank r/n".
final class MPIJobTests: XCTestCase {
    struct Job {
        let status: Int32
        let output: String
        let seconds: Double
    }

    /// The `mpirun` options of every job here: loopback only, root allowed, ranks may exceed cores.
    static let localOptions = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,tcp",
                               "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo"]

    /// Runs `mpirun -np ranks <program> arguments`, its standard output and error
    /// merged; a job that outlives `limit` seconds is killed and fails the test.
    /// With `ranks` nil, runs the program alone, without mpirun.
    func mpirun(_ ranks: Int?, _ program: String, _ arguments: [String], limit: Double = 120, mergingErrors: Bool = true) throws -> Job {
        let programPath = Self.products.appendingPathComponent(program).path
        if let ranks {
            return try run("/usr/bin/mpirun", Self.localOptions + ["-np", "\(ranks)", programPath] + arguments, limit: limit, mergingErrors: mergingErrors)
        }
        return try run(programPath, arguments, limit: limit, mergingErrors: mergingErrors)
    }

    /// The folder of the built programs.
    static var products: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

    /// Runs `executable` with one OpenBLAS thread; a run that outlives `limit` seconds is killed and fails the test.
    func run(_ executable: String, _ arguments: [String], limit: Double, mergingErrors: Bool = true) throws -> Job {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = mergingErrors ? pipe : FileHandle.nullDevice
        let start = Date()
        try process.run()
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + limit)
        timer.setEventHandler { if process.isRunning { process.terminate() } }
        timer.resume()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        let seconds = -start.timeIntervalSinceNow
        XCTAssertLessThan(seconds, limit, "\(executable) \(arguments) was killed after \(limit) s")
        return Job(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self), seconds: seconds)
    }

    func testCollectivesAndTrainingMatchHandValuesAndOneProcess() throws {
        for ranks in [1, 2, 4] {
            let job = try mpirun(ranks, "nabla-mpi-check", ["collectives", "training"])
            XCTAssertEqual(job.status, 0, job.output)
            for rank in 0..<ranks {
                XCTAssertTrue(job.output.contains("ok collectives rank \(rank)/\(ranks)"), job.output)
                XCTAssertTrue(job.output.contains("ok training rank \(rank)/\(ranks)"), job.output)
            }
            XCTAssertFalse(job.output.contains("FAIL"), job.output)
        }
    }

    /// Issue 24: ranks that differ in the model, the data set or the batch size
    /// fail `fit` before its first collective, naming the rank and the setting
    /// (a different model used to end in "double free or corruption").
    func testRanksThatDisagreeFailBeforeTheFirstStep() throws {
        for ranks in [1, 2, 3] {
            let job = try mpirun(ranks, "nabla-mpi-check", ["disagreement"])
            XCTAssertEqual(job.status, 0, job.output)
            for rank in 0..<ranks { XCTAssertTrue(job.output.contains("ok disagreement rank \(rank)/\(ranks)"), job.output) }
            XCTAssertFalse(job.output.contains("FAIL"), job.output)
        }
    }

    /// The reproduction: `nabla digits` with a linear model on one rank and
    /// the MLP on the other ends every rank with one message naming rank 1 and the field.
    func testDigitsWithDifferentModelsPerRankEndsWithOneMessage() throws {
        let nabla = Self.products.appendingPathComponent("nabla").path
        let common = ["--epochs", "1", "--threads", "1", "--distributed"]
        let job = try run("/usr/bin/mpirun", Self.localOptions + ["-np", "1", nabla, "digits", "--model", "linear"] + common
                                             + [":", "-np", "1", nabla, "digits", "--model", "mlp"] + common,
                      // Two debug-built ranks load all of MNIST first: 121 s at load 11 on two cores.
                      limit: 400)
        let output = job.output
        XCTAssertNotEqual(job.status, 0, output)
        let message = "rank 1 disagrees with rank 0 on the parameter count (101770 on rank 1, 7850 on rank 0)"
        XCTAssertEqual(output.components(separatedBy: message).count - 1, 1, output)
        XCTAssertFalse(output.contains("train_loss") || output.contains("corruption"), output)
    }

    /// mpirun itself ends the job when a rank dies, naming it.
    func testAKilledRankEndsTheJobWithAMessageNamingIt() throws {
        let job = try mpirun(2, "nabla-mpi-check", ["kill"], limit: 60)
        XCTAssertNotEqual(job.status, 0, job.output)
        XCTAssertFalse(job.output.contains("outlived"), job.output)
        XCTAssertLessThan(job.seconds, 20, job.output)
        XCTAssertTrue(job.output.contains("process rank 1") && job.output.contains("exited on signal 9"), job.output)
    }

    /// A rank that hangs is noticed by the others' watchdog (3 s in this check), which ends the job.
    func testAHungRankEndsTheJobThroughTheWatchdog() throws {
        let job = try mpirun(2, "nabla-mpi-check", ["hang"], limit: 60)
        XCTAssertNotEqual(job.status, 0, job.output)
        XCTAssertLessThan(job.seconds, 20, job.output)
        XCTAssertTrue(job.output.contains("rank 0 of 2: MPI_Allreduce has waited more than 3.0 s for the other ranks"), job.output)
    }

    /// `mpirun -np 2 nabla train --distributed` on the lesson's data prints one
    /// report (rank 0's) with the figures of one process on the same batches.
    func testDistributedTrainCommandGivesTheOneProcessFigures() throws {
        let arguments = ["train", "--model", "mlp", "--epochs", "1", "--threads", "1", "--json"]
        let alone = try mpirun(nil, "nabla", arguments, mergingErrors: false)
        let job = try mpirun(2, "nabla", arguments + ["--distributed"], mergingErrors: false)
        XCTAssertEqual(alone.status, 0, alone.output)
        XCTAssertEqual(job.status, 0, job.output)
        let reports = [alone, job].map { run in
            run.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        XCTAssertEqual(reports.map(\.count), [1, 1], "one JSON report each, rank 1 silent: \(job.output)")
        let (one, two) = (reports[0].first ?? [:], reports[1].first ?? [:])
        XCTAssertEqual(two["ranks"] as? Int, 2)
        for key in ["accuracy", "train_loss", "valid_loss"] {
            let expected = one[key] as? Double ?? .nan
            XCTAssertEqual(two[key] as? Double ?? .nan, expected, accuracy: 1e-5 * max(1, abs(expected)), key)
        }
    }
}
