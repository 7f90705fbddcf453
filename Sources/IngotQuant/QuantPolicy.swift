import IngotFormat

/// Which type each tensor gets when a model is quantized (`ingot convert --quantize`; in the spirit of
/// llama-quantize's `--tensor-type`, `--leave-output-tensor`, `--pure`):
/// - by default only 2-D float weight matrices are quantized; 1-D tensors (norms, biases), scalars, higher-rank and
///   integer tensors keep their type;
/// - `keep` patterns (CLI `--keep REGEX`) leave matching tensors in their float type;
/// - `overrides` (CLI `--type-for REGEX=TYPE`) give matching tensors another type (first matching rule wins), a
///   block type or f32/f16/bf16;
/// - a row length the group size does not divide falls back to the largest listed group size that divides it, then to
///   the whole row, else the tensor stays float — always with the reason shown in the table.
public struct QuantPolicy: Sendable {
    /// `@unchecked Sendable`: a compiled regex is immutable after construction; rules are only read.
    struct Rule: @unchecked Sendable {
        let pattern: String
        let regex: Regex<AnyRegexOutput>
        let dtype: DType?  // nil: keep
    }

    public enum Decision: Equatable, Sendable {
        case quantize(DType, groupSize: Int, note: String?)
        /// Stays a float tensor; `cast` is a type asked for by an override (else the conversion's cast type applies).
        case keep(reason: String, cast: DType?)
    }

    public static let groupSizes = [256, 128, 64, 32]
    /// One group per row (CLI `--group-size row`).
    public static let wholeRow = 0

    public let dtype: DType
    public let groupSize: Int
    let rules: [Rule]

    /// `typeFor` holds `REGEX=TYPE` specs (see `TypeOverride(parsing:)`).
    public init(dtype: DType, groupSize: Int, keep: [String] = [], typeFor: [String]) throws(IngotError) {
        var overrides: [TypeOverride] = []
        for spec in typeFor { overrides.append(try TypeOverride(parsing: spec)) }
        try self.init(dtype: dtype, groupSize: groupSize, keep: keep, overrides: overrides)
    }

    /// `keep` patterns leave matching tensors in their float type; `overrides` give matching tensors another type.
    /// Every pattern is a regular expression searched for anywhere in the tensor name.
    public init(dtype: DType, groupSize: Int, keep: [String] = [], overrides: [TypeOverride] = []) throws(IngotError) {
        guard dtype.isBlockQuantized else {
            throw IngotError.unsupported("quantization needs a block type: q8_0, q4_0 or q4_1 (got \(dtype.rawValue))")
        }
        guard groupSize == Self.wholeRow || (groupSize >= 2 && groupSize % 2 == 0 && groupSize <= Limits.maxGroupSize) else {
            throw IngotError.unsupported("the group size must be a whole row or an even number in 2...\(Limits.maxGroupSize) (got \(groupSize))")
        }
        self.dtype = dtype
        self.groupSize = groupSize
        var rules: [Rule] = []
        for k in keep { rules.append(Rule(pattern: k, regex: try Self.compile(k), dtype: nil)) }
        for o in overrides { rules.append(Rule(pattern: o.pattern, regex: try Self.compile(o.pattern), dtype: o.dtype)) }
        self.rules = rules
    }

    private static func compile(_ pattern: String) throws(IngotError) -> Regex<AnyRegexOutput> {
        do { return try Regex(pattern) } catch { throw IngotError.unsupported("bad regular expression \(quoted(pattern)): \(error)") }
    }

    /// The decision for one tensor. `keep` rules are checked before overrides. The reasons name the rule that
    /// decided (its pattern), as the conversion table shows them.
    public func decide(_ d: TensorDescriptor) -> Decision {
        let l = d.layout
        let rule = rules.first { (try? $0.regex.firstMatch(in: d.name)) != nil }
        if let rule, rule.dtype == nil { return .keep(reason: "kept by \(rule.pattern)", cast: nil) }
        if let rule, let t = rule.dtype, !t.isBlockQuantized { return .keep(reason: "\(t.rawValue) by \(rule.pattern)", cast: t) }
        guard l.dtype.isFloat || l.dtype.isBlockQuantized else { return .keep(reason: "integer", cast: nil) }
        let target = rule?.dtype ?? dtype
        if rule == nil {
            guard l.shape.count == 2 else { return .keep(reason: l.shape.count == 1 ? "1-D" : "rank \(l.shape.count)", cast: nil) }
        }
        if l.dtype == target && l.groupSize == groupSize { return .keep(reason: "already \(target.rawValue)", cast: nil) }
        guard let cols = l.shape.last, cols > 0, l.elementCount > 0 else { return .keep(reason: "empty or scalar", cast: nil) }
        // A whole-row group must itself be a valid group size: even and at most 2^20.
        let rowReason = cols % 2 != 0 ? "odd row length \(cols)" : "row length \(cols) over \(Limits.maxGroupSize)"
        if groupSize == Self.wholeRow {
            guard cols % 2 == 0, cols <= Limits.maxGroupSize else { return .keep(reason: rowReason, cast: nil) }
            return .quantize(target, groupSize: cols, note: nil)
        }
        if cols % groupSize == 0 { return .quantize(target, groupSize: groupSize, note: nil) }
        if let g = Self.groupSizes.first(where: { $0 < groupSize && cols % $0 == 0 }) {
            return .quantize(target, groupSize: g, note: "row \(cols) ∤ \(groupSize): g\(g)")
        }
        if cols % 2 == 0, cols <= Limits.maxGroupSize {
            return .quantize(target, groupSize: cols, note: "row \(cols) ∤ \(groupSize): whole row")
        }
        return .keep(reason: rowReason, cast: nil)
    }
}
