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
struct QuantPlan {
    struct Rule {
        let pattern: String
        let regex: Regex<AnyRegexOutput>
        let dtype: DType?  // nil: keep
    }

    enum Decision: Equatable {
        case quantize(DType, groupSize: Int, note: String?)
        case keep(reason: String)
    }

    static let groupSizes = [256, 128, 64, 32]

    let dtype: DType
    let groupSize: Int
    let rules: [Rule]

    init(dtype: DType, groupSize: Int, keep: [String], typeFor: [String]) throws {
        guard dtype.isBlockQuantized else { throw CLIError("--quantize must be q8_0, q4_0 or q4_1 (got \(dtype.rawValue))") }
        guard groupSize >= 2, groupSize % 2 == 0, groupSize <= Limits.maxGroupSize else {
            throw CLIError("--group-size must be an even number in 2...\(Limits.maxGroupSize) (got \(groupSize))")
        }
        self.dtype = dtype
        self.groupSize = groupSize
        var rules: [Rule] = []
        for k in keep { rules.append(Rule(pattern: k, regex: try Self.compile(k), dtype: nil)) }
        for spec in typeFor {
            guard let eq = spec.lastIndex(of: "=") else { throw CLIError("--type-for needs REGEX=TYPE (got \(quoted(spec)))") }
            let pattern = String(spec[..<eq]), typeName = String(spec[spec.index(after: eq)...])
            guard let t = DType(rawValue: typeName), t.isBlockQuantized || [.f32, .f16, .bf16].contains(t) else {
                throw CLIError("--type-for \(quoted(spec)): TYPE must be q8_0, q4_0, q4_1, f32, f16 or bf16")
            }
            rules.append(Rule(pattern: pattern, regex: try Self.compile(pattern), dtype: t))
        }
        self.rules = rules
    }

    private static func compile(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        do { return try Regex(pattern) } catch { throw CLIError("bad regular expression \(quoted(pattern)): \(error)") }
    }

    /// The decision for one tensor. `--keep` rules are checked before `--type-for` rules.
    func decide(_ d: TensorDescriptor) -> Decision {
        let l = d.layout
        let rule = rules.first { (try? $0.regex.firstMatch(in: d.name)) != nil }
        if let rule, rule.dtype == nil { return .keep(reason: "--keep \(rule.pattern)") }
        if let rule, let t = rule.dtype, !t.isBlockQuantized { return .keep(reason: "--type-for → \(t.rawValue)") }
        guard l.dtype.isFloat else { return .keep(reason: l.dtype.isBlockQuantized ? "already \(l.dtype.rawValue)" : "integer") }
        let target = rule?.dtype ?? dtype
        if rule == nil {
            guard l.shape.count == 2 else { return .keep(reason: l.shape.count == 1 ? "1-D" : "rank \(l.shape.count)") }
        }
        guard let cols = l.shape.last, cols > 0, l.elementCount > 0 else { return .keep(reason: "empty or scalar") }
        if cols % groupSize == 0 { return .quantize(target, groupSize: groupSize, note: nil) }
        if let g = Self.groupSizes.first(where: { $0 < groupSize && cols % $0 == 0 }) {
            return .quantize(target, groupSize: g, note: "row \(cols) ∤ \(groupSize): g\(g)")
        }
        if cols % 2 == 0, cols <= Limits.maxGroupSize {
            return .quantize(target, groupSize: cols, note: "row \(cols) ∤ \(groupSize): whole row")
        }
        return .keep(reason: "odd row length \(cols)")
    }
}
