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
    /// A llama.cpp mix (`q4_k_m`, …) choosing each tensor's type; nil: every tensor gets `dtype`.
    public let recipe: QuantRecipe?
    /// What the recipe knows about the whole model (`prepared(names:gqa:)`); counted from the tensor being decided
    /// alone when nil (a model without attention v / FFN down tensors).
    public private(set) var model: QuantRecipe.Model?
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
            throw IngotError.unsupported("quantization needs a block type: q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl or a K-quant (got \(dtype.rawValue))")
        }
        if let fixed = dtype.fixedGroupSize, groupSize != fixed {
            throw IngotError.unsupported("\(dtype.rawValue) blocks hold \(fixed) elements: no other group size (got \(groupSize))")
        }
        guard groupSize == Self.wholeRow || (groupSize >= 2 && groupSize % 2 == 0 && groupSize <= Limits.maxGroupSize) else {
            throw IngotError.unsupported("the group size must be a whole row or an even number in 2...\(Limits.maxGroupSize) (got \(groupSize))")
        }
        try self.init(dtype: dtype, groupSize: groupSize, recipe: nil, keep: keep, overrides: overrides)
    }

    /// A llama.cpp mix: each tensor's type from `recipe` (call `prepared(names:gqa:)` with the whole model first).
    public init(recipe: QuantRecipe, keep: [String] = [], overrides: [TypeOverride] = []) throws(IngotError) {
        // 32: the group size of the GGUF types a mix also uses (q8_0 for an output head); K-quants have their own.
        try self.init(dtype: recipe.baseType, groupSize: 32, recipe: recipe, keep: keep, overrides: overrides)
    }

    private init(dtype: DType, groupSize: Int, recipe: QuantRecipe?, keep: [String], overrides: [TypeOverride]) throws(IngotError) {
        self.dtype = dtype
        self.groupSize = groupSize
        self.recipe = recipe
        var rules: [Rule] = []
        for k in keep { rules.append(Rule(pattern: k, regex: try Self.compile(k), dtype: nil)) }
        for o in overrides { rules.append(Rule(pattern: o.pattern, regex: try Self.compile(o.pattern), dtype: o.dtype)) }
        self.rules = rules
    }

    private static func compile(_ pattern: String) throws(IngotError) -> Regex<AnyRegexOutput> {
        do { return try Regex(pattern) } catch { throw IngotError.unsupported("bad regular expression \(quoted(pattern)): \(error)") }
    }

    /// The policy with the recipe's whole-model facts: the tensor names (in any naming Ingot reads) and the query
    /// heads per kv head.
    public func prepared(names: [String], gqa: Int) -> QuantPolicy {
        var p = self
        p.model = QuantRecipe.Model(names: names, gqa: gqa)
        return p
    }

    /// The decision for one tensor. `keep` rules are checked before overrides. The reasons name the rule that
    /// decided (its pattern), as the conversion table shows them.
    public func decide(_ d: TensorDescriptor) -> Decision {
        let l = d.layout
        let rule = rules.first { (try? $0.regex.firstMatch(in: d.name)) != nil }
        if let rule, rule.dtype == nil { return .keep(reason: "kept by \(rule.pattern)", cast: nil) }
        if let rule, let t = rule.dtype, !t.isBlockQuantized { return .keep(reason: "\(t.rawValue) by \(rule.pattern)", cast: t) }
        guard l.dtype.isFloat || l.dtype.isBlockQuantized else { return .keep(reason: "integer", cast: nil) }
        var target = rule?.dtype ?? dtype
        var recipeNote: String? = nil
        if rule == nil {
            guard l.shape.count == 2 else { return .keep(reason: l.shape.count == 1 ? "1-D" : "rank \(l.shape.count)", cast: nil) }
            if let recipe {
                // llama.cpp quantizes only `…weight` matrices, never norms, position or token-type embeddings.
                if !d.name.hasSuffix("weight") || d.name.contains("norm") || d.name.contains("position_embeddings")
                    || d.name.contains("token_type_embeddings") || d.name.hasSuffix("wpe.weight")
                {
                    return .keep(reason: "not quantized by \(recipe.rawValue)", cast: nil)
                }
                let m = model ?? QuantRecipe.Model(names: [d.name], gqa: 1)
                (target, recipeNote) = recipe.type(for: d.name, rowLength: l.shape.last ?? 0, model: m)
            }
        }
        if recipeNote == nil, let cols = l.shape.last, let f = QuantRecipe.fallback(target, rowLength: cols) {
            // A K-quant asked for by a rule or as the single type, on rows that are not whole super-blocks:
            // llama.cpp's substitute, as llama-quantize applies it after --tensor-type too.
            recipeNote = "row \(cols) ∤ 256: \(f.rawValue) for \(target.rawValue)"
            target = f
        }
        var g = target.fixedGroupSize ?? groupSize
        if recipeNote != nil, target.fixedGroupSize == nil { g = 32 }  // the substitutes are GGUF types of 32
        if l.dtype == target && l.groupSize == g { return .keep(reason: "already \(target.rawValue)", cast: nil) }
        guard let cols = l.shape.last, cols > 0, l.elementCount > 0 else { return .keep(reason: "empty or scalar", cast: nil) }
        if let fixed = target.fixedGroupSize {
            // ggml's fixed blocks: rows of whole blocks or nothing (llama.cpp then writes F16; Ingot keeps the float
            // type, which the conversion's cast may make f16).
            guard cols % fixed == 0 else { return .keep(reason: "row \(cols) ∤ \(fixed) for \(target.rawValue)", cast: nil) }
            return .quantize(target, groupSize: fixed, note: recipeNote)
        }
        if recipe != nil || recipeNote != nil {
            // A mix or a fallback writes GGUF's types: group 32 or nothing.
            guard cols % g == 0 else { return .keep(reason: "row \(cols) ∤ \(g) for \(target.rawValue)", cast: nil) }
            return .quantize(target, groupSize: g, note: recipeNote)
        }
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
