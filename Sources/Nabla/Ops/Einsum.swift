/// Einstein summation, as PyTorch's `torch.einsum`.
extension Tensor {
    /// The sum over products of the operands' elements that `equation` describes
    /// (PyTorch's and NumPy's `einsum`): `"ij,jk->ik"` is a matrix product, `"ii->"` a
    /// trace, `"bij,bjk->bik"` a batched product, `"i,j->ij"` an outer product.
    ///
    /// - Subscripts are letters (`a`–`z`, `A`–`Z`), one per axis; spaces are ignored.
    /// - Without `->` the output is every subscript that appears once, in alphabetical
    ///   order (capitals first), after the broadcast `...` axes.
    /// - A subscript repeated within an operand takes that operand's diagonal (`"ii->i"`).
    /// - `...` stands for the axes not named; those of all operands broadcast together,
    ///   aligned on the right, and are summed when the output leaves them out.
    /// - Axes of extent 1 broadcast against the same subscript's extent in other operands.
    ///
    /// Each pair of operands is contracted, left to right, by one (batched) matrix product
    /// on the backend's gemm: the operands are permuted to batch × kept × summed axes, so
    /// no loop over the summed indices runs in Swift. Subscripts that appear in one operand
    /// only, and not in the output, are summed before the product. Gradients flow to every
    /// operand through the same diagonal, sum, permute and matmul ops.
    public static func einsum(_ equation: String, _ operands: Tensor...) -> Tensor {
        einsum(equation, operands)
    }

    /// ``einsum(_:_:)-(String,Tensor...)`` with the operands in an array.
    public static func einsum(_ equation: String, _ operands: [Tensor]) -> Tensor {
        let parsed = EinsumEquation(equation, operandRanks: operands.map(\.rank))
        var extents: [Int: Int] = [:]
        for (index, (operand, labels)) in zip(operands, parsed.inputs).enumerated() {
            var own: [Int: Int] = [:]
            for (axis, label) in labels.enumerated() {
                let extent = operand.shape[axis]
                if let seen = own.updateValue(extent, forKey: label), seen != extent {
                    fail("einsum: subscript \(parsed.name(label)) is repeated for operand \(index) but the sizes don't match, \(extent) != \(seen)")
                }
                if let seen = extents[label], seen != extent {
                    guard seen == 1 || extent == 1 else {
                        fail("einsum: subscript \(parsed.name(label)) has size \(extent) for operand \(index) which does not broadcast with previously seen size \(seen)")
                    }
                    extents[label] = Swift.max(seen, extent)
                } else {
                    extents[label] = extent
                }
            }
        }

        // Labels still needed after operand `i`: the output's and those of the operands after it.
        var neededAfter = [Set<Int>](repeating: Set(parsed.output), count: operands.count)
        for index in stride(from: operands.count - 2, through: 0, by: -1) {
            neededAfter[index] = neededAfter[index + 1].union(parsed.inputs[index + 1])
        }
        var result: EinsumTerm?
        for (index, operand) in operands.enumerated() {
            let earlier = result.map { Set($0.labels) } ?? []
            var term = EinsumTerm(diagonalsOf: operand, labels: parsed.inputs[index])
            term.sumOut(term.labels.filter { !neededAfter[index].contains($0) && !earlier.contains($0) })
            result = result.map { $0.contracted(with: term, keeping: neededAfter[index], extents: extents) } ?? term
        }
        guard var final = result else { fail("einsum: needs at least one operand") }
        final.sumOut(final.labels.filter { !parsed.output.contains($0) })
        final.broadcast(to: extents)
        return final.tensor.permute(parsed.output.map { final.labels.firstIndex(of: $0)! })
    }
}

/// A tensor whose axes carry einsum labels, all distinct.
private struct EinsumTerm {
    var tensor: Tensor
    var labels: [Int]
}

