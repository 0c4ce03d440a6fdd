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
        try reduceInPlace(buffer, nabla_mpi_float(), operation)
    }

    /// Replaces every element of `buffer` by its sum (or mean) over the ranks, in float64 (MPI_DOUBLE).
    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation = .sum) throws {
        try reduceInPlace(buffer, nabla_mpi_double(), operation)
    }

    /// Replaces `tensor` by its elementwise sum (or mean) over the ranks, in its own
    /// dtype: float32 (MPI_FLOAT), float64 (MPI_DOUBLE), float16 and bfloat16 (summed in
    /// float32, then rounded once) or, for `.sum` only, int64, int32
    /// and uint8 (MPI_INT64_T, MPI_INT32_T, MPI_UINT8_T, wrapping as torch's integer sums do)
    /// and bool, whose sum is the logical or (MPI_LOR), as torch.distributed's SUM on bool.
    /// Every rank must pass a tensor of the same shape and dtype. A parameter stays the same leaf.
    public func allReduce(_ tensor: inout Tensor, _ operation: ReduceOperation = .sum) throws {
        let reduced: Tensor
        switch (tensor.dtype, operation) {
        case (.float32, _): reduced = try reducedCopy(of: tensor, Float.self) { try reduceInPlace($0, nabla_mpi_float(), operation) }
        case (.float64, _): reduced = try reducedCopy(of: tensor, Double.self) { try reduceInPlace($0, nabla_mpi_double(), operation) }
        case (.int64, .sum): reduced = try reducedCopy(of: tensor, Int64.self) { try combineInPlace($0, nabla_mpi_int64(), nabla_mpi_sum()) }
        case (.int32, .sum): reduced = try reducedCopy(of: tensor, Int32.self) { try combineInPlace($0, nabla_mpi_int32(), nabla_mpi_sum()) }
        case (.uint8, .sum): reduced = try reducedCopy(of: tensor, UInt8.self) { try combineInPlace($0, nabla_mpi_uint8(), nabla_mpi_sum()) }
        case (.bool, .sum): reduced = try reducedCopy(of: tensor, Bool.self) { try combineInPlace($0, nabla_mpi_c_bool(), nabla_mpi_lor()) }
        case (.float16, _), (.bfloat16, _):
            // MPI has no half types: summed in float32, as Nabla computes every half op, then rounded once.
            var wide = tensor.detached().to(.float32)
            try allReduce(&wide, operation)
            reduced = wide.to(tensor.dtype)
        case (let other, .mean):
            Nabla.fail("allReduce: the mean of \(other) tensors is not \(other); convert them with to(.float64) first")
        }
        assign(reduced, to: &tensor)
    }

    /// A copy of `tensor`, whose elements are `T`s, that `reduce` reduces over the ranks.
    private func reducedCopy<T: TensorScalar>(of tensor: Tensor, _ type: T.Type,
                                              _ reduce: (UnsafeMutableBufferPointer<T>) throws -> Void) throws -> Tensor {
        try requireSameShape(tensor, "allReduce")
        return try Tensor(shape: tensor.shape) { (buffer: UnsafeMutableBufferPointer<T>) in
            tensor.withUnsafeBufferPointer(as: T.self) { _ = buffer.initialize(from: $0) }
            try reduce(buffer)
        }
    }

    /// The sum over the ranks of a floating `buffer` of MPI type `datatype`, then the
    /// mean if asked: each element times 1/size, in the buffer's precision.
    private func reduceInPlace<T: BinaryFloatingPoint>(_ buffer: UnsafeMutableBufferPointer<T>, _ datatype: MPI_Datatype,
                                                       _ operation: ReduceOperation) throws {
        try combineInPlace(buffer, datatype, nabla_mpi_sum())
        if operation == .mean {
            let scale = 1 / T(size)
            for index in buffer.indices { buffer[index] *= scale }
        }
    }

    /// Replaces each element of `buffer` (of MPI type `datatype`) by `operation` over the ranks
    /// (MPI_SUM, MPI_LOR), in pieces of at most 2³¹ − 1 elements: MPI's counts are Int32.
    private func combineInPlace<T>(_ buffer: UnsafeMutableBufferPointer<T>, _ datatype: MPI_Datatype, _ operation: MPI_Op) throws {
        try forEachPiece(of: buffer.count) { start, count in
            try collective("MPI_Allreduce") {
                MPI_Allreduce(nabla_mpi_in_place(), buffer.baseAddress.map { $0 + start }, count, datatype, operation, communicator)
            }
        }
    }

    /// Calls `body(start, count)` for consecutive pieces of `0..<total` of at most `Int32.max`
    /// elements each, the largest count one MPI call takes; once with count 0 for an empty range,
    /// so that every rank still joins the collective.
    private func forEachPiece(of total: Int, _ body: (_ start: Int, _ count: Int32) throws -> Void) throws {
        var start = 0
        repeat {
            let count = min(Int(Int32.max), total - start)
            try body(start, Int32(count))
            start += count
        } while start < total
    }

    /// The elementwise sums over the ranks of `values`, in double precision (for counts and metric sums).
    public func allReduceSum(_ values: [Double]) throws -> [Double] {
        var result = values
        try result.withUnsafeMutableBufferPointer { try combineInPlace($0, nabla_mpi_double(), nabla_mpi_sum()) }
        return result
    }

    /// Overwrites `buffer` on every rank with the root's.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int = 0) throws {
        try requireRoot(root, "broadcast")
        try forEachPiece(of: buffer.count) { start, count in
            try collective("MPI_Bcast") {
                MPI_Bcast(buffer.baseAddress.map { $0 + start }, count, nabla_mpi_float(), Int32(root), communicator)
            }
        }
    }

    /// Sets `tensor` on every rank to the root's, exactly, in any dtype (its bytes travel);
    /// every rank must pass the same shape and dtype.
    public func broadcast(_ tensor: inout Tensor, root: Int = 0) throws {
        try requireSameShape(tensor, "broadcast")
        try requireRoot(root, "broadcast")
        let received = try Tensor(shape: tensor.shape, dtype: tensor.dtype) { bytes in
            tensor.withUnsafeBytes { bytes.copyMemory(from: $0) }
            // MPI counts are Int32: a tensor past 2 GiB goes in pieces.
            try forEachPiece(of: bytes.count) { start, count in
                try collective("MPI_Bcast") {
                    MPI_Bcast(bytes.baseAddress.map { $0 + start }, count, nabla_mpi_byte(), Int32(root), communicator)
                }
            }
        }
        assign(received, to: &tensor)
    }

    /// Every rank's `tensor`, stacked along a new first axis in rank order
    /// (shape `[size] + tensor.shape`), in any dtype; every rank must pass the same shape and dtype.
    public func allGather(_ tensor: Tensor) throws -> Tensor {
        try requireSameShape(tensor, "allGather")
        let byteCount = tensor.scalarCount * tensor.dtype.byteSize
        guard byteCount <= Int(Int32.max) else {
            Nabla.fail("allGather: a tensor of \(byteCount) bytes is more than one MPI_Allgather sends (2³¹ − 1 bytes per rank); gather it in slices")
        }
        return try Tensor(shape: [size] + tensor.shape, dtype: tensor.dtype) { buffer in
            try tensor.withUnsafeBytes { local in
                try collective("MPI_Allgather") {
                    MPI_Allgather(local.baseAddress, Int32(byteCount), nabla_mpi_byte(),
                                  buffer.baseAddress, Int32(byteCount), nabla_mpi_byte(), communicator)
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

    /// Fails unless every rank passes the same shape and dtype, so that a mismatch is an
    /// error naming the ranks rather than MPI reading past a buffer.
    private func requireSameShape(_ tensor: Tensor, _ op: String) throws {
        guard size > 1 else { return }
        let maxRank = 8
        guard tensor.rank <= maxRank else { Nabla.fail("\(op): tensors of rank above \(maxRank) are not supported, got shape \(tensor.shape)") }
        // [dtype, rank, extents padded with −1]
        let local = [Double(DType.allCases.firstIndex(of: tensor.dtype)!), Double(tensor.rank)]
            + (0..<maxRank).map { $0 < tensor.rank ? Double(tensor.shape[$0]) : -1 }
        // The sums of the records and of their squares agree with size × ours only when every rank's equals ours.
        let reduced = try allReduceSum(local + local.map { $0 * $0 })
        let expected = (local + local.map { $0 * $0 }).map { $0 * Double(size) }
        guard reduced == expected else {
            let described = try allGather(local).enumerated().map { rank, entry in
                let extents = entry.dropFirst().map { Int($0) }
                return "rank \(rank): \(Array(extents.dropFirst().prefix(extents[0]))) \(DType.allCases[Int(entry[0])])"
            }.joined(separator: ", ")
            throw MPIError(call: op, rank: rank, size: size, code: -1,
                           message: "every rank must pass a tensor of the same shape and dtype; got \(described)")
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
