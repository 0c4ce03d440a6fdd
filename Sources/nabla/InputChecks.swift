#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation

// Checks of the command line that run before any work, so that a bad value
// never costs a training run; each message names the option and the value.

/// Refuses a learning rate that is not a finite positive number.
func requireLearningRate(_ learningRate: Float) throws {
    guard learningRate.isFinite && learningRate > 0 else {
        throw ValidationError("--lr must be a finite positive number, got \(learningRate)")
    }
}

/// Refuses an output folder that does not exist or where no file can be created;
/// `option` starts the message (`--image-directory out`).
func requireWritableFolder(_ path: String, for option: String) throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
        throw ValidationError("\(option): the folder \(path) does not exist")
    }
    // Creating a file is the only test that holds for every user (root included)
    // and every file system (read-only mounts, /proc); the probe is removed at once.
    let probe = (path as NSString).appendingPathComponent(".nabla-write-check-\(getpid())")
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else {
        let reason = String(cString: strerror(errno))
        throw ValidationError("\(option): cannot write in the folder \(path) (\(reason))")
    }
    close(descriptor)
    unlink(probe)
}

/// Refuses an output file whose folder is missing or not writable, or that names a folder.
func requireWritableFile(_ path: String, for option: String) throws {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
        throw ValidationError("\(option) \(path): \(path) is a folder; give a file name such as \((path as NSString).appendingPathComponent("model.safetensors"))")
    }
    let parent = (path as NSString).deletingLastPathComponent
    try requireWritableFolder(parent.isEmpty ? "." : parent, for: "\(option) \(path)")
}
