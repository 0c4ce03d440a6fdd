import Nabla

/// Least squares on the pixels: the weights w (bias last) minimising ‖[X 1]·w − y‖,
/// fitted in closed form by `Linalg.lstsq` (its minimum-norm solution, so pixels that
/// are always blank get weight 0), classifying `[X 1]·w > threshold` as positive.
public struct LeastSquaresClassifier {
    /// [features + 1, 1]: one weight per feature, then the bias.
    public let weights: Tensor
    /// The rank of the design matrix [X 1] that `lstsq` found.
    public let rank: Int
    public let threshold: Float

    /// Fits inputs [N, features] to targets [N, 1] (1 for positives, 0 for negatives).
    public init(inputs: Tensor, targets: Tensor, threshold: Float = 0.5) throws {
        let fit = try Linalg.lstsq(Self.design(inputs), targets)
        weights = fit.solution
        rank = Int(fit.rank.item)
        self.threshold = threshold
    }

    /// [X 1]·w for inputs [N, features]: [N, 1].
    public func scores(_ inputs: Tensor) -> Tensor { Self.design(inputs) • weights }

    /// The fraction of inputs whose thresholded score matches its target.
    public func accuracy(_ inputs: Tensor, targets: Tensor) -> Float {
        ((scores(inputs) .> threshold) .== targets).to(.float32).mean().item
    }

    private static func design(_ inputs: Tensor) -> Tensor {
        guard inputs.rank == 2 else { Nabla.fail("LeastSquaresClassifier: inputs must be [N, features], got shape \(inputs.shape)") }
        return Tensor.cat([inputs, Tensor.ones([inputs.shape[0], 1])], axis: 1)
    }
}

/// The principal components of a set of rows: the eigenvectors of their covariance
/// (`Linalg.eigh`), largest variance first.
public struct PrincipalComponents {
    /// [features]: the mean row, subtracted before projecting.
    public let mean: Tensor
    /// [features, count]: column i is component i, a unit vector.
    public let components: Tensor
    /// [count]: the variance along each component, descending.
    public let variances: Tensor
    /// The total variance of the data (the covariance's trace).
    public let totalVariance: Float

    /// The first `count` components of rows [N, features] (N ≥ 2).
    public init(_ rows: Tensor, count: Int) throws {
        guard rows.rank == 2, rows.shape[0] >= 2 else {
            Nabla.fail("PrincipalComponents: needs rows [N, features] with N ≥ 2, got shape \(rows.shape)")
        }
        let features = rows.shape[1]
        guard count >= 1, count <= features else {
            Nabla.fail("PrincipalComponents: count must be in 1...\(features), got \(count)")
        }
        mean = rows.mean(axis: 0)
        let centered = rows - mean
        let covariance = (centered.transposed • centered) / Float(rows.shape[0] - 1)
        // eigh's eigenvalues ascend: the last `count` columns, reversed, come first.
        let (values, vectors) = try Linalg.eigh(covariance)
        let order = (0..<count).map { features - 1 - $0 }
        components = vectors.transposed.gather(rows: order).transposed.contiguous()
        variances = values.unsqueeze(axis: 1).gather(rows: order).reshape([count])
        totalVariance = values.sum().item
    }

    /// The coordinates [N, k] of rows [N, features] along the first k components.
    public func project(_ rows: Tensor, components k: Int) -> Tensor {
        guard k >= 1, k <= components.shape[1] else {
            Nabla.fail("PrincipalComponents.project: k must be in 1...\(components.shape[1]), got \(k)")
        }
        return (rows - mean) • components[0..<components.shape[0], 0..<k]
    }

    /// The fraction of the total variance that the first k components hold.
    public func explainedVariance(components k: Int) -> Float {
        variances[0..<k].sum().item / totalVariance
    }
}

/// Nearest class mean (Euclidean) over a fixed set of classes: the pixel-similarity
/// idea in any feature space, such as the first principal components.
public struct NearestMeanClassifier {
    /// [classes, features]: each class's mean row.
    public let means: Tensor

    /// The means of `rows` [N, features] per class; `labels` holds class indices 0..<classes.
    public init(rows: Tensor, labels: [Int], classes: Int) {
        guard rows.rank == 2, labels.count == rows.shape[0] else {
            Nabla.fail("NearestMeanClassifier: needs rows [N, features] and N labels, got shape \(rows.shape) and \(labels.count) labels")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
            Nabla.fail("NearestMeanClassifier: label \(bad) is not in 0..<\(classes)")
        }
        means = Tensor.stack((0..<classes).map { c in
            let members = labels.indices.filter { labels[$0] == c }
            guard !members.isEmpty else { Nabla.fail("NearestMeanClassifier: class \(c) has no rows") }
            return rows.gather(rows: members).mean(axis: 0)
        })
    }

    /// The index of the nearest mean for each row of [N, features].
    public func predict(_ rows: Tensor) -> [Int] {
        let distances = ((rows.unsqueeze(axis: 1) - means.unsqueeze(axis: 0)).square()).sum(axis: 2)
        return (-distances).argmax(axis: 1).scalars.map { Int($0) }
    }

    /// The fraction of rows whose nearest mean is that of their label.
    public func accuracy(_ rows: Tensor, labels: [Int]) -> Float {
        let predicted = predict(rows)
        return Float(zip(predicted, labels).filter { $0 == $1 }.count) / Float(Swift.max(labels.count, 1))
    }
}
