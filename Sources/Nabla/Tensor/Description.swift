import Foundation

extension Tensor: CustomStringConvertible {
    /// The values laid out like PyTorch's `tensor([[1., 2.], [3., 4.]])`, with
    /// the shape; axes longer than six are summarised with `...` once the tensor
    /// holds more than 1000 elements. As in PyTorch, a leaf that requires grad adds
    /// `requiresGrad: true` and a result that autograd records adds the op that
    /// made it (PyTorch's `grad_fn`): `gradFn: mul`.
    public var description: String {
        let values = dtype.dispatch(FormattedElements(tensor: self))
        let summarise = values.count > 1000
        var text = "tensor("
        render(values, axis: 0, offset: 0, indent: 7, summarise: summarise, into: &text)
        text += ", shape: \(describe(shape))"
        // As PyTorch: the dtype is shown unless the printed values already say it.
        if ![.float32, .int64, .bool].contains(dtype) { text += ", dtype: \(dtype)" }
        if let node = autograd { text += node.isLeaf ? ", requiresGrad: true" : ", gradFn: \(node.op)" }
        return text + ")"
    }

    private func render(_ values: [String], axis: Int, offset: Int, indent: Int, summarise: Bool, into text: inout String) {
        if axis == rank {
            text += values[offset]
            return
        }
        let extent = shape[axis]
        let step = shape[(axis + 1)...].reduce(1, *)
        let edge = 3
        let shown: [Int?] = summarise && extent > 2 * edge
            ? Array(0..<edge) + [nil] + Array((extent - edge)..<extent)
            : Array(0..<extent)
        let separator = axis == rank - 1 ? ", " : "," + String(repeating: "\n", count: rank - axis - 1) + String(repeating: " ", count: indent + 1)
        text += "["
        for (position, item) in shown.enumerated() {
            if position > 0 { text += separator }
            if let i = item {
                render(values, axis: axis + 1, offset: offset + i * step, indent: indent + 1, summarise: summarise, into: &text)
            } else {
                text += "..."
            }
        }
        text += "]"
    }
}

/// Every element as text, padded to one width so that columns line up:
/// floating values in one ``ScalarFormat``, integers in full, bools as `true`/`false`.
private struct FormattedElements: ScalarKernel {
    let tensor: Tensor
    func run<T: TensorScalar>(_ type: T.Type) -> [String] {
        let values = tensor.scalars(as: T.self)
        let texts: [String]
        if T.dtype.isFloatingPoint {
            let doubles = values.map(\.doubleValue)
            let format = ScalarFormat(doubles)
            texts = doubles.map(format.string)
        } else if T.dtype == .bool {
            texts = values.map { $0.int64Value != 0 ? "true" : "false" }
        } else {
            texts = values.map { String($0.int64Value) }
        }
        let width = texts.map(\.count).max() ?? 0
        return texts.map { String(repeating: " ", count: width - $0.count) + $0 }
    }
}

/// One number format for all elements, so columns line up: whole numbers as
/// `3.`, others with four decimals, very large or small magnitudes in e-notation.
private struct ScalarFormat {
    let width: Int
    let style: Style
    enum Style { case whole, fixed, scientific }

    init(_ values: [Double]) {
        let style: Style
        let finite = values.filter { $0.isFinite }
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 != 0 }
        if finite.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e8 }) {
            style = .whole
        } else if let largest = magnitudes.max(), let smallest = magnitudes.min(), largest >= 1e8 || smallest < 1e-4 || largest / smallest > 1e6 {
            style = .scientific
        } else {
            style = .fixed
        }
        let unpadded = ScalarFormat(style: style, width: 0)
        self.init(style: style, width: values.map { unpadded.string($0).count }.max() ?? 0)
    }

    private init(style: Style, width: Int) {
        self.style = style
        self.width = width
    }

    func string(_ value: Double) -> String {
        let text: String
        if value.isNaN { text = "nan" }
        else if value.isInfinite { text = value > 0 ? "inf" : "-inf" }
        else {
            switch style {
            case .whole: text = String(format: "%.0f.", value)
            case .fixed: text = String(format: "%.4f", value)
            case .scientific: text = String(format: "%.4e", value)
            }
        }
        return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }
}
