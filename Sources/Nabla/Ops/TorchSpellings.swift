/// PyTorch's names for things Nabla already does, so that code from the book
/// reads the same. Each is a thin alias; the article "Coming from PyTorch" (Nabla.docc)
/// lists them with what to write where Swift cannot spell the torch habit (`@`).

/// Powers, as Python's `**`: binds tighter than `*` (`2 * x ** 2` is `2 * x.square()`).
/// Unlike Python, a prefix minus binds tighter still: `-x ** 2` is `(-x) ** 2`;
/// write `-(x ** 2)`.
precedencegroup PowerPrecedence {
    higherThan: MultiplicationPrecedence
    associativity: right
}

infix operator ** : PowerPrecedence

extension Tensor {
    /// `x ** p`: every element to the power `p`, as ``pow(_:)-(Double)``.
    public static func ** (base: Tensor, exponent: Double) -> Tensor { base.pow(exponent) }

    /// A matrix's transpose (PyTorch's `x.T`); a vector or a scalar is its own.
    /// For more axes say which to swap: `transpose(_:_:)` or `permute(_:)`.
    public var T: Tensor {
        guard rank > 2 else { return rank == 2 ? transposed : self }
        fail("T: a tensor of shape \(describe(shape)) has \(rank) axes; .T is for matrices (use transposed for the last two axes, or permute)")
    }

    /// The number of axes (PyTorch's `ndim`, Nabla's `rank`).
    public var ndim: Int { rank }

    /// The number of elements (PyTorch's `numel()`, Nabla's `scalarCount`).
    public var numel: Int { scalarCount }

    /// The same elements in another shape, one extent possibly −1: PyTorch's
    /// `view`, which is ``reshape(_:)`` here (a view whenever the data allow it, else a copy).
    public func view(_ shape: [Int]) -> Tensor { reshape(shape) }

    /// `view(28, 28)`, with the extents as separate arguments.
    public func view(_ shape: Int...) -> Tensor { reshape(shape) }
}
