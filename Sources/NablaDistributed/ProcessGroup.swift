import CMPI
import Foundation
import Nabla

/// An MPI call that failed, with the rank it failed on and MPI's own words.
public struct MPIError: Error, CustomStringConvertible {
    /// The MPI function, such as `MPI_Allreduce`.
    public let call: String
    /// The rank of the process that saw the failure.
    public let rank: Int
    /// The number of processes in the job.
    public let size: Int
    /// MPI's error code.
    public let code: Int32
    /// `MPI_Error_string`'s text for `code`.
    public let message: String

    public var description: String { "\(call) failed on rank \(rank) of \(size) (MPI error \(code)): \(message)" }
}

/// How ``ProcessGroup/allReduce(_:_:)`` combines the ranks' values.
public enum ReduceOperation {
    /// The elementwise sum over the ranks.
    case sum
    /// The elementwise sum divided by the number of ranks.
    case mean
}

/// The processes of an MPI job (its `MPI_COMM_WORLD`), as PyTorch's default
/// process group: each process knows its ``rank`` among ``size`` and joins the
/// collectives below, which every rank must call in the same order.
///
/// MPI is set to return its errors (`MPI_ERRORS_RETURN`) rather than abort, so
/// a failed call throws ``MPIError`` naming the call and the rank. When the job
/// cannot go on, ``abort(_:)`` ends every rank; ``finalize()`` ends a job that
/// went well. With ``collectiveTimeout`` set, a collective that waits longer for
/// the other ranks (one died or hangs) ends the job with a message naming the
/// waiting rank and the call.
///
/// A process started without `mpirun` is a job of one (MPI's singleton mode).
public final class ProcessGroup {
    /// This process's index, from 0.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// The name of this process's machine, as MPI reports it.
    public let hostName: String
    /// The longest a collective may wait before the watchdog ends the job; nil for no limit.
    public let collectiveTimeout: Double?

    private let communicator: MPI_Comm
    private let watchdog: CollectiveWatchdog?
    private nonisolated(unsafe) static var shared: ProcessGroup?

