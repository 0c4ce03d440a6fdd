import Foundation
import XCTest
import NablaTestSupport
import Nabla
@testable import NablaData

/// Every element type of the safetensors format Nabla supports, against `safetensors.torch`.
final class SafeTensorsDTypeTests: XCTestCase {
    /// Float32 values that F16 and BF16 round: a value above F16's range (→ inf), subnormals,
    /// and ties (1 + 2⁻⁸ and 1 + 3·2⁻⁸ round to even in BF16).
    private static let halfSource: [Float] = [0.1, 65504, 1e5, 6e-8, -2, 1.00390625, 1.01171875, 3.14159265, -1e38, 5.9604645e-08]

    /// The tensors both sides write, by name; F16 and BF16 hold `halfSource` rounded.
    private static var tensors: [(name: String, tensor: Tensor)] {
        [("f64", Tensor([1.0 / 3, -2.5e-310, 1e300, -0.0, .infinity] as [Double])),
         ("f32", Tensor(shape: [2, 2], scalars: [0.15625, -1.5, Float.leastNonzeroMagnitude, Float.greatestFiniteMagnitude])),
         ("i64", Tensor([Int64.min, Int64.max, 9_007_199_254_740_993, -1, 0] as [Int64])),
         ("i32", Tensor([Int32.min, Int32.max, 7] as [Int32])),
         ("u8", Tensor(shape: [1, 3], scalars: [0, 255, 128] as [UInt8])),
         ("bool", Tensor([true, false, true])),
         ("steps", Tensor(Int64(7))),
         ("f16", Tensor(halfSource).to(.float16)),
         ("bf16", Tensor(halfSource).to(.bfloat16))]
    }

