#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A string compared by its exact Unicode scalars (UTF-8 bytes), not by Swift's canonical equivalence.
///
/// Swift's `String ==` treats "é" (U+00E9) and "e\u{301}" as equal; JSON, safetensors and Python compare code
/// points. Names and keys from files use this wrapper so that two distinct names are never merged (nor flagged as
/// duplicates) and Ingot agrees with every other reader about what is unique.
public struct ExactKey: Hashable, Sendable {
    public let string: String

    public init(_ s: String) { string = s }

    public static func == (a: ExactKey, b: ExactKey) -> Bool { sameScalars(a.string, b.string) }

    public func hash(into h: inout Hasher) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { h.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { for b in string.utf8 { h.combine(b) } }
        h.combine(0xff as UInt8)  // terminator: never a UTF-8 byte, so ("ab","c") and ("a","bc") hash apart
    }
}

/// True when two strings have the same UTF-8 bytes (memcmp on native strings; Swift's `==` would also equate
/// canonically equivalent ones).
@inlinable
public func sameScalars(_ a: String, _ b: String) -> Bool {
    let fast: Bool?? = a.utf8.withContiguousStorageIfAvailable { pa in
        b.utf8.withContiguousStorageIfAvailable { pb in
            guard pa.count == pb.count else { return false }
            guard let x = pa.baseAddress, let y = pb.baseAddress else { return true }  // both empty
            return memcmp(x, y, pa.count) == 0
        }
    }
    if let f = fast, let r = f { return r }
    return a.utf8.elementsEqual(b.utf8)
}
