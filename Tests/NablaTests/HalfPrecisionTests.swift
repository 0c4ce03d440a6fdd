import Foundation
import XCTest
@testable import Nabla
import NablaTestSupport

/// float16 and bfloat16: 2-byte storage types whose ops compute in float32.
final class HalfPrecisionTests: XCTestCase {
    func testTheDTypesAreTwoByteFloatingTypes() {
        XCTAssertEqual(DType.float16.description, "float16")
        XCTAssertEqual(DType.bfloat16.description, "bfloat16")
        XCTAssertEqual([DType.float16, .bfloat16].map(\.byteSize), [2, 2])
        XCTAssertTrue(DType.float16.isFloatingPoint && DType.bfloat16.isFloatingPoint)
        XCTAssertEqual(Tensor([1.5, -2] as [Float16]).dtype, .float16)
        XCTAssertEqual(Tensor([1.5, -2] as [BFloat16]).dtype, .bfloat16)
        XCTAssertEqual(Tensor.zeros([2, 3], dtype: .bfloat16).dtype, .bfloat16)
        XCTAssertEqual(Tensor.full([2], 0.1, dtype: .float16).scalars(as: Float16.self), [Float16(0.1), Float16(0.1)])
        // Reading back: exact in the element's own type, converted otherwise.
        let x = Tensor([0.1, 65504, -0.0] as [Float]).to(.float16)
        XCTAssertEqual(x.scalars(as: Float16.self).map(\.bitPattern), [0x2E66, 0x7BFF, 0x8000])
        XCTAssertEqual(x.scalars(as: Float.self), [Float(Float16(0.1)), 65504, 0])
        XCTAssertEqual(x[0].item(as: Double.self), Double(Float16(0.1)))
        XCTAssertEqual(Tensor(Float16(3.5)).item(as: Int64.self), 3)
        let b = Tensor([1.00390625, 3e38, .nan] as [Float]).to(.bfloat16)
        XCTAssertEqual(b.scalars(as: BFloat16.self).map(\.bitPattern), [0x3F80, 0x7F62, 0x7FC0])
        XCTAssertEqual(b[1].item(as: Float.self), Float(bitPattern: 0x7F62_0000))
    }

