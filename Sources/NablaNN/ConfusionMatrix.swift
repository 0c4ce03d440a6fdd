import Nabla

/// Counts of (actual class, predicted class) pairs, as fastai's
/// `ClassificationInterpretation.confusion_matrix()`: rows are the actual
/// classes, columns the predicted ones.
public struct ConfusionMatrix: Equatable, Sendable {
    /// `counts[actual][predicted]`.
    public private(set) var counts: [[Int]]

    public init(classCount: Int) {
        guard classCount > 0 else { Nabla.fail("ConfusionMatrix: the class count must be positive, got \(classCount)") }
        counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
    }

    public var classCount: Int { counts.count }

    /// Adds a batch: `prediction` is `[N, classes]` logits or probabilities (the
    /// largest wins, as `argmax`), `target` holds N class indices (int64, or integral Floats, deprecated).
    public mutating func add(prediction: Tensor, target: Tensor) {
        guard prediction.rank == 2, prediction.shape[1] == classCount, target.shape == [prediction.shape[0]] else {
            Nabla.fail("ConfusionMatrix.add: prediction \(prediction.shape) and target \(target.shape) do not fit: expected [N, \(classCount)] and [N]")
        }
        let actualClasses = target.integerIndices(extent: classCount, op: "ConfusionMatrix.add", what: "class index")
        for (predicted, actual) in zip(prediction.argmax(axis: 1).scalars(as: Int64.self), actualClasses) {
            counts[actual][Int(predicted)] += 1
        }
    }

    /// How many samples were counted.
    public var total: Int { counts.joined().reduce(0, +) }

    /// The fraction of all samples on the diagonal.
    public var accuracy: Double {
        Double((0..<classCount).map { counts[$0][$0] }.reduce(0, +)) / Double(max(total, 1))
    }

    /// For each actual class, the fraction of its samples predicted right (recall); NaN for a class with none.
    public var perClassAccuracy: [Double] {
        counts.enumerated().map { index, row in
            let count = row.reduce(0, +)
            return count == 0 ? .nan : Double(row[index]) / Double(count)
        }
    }

    /// The matrix as a text table with the class names (actual down, predicted across),
    /// then one line per class with its accuracy.
    public func table(classNames: [String]) -> String {
        guard classNames.count == classCount else {
            Nabla.fail("ConfusionMatrix.table: \(classNames.count) class names for \(classCount) classes")
        }
        let labelWidth = max(classNames.map(\.count).max() ?? 0, "actual \\ predicted".count)
        let cellWidth = max(classNames.map(\.count).max() ?? 0, String(counts.joined().max() ?? 0).count) + 2
        func left(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(width - text.count, 0)) }
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(width - text.count, 0)) + text }
        var lines = [left("actual \\ predicted", labelWidth) + classNames.map { right($0, cellWidth) }.joined()]
        for (name, row) in zip(classNames, counts) {
            lines.append(left(name, labelWidth) + row.map { right(String($0), cellWidth) }.joined())
        }
        lines.append("")
        lines.append(left("class", labelWidth) + right("accuracy", 10) + right("images", 8))
        for (index, name) in classNames.enumerated() {
            let fraction = perClassAccuracy[index]
            lines.append(left(name, labelWidth) + right(fraction.isNaN ? "-" : formatFixed(fraction, decimals: 4), 10)
                         + right(String(counts[index].reduce(0, +)), 8))
        }
        return lines.joined(separator: "\n")
    }
}
