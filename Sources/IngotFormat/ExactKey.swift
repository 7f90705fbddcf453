/// A string compared by its exact Unicode scalars (UTF-8 bytes), not by Swift's canonical equivalence.
///
/// Swift's `String ==` treats "é" (U+00E9) and "e\u{301}" as equal; JSON, safetensors and Python compare code
/// points. Names and keys from files use this wrapper so that two distinct names are never merged (nor flagged as
/// duplicates) and Ingot agrees with every other reader about what is unique.
public struct ExactKey: Hashable, Sendable {
    public let string: String

    public init(_ s: String) { string = s }

    public static func == (a: ExactKey, b: ExactKey) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    public func hash(into h: inout Hasher) {
        for b in string.utf8 { h.combine(b) }
    }
}
