import Foundation
import Nabla

/// The table of the differential test: every entry is one op, written once in
/// Swift and once as a torch expression, with the cases it runs on and its
/// tolerance. The harness makes the inputs, runs each case on both backends in
/// each dtype the op takes (float32 and float64, and float16 and bfloat16, which compute
/// in float32, for every op but `Linalg`'s LAPACK routines; int64, int32, uint8 and bool
/// for the ops of `IntegerTable` and the exact ops of the other tables that take them),
/// and `torch_oracle.py` recomputes it (in float64 for a floating case, in the operands'
/// own dtypes for an integer or bool one) and compares.

/// How an operand is laid out in memory: the op sees `shape` either way, but
/// the tensor handed to it is a view of a differently shaped base (the leaf
/// whose gradient is compared), made by recorded ops that torch repeats.
enum Layout {
    case contiguous
    /// The last two axes of a contiguous base swapped (column-major strides).
    case transposed
    /// The interior of a base one larger on each side of every axis (offset, row strides wider than the rows).
    case sliced
    /// Every other element of a base twice as long on `axis` (stride 2 there).
    case stepped(axis: Int)
    /// A base of shape `from`, broadcast to the operand's shape (stride 0 on stretched axes).
    case expanded(from: [Int])

    static let stepped = Layout.stepped(axis: -1)
}

/// The values an operand holds (seeded per case).
enum Values {
    case normal(scale: Float)
    case uniform(Float, Float)
    /// These values first, in row-major order, then standard normal ones.
    case special([Float])
    /// Exactly these values (the base's element count must match).
    case exact([Float])
    /// Integers 0..<classes, as floats (class indices).
    case classes(Int)
    /// 0 and 1 at random.
    case binary
    /// M·Mᵀ/n + I for a random n×n M: symmetric positive definite.
    case symmetricPositiveDefinite
    /// A random n×n matrix plus n·I, so its condition number stays small.
    case wellConditioned
    /// Integers over the operand's integer dtype (what `normal` and `uniform` give there too):
    /// small ones of both signs (ties, zeros) mixed with the extremes of the dtype, so sums and
    /// products wrap where torch's wrap (int64 values beyond 2⁵³ test that nothing rounds them
    /// through a Double). Bools at random. In a floating dtype: integers exact in float32.
    case integers
    /// Integers in `range` (clamped to the dtype's range; bool takes 0 and 1): ties without wraparound.
    case integersIn(ClosedRange<Int64>)
    /// Exactly these integers (in the operand's dtype's range; the base's element count must match).
    case exactIntegers([Int64])

    static let normal = Values.normal(scale: 1)
    static let positive = Values.uniform(0.05, 4)
}

struct Operand {
    var shape: [Int]
    var layout: Layout = .contiguous
    var values: Values = .normal
    var requiresGrad = true
    /// The dtype this operand has whatever the case's (the other side of a mixed-dtype case);
    /// nil for the case's dtype.
    var dtype: DType?

    init(_ shape: [Int], _ layout: Layout = .contiguous, _ values: Values = .normal, grad: Bool = true, dtype: DType? = nil) {
        self.shape = shape
        self.layout = layout
        self.values = values
        self.requiresGrad = grad
        self.dtype = dtype
    }

    /// The dtype of this operand in a case run in `caseDType`. In a floating case class indices and
    /// masks without a gradient keep their float32 form; in an integer or bool case they are int64
    /// indices and bool masks, and every other operand takes the case's dtype.
    func dtype(in caseDType: DType) -> DType {
        if let dtype { return dtype }
        if caseDType.isFloatingPoint { return requiresGrad || values.isNumeric ? caseDType : .float32 }
        switch values {
        case .classes: return .int64
        case .binary: return .bool
        default: return caseDType
        }
    }
}

/// Arguments of an op other than its tensors; the torch template refers to
/// them as `{axes}`, `{axis}`, `{keep}`, `{scalar}` (`{scalar:int}` as an integer), `{ints}`, `{text}`.
struct Params {
    var axes: [Int] = []
    var keepDims = false
    var scalar: Float = 0
    var ints: [Int] = []
    /// Free text for the torch side (a Python subscript, say).
    var text = ""
    /// A subscript's indices, for the Swift side (`text` holds the same subscript in Python).
    var indices: [TensorIndex] = []

