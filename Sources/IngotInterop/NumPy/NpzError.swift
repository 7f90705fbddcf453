import IngotFormat

/// What can be wrong with an `.npz` beyond its zip container (`ZipError`) and its arrays' own rules (`NpyError`).
public enum NpzError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A member whose name does not end in `.npy`: an `.npz` holds arrays only.
    case nonNpyMember(String)
    /// A member's `.npy` data breaks a rule of the npy format.
    case badMember(member: String, NpyError)

    public var description: String {
        switch self {
        case let .nonNpyMember(m): "member \(quoted(m)) is not a .npy array"
        case let .badMember(m, e): "member \(quoted(m)): \(e)"
        }
    }
}
