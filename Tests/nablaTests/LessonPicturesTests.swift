import Foundation
import XCTest
import NablaPlot

/// `nabla lesson` run as a process: the pictures it names exist and show what their titles say, read by their pixels.
final class LessonPicturesTests: XCTestCase {
    private static let folder = NSTemporaryDirectory() + "nabla-lesson-pictures-\(UUID().uuidString)"

    /// The lesson's standard output, run once for all the tests here.
    private static let output: Result<String, Error> = Result {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let process = Process()
        process.executableURL = products.appendingPathComponent("nabla")
        process.arguments = ["lesson", "--image-directory", folder]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self)
    }

    override class func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func picture(_ file: String) throws -> Bitmap {
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: Self.folder + "/" + file), "\(file) was not written")
        return try Bitmap(png: [UInt8](bytes), source: file)
    }

    /// How many pixels of `rect` (fractions of the picture) are within 0.1 of `color` in every channel.
    private func count(_ color: Color, in bitmap: Bitmap, x: ClosedRange<Double> = 0...1, y: ClosedRange<Double> = 0...1) -> Int {
        var hits = 0
        for row in Int(y.lowerBound * Double(bitmap.height))..<Int(y.upperBound * Double(bitmap.height)) {
            for column in Int(x.lowerBound * Double(bitmap.width))..<Int(x.upperBound * Double(bitmap.width)) {
                let pixel = bitmap[column, row]
                if abs(pixel.red - color.red) < 0.1 && abs(pixel.green - color.green) < 0.1 && abs(pixel.blue - color.blue) < 0.1 { hits += 1 }
            }
        }
        return hits
    }

    func testTheLessonNamesEachPictureItWrote() throws {
        let output = try Self.output.get()
        for file in ["training-digits.png", "mean-images.png", "quadratic-gradient-descent.png", "speed-predictions.png",
                     "activations.png", "linear-model-training.png", "neural-net-training.png", "neural-net-mistakes.png",
                     "eigen-digits.png"] {
            XCTAssertTrue(output.contains("  " + file), "\(file) is not named in the output")
            XCTAssertNoThrow(try picture(file))
        }
    }

    func testDigitGridsShowInkOnWhite() throws {
        _ = try Self.output.get()
        for file in ["training-digits.png", "neural-net-mistakes.png"] {
            let bitmap = try picture(file)
            let total = bitmap.width * bitmap.height
            let white = count(.white, in: bitmap), ink = count(Color(gray: 0.1), in: bitmap)
            XCTAssertGreaterThan(white, total / 2, "\(file): a white background")
            XCTAssertGreaterThan(ink, total / 100, "\(file): dark strokes of digits")
        }
        // The mean images are blurred: many mid grays, few black pixels (the title's), on white.
        let means = try picture("mean-images.png")
        XCTAssertGreaterThan(count(.white, in: means), means.width * means.height / 2)
        XCTAssertGreaterThan(count(Color(gray: 0.6), in: means), 500)
        XCTAssertGreaterThan(count(Color(gray: 0.6), in: means), 2 * count(.black, in: means))
    }

    func testEigenDigitsAreSignedImagesAndTheSummaryHasBothBaselines() throws {
        let output = try Self.output.get()
        // Components are signed: the light blue and light red of the map's halves (±half the largest |value|)
        // appear in both rows of tiles.
        let bitmap = try picture("eigen-digits.png")
        for half in [0.1...0.55, 0.55...1] {
            XCTAssertGreaterThan(count(Color(hex: 0x67a9cf), in: bitmap, y: half), 50, "negative weights (blue) in rows \(half)")
            XCTAssertGreaterThan(count(Color(hex: 0xef8a62), in: bitmap, y: half), 50, "positive weights (red) in rows \(half)")
        }
        for line in ["least squares     0.9", "eigen-digits k="] {
            XCTAssertTrue(output.contains(line), "the summary lacks \"\(line)\"")
        }
    }

    func testCurvesAreDrawnInEachPanelInTheirSeriesColours() throws {
        _ = try Self.output.get()
        for file in ["linear-model-training.png", "neural-net-training.png"] {
            let bitmap = try picture(file)
            XCTAssertGreaterThan(count(Color.palette[0], in: bitmap, x: 0...0.5), 100, "\(file): train_loss curve")
            XCTAssertGreaterThan(count(Color.palette[1], in: bitmap, x: 0...0.5), 100, "\(file): valid_loss curve")
            XCTAssertGreaterThan(count(Color.palette[0], in: bitmap, x: 0.5...1), 100, "\(file): accuracy curve")
            XCTAssertLessThan(count(Color.palette[1], in: bitmap, x: 0.5...1), 10, "\(file): the accuracy panel has one series")
        }
        let speed = try picture("speed-predictions.png")
        for quarter in 0..<4 {
            let x = Double(quarter) / 4...Double(quarter + 1) / 4
            XCTAssertGreaterThan(count(Color.palette[0], in: speed, x: x), 100, "speeds in panel \(quarter)")
            XCTAssertGreaterThan(count(Color.palette[3], in: speed, x: x), 100, "predictions in panel \(quarter)")
        }
        let quadratic = try picture("quadratic-gradient-descent.png")
        XCTAssertGreaterThan(count(Color.palette[3], in: quadratic), 200, "the gradient steps' markers")
        let activations = try picture("activations.png")
        XCTAssertGreaterThan(count(Color.palette[0], in: activations, x: 0...0.5), 200, "the sigmoid")
        XCTAssertGreaterThan(count(Color.palette[0], in: activations, x: 0.5...1), 200, "ReLU")
    }
}