    var axis: Int { axes.first ?? 0 }
}

struct Case {
    let label: String
    let operands: [Operand]
    var params = Params()
    /// An open bug (issue and number) that makes this case disagree: it is run and
    /// compared, and a mismatch is reported as known rather than failing. Remove it with the fix.
    var known: String? = nil

    init(_ label: String, _ operands: [Operand], _ params: Params = Params(), known: String? = nil) {
        self.label = label
        self.operands = operands
        self.params = params
        self.known = known
    }

    /// This case marked as disagreeing because of `bug`.
    func known(_ bug: String) -> Case { Case(label, operands, params, known: bug) }
}

/// One op of the table.
struct DifferentialOp {
    let name: String
    /// A Python expression in the operands a, b, c… and `torch`, `F`, `dtype` (the case's, as a
    /// torch dtype: the operands themselves are float64 there), with `{param}` fields.
    let torch: String
    /// Tolerance in float32 units of the last place, per unit of reduction length, for the outputs and the gradients
    /// (by default twice the outputs', and at least 1: gradients of repeated elements are sums).
    let ulps: Double
    let gradUlps: Double
    /// The magnitude below which errors in the outputs count as absolute rather than relative.
    let floor: Double
    /// Whether errors are relative to the largest element of each tensor (normwise, as for linear solves).
    let normwise: Bool
    /// Where Nabla's convention differs from torch's on purpose, in one line.
    let note: String?
    /// How many leading outputs carry a gradient (the rest are indices or masks); `.max` for all.
    let differentiable: Int
    /// The longest sum behind one output element or gradient element.
    let length: (_ shapes: [[Int]], _ params: Params) -> Int
    let cases: [Case]
    /// The dtypes the op takes: each case runs in each, its float-valued
    /// operands converted (class indices and masks without a gradient stay as they are). `[.float32]`
    /// marks an op whose kernel is float32-only, which stops on a float64 tensor. In an
    /// integer or bool dtype the operands hold integers of that dtype (see
    /// ``Operand/dtype(in:)``), nothing is differentiated, and the oracle compares exactly.
    let dtypes: [DType]
    let nabla: (_ operands: [Tensor], _ params: Params) -> [Tensor]

    init(_ name: String, torch: String, ulps: Double, gradUlps: Double? = nil, floor: Double = 1, normwise: Bool = false,
         note: String? = nil, differentiable: Int = 1,
         length: @escaping (_ shapes: [[Int]], _ params: Params) -> Int = { _, _ in 1 },
         dtypes: [DType] = DType.floating + DType.halves,
         cases: [Case], nabla: @escaping (_ operands: [Tensor], _ params: Params) -> [Tensor]) {
        self.name = name
        self.torch = torch
        self.ulps = ulps
        self.gradUlps = gradUlps ?? Swift.max(1, 2 * ulps)
        self.floor = floor
        self.normwise = normwise
        self.note = note
        self.differentiable = differentiable
        self.length = length
        self.dtypes = dtypes
        self.cases = cases
        self.nabla = nabla
    }

    /// An op with one output.
    init(_ name: String, torch: String, ulps: Double, gradUlps: Double? = nil, floor: Double = 1, normwise: Bool = false,
         note: String? = nil, differentiable: Int = 1,
         length: @escaping (_ shapes: [[Int]], _ params: Params) -> Int = { _, _ in 1 },
         dtypes: [DType] = DType.floating + DType.halves,
         cases: [Case], _ nabla: @escaping (_ operands: [Tensor], _ params: Params) -> Tensor) {
        self.init(name, torch: torch, ulps: ulps, gradUlps: gradUlps, floor: floor, normwise: normwise, note: note, differentiable: differentiable,
                  length: length, dtypes: dtypes, cases: cases, nabla: { [nabla($0, $1)] })
    }
}

extension DType {
    static let floating: [DType] = [.float32, .float64]
    /// The 2-byte storage types, which compute in float32: their cases start from values exact in
    /// them, and the oracle judges them in units of their own precision.
    static let halves: [DType] = [.float16, .bfloat16]
    /// The integer and bool dtypes, whose cases the oracle compares exactly.
    static let integral: [DType] = [.int64, .int32, .uint8, .bool]
    static let integers: [DType] = [.int64, .int32, .uint8]
    /// Every dtype: the ops that only move, pick or compare elements.
    static let every = floating + halves + integral
}

