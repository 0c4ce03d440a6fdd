/// Arithmetic with NumPy broadcasting. Each op's gradient is written beside
/// it; a gradient is summed back over the axes its operand was broadcast along.
extension Tensor {
    /// Two bool tensors add as logical or, as PyTorch's.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = promoted(a, b)
        if a.dtype == .bool { return mapBroadcast(a, b, Bool.self, op: "add") { $0 || $1 } }
        return arithmetic(a, b, .add, op: "add").recorded("add", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil, needs[1] ? g.summed(toShape: b.shape) : nil]
        }
    }

    /// A bool tensor does not subtract, nor is subtracted from, as in PyTorch (`^` is the exclusive
    /// or of two bool tensors, `~` the inverse of a mask).
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        refuseBoolSubtraction(a.dtype, b.dtype)
        let (a, b) = promoted(a, b)
        return arithmetic(a, b, .subtract, op: "sub").recorded("sub", [a, b]) { g, needs in
            [needs[0] ? g.summed(toShape: a.shape) : nil, needs[1] ? (-g).summed(toShape: b.shape) : nil]
        }
    }

    /// Two bool tensors multiply as logical and, as PyTorch's.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = promoted(a, b)
        if a.dtype == .bool { return mapBroadcast(a, b, Bool.self, op: "mul") { $0 && $1 } }
        return arithmetic(a, b, .multiply, op: "mul").recorded("mul", [a, b]) { g, needs in
            [needs[0] ? (g * b).summed(toShape: a.shape) : nil, needs[1] ? (g * a).summed(toShape: b.shape) : nil]
        }
    }

    /// True division: integer and bool operands divide in float32, as PyTorch's `/`.
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
        struct Negate: NumericKernel, HalfPrecisionKernel {
            let a: Tensor
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a)) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor { mapElements(a, T.self, T.negated) }
        }
        if a.dtype == .bool {
            fail("neg: negation, the `-` operator, on a bool tensor is not supported; to invert a mask, use the `~` operator or logicalNot() instead")
        }
        return a.dtype.dispatch(Negate(a: a), op: "neg").recorded("neg", [a]) { g, _ in [-g] }
    }

    /// Fails, with PyTorch's advice, when a subtraction's tensor operand (of dtype `a`, and `b` for a
    /// second one) is bool: `1 - mask` would be a silent int64 where the user meant to invert a mask.
    private static func refuseBoolSubtraction(_ a: DType, _ b: DType? = nil) {
        switch (a == .bool, b == .bool) {
        case (false, false): return
        case (true, false), (false, true): fail("sub: subtraction, the `-` operator, with a bool tensor is not supported; to invert a mask, use the `~` operator or logicalNot() instead")
        case (true, true): fail("sub: subtraction, the `-` operator, with two bool tensors is not supported; use the `^` operator or logicalXor(_:) instead")
        }
    }

    // A Swift number is weak and exact (see `ScalarOperand`): `x + 1` keeps x's dtype,
    // `int64 + 0.5` is float32, and `float64 * 0.1` multiplies by the double 0.1.
    // One generic per operator rather than an overload per number type: `x + 1` then
    // takes the literal's default type, Int, and `x * 0.1` Double.

    public static func + <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { arithmetic(a, b.scalarValue, .add, op: "add") }
    public static func + <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { arithmetic(b, a.scalarValue, .add, op: "add") }
    public static func - <S: ScalarOperand>(a: Tensor, b: S) -> Tensor {
        refuseBoolSubtraction(a.dtype)
        return arithmetic(a, b.scalarValue, .subtract, op: "sub")
    }
    public static func - <S: ScalarOperand>(a: S, b: Tensor) -> Tensor {
        refuseBoolSubtraction(b.dtype)
        return arithmetic(b, a.scalarValue, .subtractFromScalar, op: "sub")
    }
    public static func * <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { arithmetic(a, b.scalarValue, .multiply, op: "mul") }
    public static func * <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { arithmetic(b, a.scalarValue, .multiply, op: "mul") }

    public static func / <S: ScalarOperand>(a: Tensor, b: S) -> Tensor { divide(a, by: b.scalarValue) }
    public static func / <S: ScalarOperand>(a: S, b: Tensor) -> Tensor { divide(a.scalarValue, by: b) }

    /// `a / b` in true division (float32 for an integer or bool `a`), `b` weak and exact.
    private static func divide(_ a: Tensor, by b: ScalarValue) -> Tensor {
        struct Divide: FloatingMap {
            let b: ScalarValue
            func callAsFunction<T: FloatingScalar>(_ a: T) -> T { a / b.converted(to: T.self) }
        }
        let a = a.promoted(withScalar: b.kind, floating: true)
        return mapFloating(a, op: "div", Divide(b: b)).recorded("div", [a]) { g, _ in [g / b] }
    }

    /// `a / b` in true division (float32 for an integer or bool `b`), `a` weak and exact.
    private static func divide(_ a: ScalarValue, by b: Tensor) -> Tensor {
        struct Divide: FloatingMap {
            let a: ScalarValue
            func callAsFunction<T: FloatingScalar>(_ b: T) -> T { a.converted(to: T.self) / b }
        }
        struct Gradient: FloatingMap2 {
            let a: ScalarValue
            func callAsFunction<T: FloatingScalar>(_ g: T, _ b: T) -> T { -g * (a.converted(to: T.self) / b) / b }
        }
        let b = b.promoted(withScalar: a.kind, floating: true)
        return mapFloating(b, op: "div", Divide(a: a)).recorded("div", [b]) { g, _ in
            [mapFloating(g, b, op: "div", Gradient(a: a))]
        }
    }

    public static func += (a: inout Tensor, b: Tensor) { a.update("+=") { $0 + b } }
    public static func -= (a: inout Tensor, b: Tensor) { a.update("-=") { $0 - b } }
    public static func *= (a: inout Tensor, b: Tensor) { a.update("*=") { $0 * b } }
    public static func /= (a: inout Tensor, b: Tensor) { a.update("/=") { $0 / b } }
    public static func += <S: ScalarOperand>(a: inout Tensor, b: S) { a.update("+=") { $0 + b } }
    public static func -= <S: ScalarOperand>(a: inout Tensor, b: S) { a.update("-=") { $0 - b } }
    public static func *= <S: ScalarOperand>(a: inout Tensor, b: S) { a.update("*=") { $0 * b } }
    public static func /= <S: ScalarOperand>(a: inout Tensor, b: S) { a.update("/=") { $0 / b } }

    /// This tensor converted to the dtype of an op with a Swift scalar of `kind` (weak, see
    /// `Promotion.swift`); float32 for an integer or bool result when `floating`, as true division.
    func promoted(withScalar kind: WeakScalar, floating: Bool = false) -> Tensor {
        let dtype = Tensor.resultType([self], scalars: [kind])
        return to(floating ? dtype.trueDivisionType : dtype)
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
        struct Axpy: FloatingKernel, HalfPrecisionKernel {
            let target: Tensor, other: Tensor, alpha: Float
            func widened(_ operands: WidenedOperands) -> Self { Self(target: operands.target(target), other: operands.input(other), alpha: alpha) }
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
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let a: Tensor, b: Tensor, operation: ArithmeticOperation, op: String
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), b: operands.input(b), operation: operation, op: op) }
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

    /// `a op scalar` element by element (`scalar - a` for `.subtractFromScalar`), in the
    /// dtype of `a` with the weak `scalar`, the scalar converted to it once; recorded.
    static func arithmetic(_ a: Tensor, _ scalar: ScalarValue, _ operation: ArithmeticOperation, op: String) -> Tensor {
        struct Kernel: NumericKernel, HalfPrecisionKernel {
            let a: Tensor, scalar: ScalarValue, operation: ArithmeticOperation
            func widened(_ operands: WidenedOperands) -> Self { Self(a: operands.input(a), scalar: scalar, operation: operation) }
            func run<T: NumericScalar>(_ type: T.Type) -> Tensor {
                let s = scalar.converted(to: T.self)
                switch operation {
                case .add: return mapElements(a, T.self) { T.plus($0, s) }
                case .subtract: return mapElements(a, T.self) { T.minus($0, s) }
                case .multiply: return mapElements(a, T.self) { T.times($0, s) }
                case .subtractFromScalar: return mapElements(a, T.self) { T.minus(s, $0) }
                }
            }
        }
        let a = a.promoted(withScalar: scalar.kind)
        return a.dtype.dispatch(Kernel(a: a, scalar: scalar, operation: operation), op: op).recorded(op, [a]) { g, _ in
            switch operation {
            case .add, .subtract: return [g]
            case .subtractFromScalar: return [-g]
            case .multiply: return [g * scalar]
            }
        }
    }
}
