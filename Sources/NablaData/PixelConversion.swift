import Nabla

extension Tensor {
    /// The 8-bit pixels, a uint8 tensor of this shape, of images in [0, 1] that came
    /// from 8-bit files: `round(255 · x)`, exact for such images (their values are
    /// k/255), so `to(.float32, dividedBy: 255)` gives the images back. Fails on a
    /// value outside [0, 1].
    public func quantizedPixels() -> Tensor {
        let values = scalars
        if let bad = values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            Nabla.fail("quantizedPixels: pixel \(values[bad]) at position \(bad) is not in [0, 1]")
        }
        return Tensor(shape: shape, scalars: values.map { UInt8(($0 * 255).rounded()) })
    }
}