// MARK: - Making the operands

/// The values of an operand's base, exactly: float32 numbers (exact in float64 too) for a
/// floating operand, integers for an integer or bool one.
enum OperandData {
    case floats([Float])
    case integers([Int64])

    var count: Int {
        switch self {
        case .floats(let values): return values.count
        case .integers(let values): return values.count
        }
    }

    func tensor(shape: [Int], dtype: DType) -> Tensor {
        switch self {
        case .floats(let values): return Tensor(shape: shape, scalars: values).to(dtype)
        case .integers(let values): return Tensor(shape: shape, scalars: values).to(dtype)
        }
    }

    /// JSON that Python's json module reads exactly: integers as integers (no rounding through a
    /// Double beyond 2⁵³), floats with NaN and Infinity.
    var json: String {
        switch self {
        case .floats(let values): return "[" + values.map { jsonNumber(Double($0)) }.joined(separator: ",") + "]"
        case .integers(let values): return "[" + values.map(String.init).joined(separator: ",") + "]"
        }
    }
}

/// A base tensor and the view steps that turn it into the operand.
struct PreparedOperand {
    let baseShape: [Int]
    let data: OperandData
    let dtype: DType
    let requiresGrad: Bool
    let steps: [ViewStep]

    /// A fresh leaf on the current backend and the operand viewed from it.
    func make() -> (base: Tensor, operand: Tensor) {
        var base = data.tensor(shape: baseShape, dtype: dtype)
        base.requiresGrad = requiresGrad
        return (base, steps.reduce(base) { $1.apply(to: $0) })
    }
}

enum ViewStep {
    case permute([Int])
    case slice([Range<Int>])
    case select(axis: Int, index: Int)
    case reshape([Int])
    case expand([Int])

    func apply(to t: Tensor) -> Tensor {
        switch self {
        case .permute(let axes): return t.permute(axes)
        case .slice(let ranges): return t[ranges.map { $0 as TensorIndex }]
        case .select(let axis, let index):
            return t[(0..<axis).map { (0..<t.shape[$0]) as TensorIndex } + [index]]
        case .reshape(let shape): return t.reshape(shape)
        case .expand(let shape): return t.expand(to: shape)
        }
    }

    var json: String {
        switch self {
        case .permute(let axes): return "[\"permute\",\(axes)]"
        case .slice(let ranges): return "[\"slice\",[\(ranges.map { "[\($0.lowerBound),\($0.upperBound)]" }.joined(separator: ","))]]"
        case .select(let axis, let index): return "[\"select\",\(axis),\(index)]"
        case .reshape(let shape): return "[\"reshape\",\(shape)]"
        case .expand(let shape): return "[\"expand\",\(shape)]"
        }
    }
}

extension Operand {
    func prepared(caseDType: DType, generator: inout RandomGenerator) -> PreparedOperand {
        let (baseShape, steps) = recipe()
        let dtype = dtype(in: caseDType)
        var data: OperandData = dtype.isFloatingPoint && !values.isInteger
            ? .floats(values.generate(baseShape, &generator))
            : .integers(values.generateIntegers(baseShape, dtype: dtype, &generator))
        // A half-precision operand holds values exact in its dtype, so that torch starts from the same numbers.
        if DType.halves.contains(dtype), case .floats(let values) = data {
            data = .floats(Tensor(shape: baseShape, scalars: values).to(dtype).scalars(as: Float.self))
        }
        // An integer or bool case compares values only: none of its operands takes a gradient.
        return PreparedOperand(baseShape: baseShape, data: data, dtype: dtype, requiresGrad: requiresGrad && caseDType.isFloatingPoint,
                               steps: steps)
    }

