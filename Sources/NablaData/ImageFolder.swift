import Dispatch
import Foundation
import Nabla

/// Loader for PNG images laid out one folder per class, as fastai's MNIST_SAMPLE
/// and torchvision's `ImageFolder` use: `<root>/<split>/<class>/<image>.png`,
/// for example `train/3/…png`, `train/7/…png`, `valid/3/…png`.
///
/// Every non-hidden entry of a class folder must be a PNG (names starting with `.`
/// are skipped), and every image must have the same size. Images are decoded
/// in parallel on two workers straight into one preallocated tensor.
public enum ImageFolder {
    /// Loads the images of one split.
    ///
    /// - Parameters:
    ///   - root: The dataset folder.
    ///   - split: The subfolder holding the class folders (`"train"`, `"valid"`), or nil
    ///     when the class folders are directly in `root`.
    ///   - classes: The class folders to load, in label order; nil loads every
    ///     non-hidden subfolder, sorted by name.
    /// - Returns: images `[N, height, width]` in `[0, 1]`, ordered by class then by
    ///   file name (sorted by Unicode code points, so the order is stable everywhere),
    ///   labels `[N]` holding each image's class index, and the class names.
    /// - Throws: ``DataError`` naming the folder or file at fault: a missing folder, an
    ///   empty class folder, a file that is not a PNG or is corrupt, or an image whose
    ///   size differs from the first one.
    public static func load(root: String, split: String? = nil, classes: [String]? = nil) throws -> LabeledImages {
        let splitFolder = split.map { (root as NSString).appendingPathComponent($0) } ?? root
        let classNames = try classes ?? visibleEntries(of: splitFolder).filter { isFolder((splitFolder as NSString).appendingPathComponent($0)) }
        guard !classNames.isEmpty else {
            throw DataError(path: splitFolder, problem: "holds no class folders")
        }
        var files: [String] = []
        var labels: [Float] = []
        for (label, name) in classNames.enumerated() {
            let classFolder = (splitFolder as NSString).appendingPathComponent(name)
            let names = try visibleEntries(of: classFolder)
            guard !names.isEmpty else { throw DataError(path: classFolder, problem: "class folder is empty") }
            files += names.map { (classFolder as NSString).appendingPathComponent($0) }
            labels += Array(repeating: Float(label), count: names.count)
        }
        let images = try decodeAll(files)
        return LabeledImages(images: images, labels: Tensor(shape: [labels.count], scalars: labels), classNames: classNames)
    }

    /// Decodes `files` into one `[N, height, width]` tensor; the first file fixes the size.
    private static func decodeAll(_ files: [String]) throws -> Tensor {
        var firstGray: [UInt8] = []
        let first = try readFileBytes(files[0]).withUnsafeBytes {
            try PNGImage.decodeGray($0, source: files[0], into: &firstGray)
        }
        let pixelsPerImage = first.height * first.width
        let workerCount = 2
        let errors = ErrorSlots(count: workerCount)
        let images = Tensor(shape: [files.count, first.height, first.width]) { scalars in
            guard let base = scalars.baseAddress else { return }
            // Each worker takes a contiguous block of files and reuses one gray buffer.
            DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
                let start = files.count * worker / workerCount
                let end = files.count * (worker + 1) / workerCount
                var gray: [UInt8] = []
                for index in start..<end {
                    do {
                        let size = try readFileBytes(files[index]).withUnsafeBytes {
                            try PNGImage.decodeGray($0, source: files[index], into: &gray)
                        }
                        guard size == first else {
                            throw DataError(path: files[index], problem: "image is \(size.height)×\(size.width) pixels but \(files[0]) is \(first.height)×\(first.width); all images must have the same size")
                        }
                        gray.withUnsafeBufferPointer {
                            convertPixels($0.baseAddress!, to: base + index * pixelsPerImage, count: pixelsPerImage, scale: true)
                        }
                    } catch {
                        errors.set(error, at: worker)
                        return
                    }
                }
            }
        }
        // Report the error of the earliest failing block, so the message does not depend on timing.
        if let error = errors.first { throw error }
        return images
    }

    /// Non-hidden entries of a folder, sorted by name.
    private static func visibleEntries(of folder: String) throws -> [String] {
        guard isFolder(folder) else {
            throw DataError(path: folder, problem: FileManager.default.fileExists(atPath: folder) ? "is not a folder" : "folder does not exist")
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        } catch {
            throw DataError(path: folder, problem: "cannot list folder: \(error.localizedDescription)")
        }
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// One error slot per worker; a lock keeps the two workers' writes apart.
private final class ErrorSlots: @unchecked Sendable {
    private var slots: [Error?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ error: Error, at index: Int) { lock.withLock { slots[index] = error } }
    var first: Error? { lock.withLock { slots.lazy.compactMap { $0 }.first } }
}
