import Nabla

/// A set of rows read a block at a time, so that closed-form fits never hold the
/// whole set as Float: `count` rows, `blockRows` at a time (the last block shorter);
/// the rows of a block are `block(range) / divisor`.
///
/// When `block` gives small integers (pixel bytes 0…255 with `divisor` 255), the
/// Gram matrix the fits accumulate is exact: it is summed in Float over pieces of
/// at most 256 rows (every partial sum an integer below 2²⁴) and in Double across them.
public struct RowBlocks {
    public let count: Int
    public let blockRows: Int
    public let divisor: Float
    public let block: (Range<Int>) -> Tensor

    /// Rows `0..<count` read `blockRows` at a time: `block(range) / divisor`, where `block` returns [range.count, features].
    public init(count: Int, blockRows: Int, divisor: Float = 1, block: @escaping (Range<Int>) -> Tensor) {
        guard count >= 0, blockRows >= 1, divisor.isFinite, divisor != 0 else {
            Nabla.fail("RowBlocks: needs count ≥ 0, blockRows ≥ 1 and a finite nonzero divisor, got count \(count), blockRows \(blockRows), divisor \(divisor)")
        }
        self.count = count
        self.blockRows = blockRows
        self.divisor = divisor
        self.block = block
    }

    /// The rows of a tensor [N, features], all in one block.
    public init(_ rows: Tensor) {
        guard rows.rank == 2 else { Nabla.fail("RowBlocks: rows must be [N, features], got shape \(rows.shape)") }
        self.init(count: rows.shape[0], blockRows: Swift.max(rows.shape[0], 1)) { range in
            range.count == rows.shape[0] ? rows : rows[range.lowerBound..<range.upperBound]
        }
    }

    /// The row ranges of the blocks, in order.
    public var ranges: [Range<Int>] {
        stride(from: 0, to: count, by: blockRows).map { $0..<Swift.min($0 + blockRows, count) }
    }

    /// Calls `body` with each block's range and its undivided rows [range.count, features], checked to have one width.
    func forEachUndivided(op: String, _ body: (Range<Int>, Tensor) -> Void) {
        var features: Int?
        for range in ranges {
            let rows = block(range)
            guard rows.rank == 2, rows.shape[0] == range.count, rows.shape[1] == (features ?? rows.shape[1]) else {
                Nabla.fail("\(op): block \(range) must be [\(range.count), \(features.map(String.init) ?? "features")], got shape \(rows.shape)")
            }
            features = rows.shape[1]
            body(range, rows)
        }
    }

    /// Calls `body` with each block's range and its rows (divided).
    func forEach(op: String, _ body: (Range<Int>, Tensor) -> Void) {
        forEachUndivided(op: op) { range, rows in body(range, divisor == 1 ? rows : rows / divisor) }
    }

}

/// The Gram matrix DᵀD of D = [X 1 extra] for the rows X of a ``RowBlocks`` (and `extra`
/// columns appended, such as least squares' targets), float64, accumulated in one pass over
/// the blocks: what ``LeastSquaresClassifier`` and ``PrincipalComponents`` start from, so that
/// one pass serves both. Exact when the undivided rows, the divisor and `extra × divisor` are
/// small integers (see ``RowBlocks``): then any order of summation gives the same matrix.
public struct RowGram {
    /// float64 `[features + 1 + extra, features + 1 + extra]`: XᵀX, then the column sums Σx and N, then the extra columns'.
    public let matrix: Tensor
    /// The number of rows, N.
    public let rowCount: Int
    /// The number of columns of X.
    public let features: Int

    /// The Gram matrix of [X 1 extra(range)], X the rows of `blocks`; `extra(range)` gives `[range.count, e]`.
    public init(_ blocks: RowBlocks, appending extra: ((Range<Int>) -> Tensor)? = nil) {
        self.init(blocks, op: "RowGram", appending: extra)
    }

