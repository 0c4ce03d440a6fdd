/// Arithmetic with NumPy broadcasting. Each op's gradient is written beside
/// it; a gradient is summed back over the axes its operand was broadcast along.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = promoted(a, b)
        return arithmetic(a, b, .add, op: "add").recorded("add", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil, needs[1] ? g.summed(toShape: b.shape) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = promoted(a, b)
        return arithmetic(a, b, .subtract, op: "sub").recorded("sub", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil, needs[1] ? (-g).summed(toShape: b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = promoted(a, b)
        return arithmetic(a, b, .multiply, op: "mul").recorded("mul", [a, b]) { g, needs in
            [needs[0] ? (g * b).summed(toShape: a.shape) : nil, needs[1] ? (g * a).summed(toShape: b.shape) : nil]
        }
    }

    /// True division: integer operands divide in float32, as PyTorch's `/`.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        struct Divide: FloatingMap2 { func callAsFunction<T: FloatingScalar>(_ a: T, _ b: T) -> T { a / b } }
        struct DivisorGradient: FloatingMap3 { func callAsFunction<T: FloatingScalar>(_ g: T, _ a: T, _ b: T) -> T { -g * (a / b) / b } }
        let (a, b) = promoted(a, b, floating: true)
        return mapFloating(a, b, op: "div", Divide()).recorded("div", [a, b]) { g, needs in
            [needs[0] ? (g / b).summed(toShape: a.shape) : nil,
             needs[1] ? mapFloating(g, a, b, op: "div", DivisorGradient()).summed(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        struct Negate: NumericKernel {
            let a: Tensor
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor { mapElements(a, T.self, T.negated) }
        }
        return a.dtype.dispatch(Negate(a: a), op: "neg").recorded("neg", [a]) { g, _ in [-g] }
    }

    // A Swift scalar is weak (see `Promotion.swift`): `x + 1` keeps x's dtype, and
    // an integer tensor with a Float scalar computes in float32, as `int64 + 0.5` does in PyTorch.

    public static func + (a: Tensor, b: Float) -> Tensor {
        let a = a.promoted(withScalar: .floating)
        return arithmetic(a, scalar: Double(b), .add, op: "add").recorded("add", [a]) { g, _ in [g] }
    }

    public static func + (a: Float, b: Tensor) -> Tensor { b + a }

    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }

    public static func - (a: Float, b: Tensor) -> Tensor {
        let b = b.promoted(withScalar: .floating)
        return arithmetic(b, scalar: Double(a), .subtractFromScalar, op: "sub").recorded("sub", [b]) { g, _ in [-g] }
    }

    public static func * (a: Tensor, b: Float) -> Tensor {
        let a = a.promoted(withScalar: .floating)
        return arithmetic(a, scalar: Double(b), .multiply, op: "mul").recorded("mul", [a]) { g, _ in [g * b] }
    }

    public static func * (a: Float, b: Tensor) -> Tensor { b * a }

    public static func / (a: Tensor, b: Float) -> Tensor {
        struct Divide: FloatingMap {
            let b: Double
            func callAsFunction<T: FloatingScalar>(_ a: T) -> T { a / T(b) }
        }
        let a = a.promoted(withScalar: .floating)
        return mapFloating(a, op: "div", Divide(b: Double(b))).recorded("div", [a]) { g, _ in [g / b] }
    }

    public static func / (a: Float, b: Tensor) -> Tensor {
        struct Divide: FloatingMap {
            let a: Double
            func callAsFunction<T: FloatingScalar>(_ b: T) -> T { T(a) / b }
        }
        struct Gradient: FloatingMap2 {
            let a: Double
            func callAsFunction<T: FloatingScalar>(_ g: T, _ b: T) -> T { -g * (T(a) / b) / b }
        }
        let b = b.promoted(withScalar: .floating)
        return mapFloating(b, op: "div", Divide(a: Double(a))).recorded("div", [b]) { g, _ in
            [mapFloating(g, b, op: "div", Gradient(a: Double(a)))]
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

    /// This tensor converted to the dtype of an op with a Swift scalar of `kind` (weak, see `Promotion.swift`).
    func promoted(withScalar kind: WeakScalar) -> Tensor {
        to(Tensor.resultType([self], scalars: [kind]))
    }

    /// `self += alpha * other` in place, as BLAS's saxpy (an SGD step is
    /// `parameter.addScaled(gradient, by: -learningRate)` inside `noGrad`).
    /// `other` must have this tensor's shape.
    public mutating func addScaled(_ other: Tensor, by alpha: Float) {
        guard other.shape == shape else {
            fail("addScaled: a tensor of shape \(describe(other.shape)) cannot be added into one of shape \(describe(shape))")
        }
        checkInPlaceUpdate("addScaled")
        makeUniqueAndContiguous()
        struct Axpy: FloatingKernel {
            let target: Tensor, other: Tensor, alpha: Float
            func run<T: FloatingScalar>(_ type: T.Type) {
                let kernels = Nabla.kernels
                let y = target.base(T.self), count = target.scalarCount
                other.withUnsafeBufferPointer(as: T.self) { x in
                    kernels.axpy(count: count, alpha: T(alpha), x: x.baseAddress!, y: y)
                }
            }
        }
        dtype.dispatch(Axpy(target: self, other: other.to(dtype), alpha: alpha), op: "addScaled")
    }

    /// Replaces this tensor by `body(self)`; a leaf that requires grad keeps its
    /// identity and takes the new values into the storage all its copies share.
    /// The new value must keep this tensor's shape.
    private mutating func update(_ op: String, _ body: (Tensor) -> Tensor) {
        checkInPlaceUpdate(op)
        var updated = body(self)
        guard updated.shape == shape else {
            fail("\(op): the result has shape \(describe(updated.shape)) but the tensor updated in place has shape \(describe(shape))")
        }
        if updated.dtype != dtype {
            // As PyTorch: the result is cast back unless that would lower its category.
            guard updated.dtype.category <= dtype.category else {
                fail("\(op): result type \(updated.dtype) can't be cast to the desired output type \(dtype)")
            }
            updated = updated.to(dtype)
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

/// The four arithmetic operations, written once for every numeric dtype.
enum ArithmeticOperation {
    case add, subtract, multiply, subtractFromScalar
}

extension Tensor {
    /// `a op b` element by element (broadcast), in their common dtype.
    static func arithmetic(_ a: Tensor, _ b: Tensor, _ operation: ArithmeticOperation, op: String) -> Tensor {
        struct Kernel: NumericKernel {
            let a: Tensor, b: Tensor, operation: ArithmeticOperation, op: String
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                switch operation {
                case .add: return mapBroadcast(a, b, T.self, op: op, T.plus)
                case .subtract: return mapBroadcast(a, b, T.self, op: op, T.minus)
                case .multiply: return mapBroadcast(a, b, T.self, op: op, T.times)
                case .subtractFromScalar: return mapBroadcast(b, a, T.self, op: op, T.minus)
                }
            }
        }
        return a.dtype.dispatch(Kernel(a: a, b: b, operation: operation, op: op), op: op)
    }

    /// `a op scalar` element by element, the scalar converted to `a`'s dtype
    /// (`scalar - a` for `.subtractFromScalar`).
    static func arithmetic(_ a: Tensor, scalar: Double, _ operation: ArithmeticOperation, op: String) -> Tensor {
        struct Kernel: NumericKernel {
            let a: Tensor, scalar: Double, operation: ArithmeticOperation
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                let s = T.converting(double: scalar)
                switch operation {
                case .add: return mapElements(a, T.self) { T.plus($0, s) }
                case .subtract: return mapElements(a, T.self) { T.minus($0, s) }
                case .multiply: return mapElements(a, T.self) { T.times($0, s) }
                case .subtractFromScalar: return mapElements(a, T.self) { T.minus(s, $0) }
                }
            }
        }
        return a.dtype.dispatch(Kernel(a: a, scalar: scalar, operation: operation), op: op)
    }
}
