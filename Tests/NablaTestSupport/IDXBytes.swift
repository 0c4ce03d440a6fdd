/// The bytes of an IDX ubyte file, as MNIST's are: magic `00 00 08 rank` (or
/// `magic`, to make a bad header), big-endian dimensions, then the payload.
public func idxBytes(dimensions: [UInt32], payload: [UInt8], magic: UInt32? = nil) -> [UInt8] {
    var bytes: [UInt8] = []
    for word in [magic ?? (0x0800 | UInt32(dimensions.count))] + dimensions {
        bytes += [UInt8(word >> 24), UInt8((word >> 16) & 0xff), UInt8((word >> 8) & 0xff), UInt8(word & 0xff)]
    }
    return bytes + payload
}
