import COpenBLAS

extension Nabla {
    /// OpenBLAS's thread count. OpenBLAS itself runs small products on one
    /// thread; this caps the count for large ones.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets how many threads OpenBLAS may use (at least 1).
    public static func setThreadCount(_ count: Int) {
        guard count >= 1 else { fail("setThreadCount: the thread count must be at least 1, got \(count)") }
        openblas_set_num_threads(Int32(count))
    }

    /// The kernel family OpenBLAS chose for this CPU, e.g. `Haswell` or `SkylakeX`.
    public static var openBLASCoreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string.
    public static var openBLASConfig: String { String(cString: openblas_get_config()) }
}
