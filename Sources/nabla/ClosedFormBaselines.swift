import Nabla
import NablaData
import NablaNN

/// The two closed-form baselines beside the SGD models: least squares on the
/// pixels, and nearest class mean in the first principal components ("eigen-digits").
enum ClosedFormBaselines {
    /// Component counts the eigen-digits classifier is tried with.
    static let componentCounts = [1, 2, 5, 10, 20, 50]

    /// Least squares on pixels plus a bias column, thresholded at 0.5.
    static func leastSquares(_ data: LessonData, console: Console) throws -> StageResult {
        let start = monotonicSeconds()
        console.writeLine("== Least squares: pixels and a bias fitted in closed form (lstsq), score > 0.5 means \(data.positiveName) ==")
        let (trainInputs, trainTargets) = data.trainingSet
        let (validInputs, validTargets) = data.validationSet
        let model = try LeastSquaresClassifier(inputs: trainInputs, targets: trainTargets)
        let fitSeconds = monotonicSeconds() - start
        let trainAccuracy = model.accuracy(trainInputs, targets: trainTargets)
        let accuracy = model.accuracy(validInputs, targets: validTargets)
        let seconds = monotonicSeconds() - start
        console.writeLine("Design matrix \(trainInputs.shape[0])×\(trainInputs.shape[1] + 1) of rank \(model.rank) (always-blank pixels get weight 0); fitted in \(formatSeconds(fitSeconds)).")
        console.writeLine("Accuracy: training \(fourDecimals(trainAccuracy)), validation \(fourDecimals(accuracy)) (in \(formatSeconds(seconds)))")
        var report = JSONReport()
        report.add("accuracy", accuracy)
        report.add("train_accuracy", trainAccuracy)
        report.add("rank", model.rank)
        report.add("train_seconds", seconds)
        return StageResult(report: report, accuracy: accuracy, seconds: seconds)
    }

    /// The principal components of the training images (eigh of their covariance),
    /// the first eight as a PNG grid, and nearest class mean in the first k of them.
    static func eigenDigits(_ data: LessonData, console: Console, imageDirectory: String) throws -> (result: StageResult, components: Int) {
        let start = monotonicSeconds()
        let (p, n) = (data.positiveName, data.negativeName)
        console.writeLine("== Eigen-digits: principal components of the training \(p)s and \(n)s, nearest class mean in the first k ==")
        let (trainInputs, _) = data.trainingSet
        let (validInputs, _) = data.validationSet
        let trainLabels = (0..<trainInputs.shape[0]).map { $0 < data.trainPositiveCount ? 0 : 1 }
        let validLabels = (0..<validInputs.shape[0]).map { $0 < data.validPositiveCount ? 0 : 1 }
        let largest = min(componentCounts.last!, trainInputs.shape[1])
        let pca = try PrincipalComponents(trainInputs, count: largest)
        console.writeLine("Covariance \(trainInputs.shape[1])×\(trainInputs.shape[1]) of \(trainInputs.shape[0]) images, eigh in \(formatSeconds(monotonicSeconds() - start)).")

        let (height, width) = (data.trainImages.shape[1], data.trainImages.shape[2])
        let shown = min(8, largest)
        let gridPath = imageDirectory + "/eigendigits.png"
        try PNGImage.write(componentGrid(pca.components, count: shown, height: height, width: width), to: gridPath)
        console.writeLine("Wrote \(gridPath): the first \(shown) components, each scaled to its own range (mid-gray is 0).")

        console.writeLine("  k  variance held  validation accuracy")
        var best = (k: 0, accuracy: Float(0))
        var report = JSONReport()
        for k in componentCounts where k <= largest {
            let classifier = NearestMeanClassifier(rows: pca.project(trainInputs, components: k), labels: trainLabels, classes: 2)
            let accuracy = classifier.accuracy(pca.project(validInputs, components: k), labels: validLabels)
            if accuracy > best.accuracy { best = (k, accuracy) }
            report.add("accuracy_k\(k)", accuracy)
            console.writeLine(padded(String(k), 3) + padded("  " + fourDecimals(pca.explainedVariance(components: k)), 15) + "  " + fourDecimals(accuracy))
        }
        let seconds = monotonicSeconds() - start
        console.writeLine("Best: k = \(best.k), accuracy \(fourDecimals(best.accuracy)) (all in \(formatSeconds(seconds)))")
        report.add("accuracy", best.accuracy)
        report.add("components", best.k)
        report.add("train_seconds", seconds)
        return (StageResult(report: report, accuracy: best.accuracy, seconds: seconds), best.k)
    }

    /// Components [pixels, ≥ count] as one image: `count` tiles of height×width in
    /// rows of four, one blank pixel between tiles, each tile scaled so that its
    /// largest |value| reaches black or white and 0 is mid-gray.
    static func componentGrid(_ components: Tensor, count: Int, height: Int, width: Int) -> Tensor {
        let columns = min(4, count), rows = (count + columns - 1) / columns
        let gridHeight = rows * (height + 1) - 1, gridWidth = columns * (width + 1) - 1
        let values = components.transposed.contiguous().scalars
        let pixels = height * width
        return Tensor(shape: [gridHeight, gridWidth]) { out in
            for i in out.indices { out[i] = 1 }
            for c in 0..<count {
                let tile = values[(c * pixels)..<((c + 1) * pixels)]
                let scale = max(tile.map(abs).max() ?? 1, .leastNormalMagnitude)
                let top = (c / columns) * (height + 1), left = (c % columns) * (width + 1)
                for y in 0..<height {
                    for x in 0..<width {
                        out[(top + y) * gridWidth + left + x] = 0.5 + 0.5 * tile[tile.startIndex + y * width + x] / scale
                    }
                }
            }
        }
    }
}
