#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The buffer behind one or more tensors.
///
/// Tensors share a storage until one of them is written to; `Tensor` then
/// copies it (copy-on-write), so a tensor behaves as a value. Buffers come
/// from ``StorageCache``, so a training step that makes the same tensors
/// every step reuses last step's buffers instead of calling `malloc` and
/// faulting in fresh pages; or they are a file mapped into memory
/// (``init(mapping:fileSize:byteOffset:count:dtype:)``), unmapped when the last
/// tensor sharing the storage goes.
final class TensorStorage {
    /// The first byte, 64-byte aligned and bound to the Swift type of `dtype`.
    let raw: UnsafeMutableRawPointer
    /// The number of elements.
    let count: Int
    let dtype: DType
    /// Where the buffer came from, which says how it goes back.
    private let source: Source

    private enum Source {
        /// From ``StorageCache``, in this size class (nil: larger than the largest, straight from the system).
        case allocated(sizeClass: Int?)
        /// A private mapping of a whole file, `length` bytes from `start`.
        case mappedFile(start: UnsafeMutableRawPointer, length: Int)
    }

    /// Allocates `count` uninitialised elements of `dtype`, 64-byte aligned so that
    /// the vector loops and OpenBLAS see cache-line aligned rows. Callers have
    /// checked with ``Tensor/elementCount(_:op:dtype:)`` that the byte count fits `Int`.
    /// (Transparent huge pages were tried: reductions over existing tensors
    /// read ~15% faster, but every large new result then waits for the kernel
    /// to clear fresh 2 MiB pages, which made a large broadcast add 2.7× slower.)
    init(uninitializedCount count: Int, dtype: DType = .float32) {
        self.count = count
        self.dtype = dtype
        let capacity = max(count, 1)
        let (raw, sizeClass) = StorageCache.allocate(byteCount: capacity * dtype.byteSize)
        self.source = .allocated(sizeClass: sizeClass)
        self.raw = raw
        // A cached buffer may have held another type: bind it to this one.
        TensorStorage.bind(raw, capacity: capacity, to: dtype)
    }

    /// The `count` elements of `dtype` in the open file `fd` of `fileSize` bytes, from
    /// `byteOffset` (a multiple of 64, so the storage stays 64-byte aligned) on, as a
    /// private mapping of the whole file: pages are read from the file when first touched,
    /// and a write to them makes a private copy of the page (`MAP_PRIVATE`), so nothing
    /// written reaches the file, which may be opened read-only. The caller has checked that
    /// the file holds all `count` elements from `byteOffset`; nil when the system refuses
    /// the mapping (the caller reads the file instead).
    init?(mapping fd: Int32, fileSize: Int, byteOffset: Int, count: Int, dtype: DType) {
        precondition(byteOffset % StorageCache.alignment == 0 && count > 0 && byteOffset + count * dtype.byteSize <= fileSize,
                     "a mapped storage must lie in its file and start 64-byte aligned")
        // Writable but private: in-place writes to a tensor that owns the storage alone
        // go to copied pages instead of faulting, and never to the file.
        guard let start = mmap(nil, fileSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), start != MAP_FAILED else { return nil }
        self.raw = start + byteOffset
        self.count = count
        self.dtype = dtype
        self.source = .mappedFile(start: start, length: fileSize)
        TensorStorage.bind(raw, capacity: count, to: dtype)
        StorageCache.state.withLock {
            $0.mappedFiles += 1
            $0.mappedBytes += fileSize
        }
    }

    private static func bind(_ raw: UnsafeMutableRawPointer, capacity: Int, to dtype: DType) {
        struct Bind: ScalarKernel {
            let raw: UnsafeMutableRawPointer, capacity: Int
            func run<T: TensorScalar>(_ type: T.Type) { raw.bindMemory(to: T.self, capacity: capacity) }
        }
        dtype.dispatch(Bind(raw: raw, capacity: capacity))
    }

    convenience init<T: TensorScalar>(repeating value: T, count: Int) {
        self.init(uninitializedCount: count, dtype: T.dtype)
        typed(T.self).initialize(repeating: value, count: count)
    }

    /// The elements as `T`, which must be the Swift type of `dtype`.
    @inline(__always)
    func typed<T: TensorScalar>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        assert(T.dtype == dtype, "a \(dtype) storage read as \(T.self)")
        return raw.assumingMemoryBound(to: T.self)
    }

    /// The elements of a float32 storage. The kernels that have not been made
    /// generic yet read through it, so it refuses any other dtype instead of
    /// reinterpreting its bytes.
    var pointer: UnsafeMutablePointer<Float> {
        guard dtype == .float32 else {
            fail("this operation supports float32 tensors only, got a \(dtype) tensor; convert it with to(.float32)")
        }
        return raw.assumingMemoryBound(to: Float.self)
    }

    /// Whether the elements are a mapped file's pages (``init(mapping:fileSize:byteOffset:count:dtype:)``).
    var isMappedFile: Bool {
        if case .mappedFile = source { return true }
        return false
    }

    deinit {
        switch source {
        case .allocated(let sizeClass):
            StorageCache.release(raw, sizeClass: sizeClass)
        case .mappedFile(let start, let length):
            munmap(start, length)
            StorageCache.state.withLock { $0.mappedBytes -= length }
        }
    }
}

