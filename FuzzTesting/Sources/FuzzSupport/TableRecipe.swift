import IngotFormat

/// Turns a short fuzz input into a file with a hostile tensor table: up to 200,000 entries, names up to 32 KiB (a
/// pattern from the input, `#` replaced by the entry's index), optionally repeated names, and declared counts or
/// lengths that lie (a GGUF `tensor_count` / `kv_count`, a safetensors header length, taken from the input).
/// A 64 KiB fuzz input cannot hold such a table itself; this recipe lets libFuzzer steer one.
///
/// Used by FuzzTensorTables and, through a symlink (Tests/IngotInteropTests/TableRecipe.swift), by the test that
/// replays its corpus, so both build the same bytes.
///
/// Input: `format` (u8: 0 GGUF, 1 safetensors, 2 Ingot, by value mod 3), `flags` (u8), entries (u32 mod 4,097, or
/// mod 200,001 with flag 32),
/// declared tensor count (u64), declared key-value count (u64), name length (u16, mod 32,769), extra GGUF
/// key-value pairs (u16 mod 1,001), then the name pattern (the rest; "t" when empty). Missing bytes read as 0.
/// Flags: 1 declare the tensor count (GGUF) / header length (safetensors) from the input instead of the true one;
/// 2 declare the key-value count (GGUF); 4 do not append the index to names without `#` (repeated names);
/// 8 every tensor is f32 `[1]` (4 bytes each, laid out one after another) instead of an empty `[0]`;
/// 16 add `general.architecture = "llama"` and `llama.attention.head_count = 1` (GGUF; the canonical name mapping
/// then applies); 32 up to 200,000 entries instead of 4,096.
public enum TableRecipe {
    /// The harness walks (loads, maps the names of) at most this many tensors of a table; opening covers them all.
    public static let walked = 4096

    public enum Format: UInt8, Sendable {
        case gguf, safetensors, ingot
    }

    public static let maxEntries = 200_000
    public static let smallEntries = 4096
    public static let tableBudget = 24 << 20
    public static let maxNameBytes = 32_768