    private func recipe() -> ([Int], [ViewStep]) {
        let rank = shape.count
        switch layout {
        case .contiguous:
            return (shape, [])
        case .transposed:
            precondition(rank >= 2, "a transposed operand needs two axes, got \(shape)")
            var base = shape
            base.swapAt(rank - 1, rank - 2)
            var order = Array(0..<rank)
            order.swapAt(rank - 1, rank - 2)
            return (base, [.permute(order)])
        case .sliced:
            precondition(rank >= 1, "a sliced operand needs an axis")
            return (shape.map { $0 + 2 }, [.slice(shape.map { 1..<($0 + 1) })])
        case .stepped(let axis):
            precondition(rank >= 1, "a stepped operand needs an axis")
            let a = axis < 0 ? axis + rank : axis
            var base = shape, split = shape
            base[a] *= 2
            split.insert(2, at: a + 1)
            return (base, [.reshape(split), .select(axis: a + 1, index: 1)])
        case .expanded(let from):
            return (from, [.expand(shape)])
        }
    }
}

extension Values {
    /// False for class indices and 0/1 masks (which, when no gradient reaches them, keep their
    /// float32 form in every dtype's run; integral values with a gradient are numbers, e.g. ties).
    var isNumeric: Bool {
        switch self {
        case .classes, .binary: return false
        default: return true
        }
    }

    /// Whether these values are integers of the operand's own dtype (``integers``, ``integersIn(_:)``, ``exactIntegers(_:)``).
    var isInteger: Bool {
        switch self {
        case .integers, .integersIn, .exactIntegers: return true
        default: return false
        }
    }

    /// Values of an integer or bool operand (bool as 0 and 1), or integer values for a floating one.
    func generateIntegers(_ shape: [Int], dtype: DType, _ g: inout RandomGenerator) -> [Int64] {
        let count = shape.reduce(1, *)
        let (low, high): (Int64, Int64) = switch dtype {
        case .int64: (.min, .max)
        case .int32: (Int64(Int32.min), Int64(Int32.max))
        case .uint8: (0, 255)
        case .bool: (0, 1)
        // An integer-valued floating operand (the other side of a mixed case): exact in float32.
        case .float32, .float64: (-(1 << 24), 1 << 24)
        case .float16: (-(1 << 11), 1 << 11)
        case .bfloat16: (-(1 << 8), 1 << 8)
        }
        func uniform(_ range: ClosedRange<Int64>) -> Int64 {
            let width = UInt64(bitPattern: range.upperBound &- range.lowerBound)
            return width == .max ? Int64(bitPattern: g.next()) : range.lowerBound &+ Int64(bitPattern: g.next() % (width + 1))
        }
        switch self {
        case .integers, .normal, .uniform:
            // Near zero most of the time (ties and zeros); the extremes and their neighbours otherwise.
            let small = Swift.max(low, -4)...Swift.min(high, 4)
            let edges = [low, low &+ 1, high &- 1, high, high / 2 + 1, 1 << 53, (1 << 53) + 1, -(1 << 53) - 1].filter { (low...high).contains($0) }
            return (0..<count).map { _ in
                switch g.next() % 8 {
                case 0, 1: return edges[Int(g.next() % UInt64(edges.count))]
                case 2: return uniform(low...high)
                default: return uniform(small)
                }
            }
        case .integersIn(let range):
            return (0..<count).map { _ in uniform(Swift.max(low, range.lowerBound)...Swift.min(high, range.upperBound)) }
        case .exactIntegers(let values):
            precondition(values.count == count && values.allSatisfy((low...high).contains), "exact integers \(values) for shape \(shape) in \(dtype)")
            return values
        case .exact(let values):
            precondition(values.count == count, "exact values: \(values.count) given for shape \(shape)")
            return values.map { value in
                precondition(value == value.rounded() && (Float(low)...Float(high)).contains(value), "exact value \(value) is not a \(dtype)")
                return Int64(value)
            }
        case .classes, .binary:
            return generate(shape, &g).map { Int64($0) }
        case .special, .symmetricPositiveDefinite, .wellConditioned:
            preconditionFailure("\(self) values in a \(dtype) operand: integer cases take integers (or normal, uniform: the same), "
                                + "integersIn, exactIntegers, integral exact values, classes or binary")
        }
    }