    init(_ blocks: RowBlocks, op: String, appending extra: ((Range<Int>) -> Tensor)? = nil) {
        // Rows per Float product: 256 · 255² < 2²⁴, so sums of byte products stay exact.
        let exactRows = 256
        let divisor = blocks.divisor
        var total: Tensor?
        var features = 0
        blocks.forEachUndivided(op: op) { range, rows in
            features = rows.shape[1]
            let columns = [rows, Tensor.full([range.count, 1], divisor)] + (extra.map { [$0(range) * divisor] } ?? [])
            let design = Tensor.cat(columns, axis: 1)
            for start in stride(from: 0, to: range.count, by: exactRows) {
                let piece = design[start..<Swift.min(start + exactRows, range.count)]
                let product = (piece.transposed • piece).to(.float64)
                if total == nil { total = product } else { total!.addScaled(product, by: 1) }
            }
        }
        guard let total else { Nabla.fail("\(op): needs at least one row") }
        matrix = total / Tensor(Double(divisor) * Double(divisor))
        rowCount = blocks.count
        self.features = features
    }

    /// The number of extra columns appended after X and the column of ones.
    public var extraColumns: Int { matrix.shape[0] - features - 1 }
}

/// Least squares on the pixels: the weights w (bias last) minimising ‖[X 1]·w − y‖,
/// the minimum-norm solution (so pixels that are always blank get weight 0),
/// classifying `[X 1]·w > threshold` as positive.
///
/// The fit reads the rows a block at a time: it accumulates G = [X 1]ᵀ[X 1] and
/// [X 1]ᵀy in Double over the blocks (exactly, for pixel bytes; see ``RowBlocks``),
/// then solves G·w = [X 1]ᵀy through G's eigendecomposition in float64 (`Linalg.eigh`), dropping the
/// directions whose singular value √λ is at most rcond times the largest, with
/// `Linalg.lstsq`'s default rcond = ε·max(N, features + 1) (ε of Float). Double,
/// because G squares the condition number: in Float its eigenvalues near the cut-off
/// move by ε·λmax, and on MNIST's 3s and 7s that changes the kept directions.
/// Against float64 `lstsq` of the whole design the scores agree to 1e-6 there
/// (Float `lstsq` itself is 3.5e-4 off). Memory: one block and G, not N × features.
public struct LeastSquaresClassifier {
    /// [features + 1, 1]: one weight per feature, then the bias.
    public let weights: Tensor
    /// The number of singular values of [X 1] above the cut-off: its numerical rank.
    public let rank: Int
    public let threshold: Float

    /// Fits inputs [N, features] to targets [N, 1] (1 for positives, 0 for negatives).
    public init(inputs: Tensor, targets: Tensor, threshold: Float = 0.5) throws {
        try self.init(blocks: RowBlocks(inputs), targets: targets, threshold: threshold)
    }

    /// Fits the rows of `blocks` [N, features] to targets [N, 1], a block at a time.
    public init(blocks: RowBlocks, targets: Tensor, threshold: Float = 0.5) throws {
        guard targets.shape == [blocks.count, 1] else {
            Nabla.fail("LeastSquaresClassifier: targets must be [\(blocks.count), 1] for \(blocks.count) rows, got shape \(targets.shape)")
        }
        try self.init(gram: RowGram(blocks, op: "LeastSquaresClassifier") { targets[$0.lowerBound..<$0.upperBound] },
                      threshold: threshold)
    }

    /// Fits from the Gram matrix of [X 1 y] (``RowGram`` with the targets [N, 1] appended), without reading the rows again.
    public init(gram: RowGram, threshold: Float = 0.5) throws {
        guard gram.extraColumns == 1 else {
            Nabla.fail("LeastSquaresClassifier: the Gram matrix must have the targets appended as one extra column, it has \(gram.extraColumns)")
        }
        // Its leading n × n block is [X 1]ᵀ[X 1], its last column [X 1]ᵀy.
        let matrix = gram.matrix
        let n = matrix.shape[0] - 1
        let (eigenvalues, eigenvectors) = try Linalg.eigh(matrix[0..<n, 0..<n])
        let values = eigenvalues.scalars(as: Double.self)
        let rcond = Double(Float.ulpOfOne) * Double(Swift.max(gram.rowCount, n))
        let cutoff = rcond * rcond * Swift.max(values[n - 1], 0)
        // Eigenvalues ascend: the kept directions are the last `rank` eigenvectors, V.
        // w = V Λ⁻¹ Vᵀ [X 1]ᵀy.
        rank = values.filter { $0 > cutoff }.count
        let kept = eigenvectors[0..<n, (n - rank)..<n]
        let solution = kept • ((kept.transposed • matrix[0..<n, n..<(n + 1)]) / eigenvalues[(n - rank)..<n].unsqueeze(axis: 1))
        weights = solution.to(.float32)
        self.threshold = threshold
    }

