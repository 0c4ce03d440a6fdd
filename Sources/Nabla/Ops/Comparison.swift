/// Comparisons give masks of 1 and 0 (no gradient flows through them), and
/// `where` picks between two tensors by such a mask, with NumPy broadcasting.
extension Tensor {
    @inline(__always)
    private static func mask(_ a: Tensor, _ b: Tensor, _ op: String, _ test: (Float, Float) -> Bool) -> Tensor {
        mapBroadcast(a, b, op: op) { test($0, $1) ? 1 : 0 }
    }

    public static func .== (a: Tensor, b: Tensor) -> Tensor { mask(a, b, ".==", ==) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { mask(a, b, ".!=", !=) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { mask(a, b, ".<", <) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { mask(a, b, ".<=", <=) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { mask(a, b, ".>", >) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { mask(a, b, ".>=", >=) }

    public static func .== (a: Tensor, b: Float) -> Tensor { mapElements(a) { $0 == b ? 1 : 0 } }
    public static func .!= (a: Tensor, b: Float) -> Tensor { mapElements(a) { $0 != b ? 1 : 0 } }
    public static func .< (a: Tensor, b: Float) -> Tensor { mapElements(a) { $0 < b ? 1 : 0 } }
    public static func .<= (a: Tensor, b: Float) -> Tensor { mapElements(a) { $0 <= b ? 1 : 0 } }
    public static func .> (a: Tensor, b: Float) -> Tensor { mapElements(a) { $0 > b ? 1 : 0 } }
    public static func .>= (a: Tensor, b: Float) -> Tensor { mapElements(a) { $0 >= b ? 1 : 0 } }

    /// A scalar on the left compares with every element: `0 .< x` is `x .> 0`.
    public static func .== (a: Float, b: Tensor) -> Tensor { b .== a }
    public static func .!= (a: Float, b: Tensor) -> Tensor { b .!= a }
    public static func .< (a: Float, b: Tensor) -> Tensor { b .> a }
    public static func .<= (a: Float, b: Tensor) -> Tensor { b .>= a }
    public static func .> (a: Float, b: Tensor) -> Tensor { b .< a }
    public static func .>= (a: Float, b: Tensor) -> Tensor { b .<= a }

    /// Element by element, `a` where `condition` is non-zero and `b` elsewhere
    /// (`torch.where`); the three shapes broadcast together.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let mask = condition.detached()
        return mapBroadcast(condition, a, b, op: "where") { $0 != 0 ? $1 : $2 }
            .recorded("where", [mask, a, b]) { g, needs in
                [nil,
                 needs[1] ? mapBroadcast(mask, g, op: "where") { $0 != 0 ? $1 : 0 }.summed(toShape: a.shape) : nil,
                 needs[2] ? mapBroadcast(mask, g, op: "where") { $0 != 0 ? 0 : $1 }.summed(toShape: b.shape) : nil]
            }
    }
}
