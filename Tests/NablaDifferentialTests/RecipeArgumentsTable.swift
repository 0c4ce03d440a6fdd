import Nabla
import NablaNN

/// The arguments PyTorch recipes pass to existing ops: conv2d's `groups`, pooling's
/// `ceil_mode`, cross-entropy's `weight`, `ignore_index` and `label_smoothing`, and
/// max pooling's gradient with several NaNs in a window.
enum RecipeArgumentsTable {
    static var ops: [DifferentialOp] { [groupedConvolution] + pooling + losses }

    static var groupedConvolution: DifferentialOp {
        func convolution(_ label: String, input: [Int], out: Int, kernel: Int, groups: Int, stride: Int, padding: Int,
                         layout: Layout = .contiguous) -> Case {
            Case(label, [Operand(input, layout), Operand([out, input[1] / groups, kernel, kernel]), Operand([out])],
                 Params(ints: [stride, padding, groups]))
        }
        return DifferentialOp("conv2d(groups:)", torch: "F.conv2d(a, b, c, stride={ints}[0], padding={ints}[1], groups={ints}[2])", ulps: 4,
                              length: { shapes, _ in
                                  let x = shapes[0], w = shapes[1]
                                  return Swift.max(w[1] * w[2] * w[3], w[0] * w[2] * w[3], x[0] * x[2] * x[3])
                              },
                              cases: [
                                  convolution("[2,4,6,5] groups 2", input: [2, 4, 6, 5], out: 6, kernel: 3, groups: 2, stride: 1, padding: 0),
                                  convolution("depthwise [1,3,5,5] ×2 stride 2 padding 1", input: [1, 3, 5, 5], out: 6, kernel: 3, groups: 3,
                                              stride: 2, padding: 1),
                                  convolution("depthwise sliced [2,4,5,6]", input: [2, 4, 5, 6], out: 4, kernel: 2, groups: 4, stride: 1,
                                              padding: 1, layout: .sliced),
                              ]) { x, p in
            x[0].conv2d(x[1], bias: x[2], stride: Size2D(integerLiteral: p.ints[0]), padding: Size2D(integerLiteral: p.ints[1]), groups: p.ints[2])
        }
    }

    static var pooling: [DifferentialOp] {
        // kernel, stride, padding: each case rounds its output size up past the input's edge.
        let windows: [(String, [Int])] = [("2x2 stride 2 on 7x5", [2, 2, 0]), ("3x3 stride 2 padding 1 on 7x5", [3, 2, 1]),
                                          ("3x3 stride 3 on 7x5", [3, 3, 0])]
        let cases = windows.map { Case("ceilMode \($0.0)", [Operand([2, 2, 7, 5])], Params(ints: $0.1)) }
            + [Case("ceilMode transposed [1,2,6,7] 2x2", [Operand([1, 2, 6, 7], .transposed)], Params(ints: [2, 2, 0]))]
        func size(_ p: Params, _ i: Int) -> Size2D { Size2D(integerLiteral: p.ints[i]) }
        let torchWindow = "({ints}[0], {ints}[0]), stride={ints}[1], padding={ints}[2], ceil_mode=True"
        return [
            DifferentialOp("maxPool2d(ceilMode: true)", torch: "F.max_pool2d(a, \(torchWindow))", ulps: 0,
                           length: { _, p in p.ints[0] * p.ints[0] }, cases: cases) { x, p in
                x[0].maxPool2d(kernelSize: size(p, 0), stride: size(p, 1), padding: size(p, 2), ceilMode: true)
            },
            DifferentialOp("avgPool2d(ceilMode: true)", torch: "F.avg_pool2d(a, \(torchWindow))", ulps: 2,
                           length: { _, p in p.ints[0] * p.ints[0] }, cases: cases) { x, p in
                x[0].avgPool2d(kernelSize: size(p, 0), stride: size(p, 1), padding: size(p, 2), ceilMode: true)
            },
            DifferentialOp("avgPool2d(countIncludePad: false, ceilMode: true)", torch: "F.avg_pool2d(a, \(torchWindow), count_include_pad=False)",
                           ulps: 2, length: { _, p in p.ints[0] * p.ints[0] }, cases: cases) { x, p in
                x[0].avgPool2d(kernelSize: size(p, 0), stride: size(p, 1), padding: size(p, 2), countIncludePad: false, ceilMode: true)
            },
            // torch sends the gradient to the last NaN of a window, in the 2×2 fast path and the general loop alike.
            DifferentialOp("maxPool2d two NaNs in a window", torch: "F.max_pool2d(a, ({ints}[0], {ints}[0]), stride={ints}[1])", ulps: 0,
                           cases: [
                               Case("2x2 stride 2", [Operand([1, 1, 2, 4], .contiguous, .exact([.nan, 1, 5, .nan, .nan, 2, .nan, .nan]))],
                                    Params(ints: [2, 2])),
                               Case("3x3 stride 1", [Operand([1, 1, 3, 3], .contiguous, .exact([1, .nan, 2, .nan, 0, .nan, 3, 4, 5]))],
                                    Params(ints: [3, 1])),
                           ]) { x, p in x[0].maxPool2d(kernelSize: size(p, 0), stride: size(p, 1)) },
        ]
    }

