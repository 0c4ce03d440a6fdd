import ArgumentParser
import Nabla
import NablaNN

/// The book's gradient walk-through on f(x) = x²: autograd's derivative at a
/// point and for a vector, then gradient descent printed step by step.
struct QuadraticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadratic",
        abstract: "The book's gradient walk-through on f(x) = x², step by step."
    )

    @Option(parsing: .unconditional, help: "Where gradient descent starts.")
    var start: Float = 3

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "The learning rate of gradient descent.")
    var learningRate: Float = 0.1

    @Option(parsing: .unconditional, help: "The number of gradient descent steps.")
    var steps: Int = 10

    func validate() throws {
        guard steps >= 0 else { throw ValidationError("--steps must not be negative, got \(steps)") }
        try requireAtMost(steps, maximumRunLength, option: "--steps")
        try requireLearningRate(learningRate)
        guard start.isFinite else { throw ValidationError("--start must be a finite number, got \(start)") }
    }

    func run() {
        let console = Console.standardOutput
        func f(_ x: Tensor) -> Tensor { x.square() }

        console.writeLine("f(x) = x², so f'(x) = 2x.")
        let xt = Tensor(3, requiresGrad: true)
        let yt = f(xt)
        yt.backward()
        console.writeLine("xt = \(xt.item)   yt = f(xt) = \(yt.item)   after yt.backward(): xt.grad = \(xt.grad!.item)  (2 × 3)")

        let vector = Tensor([3, 4, 10], requiresGrad: true)
        let total = f(vector).sum()
        total.backward()
        console.writeLine("xt = \(vector.scalars)   f(xt).sum() = \(total.item)   xt.grad = \(vector.grad!.scalars)  (2 × xt)")

        console.writeLine()
        console.writeLine("Gradient descent from x = \(start) with learning rate \(learningRate): x ← x − lr · f'(x)")
        console.writeLine("step  x           f(x)        f'(x)")
        var values: [Float] = []
        for (step, point) in Self.gradientWalk(start: start, learningRate: learningRate, steps: steps).enumerated() {
            console.writeLine(padded(String(step), 6) + padded(fixed(point.x), 12) + padded(fixed(point.y), 12) + fixed(point.gradient))
            values.append(point.y)
            if values.count == 4, zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) {
                console.writeLine("warning: f(x) has grown for 3 steps in a row; the learning rate \(learningRate) is too high (above 1 it diverges)")
            }
            guard point.y.isFinite else {
                console.writeLine("stopped: f(x) is no longer a finite number")
                return
            }
        }
        let factor = 1 - 2 * learningRate
        console.writeLine("Each step multiplies x by 1 − 2·lr = \(factor), so x "
            + (Swift.abs(factor) < 1 ? "walks down the parabola to its minimum at 0." : "moves away from the minimum at 0."))
    }

    /// Gradient descent on f(x) = x² with autograd's derivative: x, f(x) and f'(x) before each of
    /// `steps` steps x ← x − lr · f'(x), and after the last; it ends early at a non-finite f(x).
    static func gradientWalk(start: Float, learningRate: Float, steps: Int) -> [(x: Float, y: Float, gradient: Float)] {
        var walk: [(x: Float, y: Float, gradient: Float)] = []
        var x = Tensor(start, requiresGrad: true)
        for step in 0...steps {
            let y = x.square()
            y.backward()
            let gradient = x.grad!
            walk.append((x.item, y.item, gradient.item))
            guard step < steps, y.item.isFinite else { break }
            noGrad { x.addScaled(gradient, by: -learningRate) }
            x.grad = nil
        }
        return walk
    }

    private func fixed(_ value: Float) -> String { formatFixed(Double(value), decimals: 6) }
}