    /// Every float16 and bfloat16 bit pattern converted to float32, int64, uint8 and bool; float32
    /// values on both sides of every rounding boundary (each half value, its float32 neighbours,
    /// the midpoints to the next one and theirs), float64 values just off those midpoints (which
    /// torch rounds twice, through float32) and int64 values, converted to float16 and bfloat16:
    /// all bit for bit as torch converts them, NaN as NaN.
    func testConversionsAreTorchsOnEveryBitPattern() throws {
        let folder = NSTemporaryDirectory() + "nabla-half-conversions-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        func write<T>(_ values: [T], _ name: String) throws {
            try values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: folder + "/" + name)) }
        }
        let patterns = (0...UInt16.max).map { $0 }
        let halves = Tensor(patterns.map(Float16.init(bitPattern:))), brains = Tensor(patterns.map(BFloat16.init(bitPattern:)))
        for (name, source) in [("f16", halves), ("bf16", brains)] {
            try write(source.to(.float32).scalars(as: Float.self), "\(name)_to_f32")
            try write(source.to(.int64).scalars(as: Int64.self), "\(name)_to_i64")
            try write(source.to(.uint8).scalars(as: UInt8.self), "\(name)_to_u8")
            try write(source.to(.bool).scalars(as: Bool.self), "\(name)_to_bool")
            // Widening and narrowing back gives every pattern back; a NaN stays a NaN.
            let back = source.to(.float32).to(source.dtype)
            let original = source.scalars(as: Float.self), returned = back.scalars(as: Float.self)
            XCTAssertTrue(zip(original, returned).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, name)
        }
        // float32 probes around every finite float16 and bfloat16 value (and the overflow thresholds past the largest).
        var probes: [Float] = [.infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan,
                               Float(bitPattern: 0x7FA0_0001), Float(bitPattern: 0xFF81_2345)]
        func around(_ value: Float, _ next: Float) {
            let midpoint = value + (next - value) / 2
            for x in [value, value.nextUp, value.nextDown, midpoint, midpoint.nextUp, midpoint.nextDown] { probes += [x, -x] }
        }
        for bits in UInt16(0)..<0x7C00 { around(Float(Float16(bitPattern: bits)), Float(Float16(bitPattern: bits + 1)) == .infinity ? 65536 : Float(Float16(bitPattern: bits + 1))) }
        for bits in UInt16(0)..<0x7F80 { around(Float(BFloat16(bitPattern: bits)), bits == 0x7F7F ? 0x1p128 : Float(BFloat16(bitPattern: bits + 1))) }
        try write(probes, "probes")
        // float64 just off every 97th float16 midpoint and every 97th bfloat16 one, and int64 values past float16's range.
        var doubles: [Double] = []
        for bits in stride(from: UInt16(1), to: 0x7BFF, by: 97) {
            let midpoint = (Double(Float16(bitPattern: bits)) + Double(Float16(bitPattern: bits + 1))) / 2
            doubles += [midpoint, midpoint.nextUp, midpoint.nextDown, midpoint * (1 + 0x1p-40), midpoint * (1 - 0x1p-40)]
        }
        for bits in stride(from: UInt16(1), to: 0x7F7F, by: 97) {
            let midpoint = (Double(Float(BFloat16(bitPattern: bits))) + Double(Float(BFloat16(bitPattern: bits + 1)))) / 2
            doubles += [midpoint, midpoint * (1 + 0x1p-40), midpoint * (1 - 0x1p-40)]
        }
        let integers: [Int64] = [0, 1, -1, 2049, 2051, 65504, 65519, 65520, -65520, 16_777_217, 33_554_433, .max, .min, 9_007_199_254_740_993]
        try write(doubles, "doubles")
        try write(integers, "integers")
        for (name, dtype) in [("f16", DType.float16), ("bf16", .bfloat16)] {
            for (source, tensor) in [("probes", Tensor(probes)), ("doubles", Tensor(doubles)), ("integers", Tensor(integers))] {
                try write(tensor.to(dtype).scalars(as: Float.self), "\(source)_to_\(name)")
            }
        }
        let script = #"""
        import sys, numpy as np, torch
        d = sys.argv[1]
        def ours(name, dtype): return np.fromfile(d + "/" + name, dtype=dtype)
        def check(label, theirs, mine):
            theirs, mine = np.asarray(theirs), np.asarray(mine)
            assert theirs.shape == mine.shape, (label, theirs.shape, mine.shape)
            if theirs.dtype.kind == "f":
                same = (theirs.view(np.uint32 if theirs.itemsize == 4 else np.uint64) == mine.view(theirs.view(np.uint32 if theirs.itemsize == 4 else np.uint64).dtype)) | (np.isnan(theirs) & np.isnan(mine))
            else:
                same = theirs == mine
            bad = np.flatnonzero(~same)
            print(label, "%d of %d differ" % (len(bad), len(same)), [(int(i), theirs[i].item(), mine[i].item()) for i in bad[:3]])
        patterns = torch.arange(65536, dtype=torch.int32).to(torch.int16)
        for name, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16)]:
            source = patterns.view(dtype)
            check(name + " to float32", source.float().numpy(), ours(name + "_to_f32", np.float32))
            check(name + " to int64", source.to(torch.int64).numpy(), ours(name + "_to_i64", np.int64))
            check(name + " to uint8", source.to(torch.uint8).numpy(), ours(name + "_to_u8", np.uint8))
            check(name + " to bool", source.to(torch.bool).numpy(), ours(name + "_to_bool", np.bool_))
            for source_name, numpy_type in [("probes", np.float32), ("doubles", np.float64), ("integers", np.int64)]:
                values = torch.from_numpy(ours(source_name, numpy_type))
                check(source_name + " to " + name, values.to(dtype).float().numpy(), ours(source_name + "_to_" + name, np.float32))
        """#
        let printed = try runTorchPython(script, arguments: [folder])
        let lines = printed.split(separator: "\n")
        XCTAssertEqual(lines.count, 14, printed)
        for line in lines { XCTAssertTrue(line.contains(" 0 of "), String(line)) }
    }

    func testPromotionIsTorchs() {
        func result(_ a: DType, _ b: DType) -> DType { Tensor.resultType(Tensor.ones([2], dtype: a), Tensor.ones([2], dtype: b)) }
        XCTAssertEqual(result(.float16, .bfloat16), .float32)
        XCTAssertEqual(result(.float16, .float32), .float32)
        XCTAssertEqual(result(.bfloat16, .float64), .float64)
        XCTAssertEqual(result(.int64, .float16), .float16)
        XCTAssertEqual(result(.bool, .bfloat16), .bfloat16)
        XCTAssertEqual((Tensor.ones([2], dtype: .float16) * 0.5).dtype, .float16)
        XCTAssertEqual((Tensor.ones([2], dtype: .bfloat16) + 1).dtype, .bfloat16)
        XCTAssertEqual((Tensor.ones([2], dtype: .float16) / 3).dtype, .float16)
        // A float32 rank-0 tensor does not widen a float16 vector, as in torch.
        XCTAssertEqual((Tensor.ones([2], dtype: .float16) + Tensor(Float(2))).dtype, .float16)
    }

    /// Every op computes in float32 and rounds its result once: a float16 sum of 4096 ones is
    /// 4096 (accumulated in float16 it would stop at 2048, where 2048 + 1 rounds to 2048).
    func testOpsComputeInFloat32AndRoundOnce() {
        forEachBackend { _ in
            let ones = Tensor.ones([4096], dtype: .float16)
            XCTAssertEqual(ones.sum().dtype, .float16)
            XCTAssertEqual(ones.sum().item(as: Float.self), 4096)
            XCTAssertEqual(ones.mean().item(as: Float.self), 1)
            let a = Tensor([[1, 2], [3, 4]] as [[Float]]).to(.bfloat16)
            let product = a.matmul(a)
            XCTAssertEqual(product.dtype, .bfloat16)
            XCTAssertEqual(product.scalars(as: Float.self), [7, 10, 15, 22])
            // 1 + 2⁻¹¹ is a float16 midpoint: computed in float32 and rounded once, to even.
            let sum = Tensor([1] as [Float16]) + Tensor([Float16(0.00048828125)])
            XCTAssertEqual(sum.scalars(as: Float.self), [1])
            XCTAssertEqual((Tensor([Float16(60000)]) * 2).scalars(as: Float.self), [.infinity])
            XCTAssertEqual(Tensor([1, 4] as [Float16]).sqrt().scalars(as: Float16.self), [1, 2])
            XCTAssertEqual(Tensor([0.5, 2] as [BFloat16]).exp().dtype, .bfloat16)
            // Comparisons and indices keep their dtypes.
            let x = Tensor([3, 1, 2] as [Float16])
            XCTAssertEqual((x .> 1.5).dtype, .bool)
            XCTAssertEqual((x .> 1.5).scalars(as: Bool.self), [true, false, true])
            XCTAssertEqual(x.argmax().dtype, .int64)
            XCTAssertEqual(x.argmax().item(as: Int64.self), 0)
            let (values, indices) = x.sort()
            XCTAssertEqual(values.scalars(as: Float16.self), [1, 2, 3])
            XCTAssertEqual(indices.scalars(as: Int64.self), [1, 2, 0])
            XCTAssertEqual(x.softmax().dtype, .float16)
            XCTAssertEqual(x.cumsum(axis: 0).scalars(as: Float16.self), [3, 4, 6])
        }
    }

    /// Gradients of half-precision parameters are in the parameter's dtype, as torch's.
    func testAutogradKeepsTheParametersDType() {
        for dtype in [DType.float16, .bfloat16] {
            var w = Tensor([1, -2, 3] as [Float]).to(dtype)
            w.requiresGrad = true
            let x = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]]).to(dtype)
            ((x * w).sum() + (w * w).sum()).backward()
            XCTAssertEqual(w.grad?.dtype, dtype)
            XCTAssertEqual(w.grad?.scalars(as: Float.self), [7, 3, 15])
            // A kernel that records its own gradient (max pooling) passes it back through the widening.
            var image = Tensor(shape: [1, 1, 2, 2], scalars: [1, 4, 3, 2] as [Float]).to(dtype)
            image.requiresGrad = true
            image.maxPool2d(kernelSize: 2).sum().backward()
            XCTAssertEqual(image.grad?.dtype, dtype)
            XCTAssertEqual(image.grad?.scalars(as: Float.self), [0, 1, 0, 0])
        }
    }

    /// Kernels that write in place write into a float32 copy that is rounded back.
    func testInPlaceUpdatesRoundBackIntoTheHalfTensor() {
        var x = Tensor([1, 2, 3] as [Float16])
        x += 1
        XCTAssertEqual(x.dtype, .float16)
        XCTAssertEqual(x.scalars(as: Float16.self), [2, 3, 4])
        x.addScaled(Tensor([1, 1, 1] as [Float16]), by: 0.5)
        XCTAssertEqual(x.scalars(as: Float16.self), [2.5, 3.5, 4.5])
        var y = Tensor.zeros([3], dtype: .bfloat16)
        y.indexPut([Tensor([0, 0, 2] as [Int64])], values: Tensor([1, 2, 3] as [Float]).to(.bfloat16), accumulate: true)
        XCTAssertEqual(y.scalars(as: Float.self), [3, 0, 3])
        XCTAssertEqual(Tensor([[1, 2], [3, 4]] as [[Float]]).to(.float16).sum(axis: 0).scalars(as: Float.self), [4, 6])
    }

    func testOpsWithoutAHalfKernelSayWhichDType() {
        let a = Tensor([[2, 1], [1, 3]] as [[Float]]).to(.float16)
        assertFails("solve: needs a float32 or float64 tensor, got float16") { _ = try? Linalg.solve(a, a) }
        assertFails("to(_:dividedBy:): converts to float32 or float64, not bfloat16") { _ = Tensor([1] as [UInt8]).to(.bfloat16, dividedBy: 255) }
    }
}
