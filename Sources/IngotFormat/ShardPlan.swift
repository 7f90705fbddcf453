/// How a model is cut into files: consecutive runs of tensors in their order, each run at most `maxBytes` of tensor
/// data (a tensor larger than that alone), and — for conversions spread over many processes — which part writes
/// which shard.
///
/// Both depend only on the tensors' names, sizes and order (never on timing or a process count at write time), so
/// every process of a job array computes the same plan, and a one-process conversion writes the same shards as N
/// parts do. Sizes are the tensors' decoded bytes as planned before any data is read (a compressed shard is smaller
/// on disk; the cut is the same).
public struct ShardPlan: Sendable, Equatable {
    public struct Shard: Sendable, Equatable {
        /// 1-based, as in `model-00001-of-00003`.
        public let number: Int
        /// Indices into the planned tensor list.
        public let tensors: Range<Int>
        /// Decoded bytes of its tensors.
        public let bytes: Int
    }

    public let shards: [Shard]
    public let maxBytes: Int
    /// Shard index (0-based) of each tensor, in tensor order.
    public let shardOfTensor: [Int]

    /// Largest shard count: the file names carry five digits, as Hugging Face's and llama.cpp's do.
    public static let maxShards = 99_999

    /// Cuts `sizes` (each tensor's bytes, in order). A model without tensors is one empty shard.
    public init(sizes: [Int], maxBytes: Int) throws(IngotError) {
        guard maxBytes > 0 else { throw .unsupported("a shard size must be positive") }
        var shards: [Shard] = []
        var of: [Int] = []
        of.reserveCapacity(sizes.count)
        var start = 0, bytes = 0
        for (i, s) in sizes.enumerated() {
            if i > start, bytes > maxBytes - s {  // i > start: the first tensor of a shard always fits
                shards.append(Shard(number: shards.count + 1, tensors: start..<i, bytes: bytes))
                (start, bytes) = (i, 0)
            }
            bytes = Checked.add(bytes, s) ?? Int.max
            of.append(shards.count)
        }
        shards.append(Shard(number: shards.count + 1, tensors: start..<sizes.count, bytes: bytes))
        guard shards.count <= Self.maxShards else {
            throw .unsupported("\(shards.count) shards: at most \(Self.maxShards) (choose a larger shard size)")
        }
        self.shards = shards
        self.maxBytes = maxBytes
        shardOfTensor = of
    }

    /// The 0-based part (of `parts`) that writes each shard: contiguous runs of shards with about equal bytes — a
    /// shard goes to the part its middle byte falls in — so a part reads a contiguous range of the source. With more
    /// parts than shards some parts get none.
    public func partOfShard(parts: Int) -> [Int] {
        precondition(parts >= 1, "parts must be positive (validated by the caller)")
        let total = shards.reduce(0) { Checked.add($0, $1.bytes) ?? Int.max }
        var at = 0
        return shards.map { s in
            let middle = Double(at) + Double(s.bytes) / 2
            at = Checked.add(at, s.bytes) ?? Int.max
            guard total > 0 else { return min(parts - 1, (s.number - 1) * parts / shards.count) }
            return min(parts - 1, Int(middle * Double(parts) / Double(total)))
        }
    }

    /// `stem-00001-of-00003.ext`, the naming Hugging Face and llama.cpp's gguf-split use.
    public static func fileName(stem: String, number: Int, count: Int, ext: String) -> String {
        "\(stem)-\(fiveDigits(number))-of-\(fiveDigits(count)).\(ext)"
    }

    public static func fiveDigits(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// Parses `stem-00001-of-00003.ext` back: (stem, number, count), nil for any other name.
    public static func parseFileName(_ name: String, ext: String) -> (stem: String, number: Int, count: Int)? {
        let suffix = "." + ext
        guard name.hasSuffix(suffix) else { return nil }
        let base = name.dropLast(suffix.count)
        // "-NNNNN-of-NNNNN" is 15 characters.
        guard base.count > 15 else { return nil }
        let tail = base.suffix(15)
        let parts = tail.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[2] == "of", parts[1].count == 5, parts[3].count == 5,
            parts[1].allSatisfy(\.isASCIIDigit), parts[3].allSatisfy(\.isASCIIDigit),
            let n = Int(parts[1]), let c = Int(parts[3]), n >= 1, n <= c
        else { return nil }
        return (String(base.dropLast(15)), n, c)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Parses a size such as `5GB`, `500MB`, `2GiB`, `1048576` (bytes): decimal units (kB/KB, MB, GB, TB) are powers of
/// 1000 as Hugging Face's `max_shard_size` reads them, binary units (KiB, MiB, GiB, TiB) powers of 1024.
public func parseByteSize(_ text: String) -> Int? {
    let s = text.trimmingCharacters(in: " ")
    let digits = s.prefix { $0.isASCIIDigit || $0 == "." }
    guard !digits.isEmpty, let value = Double(digits), value.isFinite, value > 0 else { return nil }
    let unit = s.dropFirst(digits.count).trimmingCharacters(in: " ").lowercased()
    let scale: Double
    switch unit {
    case "", "b": scale = 1
    case "k", "kb": scale = 1e3
    case "m", "mb": scale = 1e6
    case "g", "gb": scale = 1e9
    case "t", "tb": scale = 1e12
    case "kib": scale = 1024
    case "mib": scale = 1_048_576
    case "gib": scale = 1_073_741_824
    case "tib": scale = 1_099_511_627_776
    default: return nil
    }
    let bytes = (value * scale).rounded()
    guard bytes >= 1, bytes < 9.0e18 else { return nil }
    return Int(bytes)
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in c: Character) -> String {
        var sub = Substring(self)
        while sub.first == c { sub = sub.dropFirst() }
        while sub.last == c { sub = sub.dropLast() }
        return String(sub)
    }
}
