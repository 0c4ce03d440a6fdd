import Nabla

/// Converts 8-bit pixels to Float, optionally dividing by 255 so 0...255 maps
/// onto 0...1 exactly as `x / 255` does in float32.
///
/// Sixteen pixels at a time in SIMD vectors: the compiler leaves the plain loop
/// scalar (a `cvtsi2ss` and a `divss` per pixel, 17% of the whole lesson's time
/// by `perf`, most of it the training batches; a batch of 256 images converts in
/// half the time this way). A vector division rounds each lane as the scalar one
/// does, so the values are the same bit for bit.
func convertPixels(_ source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<Float>, count: Int, scale: Bool) {
    let lanes = 16
    let divisor = SIMD16<Float>(repeating: scale ? 255 : 1)
    var i = 0
    while i + lanes <= count {
        let bytes = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<UInt8>.self)
        // 2²³ + x has x in its low mantissa bits: the bit pattern 0x4B000000 | x, less 2²³,
        // is x exactly (the generic SIMD integer-to-float init is not inlined, and runs per lane).
        let biased = SIMD16<UInt32>(truncatingIfNeeded: bytes) | 0x4B00_0000
        let floats = unsafeBitCast(biased, to: SIMD16<Float>.self) - 8_388_608
        UnsafeMutableRawPointer(destination + i).storeBytes(of: scale ? floats / divisor : floats, as: SIMD16<Float>.self)
        i += lanes
    }
    while i < count {
        destination[i] = scale ? Float(source[i]) / 255 : Float(source[i])
        i += 1
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
