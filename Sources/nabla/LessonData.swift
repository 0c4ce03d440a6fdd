import Foundation
import Nabla
import NablaData
import NablaNN

/// The images of the lesson's two classes, split into training and validation
/// sets, each stored positives first (target 1), then negatives (target 0).
/// The pixels stay bytes, as the files store them, until a stage converts the
/// images it reads (a batch, a mean image, the validation set).
struct LessonData {
    let positiveName: String
    let negativeName: String
    /// `[N, height, width]` uint8: the training positives, then the training negatives.
    let trainImages: Tensor
    let trainPositiveCount: Int
    /// `[M, height, width]` uint8: the validation positives, then the validation negatives.
    let validImages: Tensor
    let validPositiveCount: Int
    /// Where the images came from and how they were split, in words.
    let description: String
    let loadSeconds: Double

    var trainCount: Int { trainImages.shape[0] }
    var validCount: Int { validImages.shape[0] }
    var trainNegativeCount: Int { trainCount - trainPositiveCount }
    /// The mean training image of each class, read from the bytes.
    var positiveMean: Tensor { Self.meanImage(trainImages, 0..<trainPositiveCount) }
    var negativeMean: Tensor { Self.meanImage(trainImages, trainPositiveCount..<trainCount) }
    var validPositive: Tensor { Self.floats(validImages[0..<validPositiveCount]) }
    var validNegative: Tensor { Self.floats(validImages[validPositiveCount..<validCount]) }

    /// Flattened validation images `[N, pixels]` as Float and targets `[N, 1]`, as the book's `valid_x`, `valid_y`.
    var validationSet: (inputs: Tensor, targets: Tensor) { (Self.floats(Self.flattened(validImages)), validationTargets) }
    /// The flattened training (validation) images as Float `[rows, pixels]` a block of
    /// 256 rows at a time (0.8 MB; the Gram matrix sums 256 rows per exact Float product), for the closed-form fits: never a Float copy of the whole set.
    var trainingBlocks: RowBlocks { Self.blocks(trainImages) }
    var validationBlocks: RowBlocks { Self.blocks(validImages) }
    var trainingTargets: Tensor { Self.targets(trainCount, positives: trainPositiveCount) }
    var validationTargets: Tensor { Self.targets(validCount, positives: validPositiveCount) }

    private static func blocks(_ images: Tensor) -> RowBlocks {
        let flat = flattened(images)
        // The gray levels 0…255 themselves, divided by 255 as `floats` does: the Gram matrix sums them exactly.
        return RowBlocks(count: flat.shape[0], blockRows: 256, divisor: 255) { flat[$0].to(.float32) }
    }

    /// The training images flattened to `[N, pixels]`, still bytes, for a loader to batch.
    var trainingPixels: (images: Tensor, targets: Tensor) { (Self.flattened(trainImages), trainingTargets) }

    private static func flattened(_ images: Tensor) -> Tensor { images.reshape([images.shape[0], -1]) }

    /// 8-bit pixels as Float in [0, 1], `Float(p) / 255`.
    static func floats(_ pixels: Tensor) -> Tensor { pixels.to(.float32, dividedBy: 255) }

    /// The mean of `images[range]` in [0, 1]: the pixel sums are exact (a uint8 tensor sums
    /// to int64), so the only rounding is the final division (in Double, then to Float).
    private static func meanImage(_ images: Tensor, _ range: Range<Int>) -> Tensor {
        images[range].sum(axis: 0).to(.float64, dividedBy: 255 * Double(range.count)).to(.float32)
    }

    private static func targets(_ count: Int, positives: Int) -> Tensor {
        Tensor(shape: [count, 1]) { scalars in
            for index in 0..<count { scalars[index] = index < positives ? 1 : 0 }
        }
    }

    /// Loads the data that `options` name and prints where it came from.
    static func load(_ options: DataOptions, console: Console) throws -> LessonData {
        let start = monotonicSeconds()
        let requested = options.classPair
        let train: LabeledPixels
        let valid: LabeledPixels
        let pair: (positive: Int, negative: Int)
        let source: String
        var split: String

        if let root = options.data {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
                throw DataError(path: root, problem: "no such folder; --data takes a folder with train/<class> and valid/<class> PNG folders (fastai's MNIST_SAMPLE layout) or MNIST IDX files")
            }
            if isIDXFolder(root) {
                pair = try classIndices(requested, names: Datasets.digitClassNames, source: root)
                train = try IDX.labeledImages(root, prefix: "train", classes: pair)
                valid = try IDX.labeledImages(root, prefix: "t10k", classes: pair)
                source = "IDX files in \(root)"
                split = "train-* files train, t10k-* files validate"
            } else {
                let names = requested.map { [$0.positive, $0.negative] } ?? ["3", "7"]
                train = LabeledPixels(try ImageFolder.load(root: root, split: "train", classes: names))
                valid = LabeledPixels(try ImageFolder.load(root: root, split: "valid", classes: names))
                pair = (0, 1)
                source = "PNG folders \(root)/{train,valid}/{\(names.joined(separator: ","))}"
                split = "train/ trains, valid/ validates"
            }
        } else if options.dataset == .fashion {
            pair = try classIndices(requested, names: Datasets.fashionMNISTClassNames, source: "Fashion-MNIST")
            let classes = [pair.positive, pair.negative]
            train = LabeledPixels(try Datasets.fashionMNISTPixels(split: .train, classes: classes), classNames: Datasets.fashionMNISTClassNames)
            valid = LabeledPixels(try Datasets.fashionMNISTPixels(split: .test, classes: classes), classNames: Datasets.fashionMNISTClassNames)
            source = "Fashion-MNIST (\(Datasets.fashionMNISTClassNames[pair.positive]) vs \(Datasets.fashionMNISTClassNames[pair.negative]))"
            split = "the training set trains, the test set validates"
        } else {
            pair = try classIndices(requested, names: Datasets.digitClassNames, source: "MNIST")
            let classes = [pair.positive, pair.negative]
            train = LabeledPixels(try Datasets.mnistPixels(split: .train, classes: classes), classNames: Datasets.digitClassNames)
            valid = LabeledPixels(try Datasets.mnistPixels(split: .test, classes: classes), classNames: Datasets.digitClassNames)
            source = "MNIST in \(Datasets.dataFolder())/mnist"
            split = "the training set trains, the test set validates"
        }

