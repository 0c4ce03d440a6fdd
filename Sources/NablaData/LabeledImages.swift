import Nabla

/// Images with one class label each, as the dataset loaders return them.
public struct LabeledImages {
    /// Pixels in `[0, 1]`, shape `[N, height, width]`.
    public var images: Tensor
    /// Class indices, int64 as the loaders give them, shape `[N]`; `labels[i]` indexes ``classNames``.
    public var labels: Tensor
    /// The name of each class, in label order.
    public var classNames: [String]

    /// Fails unless `images` and `labels` hold the same number of items along axis 0.
    public init(images: Tensor, labels: Tensor, classNames: [String]) {
        guard images.rank >= 1, labels.rank >= 1, images.shape[0] == labels.shape[0] else {
            Nabla.fail("LabeledImages: images of shape \(images.shape) and labels of shape \(labels.shape) must hold the same number of items along axis 0")
        }
        self.images = images
        self.labels = labels
        self.classNames = classNames
    }

    /// The number of images.
    public var count: Int { labels.shape[0] }

    /// The images of the given classes only, in their original order, relabelled by
    /// position in `classes`: an image of class `classes[k]` gets label `k` (int64).
    ///
    /// For the 3s-versus-7s lesson, `mnist.selectingClasses([7, 3])` keeps the 7s
    /// (label 0) and the 3s (label 1). ``classNames`` becomes the names of the kept
    /// classes in the same order.
    ///
    /// Fails unless each entry of `classes` is a valid label and none repeats.
    public func selectingClasses(_ classes: [Int]) -> LabeledImages {
        guard Set(classes).count == classes.count else { Nabla.fail("selectingClasses: \(classes) repeats a class") }
        var newLabel = [Int: Int64]()
        for (position, label) in classes.enumerated() {
            guard label >= 0 && label < classNames.count else {
                Nabla.fail("selectingClasses: class \(label) is not one of the \(classNames.count) classes (0..<\(classNames.count))")
            }
            newLabel[label] = Int64(position)
        }
        var rows: [Int] = []
        var labelsKept: [Int64] = []
        // Through Double, so float and integer labels read alike: a non-integral Float label matches
        // no class, and an int64 label past 2^53 (rounded here) is far from the few class indices.
        for (row, label) in labels.scalars(as: Double.self).enumerated() {
            if let index = Int(exactly: label), let mapped = newLabel[index] {
                rows.append(row)
                labelsKept.append(mapped)
            }
        }
        return LabeledImages(images: images.gather(rows: rows),
                             labels: Tensor(shape: [rows.count], scalars: labelsKept),
                             classNames: classes.map { classNames[$0] })
    }
}
