import Nabla
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

    /// The principal components of the training images (eigh of their covariance)
    /// and nearest class mean in the first k of them; the components for the pictures.
    static func eigenDigits(_ data: LessonData, console: Console) throws -> (result: StageResult, components: Int, pca: PrincipalComponents) {
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
        return (StageResult(report: report, accuracy: best.accuracy, seconds: seconds), best.k, pca)
    }
}