        let (trainImages, trainPositives) = try twoClassStack(train, pair, source: source, part: "training")
        let (validImages, validPositives) = try twoClassStack(valid, pair, source: source, part: "validation")
        let (trainImageShape, validImageShape) = (Array(trainImages.shape.dropFirst()), Array(validImages.shape.dropFirst()))
        guard trainImageShape == validImageShape else {
            throw DataError(path: source, problem: "training images are \(trainImageShape) but validation images are \(validImageShape); both sets need one image size")
        }
        let positiveName = train.classNames[pair.positive]
        let negativeName = train.classNames[pair.negative]
        split += "; \(trainPositives) \(positiveName)s + \(trainImages.shape[0] - trainPositives) \(negativeName)s train, "
            + "\(validPositives) \(positiveName)s + \(validImages.shape[0] - validPositives) \(negativeName)s validate"
        let data = LessonData(
            positiveName: positiveName, negativeName: negativeName,
            trainImages: trainImages, trainPositiveCount: trainPositives,
            validImages: validImages, validPositiveCount: validPositives,
            description: "\(source): \(split)", loadSeconds: monotonicSeconds() - start)
        console.writeLine("Data: \(data.description) (loaded in \(formatSeconds(data.loadSeconds))).")
        return data
    }

    /// The images of the two classes, positives first, and how many positives there are.
    private static func twoClassStack(_ set: LabeledPixels, _ pair: (positive: Int, negative: Int),
                                      source: String, part: String) throws -> (Tensor, Int) {
        let labels = set.labels.scalars(as: Int64.self)
        let positives = labels.indices.filter { labels[$0] == Int64(pair.positive) }
        let negatives = labels.indices.filter { labels[$0] == Int64(pair.negative) }
        for (rows, label) in [(positives, pair.positive), (negatives, pair.negative)] where rows.isEmpty {
            throw DataError(path: source, problem: "the \(part) images hold no image of class \(set.classNames[label])")
        }
        let rows = positives + negatives
        // The class-selecting readers store the images grouped already: no copy then.
        return (rows.elementsEqual(0..<labels.count) ? set.images : set.images.gather(rows: rows), positives.count)
    }

    /// The label indices of the requested classes (default 3 and 7), matched by
    /// name (case-insensitive) or by index.
    private static func classIndices(_ requested: (positive: String, negative: String)?, names: [String],
                                      source: String) throws -> (positive: Int, negative: Int) {
        func index(_ name: String) throws -> Int {
            if let found = names.firstIndex(where: { $0.lowercased() == name.lowercased() }) { return found }
            if let number = Int(name), names.indices.contains(number) { return number }
            let listed = names.enumerated().map { $0.element == String($0.offset) ? $0.element : "\($0.offset) \($0.element)" }
            throw DataError(path: source, problem: "has no class '\(name)'; its classes are \(listed.joined(separator: ", "))")
        }
        let positive = try index(requested?.positive ?? "3")
        let negative = try index(requested?.negative ?? "7")
        guard positive != negative else {
            throw DataError(path: source, problem: "--classes names the same class twice (\(names[positive]))")
        }
        return (positive, negative)
    }

    /// Whether `folder` holds MNIST-style IDX files rather than class folders.
    private static func isIDXFolder(_ folder: String) -> Bool { IDX.file(.images, prefix: "train", in: folder) != nil }
}

/// Images as bytes (uint8) with their int64 labels and class names, as the lesson loads them.
private struct LabeledPixels {
    let images: Tensor
    let labels: Tensor
    let classNames: [String]

    init(_ pixels: (images: Tensor, labels: Tensor), classNames: [String]) {
        (images, labels, self.classNames) = (pixels.images, pixels.labels, classNames)
    }

    /// Images decoded to Float (PNG folders), back to the 8-bit pixels their files hold.
    init(_ decoded: LabeledImages) {
        (images, labels, classNames) = (decoded.images.quantizedPixels(), decoded.labels, decoded.classNames)
    }
}

private extension IDX {
    /// The images of the two classes of `pair` (positives first) in `prefix-images-idx3-ubyte[.gz]` and
    /// `prefix-labels-idx1-ubyte[.gz]` of `folder`, with classes named by label.
    static func labeledImages(_ folder: String, prefix: String, classes pair: (positive: Int, negative: Int)) throws -> LabeledPixels {
        // A missing file is read under its first name, so that the error names it.
        func path(_ part: LabeledFile) -> String {
            file(part, prefix: prefix, in: folder) ?? (folder as NSString).appendingPathComponent("\(prefix)-\(part.rawValue)")
        }
        return LabeledPixels(try readLabeledByteImages(images: path(.images), labels: path(.labels), classes: [pair.positive, pair.negative]),
                             classNames: Datasets.digitClassNames)
    }
}