    public static func build(_ input: [UInt8]) -> (format: Format, bytes: [UInt8]) {
        var r = Reader(input)
        let format = Format(rawValue: r.u8() % 3)!
        let flags = r.u8()
        // Huge tables only when asked for (flag 32): most inputs then run in milliseconds, not seconds.
        let requested = Int(r.u32() % UInt32(flags & 32 != 0 ? maxEntries + 1 : smallEntries + 1))
        let declaredTensors = r.u64()
        let declaredKVs = r.u64()
        let nameLength = Int(r.u16()) % (maxNameBytes + 1)
        let extraKVs = Int(r.u16()) % 1001
        var pattern = r.rest()
        if pattern.isEmpty { pattern = Array("t".utf8) }
        if pattern.count < nameLength {
            pattern = (0..<nameLength).map { pattern[$0 % pattern.count] }
        }
        let indexed = pattern.contains(UInt8(ascii: "#")) || flags & 4 == 0
        func name(_ i: Int) -> [UInt8] {
            guard indexed else { return pattern }
            let digits = Array(String(i).utf8)
            if pattern.contains(UInt8(ascii: "#")) {
                return pattern.flatMap { $0 == UInt8(ascii: "#") ? digits : [$0] }
            }
            return pattern + [UInt8(ascii: ".")] + digits
        }
        // At most ~24 MiB of table: 200,000 short names, or fewer long ones (50,000 names of 20 KiB would take a
        // second per input to build and be refused for its header size anyway, which the lying lengths test).
        let first = name(0)
        let cost = first.reduce(96) { $0 + ($1 < 0x20 ? 6 : ($1 == UInt8(ascii: "\"") || $1 == UInt8(ascii: "\\")) ? 2 : 1) }
        let entries = min(requested, max(1, tableBudget / cost))
        let elements = flags & 8 != 0 ? 1 : 0
        switch format {
        case .gguf:
            return (format, gguf(entries: entries, name: name, elements: elements,
                                 tensorCount: flags & 1 != 0 ? declaredTensors : nil,
                                 kvCount: flags & 2 != 0 ? declaredKVs : nil,
                                 architecture: flags & 16 != 0, extraKVs: extraKVs))
        case .safetensors:
            return (format, safetensors(entries: entries, name: name, elements: elements,
                                        headerLength: flags & 1 != 0 ? declaredTensors : nil))
        case .ingot:
            return (format, ingot(entries: entries, name: name, elements: elements))
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0
        init(_ b: [UInt8]) { bytes = b }
        mutating func u8() -> UInt8 {
            defer { at += 1 }
            return at < bytes.count ? bytes[at] : 0
        }
        mutating func u16() -> UInt16 { (0..<2).reduce(0) { v, i in v | UInt16(u8()) << (8 * i) } }
        mutating func u32() -> UInt32 { (0..<4).reduce(0) { v, i in v | UInt32(u8()) << (8 * i) } }
        mutating func u64() -> UInt64 { (0..<8).reduce(0) { v, i in v | UInt64(u8()) << (8 * i) } }
        func rest() -> [UInt8] { at < bytes.count ? Array(bytes[at...]) : [] }
    }

    static func le<T: FixedWidthInteger>(_ v: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func gguf(entries: Int, name: (Int) -> [UInt8], elements: Int, tensorCount: UInt64?, kvCount: UInt64?,
                     architecture: Bool, extraKVs: Int) -> [UInt8] {
        var out = Array("GGUF".utf8)
        le(UInt32(3), &out)
        le(tensorCount ?? UInt64(entries), &out)
        le(kvCount ?? UInt64(extraKVs + (architecture ? 2 : 0)), &out)
        func string(_ s: [UInt8]) {
            le(UInt64(s.count), &out)
            out += s
        }
        if architecture {
            string(Array("general.architecture".utf8))
            le(UInt32(8), &out)  // string
            string(Array("llama".utf8))
            string(Array("llama.attention.head_count".utf8))  // the one key the canonical mapping requires
            le(UInt32(4), &out)  // u32
            le(UInt32(1), &out)
        }
        for k in 0..<extraKVs {
            string(Array("k.\(k)".utf8))
            le(UInt32(4), &out)  // u32
            le(UInt32(k), &out)
        }
        for i in 0..<entries {
            string(name(i))
            le(UInt32(1), &out)  // n_dims
            le(UInt64(elements), &out)
            le(UInt32(0), &out)  // F32
            le(UInt64(i * 32 * elements), &out)  // offsets aligned to 32
        }
        while out.count % 32 != 0 { out.append(0) }
        if entries > 0, elements > 0 { out += [UInt8](repeating: 0, count: (entries - 1) * 32 + 4) }
        return out
    }

    /// A JSON string literal of raw name bytes: quotes, backslashes and C0 controls escaped; other bytes as they are
    /// (so invalid UTF-8 reaches the parser).
    static func jsonString(_ s: [UInt8], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), b]
            case 0..<0x20: out += Array("\\u00".utf8) + [hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    static func safetensors(entries: Int, name: (Int) -> [UInt8], elements: Int, headerLength: UInt64?) -> [UInt8] {
        var json = Array("{\"__metadata__\":{\"format\":\"pt\"}".utf8)
        for i in 0..<entries {
            json.append(UInt8(ascii: ","))
            jsonString(name(i), &json)
            let start = i * 4 * elements
            json += Array(":{\"dtype\":\"F32\",\"shape\":[\(elements)],\"data_offsets\":[\(start),\(start + 4 * elements)]}".utf8)
        }
        json.append(UInt8(ascii: "}"))
        var out: [UInt8] = []
        le(headerLength ?? UInt64(json.count), &out)
        return out + json + [UInt8](repeating: 0, count: entries * 4 * elements)
    }

    static func ingot(entries: Int, name: (Int) -> [UInt8], elements: Int) -> [UInt8] {
        let sum = Array(XXH3.hexString(XXH3.hash([UInt8](repeating: 0, count: 4 * elements))).utf8)
        var json = Array("{\"alignment\":8,\"metadata\":{},\"tensors\":[".utf8)
        for i in 0..<entries {
            if i > 0 { json.append(UInt8(ascii: ",")) }
            json += Array("{\"name\":".utf8)
            jsonString(name(i), &json)
            json += Array(",\"dtype\":\"f32\",\"shape\":[\(elements)],\"offset\":\(i * 8 * elements),\"length\":\(4 * elements),\"encoding\":\"raw\",\"xxh3\":\"".utf8)
            json += sum + Array("\"}".utf8)
        }
        json += Array("]}".utf8)
        let dataOffset = (40 + json.count + 4095) / 4096 * 4096
        var out = [0x89, 0x49, 0x4E, 0x47, 0x4F, 0x54, 0x0D, 0x0A] as [UInt8]
        le(UInt16(1), &out)
        le(UInt16(0), &out)
        le(UInt32(0), &out)
        le(UInt64(json.count), &out)
        le(XXH3.hash(json), &out)
        le(UInt64(dataOffset), &out)
        out += json
        out += [UInt8](repeating: 0, count: dataOffset - out.count)
        if entries > 0, elements > 0 { out += [UInt8](repeating: 0, count: (entries - 1) * 8 + 4) }
        return out
    }
}
