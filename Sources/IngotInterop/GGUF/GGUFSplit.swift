import IngotFormat

/// llama.cpp's split layout (`gguf-split`, `llama_split_path`): `prefix-00001-of-0000N.gguf` …, each file with
/// `split.no` (u16, 0-based), `split.count` (u16) and `split.tensors.count` (i32, the model's tensors); the first
/// file also holds every other pair.
public struct GGUFSplit: Sendable, Equatable {
    public static let numberKey = "split.no"
    public static let countKey = "split.count"
    public static let tensorsKey = "split.tensors.count"
    public static let keys: Set<String> = [numberKey, countKey, tensorsKey]
    /// `split.count` is a u16.
    public static let maxCount = Int(UInt16.max)

    /// 0-based.
    public let number: Int
    public let count: Int
    public let tensors: Int

    public init(number: Int, count: Int, tensors: Int) {
        self.number = number
        self.count = count
        self.tensors = tensors
    }

    /// The split a file's pairs describe; nil for an unsplit file (no `split.count`, or a count of 1 as gguf-split
    /// writes for a single file).
    init?(_ kvs: [GGUFKeyValue], path: String) throws {
        func int(_ key: String) throws -> Int? {
            guard let kv = kvs.first(where: { $0.key == key }) else { return nil }
            switch kv.value {
            case let .uint16(v): return Int(v)
            case let .int32(v) where v >= 0: return Int(v)
            case let .uint32(v): return Int(v)
            default: throw FileError(path: path, GGUFError.badSplitKey("\(key) is not a non-negative integer"))
            }
        }
        guard let count = try int(Self.countKey), count > 1 else { return nil }
        guard let number = try int(Self.numberKey), number < count else {
            throw FileError(path: path, GGUFError.badSplitKey("\(Self.numberKey) is missing or not below \(Self.countKey) \(count)"))
        }
        guard let tensors = try int(Self.tensorsKey), tensors <= GGUFLimits.maxTensors else {
            throw FileError(path: path, GGUFError.badSplitKey("\(Self.tensorsKey) is missing or over the cap"))
        }
        self.init(number: number, count: count, tensors: tensors)
    }

    /// The pairs each split file carries.
    public var keyValues: [GGUFKeyValue] {
        [GGUFKeyValue(Self.numberKey, .uint16(UInt16(clamping: number))),
         GGUFKeyValue(Self.countKey, .uint16(UInt16(clamping: count))),
         GGUFKeyValue(Self.tensorsKey, .int32(Int32(clamping: tensors)))]
    }

    /// The path of split `n` (0-based) beside the split at `path`, by llama.cpp's naming.
    func siblingPath(_ n: Int, of path: String) throws -> String {
        let dir = ShardedIngotFile.directory(of: path)
        let name = String(path.dropFirst(dir.count))
        guard let parsed = ShardPlan.parseFileName(name, ext: "gguf"), parsed.count == count else {
            throw FileError(path: path, GGUFError.badSplitKey("a split of \(count) must be named PREFIX-NNNNN-of-\(ShardPlan.fiveDigits(count)).gguf"))
        }
        return dir + ShardPlan.fileName(stem: parsed.stem, number: n + 1, count: count, ext: "gguf")
    }
}
