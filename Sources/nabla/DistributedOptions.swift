import ArgumentParser
import NablaData
import NablaDistributed
import NablaNN

/// `--distributed`: data-parallel training over the ranks of an MPI job
/// (`mpirun -np N nabla train … --distributed`).
struct DistributedOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Train data-parallel over the ranks of an MPI job (start it with mpirun -np N); --batch-size stays the global batch, split over the ranks.",
        discussion: "Only rank 0 prints and saves. Give each rank one OpenBLAS thread (--threads 1) when the ranks share a machine's cores."))
    var distributed = false

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "With --distributed, end the job when one collective waits longer than this for the other ranks (one hangs).",
        valueName: "seconds"))
    var collectiveTimeout: Double = 120

    func validate() throws {
        if !(collectiveTimeout > 0 && collectiveTimeout.isFinite) {
            throw ValidationError("--collective-timeout must be a positive number of seconds, got \(collectiveTimeout)")
        }
    }

    /// Runs `body` with this rank's ``DataParallel`` callback (nil without
    /// `--distributed`). An error on any rank ends the whole job with that rank's
    /// message, so no rank waits forever for one that stopped.
    func run(_ body: (_ parallel: DataParallel?) throws -> Void) throws {
        guard distributed else { return try body(nil) }
        let group = try ProcessGroup.world(collectiveTimeout: collectiveTimeout)
        do {
            try body(DataParallel(group))
        } catch let disagreement as RankDisagreement where !group.isRoot {
            // Every rank found it: rank 0 alone says so and ends the job (this
            // barrier waits for that), so the message is printed once.
            try? group.barrier()
            group.abort("\(disagreement)")
        } catch {
            group.abort("\(error)")
        }
        try group.finalize()
    }
}

extension DataParallel {
    /// Whether this rank prints and writes files: rank 0, or the only process.
    static func prints(_ parallel: DataParallel?) -> Bool { parallel?.group.isRoot ?? true }

    /// The loaders a learner on this rank uses: its shard of every training batch
    /// (global batches of `train.batchSize`) and of the validation batches.
    func shard(_ train: DataLoader, _ valid: DataLoader) -> DataLoaders {
        DataLoaders(shard(train), shard(valid, mode: .evaluation))
    }
}