    func generate(_ shape: [Int], _ g: inout RandomGenerator) -> [Float] {
        let count = shape.reduce(1, *)
        switch self {
        case .normal(let scale):
            return (0..<count).map { _ in g.nextNormal() * scale }
        case .uniform(let low, let high):
            return (0..<count).map { _ in low + (high - low) * g.nextFloat() }
        case .special(let values):
            return (0..<count).map { i in i < values.count ? values[i] : g.nextNormal() }
        case .exact(let values):
            precondition(values.count == count, "exact values: \(values.count) given for shape \(shape)")
            return values
        case .classes(let classes):
            return (0..<count).map { _ in Float(g.next() % UInt64(classes)) }
        case .binary:
            return (0..<count).map { _ in Float(g.next() % 2) }
        case .symmetricPositiveDefinite:
            let n = shape[0], m = (0..<(n * n)).map { _ in Double(g.nextNormal()) }
            return (0..<(n * n)).map { e in
                let i = e / n, j = e % n
                let product = (0..<n).reduce(0.0) { $0 + m[i * n + $1] * m[j * n + $1] }
                return Float(product / Double(n) + (i == j ? 1 : 0))
            }
        case .wellConditioned:
            let columns = shape[1]
            return (0..<count).map { e in g.nextNormal() + (e / columns == e % columns ? Float(columns) : 0) }
        case .integers, .integersIn, .exactIntegers:
            preconditionFailure("integer values are made by generateIntegers")
        }
    }
}

// MARK: - Running a case

