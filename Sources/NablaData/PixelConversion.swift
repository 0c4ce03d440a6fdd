import Nabla

/// Converts 8-bit pixels to Float, optionally dividing by 255 so 0...255 maps
/// onto 0...1 exactly as `x / 255` does in float32.
///
/// Plain pointer loops with no branches inside, so they vectorize on baseline x86-64.
func convertPixels(_ source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<Float>, count: Int, scale: Bool) {
    if scale {
        for i in 0..<count { destination[i] = Float(source[i]) / 255 }
    } else {
        for i in 0..<count { destination[i] = Float(source[i]) }
    }
}

/// A tensor of the given shape made from 8-bit pixels, without an intermediate `[Float]`.
func tensorFromPixels(_ pixels: UnsafeBufferPointer<UInt8>, shape: [Int], scale: Bool) -> Tensor {
    Tensor(shape: shape) { scalars in
        guard scalars.count == pixels.count else {
            Nabla.fail("tensorFromPixels: \(pixels.count) pixels do not fill shape \(shape) (\(scalars.count) elements)")
        }
        if pixels.count > 0 {
            convertPixels(pixels.baseAddress!, to: scalars.baseAddress!, count: pixels.count, scale: scale)
        }
    }
}
