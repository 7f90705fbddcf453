// Runs IngotText tokenizers for the comparison and benchmark scripts (not installed for users):
//
//   ingot-text-check encode TOKENIZER STRINGS.json   one JSON line per string: {"a": ids with special tokens,
//                                                    "b": ids without, "o": flat byte offsets of "a",
//                                                    "d": decode(a, skip special)}
//   ingot-text-check bench TOKENIZER TEXT [REPEAT]   encodes each line of TEXT (REPEAT times, default 1) in one
//                                                    thread; prints {"load_ms", "seconds", "tokens", "bytes"}
//   ingot-text-check load TOKENIZER [REPEAT]         prints the fastest of REPEAT loads in ms
//
// TOKENIZER is a tokenizer.json, or a JSON dump of GGUF tokenizer arrays when named *.gguf.json (keys: model,
// pre, tokens, scores, token_type, merges, bos, eos, unk, sep, cls, add_bos, add_eos, add_space_prefix).
import Foundation
import IngotFormat
import IngotText

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ingot-text-check: \(message)\n".utf8))
    exit(1)
}

func readBytes(_ path: String) -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    return [UInt8](d)
}

func loadTokenizer(_ path: String) -> Tokenizer {
    do {
        let bytes = readBytes(path)
        guard path.hasSuffix(".gguf.json") else { return try Tokenizer(jsonBytes: bytes) }
        guard let o = try JSONParser.parse(bytes).objectValue else { fail("\(path): not an object") }
        let strings = { (k: String) in o[k]?.arrayValue?.compactMap(\.stringValue) }
        var v = GGUFVocabulary(model: o["model"]?.stringValue ?? "", tokens: strings("tokens") ?? [])
        v.preTokenizer = o["pre"]?.stringValue
        v.scores = o["scores"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) }
        v.tokenTypes = o["token_type"]?.arrayValue?.compactMap { $0.intValue.map { Int32(truncatingIfNeeded: $0) } }
        v.merges = strings("merges")
        v.bosID = o["bos"]?.intValue.map(Int.init)
        v.eosID = o["eos"]?.intValue.map(Int.init)
        v.unkID = o["unk"]?.intValue.map(Int.init)
        v.sepID = o["sep"]?.intValue.map(Int.init)
        v.clsID = o["cls"]?.intValue.map(Int.init)
        v.addBOS = o["add_bos"]?.boolValue
        v.addEOS = o["add_eos"]?.boolValue
        v.addSpacePrefix = o["add_space_prefix"]?.boolValue
        return try Tokenizer(gguf: v)
    } catch {
        fail("\(path): \(error)")
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: ingot-text-check encode|bench|load TOKENIZER [FILE] [REPEAT]") }
switch args[1] {
case "encode":
    guard args.count >= 4 else { fail("encode needs STRINGS.json") }
    let tok = loadTokenizer(args[2])
    let strings: [String]
    do {
        strings = (try JSONParser.parse(readBytes(args[3])).arrayValue ?? []).compactMap(\.stringValue)
    } catch {
        fail("\(args[3]): \(error)")
    }
    var out = ""
    for s in strings {
        let e = tok.encode(s)
        let plain = tok.encode(s, addSpecialTokens: false)
        let line = JSONValue.object(
            JSONObject([
                ("a", .array(e.ids.map { .int(Int64($0)) })), ("b", .array(plain.ids.map { .int(Int64($0)) })),
                ("o", .array(e.offsets.flatMap { [JSONValue.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))] })),
                ("d", .string(tok.decode(e.ids, skipSpecialTokens: true))),
            ]))
        out += line.description + "\n"
    }
    FileHandle.standardOutput.write(Data(out.utf8))
case "bench":
    guard args.count >= 4 else { fail("bench needs TEXT") }
    let t0 = now()
    let tok = loadTokenizer(args[2])
    let loadMS = (now() - t0) * 1000
    let lines = String(decoding: readBytes(args[3]), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let repeats = args.count > 4 ? Int(args[4]) ?? 1 : 1
    var tokens = 0
    let t1 = now()
    for _ in 0..<repeats {
        for l in lines { tokens += tok.encode(l).ids.count }
    }
    let seconds = now() - t1
    let bytes = lines.reduce(0) { $0 + $1.utf8.count } * repeats
    print("{\"load_ms\": \(loadMS), \"seconds\": \(seconds), \"tokens\": \(tokens), \"bytes\": \(bytes)}")
case "load":
    let repeats = args.count > 3 ? Int(args[3]) ?? 1 : 1
    var best = Double.infinity
    for _ in 0..<max(1, repeats) {
        let t0 = now()
        _ = loadTokenizer(args[2])
        best = min(best, (now() - t0) * 1000)
    }
    print("{\"load_ms\": \(best)}")
default:
    fail("unknown mode \(args[1])")
}
