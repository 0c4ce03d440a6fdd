/// Reports a programmer error (a shape mismatch, an axis out of range...)
/// and stops, as PyTorch raises: `"matmul: [256, 784] and [30, 784] cannot be
/// multiplied: 784 != 30"`.
///
/// Every message names the op at fault. Tests replace ``Nabla/failureHandler``
/// to observe the message instead of stopping the process.
@inline(never)
func fail(_ message: @autoclosure () -> String) -> Never {
    Nabla.failureHandler(message())
}

extension Nabla {
    /// Reports a programmer error and stops, as Nabla's own ops do: NablaNN,
    /// NablaData and user code call this instead of `precondition`, whose message
    /// release builds drop. The message goes through ``failureHandler``.
    @inline(never)
    public static func fail(_ message: @autoclosure () -> String) -> Never {
        failureHandler(message())
    }
}

/// Formats a shape the way the messages print it: `[2, 3]`.
func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// Resolves a possibly negative axis against `rank`, or fails naming `op`.
func normalizedAxis(_ axis: Int, rank: Int, op: String) -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    guard resolved >= 0 && resolved < rank else {
        fail("\(op): axis \(axis) is out of range for a tensor of rank \(rank) (expected \(-rank)..<\(rank))")
    }
    return resolved
}

/// Resolves a list of axes: negative ones counted from the end, each at most once.
func normalizedAxes(_ axes: [Int], rank: Int, op: String) -> [Int] {
    var resolved: [Int] = []
    resolved.reserveCapacity(axes.count)
    for axis in axes {
        let r = normalizedAxis(axis, rank: rank, op: op)
        guard !resolved.contains(r) else { fail("\(op): axis \(axis) appears more than once in \(axes)") }
        resolved.append(r)
    }
    return resolved.sorted()
}
