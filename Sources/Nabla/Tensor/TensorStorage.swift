/// The heap buffer behind one or more tensors.
///
/// Tensors share a storage until one of them is written to; `Tensor` then
/// copies it (copy-on-write), so a tensor behaves as a value.
final class TensorStorage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Allocates `count` uninitialised floats. Large buffers are 64-byte
    /// aligned so that the vector loops and OpenBLAS see cache-line aligned
    /// rows; small ones take malloc's alignment, which is much cheaper to get.
    /// (Transparent huge pages were tried: reductions over existing tensors
    /// read ~15% faster, but every large new result then waits for the kernel
    /// to clear fresh 2 MiB pages, which made a large broadcast add 2.7× slower.)
    init(uninitializedCount count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: count >= 1024 ? 64 : 16)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