    /// The same tensors in torch, and the checks of Nabla's files: dtype, shape and every
    /// byte equal (so -0.0, subnormals and the extremes of each type count).
    private static let torchScript = #"""
    import math, sys, torch
    from safetensors.torch import load_file, save_file
    folder = sys.argv[1]
    half_source = torch.tensor([0.1, 65504, 1e5, 6e-8, -2, 1.00390625, 1.01171875, 3.14159265, -1e38, 5.9604645e-08], dtype=torch.float32)
    expected = {
        "f64": torch.tensor([1 / 3, -2.5e-310, 1e300, -0.0, math.inf], dtype=torch.float64),
        "f32": torch.tensor([[0.15625, -1.5], [2.0 ** -149, 3.4028234663852886e38]], dtype=torch.float32),
        "i64": torch.tensor([-2 ** 63, 2 ** 63 - 1, 2 ** 53 + 1, -1, 0], dtype=torch.int64),
        "i32": torch.tensor([-2 ** 31, 2 ** 31 - 1, 7], dtype=torch.int32),
        "u8": torch.tensor([[0, 255, 128]], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "steps": torch.tensor(7, dtype=torch.int64),
        "f16": half_source.half(),
        "bf16": half_source.bfloat16(),
    }
    save_file(expected, folder + "/torch.safetensors")

    def same(name, a, b):
        assert a.dtype == b.dtype and a.shape == b.shape, (name, a.dtype, b.dtype, a.shape, b.shape)
        assert a.flatten().view(torch.uint8).tolist() == b.flatten().view(torch.uint8).tolist(), (name, a, b)

    nabla = load_file(folder + "/nabla.safetensors")
    assert sorted(nabla) == sorted(expected), sorted(nabla)
    for name, tensor in nabla.items():
        same(name, tensor, expected[name])
    for kind in ("f16", "bf16"):
        stored = load_file(folder + "/nabla-" + kind + ".safetensors")
        same(kind, stored[kind], expected[kind])
        same("f64 beside " + kind, stored["f64"], expected["f64"])
        same("i64 beside " + kind, stored["i64"], expected["i64"])
        print(kind, " ".join(repr(v) for v in expected[kind].float().tolist()))
    """#

    func testEveryElementTypeRoundTripsWithTorch() throws {
        let folder = try makeTemporaryFolder(self)
        try SafeTensors.write(Self.tensors, to: folder + "/nabla.safetensors")
        let halfSource = Tensor(Self.halfSource)
        for (kind, storage) in [("f16", SafeTensors.Float32Storage.f16), ("bf16", .bf16)] {
            try SafeTensors.write([(kind, halfSource), Self.tensors[0], Self.tensors[2]], storingFloat32As: storage,
                                  to: folder + "/nabla-\(kind).safetensors")
        }
        // torch checks Nabla's files and prints the float32 values of its F16 and BF16 tensors.
        let printed = try runTorchPython(Self.torchScript, arguments: [folder])
        var torchHalves: [String: [Float]] = [:]
        for line in printed.split(separator: "\n") {
            let words = line.split(separator: " ")
            torchHalves[String(words[0])] = words.dropFirst().map { Float(Double(String($0))!) }
        }
        XCTAssertEqual(torchHalves.keys.sorted(), ["bf16", "f16"])

        let read = try SafeTensors.read(from: folder + "/torch.safetensors")
        let byName = Dictionary(uniqueKeysWithValues: read.map { ($0.name, $0.tensor) })
        XCTAssertEqual(byName.count, Self.tensors.count)
        func bits<T: TensorScalar & BinaryFloatingPoint>(_ values: [T]) -> [String] { values.map { "\($0.sign)\($0.exponentBitPattern)|\($0.significandBitPattern)" } }
        for (name, tensor) in Self.tensors {
            let loaded = try XCTUnwrap(byName[name], name)
            XCTAssertEqual(loaded.dtype, tensor.dtype, name)
            XCTAssertEqual(loaded.shape, tensor.shape, name)
            switch tensor.dtype {
            case .float64: XCTAssertEqual(bits(loaded.scalars(as: Double.self)), bits(tensor.scalars(as: Double.self)), name)
            // A float16 or bfloat16 value is a float32 value, exactly.
            case .float32, .float16, .bfloat16: XCTAssertEqual(bits(loaded.scalars(as: Float.self)), bits(tensor.scalars(as: Float.self)), name)
            case .int64: XCTAssertEqual(loaded.scalars(as: Int64.self), tensor.scalars(as: Int64.self), name)
            case .int32: XCTAssertEqual(loaded.scalars(as: Int32.self), tensor.scalars(as: Int32.self), name)
            case .uint8: XCTAssertEqual(loaded.scalars(as: UInt8.self), tensor.scalars(as: UInt8.self), name)
            case .bool: XCTAssertEqual(loaded.scalars(as: Bool.self), tensor.scalars(as: Bool.self), name)
            }
        }
        // torch's F16 and BF16 read as float16 and bfloat16, with the values torch printed.
        for kind in ["f16", "bf16"] {
            XCTAssertEqual(byName[kind]?.scalars, torchHalves[kind], kind)
        }
        // F16 and BF16 differ from the source where they round, and 1e5 is past F16's range.
        XCTAssertEqual(byName["f16"]?.scalars[2], .infinity)
        XCTAssertEqual(byName["bf16"]?.scalars[5], 1)
        XCTAssertEqual(byName["bf16"]?.scalars[6], 1.015625)
    }

    /// What Nabla writes it reads back with the same dtypes and bytes, and a Nabla file
    /// written with F16 from float32 reads back as float16, its rounded values.
    func testNablaFilesReadBackExactly() throws {
        let path = try makeTemporaryFolder(self) + "/all.safetensors"
        try SafeTensors.write(Self.tensors, to: path)
        let read = try SafeTensors.read(from: path)
        XCTAssertEqual(read.map(\.name), Self.tensors.map(\.name))
        for ((_, loaded), (name, tensor)) in zip(read, Self.tensors) {
            XCTAssertEqual(loaded.dtype, tensor.dtype, name)
            XCTAssertEqual(loaded.scalars(as: Double.self).map(\.bitPattern), tensor.scalars(as: Double.self).map(\.bitPattern), name)
            XCTAssertEqual(loaded.scalars(as: Int64.self), tensor.scalars(as: Int64.self), name)
        }
        try SafeTensors.write([("h", Tensor(Self.halfSource))], storingFloat32As: .f16, to: path)
        let stored = try SafeTensors.read(from: path)[0].tensor
        XCTAssertEqual(stored.dtype, .float16)
        XCTAssertEqual(stored.scalars(as: Float16.self).map(\.bitPattern), Self.halfSource.map { Float16($0).bitPattern })
    }

    /// A file with the given JSON header and `data` as its data.
    private func handMade(_ header: String, data: [UInt8]) throws -> String {
        let path = try makeTemporaryFolder(self) + "/hand.safetensors"
        try writeFile(withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8) + data, to: path)
        return path
    }

    func testEveryDTypeKeepsTheDecoderLimits() throws {
        let cases: [(header: String, data: [UInt8], expected: String)] = [
            (#"{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, [0, 0],
             #"tensor "w": has dtype F8_E4M3; Nabla reads F64, F32, F16, BF16, I64, I32, U8, BOOL"#),
            (#"{"w":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}}"#, [0, 0, 0, 0],
             #"tensor "w": shape [3] needs 6 bytes of F16 but data_offsets [0, 4] hold 4"#),
            (#"{"w":{"dtype":"BF16","shape":[1099511627776],"data_offsets":[0,8]}}"#, Array(repeating: 0, count: 8),
             #"tensor "w": shape [1099511627776] needs 2199023255552 bytes of BF16 but data_offsets [0, 8] hold 8"#),
            (#"{"w":{"dtype":"I64","shape":[1099511627776],"data_offsets":[0,8]}}"#, Array(repeating: 0, count: 8),
             #"tensor "w": shape [1099511627776] needs 8796093022208 bytes of I64 but data_offsets [0, 8] hold 8"#),
            (#"{"w":{"dtype":"I64","shape":[1099511627776],"data_offsets":[0,8796093022208]}}"#, Array(repeating: 0, count: 8),
             "data_offsets [0, 8796093022208] lie outside the 8 bytes of data"),
            (#"{"w":{"dtype":"I64","shape":[2305843009213693952, 2],"data_offsets":[0,8]}}"#, Array(repeating: 0, count: 8),
             "is too large for any tensor (its extents, an empty one counting as 1, times the 8 bytes of one int64 element pass 2^63)"),
            (#"{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}"#, [1, 2, 0],
             #"tensor "m": BOOL element 1 is the byte 2, not 0 or 1"#),
        ]
        for (header, data, expected) in cases {
            let path = try handMade(header, data: data)
            let before = Nabla.storageStatistics
            assertDataError(try SafeTensors.read(from: path), path: path, mentions: expected)
            // Refused from the header: no tensor storage was taken (the BOOL check runs on the data it read).
            if !expected.contains("BOOL element") {
                XCTAssertEqual(Nabla.storageStatistics.systemAllocations, before.systemAllocations, expected)
                XCTAssertEqual(Nabla.storageStatistics.cacheHits, before.cacheHits, expected)
            }
        }
    }
}
