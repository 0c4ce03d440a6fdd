import Nabla

/// Convolutions, pooling and batch normalisation (ulps × the length of each
/// dot product or window). `Linalg`'s decompositions are in DecompositionTable.
enum LayersTable {
    struct Window {
        let kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D
        var python: String { "stride=\(pair(stride)), padding=\(pair(padding)), dilation=\(pair(dilation))" }
        func pair(_ s: Size2D) -> String { "(\(s.height), \(s.width))" }
    }

    static let windows: [(String, Window)] = [
        ("3x3", Window(kernel: 3, stride: 1, padding: 0, dilation: 1)),
        ("3x2 stride 2 padding 1", Window(kernel: Size2D(3, 2), stride: 2, padding: 1, dilation: 1)),
        ("2x2 dilation 2 stride (1,2)", Window(kernel: 2, stride: Size2D(1, 2), padding: 0, dilation: 2)),
    ]

    static var ops: [DifferentialOp] {
        let images: [(String, Operand)] = [
            ("[2,3,7,6]", Operand([2, 3, 7, 6])), ("sliced [1,2,6,5]", Operand([1, 2, 6, 5], .sliced)),
            ("transposed [2,2,5,7]", Operand([2, 2, 5, 7], .transposed)),
        ]
        let convolutions = windows.flatMap { name, w in images.map { image, x in
            Case("\(image) \(name)", [x, Operand([4, x.shape[1], w.kernel.height, w.kernel.width]), Operand([4])],
                 Params(ints: [w.kernel.height, w.kernel.width, w.stride.height, w.stride.width, w.padding.height, w.padding.width,
                               w.dilation.height, w.dilation.width], text: w.python))
        } }
        func window(_ p: Params) -> Window {
            Window(kernel: Size2D(p.ints[0], p.ints[1]), stride: Size2D(p.ints[2], p.ints[3]),
                   padding: Size2D(p.ints[4], p.ints[5]), dilation: Size2D(p.ints[6], p.ints[7]))
        }
        let pools = windows.prefix(2).flatMap { name, w in images.map { image, x in
            Case("\(image) \(name)", [x], Params(ints: [w.kernel.height, w.kernel.width, w.stride.height, w.stride.width,
                                                       w.padding.height, w.padding.width, 1, 1],
                                                 text: "(\(w.kernel.height), \(w.kernel.width)), stride=\(w.pair(w.stride)), padding=\(w.pair(w.padding))"))
        } } + [Case("NaN in a window", [Operand([1, 1, 2, 2], .contiguous, .exact([1, .nan, 3, 2]))],
                    Params(ints: [2, 2, 2, 2, 0, 0, 1, 1], text: "(2, 2), stride=(2, 2), padding=(0, 0)"))]
        return [
            DifferentialOp("conv2d", torch: "F.conv2d(a, b, c, {text})", ulps: 4, length: { shapes, p in
                // Outputs sum over C·kh·kw, the input's gradient over O·kh·kw, the weight's over N·outH·outW (≤ N·H·W).
                let x = shapes[0], window = p.ints[0] * p.ints[1]
                return Swift.max(x[1] * window, shapes[1][0] * window, x[0] * x[2] * x[3])
            }, dtypes: DType.floating + [.int64], cases: convolutions) { x, p in
                let w = window(p)
                return x[0].conv2d(x[1], bias: x[2], stride: w.stride, padding: w.padding, dilation: w.dilation)
            },
            // torch 2.13 has no dilated integer kernel but int64's (Nabla's runs in every integer dtype).
            IntegerTable.op("conv2d (int32, uint8)", torch: "F.conv2d(a, b, c, {text})", dtypes: [.int32, .uint8],
                            cases: convolutions.filter { window($0.params).dilation == 1 }) { x, p in
                let w = window(p)
                return [x[0].conv2d(x[1], bias: x[2], stride: w.stride, padding: w.padding, dilation: w.dilation)]
            },
            DifferentialOp("unfold", torch: "F.unfold(a, ({ints}[0], {ints}[1]), {text})", ulps: 0, gradUlps: 1,
                           length: { _, p in p.ints[0] * p.ints[1] }, dtypes: DType.floating + [.bool],
                           cases: convolutions.map { Case($0.label, [$0.operands[0]], $0.params) })
            { x, p in let w = window(p); return x[0].unfold(kernelSize: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation) },
            DifferentialOp("fold", torch: "F.fold(a, ({ints}[8], {ints}[9]), ({ints}[0], {ints}[1]), {text})", ulps: 1, gradUlps: 1,
                           length: { _, p in p.ints[0] * p.ints[1] }, dtypes: DType.floating + [.bool], cases: convolutions.map { c in
                               // The columns that unfold makes of the case's image, folded back into it.
                               let image = c.operands[0].shape, w = window(c.params)
                               let columns = [image[0], image[1] * w.kernel.height * w.kernel.width,
                                              outputExtent(image[2], w.kernel.height, w.stride.height, w.padding.height, w.dilation.height)
                                                  * outputExtent(image[3], w.kernel.width, w.stride.width, w.padding.width, w.dilation.width)]
                               return Case(c.label, [Operand(columns)], Params(ints: c.params.ints + [image[2], image[3]], text: c.params.text))
                           }) { x, p in
                let w = window(p)
                return x[0].fold(outputSize: Size2D(p.ints[8], p.ints[9]), kernelSize: w.kernel, stride: w.stride, padding: w.padding,
                                 dilation: w.dilation)
            },
            DifferentialOp("maxPool2d", torch: "F.max_pool2d(a, {text})", ulps: 0, length: { _, p in p.ints[0] * p.ints[1] },
                           cases: pools) { x, p in
                let w = window(p)
                return x[0].maxPool2d(kernelSize: w.kernel, stride: w.stride, padding: w.padding)
            },
            DifferentialOp("avgPool2d", torch: "F.avg_pool2d(a, {text})", ulps: 2, length: { _, p in p.ints[0] * p.ints[1] },
                           dtypes: DType.floating + [.int64], cases: pools.dropLast()) { x, p in
                let w = window(p)
                return x[0].avgPool2d(kernelSize: w.kernel, stride: w.stride, padding: w.padding)
            },
            DifferentialOp("avgPool2d(countIncludePad: false)", torch: "F.avg_pool2d(a, {text}, count_include_pad=False)", ulps: 2,
                           length: { _, p in p.ints[0] * p.ints[1] }, dtypes: DType.floating + [.int64], cases: pools.dropLast()) { x, p in
                let w = window(p)
                return x[0].avgPool2d(kernelSize: w.kernel, stride: w.stride, padding: w.padding, countIncludePad: false)
            },
            DifferentialOp("adaptiveAvgPool2d", torch: "F.adaptive_avg_pool2d(a, ({ints}[0], {ints}[1]))", ulps: 2, length: { s, _ in s[0][2] * s[0][3] },
                           cases: [([3, 2], "[2,3,7,6] to 3x2"), ([1, 1], "[2,3,7,6] to 1x1"), ([4, 5], "[2,3,7,6] to 4x5")].map { size, label in
                               Case(label, [Operand([2, 3, 7, 6], .sliced)], Params(ints: size))
                           }) { x, p in x[0].adaptiveAvgPool2d(outputSize: Size2D(p.ints[0], p.ints[1])) },
            DifferentialOp("batchNorm(weight:bias:)", torch: "F.batch_norm(a, None, None, b, c, training=True, eps=1e-5)", ulps: 8,
                           length: { s, _ in s[0].reduce(1, *) / s[0][1] }, cases: [
                               Case("[4,3]", [Operand([4, 3]), Operand([3]), Operand([3])]),
                               Case("[2,3,4,5] transposed", [Operand([2, 3, 4, 5], .transposed), Operand([3]), Operand([3])]),
                               Case("[8,2,3] scaled by 100", [Operand([8, 2, 3], .contiguous, .normal(scale: 100)), Operand([2]), Operand([2])]),
                           ]) { x, _ in x[0].batchNorm(weight: x[1], bias: x[2]) },
        ] + [true, false].map { training in
            // The running statistics are outputs too: torch updates its copies in place.
            DifferentialOp("batchNorm(runningMean:runningVariance:training: \(training))",
                           torch: "(lambda m, v: (F.batch_norm(a, m, v, b, c, training=\(training ? "True" : "False"), momentum=0.1, eps=1e-5), m, v))"
                               + "(d.detach().clone(), e.detach().clone())",
                           ulps: 8, length: { s, _ in s[0].reduce(1, *) / s[0][1] }, cases: [
                               Case("[4,3]", [Operand([4, 3]), Operand([3]), Operand([3]), Operand([3], .contiguous, .normal, grad: false),
                                              Operand([3], .contiguous, .positive, grad: false)]),
                               Case("[2,3,4,5] transposed", [Operand([2, 3, 4, 5], .transposed), Operand([3]), Operand([3]),
                                                                        Operand([3], .sliced, .normal, grad: false),
                                                                        Operand([3], .contiguous, .positive, grad: false)]),
                           ]) { x, _ in
                var mean = x[3], variance = x[4]
                let y = x[0].batchNorm(runningMean: &mean, runningVariance: &variance, weight: x[1], bias: x[2], training: training)
                return [y, mean, variance]
            }
        }
    }
}

/// PyTorch's output extent of a sliding window.
func outputExtent(_ input: Int, _ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int) -> Int {
    (input + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
}
