import Foundation

/// float32's math functions (see ``FloatingScalar``).
extension Float: NumericScalar, FloatingScalar {
    @inline(__always) static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
    @inline(__always) static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inline(__always) static func sqrt(_ x: Float) -> Float { Foundation.sqrt(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    @inline(__always) static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    @inline(__always) static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    @inline(__always) static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}
