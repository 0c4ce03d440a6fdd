/// A tensor may be sent to another task or thread, as any Swift value.
///
/// Why this holds although a tensor refers to shared objects:
/// - Its elements live in a storage that is only written when no other tensor
///   refers to it (copy-on-write, `isKnownUniquelyReferenced`, whose reference count
///   is atomic), so two tasks holding copies never see each other's writes.
/// - The exception is a leaf that requires grad (a parameter): its copies are one
///   leaf by design (see ``Tensor``, "Leaves have an identity"). Its gradient is
///   accumulated under a lock, so tasks that run `backward()` through a shared
///   parameter at once add up their gradients, as PyTorch's do. Updating its values
///   in place (`noGrad { p -= … }`) while another task reads them is a data race, as
///   in PyTorch: step the optimizer when the tasks are done.
/// - A graph (an interior result's record) is used up by one `backward()`: run one
///   backward pass through a given result, not two at once.
extension Tensor: @unchecked Sendable {}
