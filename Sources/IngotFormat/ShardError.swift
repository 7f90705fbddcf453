/// What can be wrong with a sharded model: its index, or a shard that does not match it. Tagged with the file that
/// is wrong (`FileError`), so the one error line names the missing or swapped shard.
public enum ShardError: Error, Equatable, Sendable, CustomStringConvertible {
    case indexTooLarge(bytes: Int, cap: Int)
    case badIndex(String)
    /// A shard the index lists is not there.
    case missingShard(number: Int, count: Int)
    /// The shard's size or header checksum is not the one the index recorded.
    case changedShard(number: Int, reason: String)
    /// The shard says it is another shard (a renamed or swapped file), or of another plan.
    case wrongShard(expected: String, found: String)
    /// The index and the shard disagree about where a tensor is.
    case tensorMismatch(String)
    /// A directory holds more than one sharded model.
    case ambiguousDirectory([String])

    public var description: String {
        switch self {
        case let .indexTooLarge(b, cap): "shard index of \(b) bytes exceeds the cap of \(cap)"
        case let .badIndex(why): "bad shard index: \(why)"
        case let .missingShard(n, c): "shard \(n) of \(c) is missing"
        case let .changedShard(n, why): "shard \(n) is not the file the index recorded: \(why)"
        case let .wrongShard(e, f): "expected \(e) but this file is \(f)"
        case let .tensorMismatch(why): "shard and index disagree: \(why)"
        case let .ambiguousDirectory(names): "several sharded models here (\(names.joined(separator: ", "))): name the index"
        }
    }
}
