import IngotFormat
import IngotInterop
import IngotVerify

/// Two models compared tensor by tensor under canonical names, any formats: what only one side has, shape and dtype
/// changes, and the SQNR, max error and cosine of every tensor present in both.
public struct DiffReport: Sendable {
    /// The reference (A) and the model compared with it (B).
    public let a: String
    public let b: String
    public let diff: TensorDiff

    /// Opens both models and compares them, one tensor in memory per side at a time.
    public static func compare(_ a: String, _ b: String) throws -> DiffReport {
        let sa = try openModelSource(path: a), sb = try openModelSource(path: b)
        return DiffReport(a: a, b: b, diff: try TensorDiff.compare(sa, sb))
    }

    public var identicalCount: Int { diff.rows.filter(\.identical).count }

    /// One object per tensor; an identical tensor's SQNR (+∞) is null, like every non-finite number.
    public var json: JSONValue {
        func layout(_ l: TensorLayout?) -> JSONValue {
            l.map { .object(JSONObject([("dtype", .string($0.dtype.rawValue)), ("shape", .array($0.shape.map(JSONValue.integer)))])) } ?? .null
        }
        return .array(diff.rows.map { r in
            .object(JSONObject([
                ("name", .string(r.name)), ("a", layout(r.a)), ("b", layout(r.b)),
                ("sqnr_db", .number(r.sqnrDB)), ("max_abs", .number(r.maxAbs)), ("cosine", .number(r.cosine)),
            ]))
        })
    }
}
