/// Arithmetic with NumPy broadcasting. Each op's gradient is written beside
/// it; a gradient is summed back over the axes its operand was broadcast along.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        mapBroadcast(a, b, op: "add", +).recorded("add", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil, needs[1] ? g.summed(toShape: b.shape) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        mapBroadcast(a, b, op: "sub", -).recorded("sub", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil, needs[1] ? (-g).summed(toShape: b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        mapBroadcast(a, b, op: "mul", *).recorded("mul", [a, b]) { g, needs in
            [needs[0] ? (g * b).summed(toShape: a.shape) : nil, needs[1] ? (g * a).summed(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        mapBroadcast(a, b, op: "div", /).recorded("div", [a, b]) { g, needs in
            [needs[0] ? (g / b).summed(toShape: a.shape) : nil,
             needs[1] ? mapBroadcast(g, a, b, op: "div") { g, a, b in -g * (a / b) / b }.summed(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        mapElements(a) { -$0 }.recorded("neg", [a]) { g, _ in [-g] }
    }

    public static func + (a: Tensor, b: Float) -> Tensor {
        mapElements(a) { $0 + b }.recorded("add", [a]) { g, _ in [g] }
    }

    public static func + (a: Float, b: Tensor) -> Tensor { b + a }

    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }

    public static func - (a: Float, b: Tensor) -> Tensor {
        mapElements(b) { a - $0 }.recorded("sub", [b]) { g, _ in [-g] }
    }

    public static func * (a: Tensor, b: Float) -> Tensor {
        mapElements(a) { $0 * b }.recorded("mul", [a]) { g, _ in [g * b] }
    }

    public static func * (a: Float, b: Tensor) -> Tensor { b * a }

    public static func / (a: Tensor, b: Float) -> Tensor {
        mapElements(a) { $0 / b }.recorded("div", [a]) { g, _ in [g / b] }
    }

    public static func / (a: Float, b: Tensor) -> Tensor {
        mapElements(b) { a / $0 }.recorded("div", [b]) { g, _ in
            [mapBroadcast(g, b, op: "div") { g, b in -g * (a / b) / b }]
        }
    }

    public static func += (a: inout Tensor, b: Tensor) { a.update("+=") { $0 + b } }
    public static func -= (a: inout Tensor, b: Tensor) { a.update("-=") { $0 - b } }
    public static func *= (a: inout Tensor, b: Tensor) { a.update("*=") { $0 * b } }
    public static func /= (a: inout Tensor, b: Tensor) { a.update("/=") { $0 / b } }
    public static func += (a: inout Tensor, b: Float) { a.update("+=") { $0 + b } }
    public static func -= (a: inout Tensor, b: Float) { a.update("-=") { $0 - b } }
    public static func *= (a: inout Tensor, b: Float) { a.update("*=") { $0 * b } }
    public static func /= (a: inout Tensor, b: Float) { a.update("/=") { $0 / b } }

    /// `self += alpha * other` in place, as BLAS's saxpy (an SGD step is
    /// `parameter.addScaled(gradient, by: -learningRate)` inside `noGrad`).
    /// `other` must have this tensor's shape.
    public mutating func addScaled(_ other: Tensor, by alpha: Float) {
        guard other.shape == shape else {
            fail("addScaled: a tensor of shape \(describe(other.shape)) cannot be added into one of shape \(describe(shape))")
        }
        checkInPlaceUpdate("addScaled")
        makeUniqueAndContiguous()
        let kernels = Nabla.kernels
        let target = basePointer, count = scalarCount
        other.withUnsafeBufferPointer { source in
            kernels.axpy(count: count, alpha: alpha, x: source.baseAddress!, y: target)
        }
    }

    /// Replaces this tensor by `body(self)`; a leaf that requires grad keeps its
    /// identity and takes the new values into the storage all its copies share.
    /// The new value must keep this tensor's shape.
    private mutating func update(_ op: String, _ body: (Tensor) -> Tensor) {
        checkInPlaceUpdate(op)
        let updated = body(self)
        guard updated.shape == shape else {
            fail("\(op): the result has shape \(describe(updated.shape)) but the tensor updated in place has shape \(describe(shape))")
        }
        if let node = autograd, node.isLeaf {
            makeUniqueAndContiguous()
            assign(from: updated)
        } else {
            self = updated
        }
    }

    /// An in-place change to a leaf that requires grad would corrupt its
    /// gradient, as PyTorch warns; such updates belong in `noGrad`.
    func checkInPlaceUpdate(_ op: String) {
        if let node = autograd, node.isLeaf, GradMode.isEnabled {
            fail("\(op): a leaf tensor that requires grad cannot be changed in place while gradients are recorded; update it inside noGrad { }")
        }
    }
}
