import Foundation

extension Tensor: CustomStringConvertible {
    /// The values laid out as PyTorch prints them (`repr` with its default print options),
    /// followed by the shape: `tensor([[1., 2.],\n        [3., 4.]], shape: [2, 2])`.
    ///
    /// The layout is torch's, character for character:
    /// - Rows longer than 80 columns wrap, as many elements to a line as fit, the
    ///   continuation lines indented under the first element.
    /// - Above 1000 elements, each axis longer than 6 shows its first and last 3 entries
    ///   around `...`, and the number format is chosen from the elements shown.
    /// - Floating values share one format: whole numbers as `3.`, others with 4 decimals,
    ///   and scientific notation (`1.0000e+08`) when the largest nonzero magnitude passes
    ///   1e8, the largest is more than 1000 times the smallest, or (for values that are not
    ///   all whole) the smallest is below 1e-4; `nan`, `inf` and `-inf` as such.
    /// - Integers without a decimal point, bools as `True` and `False`; every element
    ///   right-aligned to the widest shown.
    ///
    /// After the values come Nabla's suffixes, wrapped onto a new line as torch wraps its
    /// own when they would pass column 80: the shape always (torch shows `size=` only for
    /// an empty tensor); the dtype unless the values already say it (float32, int64 and
    /// bool, as torch's default dtype, `int64` and `bool`; an empty tensor shows any dtype
    /// but float32); `requiresGrad: true` on a leaf that requires grad, or the op that made
    /// a recorded result (torch's `grad_fn`): `gradFn: mul`.
    public var description: String {
        var suffixes = ["shape: \(describe(shape))"]
        let values: String
        if scalarCount == 0 {
            values = "[]"
            if dtype != .float32 { suffixes.append("dtype: \(dtype)") }
        } else {
            let shown = PrintedElements.shownIndices(shape: shape)
            values = PrintedElements(texts: dtype.dispatch(FormattedElements(tensor: self, shown: shown)), shown: shown).rendered
            if ![.float32, .int64, .bool].contains(dtype) { suffixes.append("dtype: \(dtype)") }
        }
        if let node = autograd { suffixes.append(node.isLeaf ? "requiresGrad: true" : "gradFn: \(node.op)") }
        return PrintedElements.appending(suffixes, to: PrintedElements.prefix + values)
    }
}

/// torch's print options, at their defaults.
private enum PrintOptions {
    static let lineWidth = 80
    /// Above this many elements, long axes are summarised.
    static let threshold = 1000
    static let edgeItems = 3
    static let precision = 4
}

/// The formatted elements of a tensor laid out as torch's `_tensor_str` lays them out.
private struct PrintedElements {
    static let prefix = "tensor("

    /// The formatted shown elements, row-major over the shown indices, padded to one width.
    let texts: (strings: [String], width: Int)
    /// For each axis, the indices shown, with nil where `...` stands.
    let shown: [[Int?]]

    /// Every index of each axis, or, for a tensor above the threshold, the edge items of
    /// each axis longer than twice their number around a nil for `...`.
    static func shownIndices(shape: [Int]) -> [[Int?]] {
        let summarise = shape.reduce(1, *) > PrintOptions.threshold
        let edge = PrintOptions.edgeItems
        return shape.map { extent in
            summarise && extent > 2 * edge ? Array(0..<edge) + [nil] + Array((extent - edge)..<extent) : Array(0..<extent)
        }
    }

    var rendered: String {
        var next = 0, text = ""
        render(axis: 0, indent: PrintedElements.prefix.count, next: &next, into: &text)
        return text
    }

