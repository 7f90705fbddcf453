import IngotFormat

/// Which type each tensor gets under `--quantize` (the policy of issue 3, in the spirit of llama-quantize's
/// `--tensor-type`, `--leave-output-tensor`, `--pure`):
/// - by default only 2-D float weight matrices are quantized; 1-D tensors (norms, biases), scalars, higher-rank and
///   integer tensors keep their type;
/// - `--keep REGEX` leaves matching tensors in their float type;
/// - `--type-for REGEX=TYPE` overrides the type of matching tensors (first matching rule wins), TYPE being a block
///   type or f32/f16/bf16;
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
        /// Stays a float tensor; `cast` is a type asked for by `--type-for` (else `--dtype` applies).
        case keep(reason: String, cast: DType?)
    }

    public static let groupSizes = [256, 128, 64, 32]
    /// `--group-size row`: one group per row.
    public static let wholeRow = 0

    public let dtype: DType
    public let groupSize: Int
    let rules: [Rule]

    public init(dtype: DType, groupSize: Int, keep: [String] = [], typeFor: [String] = []) throws(IngotError) {
        guard dtype.isBlockQuantized else { throw IngotError.unsupported("--quantize must be q8_0, q4_0 or q4_1 (got \(dtype.rawValue))") }
        guard groupSize == Self.wholeRow || (groupSize >= 2 && groupSize % 2 == 0 && groupSize <= Limits.maxGroupSize) else {
            throw IngotError.unsupported("--group-size must be row or an even number in 2...\(Limits.maxGroupSize)")
        }
        self.dtype = dtype
        self.groupSize = groupSize
        var rules: [Rule] = []
        for k in keep { rules.append(Rule(pattern: k, regex: try Self.compile(k), dtype: nil)) }
        for spec in typeFor {
            guard let eq = spec.lastIndex(of: "=") else { throw IngotError.unsupported("--type-for needs REGEX=TYPE (got \(quoted(spec)))") }
            let pattern = String(spec[..<eq]), typeName = String(spec[spec.index(after: eq)...])
            guard let t = DType(rawValue: typeName), t.isBlockQuantized || [.f32, .f16, .bf16].contains(t) else {
                throw IngotError.unsupported("--type-for \(quoted(spec)): TYPE must be q8_0, q4_0, q4_1, f32, f16 or bf16")
            }
            rules.append(Rule(pattern: pattern, regex: try Self.compile(pattern), dtype: t))
        }
        self.rules = rules
    }

    private static func compile(_ pattern: String) throws(IngotError) -> Regex<AnyRegexOutput> {
        do { return try Regex(pattern) } catch { throw IngotError.unsupported("bad regular expression \(quoted(pattern)): \(error)") }
    }

    /// The decision for one tensor. `--keep` rules are checked before `--type-for` rules.
    public func decide(_ d: TensorDescriptor) -> Decision {
        let l = d.layout
        let rule = rules.first { (try? $0.regex.firstMatch(in: d.name)) != nil }
        if let rule, rule.dtype == nil { return .keep(reason: "--keep \(rule.pattern)", cast: nil) }
        if let rule, let t = rule.dtype, !t.isBlockQuantized { return .keep(reason: "--type-for \(rule.pattern)", cast: t) }
        guard l.dtype.isFloat || l.dtype.isBlockQuantized else { return .keep(reason: "integer", cast: nil) }
        let target = rule?.dtype ?? dtype
        if rule == nil {
            guard l.shape.count == 2 else { return .keep(reason: l.shape.count == 1 ? "1-D" : "rank \(l.shape.count)", cast: nil) }
        }
        if l.dtype == target && l.groupSize == groupSize { return .keep(reason: "already \(target.rawValue)", cast: nil) }
        guard let cols = l.shape.last, cols > 0, l.elementCount > 0 else { return .keep(reason: "empty or scalar", cast: nil) }
        if groupSize == Self.wholeRow {
            guard cols % 2 == 0, cols <= Limits.maxGroupSize else { return .keep(reason: "odd row length \(cols)", cast: nil) }
            return .quantize(target, groupSize: cols, note: nil)
        }
        if cols % groupSize == 0 { return .quantize(target, groupSize: groupSize, note: nil) }
        if let g = Self.groupSizes.first(where: { $0 < groupSize && cols % $0 == 0 }) {
            return .quantize(target, groupSize: g, note: "row \(cols) ∤ \(groupSize): g\(g)")
        }
        if cols % 2 == 0, cols <= Limits.maxGroupSize {
            return .quantize(target, groupSize: cols, note: "row \(cols) ∤ \(groupSize): whole row")
        }
        return .keep(reason: "odd row length \(cols)", cast: nil)
    }
}