    static var losses: [DifferentialOp] {
        let reductions: [(Reduction, String)] = [(.mean, "mean"), (.sum, "sum"), (.none, "none")]
        let ignoring = Operand([6], .contiguous, .exact([0, -100, 2, 1, -100, 2]), grad: false)
        let weight = Operand([3], .contiguous, .uniform(0.2, 2), grad: false)
        let indexCases = [
            Case("[6,3] weight, ignored targets", [Operand([6, 3]), ignoring, weight], Params(scalar: 0)),
            Case("[6,3] weight, ignored targets, smoothing 0.1", [Operand([6, 3], .transposed), ignoring, weight], Params(scalar: 0.1)),
            Case("[6,3] weight, smoothing 0.3", [Operand([6, 3]), Operand([6], .contiguous, .classes(3), grad: false), weight],
                 Params(scalar: 0.3)),
            Case("[2,3,4] spatial weight, smoothing 0.2", [Operand([2, 3, 4], .sliced), Operand([2, 4], .contiguous, .exact([0, 2, -100, 1, 1, 1, 0, -100]), grad: false),
                                                         weight], Params(scalar: 0.2)),
            Case("every target ignored: NaN mean", [Operand([2, 3]), Operand([2], .contiguous, .exact([-100, -100]), grad: false), weight],
                 Params(scalar: 0.1)),
        ]
        let probabilityCases = [
            Case("[4,3] soft targets, weight, smoothing 0.2", [Operand([4, 3]), Operand([4, 3], .contiguous, .uniform(0, 1), grad: false), weight],
                 Params(scalar: 0.2)),
        ]
        return reductions.flatMap { reduction, name in [
            DifferentialOp("crossEntropy(weight:ignoreIndex:reduction: .\(name), labelSmoothing:)",
                           torch: "F.cross_entropy(a, b.long(), weight=c, ignore_index=-100, reduction='\(name)', label_smoothing={scalar})",
                           ulps: 4, length: elementCount, cases: indexCases) { x, p in
                crossEntropy(x[0], x[1], weight: x[2], ignoreIndex: -100, reduction: reduction, labelSmoothing: Double(p.scalar))
            },
            DifferentialOp("crossEntropy(probabilities, weight:reduction: .\(name), labelSmoothing:)",
                           torch: "F.cross_entropy(a, b, weight=c, reduction='\(name)', label_smoothing={scalar})",
                           ulps: 4, length: elementCount, cases: probabilityCases) { x, p in
                crossEntropy(x[0], x[1], weight: x[2], reduction: reduction, labelSmoothing: Double(p.scalar))
            },
            DifferentialOp("nllLoss(weight:ignoreIndex:reduction: .\(name))",
                           torch: "F.nll_loss(a, b.long(), weight=c, ignore_index=-100, reduction='\(name)')",
                           ulps: 2, length: elementCount, cases: indexCases.filter { $0.params.scalar == 0 }) { x, _ in
                nllLoss(x[0], x[1], weight: x[2], ignoreIndex: -100, reduction: reduction)
            },
        ] } + [
            // An ignore index that is a valid class: those positions drop out, the others keep their weight.
            DifferentialOp("crossEntropy(ignoreIndex: 1)", torch: "F.cross_entropy(a, b.long(), ignore_index=1)", ulps: 4, length: elementCount,
                           cases: [Case("[5,3]", [Operand([5, 3]), Operand([5], .contiguous, .exact([1, 0, 2, 1, 0]), grad: false)])])
            { x, _ in crossEntropy(x[0], x[1], ignoreIndex: 1) },
        ]
    }
}
