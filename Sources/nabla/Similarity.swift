import Nabla
import NablaData
import NablaNN
import NablaPlot

/// The book's first model, pixel similarity: the mean image of each class,
/// and an image belongs to the class whose mean is nearer in mean absolute distance.
enum Similarity {
    /// `mean(|a − b|)` over the last two axes: one distance per image for a stack.
    static func distance(_ images: Tensor, _ mean: Tensor) -> Tensor {
        (images - mean).abs().mean(axes: [-1, -2])
    }

    /// 1 where an image is nearer the positive class's mean, else 0.
    static func isPositive(_ images: Tensor, positiveMean: Tensor, negativeMean: Tensor) -> Tensor {
        distance(images, positiveMean) .< distance(images, negativeMean)
    }

    /// Runs the section, printing to `console`, and returns its figures.
    static func run(_ data: LessonData, console: Console, imageDirectory: String) throws -> StageResult {
        let start = monotonicSeconds()
        let (p, n) = (data.positiveName, data.negativeName)
        console.writeLine("== Pixel similarity: the mean \(p) and the mean \(n) ==")
        let (positiveMean, negativeMean) = (data.positiveMean, data.negativeMean)
        let meanSeconds = monotonicSeconds() - start
        let imageShape = Array(data.trainImages.shape.dropFirst())
        console.writeLine("Stacked \(data.trainPositiveCount) training \(p)s \([data.trainPositiveCount] + imageShape) and \(data.trainNegativeCount) training \(n)s \([data.trainNegativeCount] + imageShape).")

        let (height, width) = (positiveMean.shape[0], positiveMean.shape[1])
        let rows = min(4, height)..<min(15, height)
        let columns = min(4, width)..<min(22, width)
        console.writeLine("The mean \(p), rows \(rows.lowerBound)–\(rows.upperBound - 1) and columns \(columns.lowerBound)–\(columns.upperBound - 1), as 0–255 gray levels:")
        // The book's pandas background_gradient('Greys'): the numbers on their shades where the terminal has colour.
        console.show(HeatMap(positiveMean[rows, columns] * 255, colorMap: .greys, range: 0...255, showsValues: true, decimals: 0))

        let positivePath = imageDirectory + "/mean\(fileSafe(p)).png"
        let negativePath = imageDirectory + "/mean\(fileSafe(n)).png"
        try PNGImage.write(positiveMean, to: positivePath)
        try PNGImage.write(negativeMean, to: negativePath)
        console.writeLine("Wrote \(positivePath) and \(negativePath) (\(height)×\(width) grayscale).")

        // The book's sample is the second training image (stacked_threes[1]).
        let sampleIndex = min(1, data.trainPositiveCount - 1)
        let sample = LessonData.floats(data.trainImages[sampleIndex])
        console.writeLine("Distances of one training \(p) (image \(sampleIndex)) to each mean:")
        let labelWidth = "  to mean ".count + max(p.count, n.count) + 2
        console.writeLine(padded("", labelWidth) + "L1 (mean |a−b|)  RMSE (√mean (a−b)²)")
        for (name, mean) in [(p, positiveMean), (n, negativeMean)] {
            let l1 = formatFixed(Double(l1Loss(sample, mean).item), decimals: 4)
            let rmse = formatFixed(Double(rmseLoss(sample, mean).item), decimals: 4)
            console.writeLine(padded("  to mean \(name)", labelWidth) + padded(l1, 17) + rmse)
        }

        let validationStart = monotonicSeconds()
        let (validPositive, validNegative) = (data.validPositive, data.validNegative)
        let positiveRight = isPositive(validPositive, positiveMean: positiveMean, negativeMean: negativeMean).sum().item
        let negativeWrong = isPositive(validNegative, positiveMean: positiveMean, negativeMean: negativeMean).sum().item
        let positiveCount = Float(validPositive.shape[0])
        let negativeCount = Float(validNegative.shape[0])
        let accuracyPositive = positiveRight / positiveCount
        let accuracyNegative = (negativeCount - negativeWrong) / negativeCount
        let accuracy = (positiveRight + negativeCount - negativeWrong) / (positiveCount + negativeCount)
        // The model's own time: the means ("training") and classifying the validation set, without printing and PNGs.
        let modelSeconds = meanSeconds + monotonicSeconds() - validationStart
        console.writeLine("Validation accuracy: \(p)s \(fourDecimals(accuracyPositive)) of \(Int(positiveCount)), \(n)s \(fourDecimals(accuracyNegative)) of \(Int(negativeCount)), overall \(fourDecimals(accuracy)) (means and classification in \(formatSeconds(modelSeconds)))")

        var report = JSONReport()
        report.add("accuracy", accuracy)
        report.add("accuracy\(p)", accuracyPositive)
        report.add("accuracy\(n)", accuracyNegative)
        report.add("valid_images", Int(positiveCount + negativeCount))
        report.add("train_seconds", modelSeconds)
        report.add("stage_seconds", monotonicSeconds() - start)
        return StageResult(report: report, accuracy: accuracy, seconds: modelSeconds)
    }

    private static func fileSafe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}
