import Nabla
import NablaNN

/// The two closed-form baselines beside the SGD models: least squares on the
/// pixels, and nearest class mean in the first principal components ("eigen-digits").
enum ClosedFormBaselines {
    /// Component counts the eigen-digits classifier is tried with.
    static let componentCounts = [1, 2, 5, 10, 20, 50]

    /// Least squares on pixels plus a bias column, thresholded at 0.5; with the Gram matrix of the
    /// training pixels, the bias column and the targets, which ``eigenDigits(_:gram:console:)`` starts from.
    static func leastSquares(_ data: LessonData, console: Console) throws -> (result: StageResult, gram: RowGram) {
        let start = monotonicSeconds()
        console.writeLine("== Least squares: pixels and a bias fitted in closed form (lstsq), score > 0.5 means \(data.positiveName) ==")
        let (train, trainTargets) = (data.trainingBlocks, data.trainingTargets)
        let gram = RowGram(train) { trainTargets[$0.lowerBound..<$0.upperBound] }
        // The storage cache holds the Gram's per-block temporaries, which nothing reuses: free them before eigh's workspace.
        Nabla.emptyStorageCache()
        let model = try LeastSquaresClassifier(gram: gram)
        let fitSeconds = monotonicSeconds() - start
        let trainAccuracy = model.accuracy(train, targets: trainTargets)
        let accuracy = model.accuracy(data.validationBlocks, targets: data.validationTargets)
        let seconds = monotonicSeconds() - start
        console.writeLine("Design matrix \(train.count)×\(model.weights.shape[0]) of rank \(model.rank) (always-blank pixels get weight 0); fitted in \(formatSeconds(fitSeconds)).")
        console.writeLine("Accuracy: training \(fourDecimals(trainAccuracy)), validation \(fourDecimals(accuracy)) (in \(formatSeconds(seconds)))")
        var report = JSONReport()
        report.add("accuracy", accuracy)
        report.add("train_accuracy", trainAccuracy)
        report.add("rank", model.rank)
        report.add("train_seconds", seconds)
        return (StageResult(report: report, accuracy: accuracy, seconds: seconds), gram)
    }

    /// The principal components of the training images (eigh of their covariance)
    /// and nearest class mean in the first k of them; the components for the pictures. `gram` is the
    /// training rows' Gram matrix that ``leastSquares(_:console:)`` accumulated (their covariance comes from it).
    static func eigenDigits(_ data: LessonData, gram: RowGram, console: Console) throws -> (result: StageResult, components: Int, pca: PrincipalComponents) {
        let start = monotonicSeconds()
        let (p, n) = (data.positiveName, data.negativeName)
        console.writeLine("== Eigen-digits: principal components of the training \(p)s and \(n)s, nearest class mean in the first k ==")
        let (train, valid) = (data.trainingBlocks, data.validationBlocks)
        let trainLabels = (0..<train.count).map { $0 < data.trainPositiveCount ? 0 : 1 }
        let validLabels = (0..<valid.count).map { $0 < data.validPositiveCount ? 0 : 1 }
        let pixels = data.trainImages.shape.dropFirst().reduce(1, *)
        let largest = min(componentCounts.last!, pixels)
        let pca = try PrincipalComponents(gram: gram, count: largest)
        Nabla.emptyStorageCache()  // the covariance's temporaries and eigh's copies, which nothing reuses
        console.writeLine("Covariance \(pixels)×\(pixels) of \(train.count) images, eigh in \(formatSeconds(monotonicSeconds() - start)).")

        console.writeLine("  k  variance held  validation accuracy")
        var best = (k: 0, accuracy: Float(0))
        var report = JSONReport()
        for k in componentCounts where k <= largest {
            let classifier = NearestMeanClassifier(rows: pca.project(train, components: k), labels: trainLabels, classes: 2)
            let accuracy = classifier.accuracy(pca.project(valid, components: k), labels: validLabels)
            if accuracy > best.accuracy { best = (k, accuracy) }
            report.add("accuracy_k\(k)", accuracy)
            console.writeLine(padded(String(k), 3) + padded("  " + fourDecimals(pca.explainedVariance(components: k)), 15) + "  " + fourDecimals(accuracy))
        }
        let seconds = monotonicSeconds() - start
        console.writeLine("Best: k = \(best.k), accuracy \(fourDecimals(best.accuracy)) (all in \(formatSeconds(seconds)))")
        report.add("accuracy", best.accuracy)
        report.add("components", best.k)
        report.add("train_seconds", seconds)
        return (StageResult(report: report, accuracy: best.accuracy, seconds: seconds), best.k, pca)
    }
}
