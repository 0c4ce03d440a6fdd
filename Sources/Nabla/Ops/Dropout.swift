extension Tensor {
    /// PyTorch's `F.dropout`: when `training`, each element is zeroed with
    /// probability `probability` and the survivors scaled by 1/(1 − probability),
    /// so the expected value is unchanged; otherwise the identity. The mask
    /// comes from `generator`, so a seeded run drops the same elements.
    public func dropout(probability: Float, training: Bool, generator: inout RandomGenerator) -> Tensor {
        guard probability >= 0 && probability <= 1 else {
            fail("dropout: probability has to be between 0 and 1, but got \(probability)")
        }
        guard training && probability > 0 else { return self }
        let keep = probability < 1 ? 1 / (1 - probability) : 0
        let mask = Tensor(shape: shape) { mask in
            for i in mask.indices { mask[i] = generator.nextFloat() < probability ? 0 : keep }
        }
        return self * mask
    }
}
