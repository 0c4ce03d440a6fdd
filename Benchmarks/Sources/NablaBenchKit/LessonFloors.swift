#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Nabla
import NablaData
import NablaNN

/// What the lesson's two models cost at the least: one epoch of their matrix
/// products (training and validation, the book's 12,396 and 2,038 images in
/// batches of 256) by direct CBLAS on preallocated buffers, with the layouts
/// Nabla uses (`Linear` keeps PyTorch's `[outputs, inputs]` weights). A
/// matrix–vector product is a `cblas_sgemv`, as a direct caller would write it.
public struct LessonFloors: Codable {
    /// Seconds of one epoch's products, best of interleaved rounds.
    public let netEpochSeconds: Double
    public let linearEpochSeconds: Double
    public let trainItems: Int, validItems: Int, batchSize: Int

    public static func measure(trainItems: Int = 12396, validItems: Int = 2038, batchSize: Int = 256,
                               budget: Double) -> LessonFloors {
        func batchSizes(_ items: Int) -> [Int] {
            Array(repeating: batchSize, count: items / batchSize) + (items % batchSize == 0 ? [] : [items % batchSize])
        }
        let (train, valid) = (batchSizes(trainItems), batchSizes(validItems))
        // The products of one batch of b images, made once per distinct b.
        func products(_ sizes: [Int], _ make: (Int) -> [DirectBLASProduct]) -> [DirectBLASProduct] {
            var made: [Int: [DirectBLASProduct]] = [:]
            return sizes.flatMap { b in made[b] ?? { let p = make(b); made[b] = p; return p }() }
        }
        let net = products(train) { b in
            [DirectBLASProduct(m: b, n: 30, k: 784, transposeRight: true),   // x·W₁ᵀ
             DirectBLASProduct(m: b, n: 1, k: 30),                           // h·w₂
             DirectBLASProduct(m: 30, n: 1, k: b, transposeLeft: true),      // ∂w₂ = hᵀ·g
             DirectBLASProduct(m: b, n: 30, k: 1),                           // ∂h = g·w₂ᵀ
             DirectBLASProduct(m: 30, n: 784, k: b, transposeLeft: true)]    // ∂W₁ = gᵀ·x
        } + products(valid) { b in
            [DirectBLASProduct(m: b, n: 30, k: 784, transposeRight: true), DirectBLASProduct(m: b, n: 1, k: 30)]
        }
        let linear = products(train) { b in
            [DirectBLASProduct(m: b, n: 1, k: 784),                          // x·w
             DirectBLASProduct(m: 784, n: 1, k: b, transposeLeft: true)]     // ∂w = xᵀ·g
        } + products(valid) { b in [DirectBLASProduct(m: b, n: 1, k: 784)] }
        let seconds = bestSecondsPerCall([net, linear].map { epoch in
            { calls in for _ in 0..<calls { for product in epoch { product.run() } } }
        }, budget: budget)
        return LessonFloors(netEpochSeconds: seconds[0], linearEpochSeconds: seconds[1],
                            trainItems: trainItems, validItems: validItems, batchSize: batchSize)
    }
}

/// A steady-state training step of the lesson's net: tensor buffers taken from
/// the system and minor page faults, per step, after a warm-up epoch.
public struct SteadyStateStep: Codable {
    public let threads: Int
    public let prefetch: Bool
    public let steps: Int
    public let storageAllocationsPerStep: Double
    public let minorFaultsPerStep: Double

    /// Trains the net (784→30→ReLU→1, mnistLoss, SGD) on 12,396 random byte
    /// images from a prefetching loader, then counts over the next epoch's full batches.
    public static func measure(threads: Int) -> SteadyStateStep {
        Nabla.setThreadCount(threads)
        var generator = RandomGenerator(seed: 17)
        let images = Tensor(shape: [12396, 784], scalars: (0..<12396 * 784).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        let targets = Tensor(shape: [12396, 1], scalars: (0..<12396).map { _ in Float(generator.next() & 1) })
        let loader = DataLoader(images: images, targets: targets, batchSize: 256, shuffle: true, seed: 3)
        loader.prefetch = true  // from the first epoch on, rather than as the loader's timings choose
        let model = Sequential(Linear(inputs: 784, outputs: 30, generator: &generator), ReLU(),
                               Linear(inputs: 30, outputs: 1, generator: &generator))
        let optimizer = SGD(model.parameters, learningRate: 0.1)
        func step(_ x: Tensor, _ y: Tensor) {
            mnistLoss(model(x), y).backward()
            optimizer.step()
            optimizer.zeroGrad()
        }
        for (x, y) in loader { step(x, y) }
        var batches = loader.makeIterator()
        _ = batches.next().map { step($0.inputs, $0.targets) }
        let steps = loader.itemCount / loader.batchSize - 2
        let (allocations, faults) = (Nabla.storageStatistics.systemAllocations, minorFaults())
        for _ in 0..<steps { if let (x, y) = batches.next() { step(x, y) } }
        let counted = (Double(Nabla.storageStatistics.systemAllocations - allocations), Double(minorFaults() - faults))
        return SteadyStateStep(threads: threads, prefetch: loader.prefetches, steps: steps,
                               storageAllocationsPerStep: counted.0 / Double(steps), minorFaultsPerStep: counted.1 / Double(steps))
    }

    private static func minorFaults() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return usage.ru_minflt
    }
}
