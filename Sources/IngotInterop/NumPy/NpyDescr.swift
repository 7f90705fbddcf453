import IngotFormat

/// A `.npy` dtype descr string (`'<f4'`, `'>i8'`, `'|b1'`, …) resolved to an Ingot dtype and a byte order.
struct NpyDescr: Equatable, Sendable {
    let dtype: DType
    /// The elements are stored big-endian and must be swapped (never true for one-byte types).
    let bigEndian: Bool

    /// Parses `text`; `nil` descr types are reported by `NpyArray`.
    init(_ text: String) throws(NpyError) {
        let u = Array(text.utf8)
        // Any descr with an 'O' kind is an object array, whatever its byte-order prefix ('|O', '<O', '|O8').
        if u.count >= 2, u[1] == UInt8(ascii: "O") { throw .objectArray(descr: text) }
        guard u.count == 3 else { throw .unsupportedDescr(text) }
        let order = u[0]
        let dtype: DType
        switch (u[1], u[2]) {
        case (UInt8(ascii: "f"), UInt8(ascii: "2")): dtype = .f16
        case (UInt8(ascii: "f"), UInt8(ascii: "4")): dtype = .f32
        case (UInt8(ascii: "f"), UInt8(ascii: "8")): dtype = .f64
        case (UInt8(ascii: "i"), UInt8(ascii: "1")): dtype = .i8
        case (UInt8(ascii: "i"), UInt8(ascii: "2")): dtype = .i16
        case (UInt8(ascii: "i"), UInt8(ascii: "4")): dtype = .i32
        case (UInt8(ascii: "i"), UInt8(ascii: "8")): dtype = .i64
        case (UInt8(ascii: "u"), UInt8(ascii: "1")): dtype = .u8
        case (UInt8(ascii: "b"), UInt8(ascii: "1")): dtype = .bool
        default: throw .unsupportedDescr(text)
        }
        let single = dtype.scalarSize == 1
        switch order {
        // numpy writes '|' for one-byte types; '<' and '>' mean the same for them.
        case UInt8(ascii: "|") where single, UInt8(ascii: "<"): bigEndian = false
        case UInt8(ascii: ">"): bigEndian = !single
        // '|' on a multi-byte type and '=' (native order) are never written by numpy: refuse rather than guess.
        default: throw .unsupportedDescr(text)
        }
        self.dtype = dtype
    }
}
