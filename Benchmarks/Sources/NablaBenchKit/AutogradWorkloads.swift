import Nabla

extension Workload {
    /// The fixed cost of the autograd machinery: `(a·b + a).sum()` on 4-element
    /// tensors, forward and backward, against the same forward under `noGrad`.
    public static func autograd(quick: Bool) -> [Workload] {
        [
            tinyExpression(op: "forward+backward", recordsGraph: true),
            tinyExpression(op: "forward (noGrad)", recordsGraph: false),
        ]
    }

    static func tinyExpression(op: String, recordsGraph: Bool) -> Workload {
        Workload(kind: .autograd, op: op, shape: "(a·b+a).sum(), a, b: [4]", unit: .microseconds,
                 limit: nil) {
            let a = Tensor([1, 2, 3, 4]).requiringGrad()
            let b = Tensor([5, 6, 7, 8]).requiringGrad()
            if recordsGraph {
                return PreparedWorkload(call: {
                    let loss = (a * b + a).sum()
                    loss.backward()
                    a.zeroGrad()
                    b.zeroGrad()
                })
            }
            return PreparedWorkload(call: { keep(noGrad { (a * b + a).sum() }) })
        }
    }
}