/// FNV-1a, so that a case's seed depends only on its op and label.
func stableSeed(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

struct BackendResult {
    let outputs: [Tensor]
    let grads: [Tensor?]
}

extension DifferentialOp {
    /// Ops that disagree with torch in float64 because of an open bug (issue 20), each with
    /// the reason: their float64 cases are compared and a mismatch printed as KNOWN, as a
    /// case's `known` mark does. Remove an entry with its fix.
    static let knownInFloat64: [String: String] = [:]

    /// Runs `c` in `dtype` on both backends and returns its JSON record for the oracle. A
    /// programmer error (Nabla stopping where torch computes) stops the test,
    /// its message prefixed with the op, the case, the dtype and the backend.
    func record(_ c: Case, dtype: DType) -> String {
        let previous = Nabla.failureHandler
        defer { Nabla.failureHandler = previous }
        var backend = BackendKind.blas
        Nabla.failureHandler = { message in
            previous("differential case \(name) | \(c.label) (\(dtype)) [\(backend)]: Nabla stopped: \(message)")
        }
        return recordOnBothBackends(c, dtype: dtype) { backend = $0 }
    }

    private func recordOnBothBackends(_ c: Case, dtype: DType, starting: (BackendKind) -> Void) -> String {
        var generator = RandomGenerator(seed: stableSeed(name + "|" + c.label))
        let operands = c.operands.map { $0.prepared(caseDType: dtype, generator: &generator) }
        var upstream: [Tensor]?
        var results: [(BackendKind, BackendResult)] = []
        for kind in BackendKind.allCases {
            starting(kind)
            results.append((kind, withBackend(kind) { run(c, operands, dtype: dtype, upstream: &upstream, generator: &generator) }))
        }
        let shapes = c.operands.map(\.shape)
        // A gradient element sums over the positions its input was broadcast to,
        // and over the positions of an expanded view that read it.
        let outputCount = results[0].1.outputs.first?.scalarCount ?? 1
        let broadcastFactor = zip(c.operands, operands).map { operand, prepared in
            let viewCount = Swift.max(1, operand.shape.reduce(1, *))
            return Swift.max(1, outputCount / viewCount) * Swift.max(1, viewCount / Swift.max(1, prepared.data.count))
        }.max() ?? 1
        let reduction = Swift.max(1, length(shapes, c.params))
        var json = "{\"op\":\(quoted(name)),\"case\":\(quoted(c.label)),\"dtype\":\(quoted(dtype.rawValue))"
        json += ",\"torch\":\(quoted(torchExpression(c.params)))"
        json += ",\"ulps\":\(ulps),\"grad_ulps\":\(gradUlps),\"floor\":\(floor),\"normwise\":\(normwise),\"length\":\(reduction)"
        let differentiableOutputs = Swift.min(differentiable, results[0].1.outputs.count)
        json += ",\"grad_length\":\(reduction * broadcastFactor),\"differentiable\":\(differentiableOutputs)"
        let known = c.known ?? (dtype == .float64 ? Self.knownInFloat64[name] : nil)
        json += ",\"note\":" + (note.map(quoted) ?? "null") + ",\"known\":" + (known.map(quoted) ?? "null")
        json += ",\"inputs\":[" + operands.map { o in
            "{\"shape\":\(o.baseShape),\"dtype\":\(quoted(o.dtype.rawValue)),\"data\":\(o.data.json),\"grad\":\(o.requiresGrad),\"view\":[\(o.steps.map(\.json).joined(separator: ","))]}"
        }.joined(separator: ",") + "]"
        json += ",\"upstream\":[" + (upstream ?? []).map(tensorJSON).joined(separator: ",") + "]"
        json += ",\"results\":{" + results.map { kind, result in
            "\(quoted(kind.rawValue)):{\"outputs\":[\(result.outputs.map(tensorJSON).joined(separator: ","))],"
                + "\"grads\":[\(result.grads.map { $0.map(tensorJSON) ?? "null" }.joined(separator: ","))]}"
        }.joined(separator: ",") + "}}"
        return json
    }

    /// The forward pass and the gradients of Σ sum(outᵢ · upstreamᵢ) on the current backend.
    private func run(_ c: Case, _ operands: [PreparedOperand], dtype: DType, upstream: inout [Tensor]?,
                     generator: inout RandomGenerator) -> BackendResult {
        let made = operands.map { $0.make() }
        let outputs = nabla(made.map(\.operand), c.params)
        guard differentiable > 0, operands.contains(where: \.requiresGrad) else {
            return BackendResult(outputs: outputs.map { $0.detached() }, grads: operands.map { _ in nil })
        }
        if upstream == nil {
            // In a half-precision case, values exact in its dtype, as the operands' are.
            upstream = outputs.prefix(differentiable).map { output in
                let values = Tensor.randn(output.shape, generator: &generator)
                return DType.halves.contains(dtype) ? values.to(dtype).to(.float32) : values
            }
        }
        // The upstream values are float32 numbers, given to each output in its own dtype.
        let loss = zip(outputs, upstream!).map { ($0 * $1.to($0.dtype)).sum() }.reduce(Tensor(0)) { $0 + $1 }
        loss.backward()
        let grads = zip(made, operands).map { made, operand -> Tensor? in
            operand.requiresGrad ? (made.base.grad ?? Tensor.zeros(operand.baseShape, dtype: made.base.dtype)) : nil
        }
        return BackendResult(outputs: outputs.map { $0.detached() }, grads: grads)
    }

    func torchExpression(_ p: Params) -> String {
        torch.replacingOccurrences(of: "{axes}", with: "(" + p.axes.map(String.init).joined(separator: ",") + (p.axes.count == 1 ? ",)" : ")"))
            .replacingOccurrences(of: "{axis}", with: String(p.axis))
            .replacingOccurrences(of: "{keep}", with: p.keepDims ? "True" : "False")
            .replacingOccurrences(of: "{scalar}", with: pythonNumber(p.scalar))
            .replacingOccurrences(of: "{scalar:int}", with: p.scalar.isFinite ? String(Int(p.scalar)) : "")
            .replacingOccurrences(of: "{ints}", with: "\(p.ints)")
            .replacingOccurrences(of: "{text}", with: p.text)
    }
}

private func quoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// A value exactly, as JSON that Python's json module reads (NaN and Infinity included).
private func jsonNumber(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
    return x.description
}

private func pythonNumber(_ x: Float) -> String {
    if x.isNaN { return "float('nan')" }
    if x.isInfinite { return x > 0 ? "float('inf')" : "float('-inf')" }
    return Double(x).description
}

/// A tensor's dtype and values exactly: every float32 and float64 value is a Double, every
/// integer and bool (0 or 1) an Int64.
private func tensorJSON(_ t: Tensor) -> String {
    let values = t.dtype.isFloatingPoint ? "[" + t.scalars(as: Double.self).map(jsonNumber).joined(separator: ",") + "]"
        : OperandData.integers(t.scalars(as: Int64.self)).json
    return "{\"dtype\":\(quoted(t.dtype.rawValue)),\"shape\":\(t.shape),\"data\":\(values)}"
}
