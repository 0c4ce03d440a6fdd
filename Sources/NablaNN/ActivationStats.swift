import Nabla

/// fastai's `ActivationStats`: the mean, the standard deviation (unbiased, as torch's `std()`) and the share of
/// near-zero values (≤ 0.05) of each layer's output, at every training batch,
/// recorded through forward hooks (``Module/registerForwardHook(_:)``).
///
///     let stats = ActivationStats()
///     try learn.fit(1, lr: 0.06, callbacks: [stats])
///     stats.layerStatistics(0).means   // the first layer's mean activation, batch by batch
///
/// By default it watches every module with parameters of its own and no children
/// (fastai's `flatten_model` filtered by `has_params`). The hooks are registered in
/// `beforeFit` and removed in `afterFit`; validation batches are not recorded.
public final class ActivationStats: Callback {
    /// One layer's output at one batch.
    public struct Statistics: Equatable {
        public let mean: Float
        public let standardDeviation: Float
        /// The fraction of values ≤ 0.05 (fastai's `near_zero`).
        public let nearZero: Float
    }

    /// The watched modules' names in the model (`"0"`, `"blocks.1.fc"`), in the order of ``batches``' rows.
    public private(set) var layerNames: [String] = []
    /// Per training batch, one entry per watched layer.
    public private(set) var batches: [[Statistics]] = []

    private let choose: ((any Module) -> [(name: String, module: any Module)])?
    private var handles: [HookHandle] = []
    private var current: [Statistics?] = []

    /// Watches the modules `modules` picks from the model (all with parameters of their own and no children when nil).
    public init(modules: ((_ model: any Module) -> [(name: String, module: any Module)])? = nil) {
        choose = modules
    }

    /// The series of one watched layer over the recorded batches.
    public func layerStatistics(_ index: Int) -> (means: [Float], standardDeviations: [Float], nearZero: [Float]) {
        guard layerNames.indices.contains(index) else {
            Nabla.fail("ActivationStats.layerStatistics: layer \(index) is out of range for \(layerNames.count) watched layers")
        }
        let series = batches.map { $0[index] }
        return (series.map(\.mean), series.map(\.standardDeviation), series.map(\.nearZero))
    }

    public func beforeFit(_ learner: Learner) throws {
        let watched = choose?(learner.model) ?? learner.model.namedModules.filter {
            $0.module.namedChildren.isEmpty && !$0.module.namedParameters.isEmpty
        }
        layerNames = watched.map(\.name)
        batches = []
        current = Array(repeating: nil, count: watched.count)
        handles = watched.enumerated().map { index, layer in
            layer.module.registerForwardHook { [weak self, weak learner] _, _, output in
                guard let self, learner?.isTraining == true else { return nil }
                let values = output.detached()
                self.current[index] = Statistics(mean: values.mean().item, standardDeviation: values.std().item,
                                                 nearZero: (values .<= 0.05).sum().item / Float(max(values.scalarCount, 1)))
                return nil
            }
        }
    }

    public func afterBatch(_ learner: Learner) throws {
        guard learner.isTraining else { return }
        if current.allSatisfy({ $0 != nil }) { batches.append(current.map { $0! }) }
        current = Array(repeating: nil, count: current.count)
    }

    public func afterFit(_ learner: Learner) throws {
        for handle in handles { handle.remove() }
        handles = []
    }
}
