/// PyTorch habits that Swift would otherwise reject with an unrelated message
/// (`x > 0`: "requires that 'Tensor' conform to 'BinaryInteger'"): each is declared
/// unavailable with a message that names Nabla's spelling, so the compiler says
/// what to write. None can be called; `Tests/Diagnostics` checks every message.

extension Tensor {
    @available(*, unavailable, message: "use .> for an elementwise comparison (x .> 0 gives a mask); to compare two numbers, compare items (x.item > 0)")
    public static func > (lhs: Tensor, rhs: Tensor) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .> for an elementwise comparison (x .> 0 gives a mask); to compare two numbers, compare items (x.item > 0)")
    public static func > (lhs: Tensor, rhs: Float) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .> for an elementwise comparison (0 .> x gives a mask); to compare two numbers, compare items (0 > x.item)")
    public static func > (lhs: Float, rhs: Tensor) -> Tensor { fatalError() }

    @available(*, unavailable, message: "use .< for an elementwise comparison (x .< 0 gives a mask); to compare two numbers, compare items (x.item < 0)")
    public static func < (lhs: Tensor, rhs: Tensor) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .< for an elementwise comparison (x .< 0 gives a mask); to compare two numbers, compare items (x.item < 0)")
    public static func < (lhs: Tensor, rhs: Float) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .< for an elementwise comparison (0 .< x gives a mask); to compare two numbers, compare items (0 < x.item)")
    public static func < (lhs: Float, rhs: Tensor) -> Tensor { fatalError() }

    @available(*, unavailable, message: "use .>= for an elementwise comparison (x .>= 0 gives a mask); to compare two numbers, compare items (x.item >= 0)")
    public static func >= (lhs: Tensor, rhs: Tensor) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .>= for an elementwise comparison (x .>= 0 gives a mask); to compare two numbers, compare items (x.item >= 0)")
    public static func >= (lhs: Tensor, rhs: Float) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .>= for an elementwise comparison (0 .>= x gives a mask); to compare two numbers, compare items (0 >= x.item)")
    public static func >= (lhs: Float, rhs: Tensor) -> Tensor { fatalError() }

    @available(*, unavailable, message: "use .<= for an elementwise comparison (x .<= 0 gives a mask); to compare two numbers, compare items (x.item <= 0)")
    public static func <= (lhs: Tensor, rhs: Tensor) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .<= for an elementwise comparison (x .<= 0 gives a mask); to compare two numbers, compare items (x.item <= 0)")
    public static func <= (lhs: Tensor, rhs: Float) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use .<= for an elementwise comparison (0 .<= x gives a mask); to compare two numbers, compare items (0 <= x.item)")
    public static func <= (lhs: Float, rhs: Tensor) -> Tensor { fatalError() }

    // Where a Bool is wanted (`if loss > 0.5`); disfavoured, so that elsewhere the overloads above speak.
    @_disfavoredOverload @available(*, unavailable, message: "a tensor is not a number: compare its item (x.item > 0), or use .> for an elementwise mask")
    public static func > (lhs: Tensor, rhs: Float) -> Bool { fatalError() }
    @_disfavoredOverload @available(*, unavailable, message: "a tensor is not a number: compare its item (x.item < 0), or use .< for an elementwise mask")
    public static func < (lhs: Tensor, rhs: Float) -> Bool { fatalError() }
    @_disfavoredOverload @available(*, unavailable, message: "a tensor is not a number: compare its item (x.item >= 0), or use .>= for an elementwise mask")
    public static func >= (lhs: Tensor, rhs: Float) -> Bool { fatalError() }
    @_disfavoredOverload @available(*, unavailable, message: "a tensor is not a number: compare its item (x.item <= 0), or use .<= for an elementwise mask")
    public static func <= (lhs: Tensor, rhs: Float) -> Bool { fatalError() }

    @available(*, unavailable, message: "use mean(axis:keepDims:) (mean(axes:) for several axes): PyTorch's dim is Nabla's axis")
    public func mean(dim: Int, keepdim: Bool = false) -> Tensor { fatalError() }
    @available(*, unavailable, message: "use sum(axis:keepDims:) (sum(axes:) for several axes): PyTorch's dim is Nabla's axis")
    public func sum(dim: Int, keepdim: Bool = false) -> Tensor { fatalError() }

    @available(*, unavailable, message: "the shape is one array: Tensor.randn([3, 2])")
    public static func randn(_ shape: Int...) -> Tensor { fatalError() }
    @available(*, unavailable, message: "the shape is one array: Tensor.rand([3, 2])")
    public static func rand(_ shape: Int...) -> Tensor { fatalError() }
    @available(*, unavailable, message: "the shape is one array: Tensor.zeros([3, 2])")
    public static func zeros(_ shape: Int...) -> Tensor { fatalError() }
    @available(*, unavailable, message: "the shape is one array: Tensor.ones([3, 2])")
    public static func ones(_ shape: Int...) -> Tensor { fatalError() }

    @available(*, unavailable, renamed: "detached()", message: "use detached(): it returns the same values without the autograd record")
    public func detach() -> Tensor { fatalError() }

    @available(*, unavailable, message: "max(_:) is a reduction here; for torch's elementwise max(a, b) use Tensor.maximum(a, b) (or clamp(min:) against a number)")
    public func max(_ other: Tensor) -> Tensor { fatalError() }
    @available(*, unavailable, message: "min(_:) is a reduction here; for torch's elementwise min(a, b) use Tensor.minimum(a, b) (or clamp(max:) against a number)")
    public func min(_ other: Tensor) -> Tensor { fatalError() }
}
