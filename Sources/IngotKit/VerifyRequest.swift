/// What `Verifier.verify` compares: `candidate` (a converted or quantized model) against `reference` (the original),
/// both run on the same token sequences.
public struct VerifyRequest: Sendable {
    public var candidate: String
    public var reference: String
    /// Token sequences to run; nil: four deterministic pseudo-random sequences of up to 64 tokens.
    public var sequences: [[Int]]?
    /// Fail above this mean KL divergence; nil: the default for the candidate's weight types.
    public var maxKLD: Double?
    /// Fail below this same-top-token rate (0…1); nil: the default for the candidate's weight types.
    public var minTop1: Double?
    /// Encoders: fail below this cosine of a sequence's pooled embeddings ([-1, 1]); nil: the default.
    public var minCosine: Double?
    /// Encoders: fail above this NMSE of the last hidden states (≥ 0); nil: the default.
    public var maxHiddenNMSE: Double?
    /// BLAS threads for the forward passes (`ModelRunner.threadRange`).
    public var threads: Int

    public init(candidate: String, reference: String, sequences: [[Int]]? = nil, maxKLD: Double? = nil,
                minTop1: Double? = nil, minCosine: Double? = nil, maxHiddenNMSE: Double? = nil, threads: Int = 1) {
        self.minCosine = minCosine
        self.maxHiddenNMSE = maxHiddenNMSE
        self.candidate = candidate
        self.reference = reference
        self.sequences = sequences
        self.maxKLD = maxKLD
        self.minTop1 = minTop1
        self.threads = threads
    }

    /// Refuses limits and inputs no verification could use, before any model is opened.
    func validate() throws(PipelineError) {
        guard ModelRunner.threadRange.contains(threads) else { throw .badThreadCount(threads) }
        if let v = maxKLD, !(v.isFinite && v >= 0) { throw .badMaxKLD(v) }
        if let v = minTop1, !(v >= 0 && v <= 1) { throw .badMinTop1(v) }
        if let v = minCosine, !(v >= -1 && v <= 1) { throw .badMinCosine(v) }
        if let v = maxHiddenNMSE, !(v.isFinite && v >= 0) { throw .badMaxHiddenNMSE(v) }
        if let s = sequences {
            guard !s.isEmpty else { throw .noSequences }
            for seq in s where seq.isEmpty || seq.contains(where: { $0 < 0 }) { throw .badTokens(seq.map(String.init).joined(separator: ",")) }
        }
    }
}
