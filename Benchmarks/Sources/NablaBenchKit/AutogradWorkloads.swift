import Nabla

extension Workload {
    /// The fixed cost of the autograd machinery: `(a·b + a).sum()` on 4-element
    /// tensors, forward and backward, against the same forward under `noGrad`.
    public static func autograd(quick: Bool) -> [Workload] {
        [
            tinyAdd,
            tinyProductSumBackward,
            tinyExpression(op: "forward+backward", recordsGraph: true),
            tinyExpression(op: "forward (noGrad)", recordsGraph: false),
        ]
    }

    /// `a + b` on 4-element tensors that require grad: one op with its graph node
    /// (PyTorch 2.13 on this machine: about 1.5 µs).
    static let tinyAdd = Workload(kind: .autograd, op: "a + b (records graph)", shape: "a, b: [4]",
                                  unit: .microseconds, limit: nil) {
        let a = Tensor([1, 2, 3, 4]).requiringGrad()
        let b = Tensor([5, 6, 7, 8]).requiringGrad()
        return PreparedWorkload(call: { keep(a + b) })
    }

    /// `(a * b).sum().backward()` on 4-element tensors (PyTorch 2.13 on this machine: about 18 µs).
    static let tinyProductSumBackward = Workload(kind: .autograd, op: "(a * b).sum().backward()", shape: "a, b: [4]",
                                                 unit: .microseconds, limit: nil) {
        let a = Tensor([1, 2, 3, 4]).requiringGrad()
        let b = Tensor([5, 6, 7, 8]).requiringGrad()
        return PreparedWorkload(call: {
            (a * b).sum().backward()
            a.zeroGrad()
            b.zeroGrad()
        })
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