    /// The job's process group; the first call initialises MPI (later calls return
    /// the same group and ignore `collectiveTimeout`).
    public static func world(collectiveTimeout: Double? = nil) throws -> ProcessGroup {
        if let shared { return shared }
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            let code = MPI_Init(nil, nil)
            guard code == MPI_SUCCESS else {
                throw MPIError(call: "MPI_Init", rank: 0, size: 1, code: code, message: errorString(code))
            }
        }
        let communicator = nabla_mpi_comm_world()!
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(communicator, &rank)
        MPI_Comm_size(communicator, &size)
        let group = ProcessGroup(communicator: communicator, rank: Int(rank), size: Int(size), collectiveTimeout: collectiveTimeout)
        try group.check(MPI_Comm_set_errhandler(communicator, nabla_mpi_errors_return()), "MPI_Comm_set_errhandler")
        shared = group
        return group
    }

    private init(communicator: MPI_Comm, rank: Int, size: Int, collectiveTimeout: Double?) {
        self.communicator = communicator
        self.rank = rank
        self.size = size
        self.collectiveTimeout = collectiveTimeout
        var name = [CChar](repeating: 0, count: Int(MPI_MAX_PROCESSOR_NAME) + 1)
        var length: Int32 = 0
        MPI_Get_processor_name(&name, &length)
        hostName = String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let collectiveTimeout {
            guard collectiveTimeout > 0 else { Nabla.fail("ProcessGroup: the collective timeout must be positive, got \(collectiveTimeout)") }
            watchdog = CollectiveWatchdog(timeout: collectiveTimeout, rank: rank, size: size)
        } else {
            watchdog = nil
        }
    }

    /// Whether this is rank 0, the one that prints and writes files.
    public var isRoot: Bool { rank == 0 }

    /// Waits until every rank has called it.
    public func barrier() throws {
        try collective("MPI_Barrier") { MPI_Barrier(communicator) }
    }

    /// Replaces every element of `buffer` by its sum (or mean) over the ranks.
    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation = .sum) throws {
        try collective("MPI_Allreduce") {
            MPI_Allreduce(nabla_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), nabla_mpi_float(), nabla_mpi_sum(), communicator)
        }
        if operation == .mean {
            let scale = 1 / Float(size)
            for index in buffer.indices { buffer[index] *= scale }
        }
    }

    /// Replaces `tensor` by its elementwise sum (or mean) over the ranks; every
    /// rank must pass a tensor of the same shape. A parameter stays the same leaf.
    public func allReduce(_ tensor: inout Tensor, _ operation: ReduceOperation = .sum) throws {
        try requireSameShape(tensor, "allReduce")
        let reduced = try Tensor(shape: tensor.shape) { buffer in
            tensor.withUnsafeBufferPointer { _ = buffer.initialize(from: $0) }
            try allReduce(buffer, operation)
        }
        assign(reduced, to: &tensor)
    }

    /// The elementwise sums over the ranks of `values`, in double precision (for counts and metric sums).
    public func allReduceSum(_ values: [Double]) throws -> [Double] {
        var result = values
        try result.withUnsafeMutableBufferPointer { buffer in
            try collective("MPI_Allreduce") {
                MPI_Allreduce(nabla_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), nabla_mpi_double(), nabla_mpi_sum(), communicator)
            }
        }
        return result
    }

    /// Overwrites `buffer` on every rank with the root's.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int = 0) throws {
        try requireRoot(root, "broadcast")
        try collective("MPI_Bcast") {
            MPI_Bcast(buffer.baseAddress, Int32(buffer.count), nabla_mpi_float(), Int32(root), communicator)
        }
    }

    /// Sets `tensor` on every rank to the root's; every rank must pass the same shape.
    public func broadcast(_ tensor: inout Tensor, root: Int = 0) throws {
        try requireSameShape(tensor, "broadcast")
        let received = try Tensor(shape: tensor.shape) { buffer in
            tensor.withUnsafeBufferPointer { _ = buffer.initialize(from: $0) }
            try broadcast(buffer, root: root)
        }
        assign(received, to: &tensor)
    }

    /// Every rank's `tensor`, stacked along a new first axis in rank order
    /// (shape `[size] + tensor.shape`); every rank must pass the same shape.
    public func allGather(_ tensor: Tensor) throws -> Tensor {
        try requireSameShape(tensor, "allGather")
        let count = tensor.scalarCount
        return try Tensor(shape: [size] + tensor.shape) { buffer in
            try tensor.withUnsafeBufferPointer { local in
                try collective("MPI_Allgather") {
                    MPI_Allgather(local.baseAddress, Int32(count), nabla_mpi_float(),
                                  buffer.baseAddress, Int32(count), nabla_mpi_float(), communicator)
                }
            }
        }
    }

    /// Every rank's `values` in rank order, in double precision; every rank must
    /// pass the same count (for small records such as shapes and fingerprints).
    public func allGather(_ values: [Double]) throws -> [[Double]] {
        var all = [Double](repeating: 0, count: values.count * size)
        try values.withUnsafeBufferPointer { mine in
            try all.withUnsafeMutableBufferPointer { out in
                try collective("MPI_Allgather") {
                    MPI_Allgather(mine.baseAddress, Int32(mine.count), nabla_mpi_double(),
                                  out.baseAddress, Int32(mine.count), nabla_mpi_double(), communicator)
                }
            }
        }
        return (0..<size).map { Array(all[($0 * values.count)..<(($0 + 1) * values.count)]) }
    }

    /// Ends MPI after a job that went well; every rank must call it.
    public func finalize() throws {
        try collective("MPI_Finalize") { MPI_Finalize() }
    }

    /// Ends every rank of the job at once after printing `message` (prefixed by
    /// this rank) on standard error: for an error after which the ranks cannot
    /// keep in step, so that none waits forever for this one.
    public func abort(_ message: String, exitCode: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("rank \(rank) of \(size) (\(hostName)): \(message)\n".utf8))
        MPI_Abort(communicator, exitCode)
        exit(exitCode)
    }

    // MARK: - Checks

    /// Fails unless every rank passes the same shape, so that a mismatch is an
    /// error naming the ranks rather than MPI reading past a buffer.
    private func requireSameShape(_ tensor: Tensor, _ op: String) throws {
        guard size > 1 else { return }
        let maxRank = 8
        guard tensor.rank <= maxRank else { Nabla.fail("\(op): tensors of rank above \(maxRank) are not supported, got shape \(tensor.shape)") }
        let local = [Double(tensor.rank)] + (0..<maxRank).map { $0 < tensor.rank ? Double(tensor.shape[$0]) : -1 }
        // The sums of the shapes and of their squares agree with size × ours only when every rank's equals ours.
        let reduced = try allReduceSum(local + local.map { $0 * $0 })
        let expected = (local + local.map { $0 * $0 }).map { $0 * Double(size) }
        guard reduced == expected else {
            let shapes = try allGatherShapes(local)
            let described = shapes.enumerated().map { "rank \($0.offset): \($0.element)" }.joined(separator: ", ")
            throw MPIError(call: op, rank: rank, size: size, code: -1,
                           message: "every rank must pass a tensor of the same shape; got \(described)")
        }
    }

    private func allGatherShapes(_ local: [Double]) throws -> [[Int]] {
        try allGather(local).map { entry in
            let extents = entry.map { Int($0) }
            return Array(extents.dropFirst().prefix(extents[0]))
        }
    }

    private func requireRoot(_ root: Int, _ op: String) throws {
        guard (0..<size).contains(root) else {
            throw MPIError(call: op, rank: rank, size: size, code: -1, message: "the root \(root) is not a rank of this job of \(size)")
        }
    }

    /// Runs one MPI collective under the watchdog and turns its error code into ``MPIError``.
    private func collective(_ call: String, _ body: () -> Int32) throws {
        watchdog?.begin(call)
        let code = body()
        watchdog?.end()
        try check(code, call)
    }

    private func check(_ code: Int32, _ call: String) throws {
        guard code != MPI_SUCCESS else { return }
        throw MPIError(call: call, rank: rank, size: size, code: code, message: ProcessGroup.errorString(code))
    }

    private static func errorString(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func assign(_ value: Tensor, to tensor: inout Tensor) {
        if tensor.requiresGrad {
            // A parameter keeps its identity (the optimizer and the model share it).
            noGrad { tensor[.ellipsis] = value }
        } else {
            tensor = value
        }
    }
}