/// The caching allocator of tensor storage, as PyTorch's CPU caching allocator:
/// a freed buffer waits on the free list of its size class, and the next request
/// of that class takes it back without a system call or a page fault.
///
/// - Size classes are powers of two from 64 bytes to 8 MiB (a request takes the
///   smallest class that holds it, so at most twice its size; pages past the
///   request are address space, not memory, until something writes them).
///   Larger buffers (a whole data set) go to and from the system directly.
/// - Bounded: at most ``capacity`` bytes wait in the free lists; a buffer freed
///   when they are full goes back to the system, so the cache never holds more
///   than a step's worth of temporaries. `Nabla.emptyStorageCache()` returns them all.
/// - Thread-safe: one lock, held only to push or pop one buffer.
enum StorageCache {
    /// The most bytes the free lists hold.
    static let capacity = 64 << 20
    static let smallestClassShift = 6
    static let largestClassShift = 23
    static let alignment = 64

    struct State {
        var freeLists = [[UInt]](repeating: [], count: largestClassShift - smallestClassShift + 1)
        var cachedBytes = 0
        var systemAllocations = 0
        var cacheHits = 0
        /// Files mapped as storage (not allocations: their pages are the file's).
        var mappedFiles = 0
        var mappedBytes = 0
    }

    static let state = Locked(State())

    /// The size class holding `byteCount` bytes, or nil when it is larger than the largest.
    static func sizeClass(forByteCount byteCount: Int) -> Int? {
        guard byteCount <= 1 << largestClassShift else { return nil }
        let shift = Swift.max(smallestClassShift, Int.bitWidth - (byteCount - 1).leadingZeroBitCount)
        return shift - smallestClassShift
    }

    static func bytes(ofClass sizeClass: Int) -> Int { 1 << (sizeClass + smallestClassShift) }

    static func allocate(byteCount: Int) -> (UnsafeMutableRawPointer, Int?) {
        let sizeClass = sizeClass(forByteCount: byteCount)
        if let sizeClass {
            let cached: UInt? = state.withLock { state in
                guard let address = state.freeLists[sizeClass].popLast() else {
                    state.systemAllocations += 1
                    return nil
                }
                state.cachedBytes -= bytes(ofClass: sizeClass)
                state.cacheHits += 1
                return address
            }
            if let cached { return (UnsafeMutableRawPointer(bitPattern: cached)!, sizeClass) }
        } else {
            state.withLock { $0.systemAllocations += 1 }
        }
        let size = sizeClass.map(bytes(ofClass:)) ?? byteCount
        return (UnsafeMutableRawPointer.allocate(byteCount: size, alignment: alignment), sizeClass)
    }

    static func release(_ pointer: UnsafeMutableRawPointer, sizeClass: Int?) {
        if let sizeClass {
            let size = bytes(ofClass: sizeClass)
            let kept = state.withLock { state in
                guard state.cachedBytes + size <= capacity else { return false }
                state.freeLists[sizeClass].append(UInt(bitPattern: pointer))
                state.cachedBytes += size
                return true
            }
            if kept { return }
        }
        pointer.deallocate()
    }

    static func empty() {
        let addresses = state.withLock { state in
            defer {
                state.freeLists = state.freeLists.map { _ in [] }
                state.cachedBytes = 0
            }
            return state.freeLists.flatMap { $0 }
        }
        for address in addresses { UnsafeMutableRawPointer(bitPattern: address)!.deallocate() }
    }
}

/// How tensor storage has been allocated since the process started.
public struct StorageStatistics: Equatable, Sendable {
    /// Buffers taken from the system (`malloc`): every buffer larger than the
    /// cache's largest size class, and every request its free lists could not serve.
    public let systemAllocations: Int
    /// Requests served from the cache's free lists.
    public let cacheHits: Int
    /// Bytes waiting in the free lists now.
    public let cachedBytes: Int
    /// Files whose bytes became a tensor's storage by mapping them into memory
    /// (`NumPy.load(_:memoryMapped:)`), counted apart from the allocations above.
    public let mappedFiles: Int
    /// The bytes of the files mapped now; a file is unmapped when the last tensor sharing its storage goes.
    public let mappedBytes: Int
}

/// The tensor storage allocator's counters, to check that a loop allocates nothing after its first rounds.
public var storageStatistics: StorageStatistics {
    StorageCache.state.withLock {
        StorageStatistics(systemAllocations: $0.systemAllocations, cacheHits: $0.cacheHits, cachedBytes: $0.cachedBytes,
                          mappedFiles: $0.mappedFiles, mappedBytes: $0.mappedBytes)
    }
}

/// Returns the tensor buffers waiting in the storage cache to the system
/// (the counterpart of `torch.cuda.empty_cache()`); tensors alive keep theirs.
public func emptyStorageCache() { StorageCache.empty() }

extension Tensor {
    /// A contiguous tensor of `shape` and `dtype` whose storage is the open file `fd` (of
    /// `fileSize` bytes) mapped into memory, its elements starting at `byteOffset` (a
    /// multiple of 64): see ``TensorStorage/init(mapping:fileSize:byteOffset:count:dtype:)``.
    /// `check` sees the elements' bytes before the tensor is made (a decoder validates
    /// them there; a throw unmaps the file). Nil when the system refuses the mapping or
    /// the shape holds no element. The decoder has checked the shape against the file.
    package init?(mappingFile fd: Int32, fileSize: Int, byteOffset: Int, shape: [Int], dtype: DType,
                  check: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let count = Tensor.elementCount(shape, op: "Tensor(mappingFile:)", dtype: dtype)
        guard count > 0, let storage = TensorStorage(mapping: fd, fileSize: fileSize, byteOffset: byteOffset, count: count, dtype: dtype) else {
            return nil
        }
        try check(UnsafeRawBufferPointer(start: storage.raw, count: count * dtype.byteSize))
        self.init(storage: storage, shape: shape, strides: Tensor.contiguousStrides(shape))
    }

    /// Whether this tensor's elements are a memory-mapped file's (`NumPy.load(_:memoryMapped:)`).
    public var isMemoryMapped: Bool { storage.isMappedFile }
}