extension EinsumTerm {
    /// `tensor` with the diagonals of its repeated labels taken (their extents are checked
    /// equal already), so each label names one axis.
    init(diagonalsOf tensor: Tensor, labels: [Int]) {
        self.tensor = tensor
        self.labels = labels
        while let second = self.labels.indices.first(where: { self.labels[..<$0].contains(self.labels[$0]) }) {
            let first = self.labels.firstIndex(of: self.labels[second])!
            let label = self.labels[first]
            self.tensor = self.tensor.diagonal(axis1: first, axis2: second)
            self.labels = self.labels.enumerated().filter { $0.offset != first && $0.offset != second }.map(\.element) + [label]
        }
    }

    mutating func sumOut(_ summed: [Int]) {
        guard !summed.isEmpty else { return }
        tensor = tensor.sum(axes: summed.map { labels.firstIndex(of: $0)! })
        labels.removeAll { summed.contains($0) }
    }

    /// Stretches axes of extent 1 to their label's extent (a view).
    mutating func broadcast(to extents: [Int: Int]) {
        let target = labels.map { extents[$0]! }
        if target != tensor.shape { tensor = tensor.expand(to: target) }
    }

    /// The contraction with `other` over the labels both have and `keeping` does not
    /// list, as one batched matrix product: batch (shared and kept) × this term's own ×
    /// summed, times batch × summed × the other's own.
    func contracted(with other: EinsumTerm, keeping: Set<Int>, extents: [Int: Int]) -> EinsumTerm {
        var (left, right) = (self, other)
        left.sumOut(left.labels.filter { !keeping.contains($0) && !right.labels.contains($0) })
        right.sumOut(right.labels.filter { !keeping.contains($0) && !left.labels.contains($0) })
        let shared = left.labels.filter { right.labels.contains($0) }
        let batch = shared.filter { keeping.contains($0) }
        let summed = shared.filter { !keeping.contains($0) }
        let leftOwn = left.labels.filter { !shared.contains($0) }
        let rightOwn = right.labels.filter { !shared.contains($0) }
        // Shared labels meet at their common extent, so an extent-1 axis broadcasts.
        let sharedExtents = extents.filter { shared.contains($0.key) }
        left.broadcast(to: left.labels.reduce(into: [:]) { $0[$1] = sharedExtents[$1] ?? left.tensor.shape[left.labels.firstIndex(of: $1)!] })
        right.broadcast(to: right.labels.reduce(into: [:]) { $0[$1] = sharedExtents[$1] ?? right.tensor.shape[right.labels.firstIndex(of: $1)!] })

        func extent(_ group: [Int], in term: EinsumTerm) -> [Int] { group.map { term.tensor.shape[term.labels.firstIndex(of: $0)!] } }
        let batchShape = extent(batch, in: left)
        let (m, k, n) = (extent(leftOwn, in: left).reduce(1, *), extent(summed, in: left).reduce(1, *), extent(rightOwn, in: right).reduce(1, *))
        let lead = batch.isEmpty ? [] : [batchShape.reduce(1, *)]
        let a = left.tensor.permute((batch + leftOwn + summed).map { left.labels.firstIndex(of: $0)! }).reshape(lead + [m, k])
        let b = right.tensor.permute((batch + summed + rightOwn).map { right.labels.firstIndex(of: $0)! }).reshape(lead + [k, n])
        let product = a.matmul(b).reshape(batchShape + extent(leftOwn, in: left) + extent(rightOwn, in: right))
        return EinsumTerm(tensor: product, labels: batch + leftOwn + rightOwn)
    }
}

/// A parsed einsum equation: each operand's labels and the output's. Letters are
/// labels 0..<52 (`A`–`Z`, then `a`–`z`, so their order is alphabetical with capitals
/// first, as PyTorch sorts them); the axes of `...` are labels 52, 53, ... aligned on the
/// right, so the ellipses of all operands broadcast together.
private struct EinsumEquation {
    var inputs: [[Int]] = []
    var output: [Int] = []

    static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    func name(_ label: Int) -> String { label < 52 ? String(EinsumEquation.letters[label]) : "..." }

