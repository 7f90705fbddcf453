import ArgumentParser
import IngotFormat
import IngotInterop
import IngotVerify

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Compare two models tensor by tensor (canonical names, any formats): SQNR, max error, cosine.")

    @Argument(help: "The reference model.") var a: String
    @Argument(help: "The model to compare.") var b: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let sa = try openModelSource(path: a), sb = try openModelSource(path: b)
        let diff = try TensorDiff.compare(sa, sb)
        print(json ? DiffReport.json(diff).description : DiffReport.text(diff, a: a, b: b))
    }
}

enum DiffReport {
    static func text(_ d: TensorDiff, a: String, b: String) -> String {
        var t = TextTable(["name", "A", "B", "SQNR dB", "max |err|", "cosine"], right: [3, 4, 5])
        for r in d.rows {
            t.rows.append([r.name, r.a.map(ConvertReport.typeName).map { $0 + " " + Fmt.shape(r.a?.shape ?? []) } ?? "(absent)",
                           r.b.map(ConvertReport.typeName).map { $0 + " " + Fmt.shape(r.b?.shape ?? []) } ?? "(absent)",
                           r.sqnrDB.map { $0.isInfinite ? "identical" : Fmt.fixed($0, 2) } ?? "-",
                           r.maxAbs.map(Fmt.num) ?? "-", r.cosine.map { Fmt.fixed($0, 6) } ?? "-"])
        }
        let same = d.rows.filter(\.identical).count
        return t.render() + "\n\nA = \(a)\nB = \(b)\n\(d.rows.count) tensors: \(same) identical, "
            + "\(d.onlyInA.count) only in A, \(d.onlyInB.count) only in B"
    }

    static func json(_ d: TensorDiff) -> JSONValue {
        func num(_ v: Double?) -> JSONValue { v.map { $0.isFinite ? .double($0) : ($0 > 0 ? .string("inf") : .null) } ?? .null }
        return .array(d.rows.map { r in
            .object(JSONObject([
                ("name", .string(r.name)),
                ("a", r.a.map { .object(JSONObject([("dtype", .string($0.dtype.rawValue)), ("shape", .array($0.shape.map { .int(Int64($0)) }))])) } ?? .null),
                ("b", r.b.map { .object(JSONObject([("dtype", .string($0.dtype.rawValue)), ("shape", .array($0.shape.map { .int(Int64($0)) }))])) } ?? .null),
                ("sqnr_db", num(r.sqnrDB)), ("max_abs", num(r.maxAbs)), ("cosine", num(r.cosine)),
            ]))
        })
    }
}
