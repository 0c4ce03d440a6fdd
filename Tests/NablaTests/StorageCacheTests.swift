import XCTest
@testable import Nabla

/// The caching allocator behind tensor storage.
final class StorageCacheTests: XCTestCase {
    func testSizeClassesArePowersOfTwoFrom64Bytes() {
        XCTAssertEqual(StorageCache.sizeClass(forByteCount: 1), 0)
        XCTAssertEqual(StorageCache.sizeClass(forByteCount: 64), 0)
        XCTAssertEqual(StorageCache.sizeClass(forByteCount: 65), 1)
        XCTAssertEqual(StorageCache.bytes(ofClass: StorageCache.sizeClass(forByteCount: 3000)!), 4096)
        XCTAssertEqual(StorageCache.bytes(ofClass: StorageCache.sizeClass(forByteCount: 8 << 20)!), 8 << 20)
        XCTAssertNil(StorageCache.sizeClass(forByteCount: (8 << 20) + 1), "larger buffers bypass the cache")
    }

    func testAFreedBufferServesTheNextRequestOfItsClass() {
        var first: Tensor? = Tensor.zeros([1000])
        let address = first!.storage.pointer
        first = nil
        let before = Nabla.storageStatistics
        let second = Tensor.ones([900])  // 3600 bytes: the same 4 KiB class
        let after = Nabla.storageStatistics
        XCTAssertEqual(second.storage.pointer, address)
        XCTAssertEqual(after.systemAllocations, before.systemAllocations)
        XCTAssertEqual(after.cacheHits, before.cacheHits + 1)
        XCTAssertEqual(second.scalars, [Float](repeating: 1, count: 900), "a reused buffer is initialised like a fresh one")
    }

    func testTheCacheIsBoundedAndEmptiable() {
        // Freeing 80 MiB of 4 MiB buffers at once leaves at most the capacity cached.
        var buffers: [Tensor]? = (0..<20).map { _ in Tensor.zeros([1 << 20]) }
        XCTAssertEqual(buffers?.count, 20)
        buffers = nil
        XCTAssertLessThanOrEqual(Nabla.storageStatistics.cachedBytes, StorageCache.capacity)
        Nabla.emptyStorageCache()
        XCTAssertEqual(Nabla.storageStatistics.cachedBytes, 0)
    }

    func testConcurrentUseKeepsEveryBufferDistinct() {
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 0..<500 {
                let value = Float(worker * 1000 + round)
                let tensor = Tensor.full([64 + round % 7], value)
                XCTAssertTrue(tensor.scalars.allSatisfy { $0 == value })
            }
        }
    }
}
