import Foundation

/// Sizes that an op computes from its arguments (a padding, an output size, a
/// range) are checked here before anything is allocated, so that an impossible
/// size stops with a message naming the op and the size instead of an integer
/// overflow trap or an allocation the machine cannot make (PyTorch raises
/// "can't allocate memory: you tried to allocate … bytes").

/// The most bytes one tensor that an op creates from its arguments may take:
/// the machine's physical memory. Larger sizes fail before allocating, naming the op.
public let maximumTensorBytes = Int(clamping: ProcessInfo.processInfo.physicalMemory)

/// `factors` multiplied, or a failure naming `op` and `what` when the product
/// does not fit in an `Int`.
func checkedProduct(_ factors: [Int], op: String, _ what: @autoclosure () -> String) -> Int {
    var product = 1
    for factor in factors {
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        guard !overflow else { fail("\(op): \(what()) \(factors.map(String.init).joined(separator: " × ")) is too large to count") }
        product = next
    }
    return product
}

/// Fails naming `op` and `what` unless a Float tensor of `shape` can be
/// addressed and fits in ``maximumTensorBytes``.
func requireAllocatable(_ shape: [Int], op: String, _ what: @autoclosure () -> String) {
    guard let count = Tensor.elementCount(ofShape: shape) else {
        fail("\(op): \(what()) \(describe(shape)) has too many elements to address")
    }
    let bytes = count * MemoryLayout<Float>.stride
    guard bytes <= Nabla.maximumTensorBytes else {
        fail("\(op): \(what()) \(describe(shape)) needs \(bytes) bytes, more than the \(Nabla.maximumTensorBytes) bytes of memory of this machine")
    }
}
