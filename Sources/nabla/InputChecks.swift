import ArgumentParser
import Foundation
import NablaData

// Checks of the command line that run before any work, so that a bad value
// never costs a training run; each message names the option and the value.

/// The most epochs or steps a command runs: far more than any run needs, and few
/// enough that every count derived from them (steps × batches) fits in an Int.
let maximumRunLength = 1_000_000

/// Refuses `value` above `limit` for `option`, before any data is loaded.
func requireAtMost(_ value: Int, _ limit: Int, option: String) throws {
    guard value <= limit else { throw ValidationError("\(option) must be at most \(limit), got \(value)") }
}

/// Refuses a count below 1 for `option`.
func requireAtLeastOne(_ value: Int, option: String) throws {
    guard value >= 1 else { throw ValidationError("\(option) must be at least 1, got \(value)") }
}

/// Refuses an `--epochs` outside 1...``maximumRunLength``.
func requireEpochCount(_ epochs: Int) throws {
    try requireAtLeastOne(epochs, option: "--epochs")
    try requireAtMost(epochs, maximumRunLength, option: "--epochs")
}

/// Refuses a `--batch-size` larger than the training set, once it is loaded: such a
/// batch is the whole set, and the activations of a whole large set at once
/// (`--batch-size 9223372036854775807`) would take more memory than the machine has.
func requireBatchSize(_ batchSize: Int, atMost items: Int, set: String) throws {
    guard batchSize <= items else {
        throw ValidationError("--batch-size \(batchSize) is more than the \(items) images of \(set); give at most \(items)")
    }
}

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
    do {
        try NablaData.requireWritableFolder(path)
    } catch let error as DataError {
        throw ValidationError("\(option): \(error.problem)")
    }
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
