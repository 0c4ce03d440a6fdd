#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest
@testable import NablaData

/// `writeFileAtomically`, which checkpoints and pictures are saved through.
final class AtomicWriteTests: XCTestCase {
    /// `count` bytes all equal to `value`: a reader can tell a whole file from a torn one.
    private func contents(_ value: UInt8, count: Int) -> [UInt8] { [UInt8](repeating: value, count: count) }

    /// Kills a process that rewrites one file as fast as it can, 25 times at random
    /// moments. After every kill the file holds an old or a new version, whole, and
    /// nothing but the file is in the folder, except at most one temporary name left
    /// in the instant between link and rename, which the next write removes.
    /// Foundation's atomic write left a `.dat.nosync…` file behind on nearly every kill.
    func testKillAtAnyMomentLeavesOldOrNewAndNoDebris() throws {
        try killLoop(unnamedFirst: true)
    }

    /// The same with the named temporary file used where O_TMPFILE is missing.
    func testKillAtAnyMomentLeavesOldOrNewWithoutUnnamedFiles() throws {
        try killLoop(unnamedFirst: false)
    }

    private func killLoop(unnamedFirst: Bool) throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/model.safetensors"
        let size = 1 << 20
        let versions: [UInt8] = [1, 2, 3]
        try contents(versions[0], count: size).withUnsafeBytes { try writeFileAtomically($0, to: path) }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<25 {
            let child = fork()
            XCTAssertGreaterThanOrEqual(child, 0)
            if child == 0 {
                // The child only writes, and never returns into XCTest.
                var version = 0
                while true {
                    version = (version + 1) % versions.count
                    try? contents(versions[version], count: size).withUnsafeBytes {
                        try writeFileAtomically($0, to: path, unnamedFirst: unnamedFirst)
                    }
                }
            }
            usleep(UInt32.random(in: 0..<30_000, using: &generator))
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)

            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            XCTAssertTrue(versions.contains { bytes == Data(contents($0, count: size)) }, "round \(round): torn or mixed file")
            let debris = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "model.safetensors" }
            XCTAssertTrue(debris.count <= 1 && debris.allSatisfy { $0.hasPrefix(".model.safetensors.nabla-partial-") },
                          "round \(round): left behind \(debris)")
        }
        try contents(versions[0], count: 16).withUnsafeBytes { try writeFileAtomically($0, to: path) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["model.safetensors"])
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), contents(versions[0], count: 16))
    }

    /// Issue 24: a kill between creating and removing the write probe left an empty
    /// `.nabla-write-check-<pid>` for good. A later check removes the probes of
    /// processes that are gone, keeps a live process's, and leaves none of its own.
    func testTheWriteProbeLeavesNothingAndRemovesAbandonedOnes() throws {
        let folder = try makeTemporaryFolder(self)
        // A pid that was in use and is gone: a child that has exited and been reaped.
        let child = fork()
        if child == 0 { _exit(0) }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        let abandoned = folder + "/.nabla-write-check-\(child)", live = folder + "/.nabla-write-check-1"
        for probe in [abandoned, live] { XCTAssertTrue(FileManager.default.createFile(atPath: probe, contents: nil), probe) }
        try requireWritableFolder(folder)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [".nabla-write-check-1"])
        assertDataError(try requireWritableFolder("/proc"), path: "/proc", mentions: "cannot write in the folder /proc")
    }

    /// Replacing keeps one file; a missing folder is an error naming the file.
    func testWritesCreateAndReplace() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/a.bin"
        try [1, 2, 3].withUnsafeBytes { try writeFileAtomically($0, to: path) }
        try [UInt8]([4]).withUnsafeBytes { try writeFileAtomically($0, to: path) }
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), [4])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["a.bin"])
        let missing = folder + "/none/a.bin"
        assertDataError(try [UInt8]([1]).withUnsafeBytes { try writeFileAtomically($0, to: missing) }, path: missing,
                        mentions: "cannot write: cannot open its folder")
    }
}