    init(_ equation: String, operandRanks: [Int]) {
        let characters = Array(equation)
        let arrow = (0..<Swift.max(0, characters.count - 1)).first { characters[$0] == "-" && characters[$0 + 1] == ">" }
        let left = characters[..<(arrow ?? characters.count)]

        // Each operand's terms: a letter's label, or nil for the position of "...".
        var terms: [[Int?]] = [[]]
        func parseTerm(_ text: ArraySlice<Character>, into term: inout [Int?], operand: String) {
            var position = text.startIndex
            while position < text.endIndex {
                let character = text[position]
                if character == "." {
                    guard text[position...].starts(with: "..."), !term.contains(where: { $0 == nil }) else {
                        fail("einsum: found '.' for \(operand) that is not part of any ellipsis, or a second ellipsis (equation \"\(equation)\")")
                    }
                    term.append(nil)
                    position += 3
                    continue
                }
                if character != " " {
                    guard let label = EinsumEquation.letters.firstIndex(of: character) else {
                        fail("einsum: invalid subscript given at index \(position) in the equation string, subscripts must be in [a-zA-Z] (equation \"\(equation)\")")
                    }
                    term.append(label)
                }
                position += 1
            }
        }
        var start = left.startIndex
        for position in left.indices where left[position] == "," || position == left.endIndex - 1 {
            let end = left[position] == "," ? position : position + 1
            parseTerm(left[start..<end], into: &terms[terms.count - 1], operand: "operand \(terms.count - 1)")
            if left[position] == "," { terms.append([]) }
            start = position + 1
        }
        guard terms.count <= operandRanks.count else {
            fail("einsum: fewer operands were provided than specified in the equation \"\(equation)\" (\(terms.count) specified, \(operandRanks.count) given)")
        }
        guard terms.count >= operandRanks.count else {
            fail("einsum: more operands were provided than specified in the equation \"\(equation)\" (\(terms.count) specified, \(operandRanks.count) given)")
        }

        // The ellipsis covers the axes no letter names; its labels are aligned on the right.
        var ellipsisRank = 0
        for (index, term) in terms.enumerated() {
            let letters = term.filter { $0 != nil }.count
            let hasEllipsis = term.contains { $0 == nil }
            guard hasEllipsis ? letters <= operandRanks[index] : letters == operandRanks[index] else {
                fail("einsum: the number of subscripts in the equation (\(letters)) does not match the number of dimensions (\(operandRanks[index])) for operand \(index)\(hasEllipsis ? "" : " and no ellipsis was given")")
            }
            if hasEllipsis { ellipsisRank = Swift.max(ellipsisRank, operandRanks[index] - letters) }
        }
        func ellipsisLabels(_ count: Int) -> [Int] { (0..<count).map { 52 + ellipsisRank - count + $0 } }
        inputs = terms.enumerated().map { index, term in
            let covered = operandRanks[index] - term.filter { $0 != nil }.count
            return term.flatMap { $0.map { [$0] } ?? ellipsisLabels(covered) }
        }

        if let arrow {
            var term: [Int?] = []
            parseTerm(characters[(arrow + 2)...], into: &term, operand: "the output")
            let used = Set(inputs.joined())
            for label in term.compactMap({ $0 }) {
                guard used.contains(label) else {
                    fail("einsum: output subscript \(name(label)) does not appear in the equation for any input operand (equation \"\(equation)\")")
                }
                guard term.filter({ $0 == label }).count == 1 else {
                    fail("einsum: output subscript \(name(label)) appears more than once in the output (equation \"\(equation)\")")
                }
            }
            output = term.flatMap { $0.map { [$0] } ?? ellipsisLabels(ellipsisRank) }
        } else {
            let counts = inputs.joined().reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            output = ellipsisLabels(ellipsisRank) + counts.keys.filter { $0 < 52 && counts[$0] == 1 }.sorted()
        }
    }
}
