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
    ///   - limits: The file size and image size allowed; ``DataLimits/default`` unless raised.
    /// - Returns: images `[N, height, width]` in `[0, 1]`, ordered by class then by
    ///   file name (sorted by Unicode code points, so the order is stable everywhere),
    ///   int64 labels `[N]` holding each image's class index, and the class names.
    /// - Throws: ``DataError`` naming the folder or file at fault: a missing folder, an
    ///   empty class folder, a file that is not a PNG or is corrupt, or an image whose
    ///   size differs from the first one.
    public static func load(root: String, split: String? = nil, classes: [String]? = nil,
                            limits: DataLimits = .default) throws -> LabeledImages {
        let splitFolder = split.map { (root as NSString).appendingPathComponent($0) } ?? root
        let classNames = try classes ?? visibleEntries(of: splitFolder).filter { isFolder((splitFolder as NSString).appendingPathComponent($0)) }
        guard !classNames.isEmpty else {
            throw DataError(path: splitFolder, problem: "holds no class folders")
        }
        var files: [String] = []
        var labels: [Int64] = []
        for (label, name) in classNames.enumerated() {
            let classFolder = (splitFolder as NSString).appendingPathComponent(name)
            let names = try visibleEntries(of: classFolder)
            guard !names.isEmpty else { throw DataError(path: classFolder, problem: "class folder is empty") }
            files += names.map { (classFolder as NSString).appendingPathComponent($0) }
            labels += Array(repeating: Int64(label), count: names.count)
        }
        let images = try decodeAll(files, limits: limits)
        return LabeledImages(images: images, labels: Tensor(shape: [labels.count], scalars: labels), classNames: classNames)
    }

    /// Decodes `files` into one `[N, height, width]` tensor, after checking from each
    /// file's header that all have the first one's size.
    private static func decodeAll(_ files: [String], limits: DataLimits) throws -> Tensor {
        let first = try headerSize(files[0], limits: limits)
        for file in files.dropFirst() {
            let size = try headerSize(file, limits: limits)
            guard size == first else { throw sizeMismatch(file, size, first: files[0], first) }
        }
        let pixelsPerImage = first.height * first.width
        let (total, overflow) = files.count.multipliedReportingOverflow(by: pixelsPerImage * MemoryLayout<Float>.stride)
        guard !overflow else { throw DataError(path: files[0], problem: "\(files.count) images of \(first.height)×\(first.width) are too many to hold") }
        try ensureAllocatable(total, for: files[0], "\(files.count) images of \(first.height)×\(first.width)")
        let workerCount = 2
        let errors = ErrorSlots(count: workerCount)
        let images = Tensor(shape: [files.count, first.height, first.width]) { scalars in
            // Each worker writes only its own images' rows of the buffer, so the workers share it safely.
            guard scalars.baseAddress != nil else { return }
            nonisolated(unsafe) let base = scalars.baseAddress!
            // Each worker takes a contiguous block of files and reuses one sample buffer.
            DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
                let start = files.count * worker / workerCount
                let end = files.count * (worker + 1) / workerCount
                var scratch: [UInt8] = []
                for index in start..<end {
                    do {
                        // The file may have changed since its header was read: check again.
                        _ = try readFileBytes(files[index], limits: limits).withUnsafeBytes { bytes in
                            try PNGImage.decodeGray(bytes, source: files[index], limits: limits, scratch: &scratch) { height, width in
                                guard (height, width) == first else {
                                    throw sizeMismatch(files[index], (height, width), first: files[0], first)
                                }
                                return base + index * pixelsPerImage
                            }
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

    /// The size a PNG file's header declares, from its first 26 bytes.
    private static func headerSize(_ file: String, limits: DataLimits) throws -> (height: Int, width: Int) {
        try withRegularFile(file) { fd, size in
            try readBytes(fd, count: 26, at: 0, path: file).withUnsafeBytes {
                try PNGImage.dimensions($0, source: file, limits: limits, fileSize: size)
            }
        }
    }

    private static func sizeMismatch(_ file: String, _ size: (height: Int, width: Int),
                                     first: String, _ firstSize: (height: Int, width: Int)) -> DataError {
        DataError(path: file, problem: "image is \(size.height)×\(size.width) pixels but \(first) is \(firstSize.height)×\(firstSize.width); all images must have the same size")
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