    /// [X 1]·w for inputs [N, features]: [N, 1].
    public func scores(_ inputs: Tensor) -> Tensor {
        guard inputs.rank == 2 else { Nabla.fail("LeastSquaresClassifier: inputs must be [N, features], got shape \(inputs.shape)") }
        return Tensor.cat([inputs, Tensor.ones([inputs.shape[0], 1])], axis: 1) • weights
    }

    /// The fraction of inputs whose thresholded score matches its target.
    public func accuracy(_ inputs: Tensor, targets: Tensor) -> Float {
        accuracy(RowBlocks(inputs), targets: targets)
    }

    /// The fraction of the rows of `blocks` whose thresholded score matches its target, a block at a time.
    public func accuracy(_ blocks: RowBlocks, targets: Tensor) -> Float {
        var correct: Float = 0
        blocks.forEach(op: "LeastSquaresClassifier.accuracy") { range, rows in
            let expected = targets[range.lowerBound..<range.upperBound]
            correct += ((scores(rows) .> threshold) .== expected).sum().item
        }
        return correct / Float(Swift.max(blocks.count, 1))
    }
}

/// The principal components of a set of rows: the eigenvectors of their covariance
/// (`Linalg.eigh`), largest variance first. The covariance comes from the Gram
/// matrix of the rows, accumulated a block at a time in Double (see ``RowBlocks``):
/// (XᵀX − N·μμᵀ)/(N − 1), so the rows are never all held as Float.
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
        guard rows.rank == 2 else {
            Nabla.fail("PrincipalComponents: needs rows [N, features] with N ≥ 2, got shape \(rows.shape)")
        }
        try self.init(blocks: RowBlocks(rows), count: count)
    }

    /// The first `count` components of the rows of `blocks` [N, features] (N ≥ 2), read once, a block at a time.
    public init(blocks: RowBlocks, count: Int) throws {
        guard blocks.count >= 2 else {
            Nabla.fail("PrincipalComponents: needs N ≥ 2 rows, got \(blocks.count)")
        }
        try self.init(gram: RowGram(blocks, op: "PrincipalComponents"), count: count)
    }

    /// The first `count` components from the Gram matrix of the rows (``RowGram``; extra columns are ignored).
    /// Before `eigh` it empties the storage cache (`Nabla.emptyStorageCache()`), which holds the
    /// covariance's float64 temporaries then, so that they do not add to eigh's memory.
    public init(gram: RowGram, count: Int) throws {
        guard gram.rowCount >= 2 else {
            Nabla.fail("PrincipalComponents: needs N ≥ 2 rows, got \(gram.rowCount)")
        }
        // XᵀX, then the column sums Σx, then N.
        let (matrix, features) = (gram.matrix, gram.features)
        guard count >= 1, count <= features else {
            Nabla.fail("PrincipalComponents: count must be in 1...\(features), got \(count)")
        }
        let n = Tensor(Double(gram.rowCount))
        let sums = matrix[0..<features, features]
        let covariance = ((matrix[0..<features, 0..<features] - sums.unsqueeze(axis: 1) * sums.unsqueeze(axis: 0) / n)
                          / Tensor(Double(gram.rowCount - 1))).to(.float32)
        // The expression's float64 [features, features] temporaries (two for MNIST, 9.8 MB) would
        // sit in the storage cache through eigh's copy and workspace, the peak of a PCA.
        Nabla.emptyStorageCache()
        // eigh's eigenvalues ascend: the last `count` columns, reversed, come first.
        let (values, vectors) = try Linalg.eigh(covariance)
        let order = (0..<count).map { features - 1 - $0 }
        mean = (sums / n).to(.float32)
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

    /// The coordinates [N, k] of the rows of `blocks` along the first k components, a block at a time.
    public func project(_ blocks: RowBlocks, components k: Int) -> Tensor {
        var projected: [Tensor] = []
        blocks.forEach(op: "PrincipalComponents.project") { _, rows in projected.append(project(rows, components: k)) }
        return projected.count == 1 ? projected[0] : Tensor.cat(projected, axis: 0)
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