    /// torch's `_tensor_str_with_formatter`: a scalar as its element; a vector in lines of as
    /// many elements as fit the line width; a higher axis as its slices separated by a comma,
    /// a newline per remaining axis, and the indent.
    private func render(axis: Int, indent: Int, next: inout Int, into text: inout String) {
        if axis == shown.count {
            text += texts.strings[next]
            next += 1
            return
        }
        text += "["
        if axis == shown.count - 1 {
            let perLine = Swift.max(1, (PrintOptions.lineWidth - indent) / (texts.width + 2))
            for (position, index) in shown[axis].enumerated() {
                if position > 0 { text += position % perLine == 0 ? ",\n" + String(repeating: " ", count: indent + 1) : ", " }
                if index == nil { text += " ..." } else { render(axis: axis + 1, indent: indent + 1, next: &next, into: &text) }
            }
        } else {
            let separator = "," + String(repeating: "\n", count: shown.count - axis - 1) + String(repeating: " ", count: indent + 1)
            for (position, index) in shown[axis].enumerated() {
                if position > 0 { text += separator }
                if index == nil { text += "..." } else { render(axis: axis + 1, indent: indent + 1, next: &next, into: &text) }
            }
        }
        text += "]"
    }

    /// torch's `_add_suffixes`: each suffix after `, `, or on a new line indented under the
    /// first element when it would pass the line width.
    static func appending(_ suffixes: [String], to values: String) -> String {
        var text = values
        // torch measures the last line from the character after the last newline, plus one
        // (or the whole text plus two when there is no newline).
        var lastLine = values.count - (values.lastIndex(of: "\n").map { values.distance(from: values.startIndex, to: $0) } ?? -1) + 1
        for suffix in suffixes {
            if lastLine + suffix.count + 2 > PrintOptions.lineWidth {
                text += ",\n" + String(repeating: " ", count: prefix.count) + suffix
                lastLine = prefix.count + suffix.count
            } else {
                text += ", " + suffix
                lastLine += suffix.count + 2
            }
        }
        return text + ")"
    }
}

/// The shown elements, row-major over the shown indices, as text padded to one width
/// (torch's `_Formatter` over `get_summarized_data`): floating values in one
/// ``FloatFormat``, integers in full, bools as `True`/`False`.
private struct FormattedElements: ScalarKernel {
    let tensor: Tensor
    let shown: [[Int?]]

    func run<T: TensorScalar>(_ type: T.Type) -> (strings: [String], width: Int) {
        var values: [T] = []
        let base = tensor.base(T.self)
        withExtendedLifetime(tensor.storage) {
            func collect(axis: Int, offset: Int) {
                guard axis < shown.count else { return values.append(base[offset]) }
                for case let index? in shown[axis] { collect(axis: axis + 1, offset: offset + index * tensor.strides[axis]) }
            }
            collect(axis: 0, offset: 0)
        }
        let texts: [String]
        let width: Int
        if T.dtype.isFloatingPoint {
            let doubles = values.map(\.doubleValue)
            let format = FloatFormat(doubles)
            (texts, width) = (doubles.map(format.string), format.width)
        } else {
            texts = values.map { T.dtype == .bool ? ($0.int64Value != 0 ? "True" : "False") : String($0.int64Value) }
            width = Swift.max(1, texts.map(\.count).max() ?? 0)
        }
        return (texts.map { String(repeating: " ", count: Swift.max(0, width - $0.count)) + $0 }, width)
    }
}

/// torch's one number format for the floating elements shown. Its width is that of the
/// widest finite nonzero element (at least 1): `nan` and `inf` are not counted, as in torch.
private struct FloatFormat {
    private(set) var width = 1
    private var wholeNumbers = true
    private var scientific = false

    init(_ values: [Double]) {
        let candidates = values.filter { $0.isFinite && $0 != 0 }
        guard !candidates.isEmpty else { return }
        let magnitudes = candidates.map(Swift.abs)
        let (smallest, largest) = (magnitudes.min()!, magnitudes.max()!)
        wholeNumbers = candidates.allSatisfy { $0 == $0.rounded(.up) }
        scientific = largest / smallest > 1000 || largest > 1e8 || (!wholeNumbers && smallest < 1e-4)
        // A whole number takes its decimal point as one more character.
        width = candidates.map { string(unpadded: $0).count }.max()!
    }

    func string(_ value: Double) -> String {
        let text = string(unpadded: value)
        return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    private func string(unpadded value: Double) -> String {
        // Python's formats print NaN without a sign; C's print a NaN with the sign bit as `-nan`.
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if scientific { return String(format: "%.\(PrintOptions.precision)e", value) }
        if wholeNumbers { return String(format: "%.0f.", value) }
        return String(format: "%.\(PrintOptions.precision)f", value)
    }
}
