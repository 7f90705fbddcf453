import IngotFormat
import Testing

@testable import IngotInterop

/// One test per rule of the `.npy` reader, plus known-answer tests of the byte-swap and transpose paths.
@Suite struct NpyBadFileTests {
    /// A .npy with `dict` as its header (padded like numpy's: total header a multiple of 64, ending in '\n').
    static func craft(_ dict: String, data: [UInt8] = [], major: UInt8 = 1) -> [UInt8] {
        let pre = 8 + (major == 1 ? 2 : 4)
        var h = Array(dict.utf8)
        let total = (pre + h.count + 1 + 63) / 64 * 64
        h += [UInt8](repeating: 0x20, count: total - pre - h.count - 1) + [0x0a]
        let length = major == 1 ? le(UInt16(h.count)) : le(UInt32(h.count))
        return NpyArray.magic + [major, 0] + length + h + data
    }

    static func dict(descr: String = "'<f4'", fortran: String = "False", shape: String = "(2,)") -> String {
        "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    func error(_ bytes: [UInt8]) -> NpyError? {
        let r = bytes.withUnsafeBytes { b in Result { () throws(NpyError) in try NpyArray(b) } }
        if case let .failure(e) = r { return e }
        return nil
    }

    func parse(_ bytes: [UInt8]) throws -> NpyArray {
        try bytes.withUnsafeBytes { b in try NpyArray(b) }
    }

    func decoded(_ bytes: [UInt8]) throws -> [UInt8] {
        let a = try parse(bytes)
        return try bytes.withUnsafeBytes { b in
            let data = UnsafeRawBufferPointer(rebasing: b[a.dataOffset...])
            return try a.decode(data, owner: OwnedBytes(count: 0)).withBytes { Array($0) }
        }
    }

    let eight = [UInt8](repeating: 0, count: 8)

    @Test func validMinimalArrayIsAccepted() {
        #expect(error(Self.craft(Self.dict(), data: eight)) == nil)
        #expect(error(Self.craft("{'shape':(2,),'fortran_order':False,'descr':'<f4'}", data: eight)) == nil)  // any key order
        #expect(error(Self.craft(Self.dict(shape: "(2L,)"), data: eight)) == nil)  // Python 2 long, as numpy accepts
    }

    @Test func badMagic() {
        var f = Self.craft(Self.dict(), data: eight)
        f[1] = UInt8(ascii: "X")
        #expect(error(f) == .badMagic)
        #expect(error(Array("PK\u{3}\u{4}xxxxxxxxx".utf8)) == .badMagic)
    }

    @Test func truncatedPreamble() {
        let f = Self.craft(Self.dict(), data: eight)
        #expect(error(Array(f.prefix(3))) == .truncatedPreamble(need: 10, have: 3))
        #expect(error(Array(f.prefix(9))) == .truncatedPreamble(need: 10, have: 9))
        let v2 = Self.craft(Self.dict(), data: eight, major: 2)
        #expect(error(Array(v2.prefix(11))) == .truncatedPreamble(need: 12, have: 11))
    }

    @Test(arguments: [(UInt8(4), UInt8(0)), (1, 1), (0, 0), (2, 5)])
    func unsupportedVersion(_ version: (UInt8, UInt8)) {
        var f = Self.craft(Self.dict(), data: eight)
        f[6] = version.0
        f[7] = version.1
        #expect(error(f) == .unsupportedVersion(major: Int(version.0), minor: Int(version.1)))
    }

    @Test func versions2And3AreRead() throws {
        for major: UInt8 in [2, 3] {
            let a = try parse(Self.craft(Self.dict(), data: eight, major: major))
            #expect(a.majorVersion == Int(major))
            #expect(a.dataOffset % 64 == 0)
        }
    }

    @Test func headerLengthBeyondFile() {
        let f = Self.craft(Self.dict(), data: eight)
        #expect(error(Array(f.prefix(100))) == .headerBeyondFile(end: 128, fileSize: 100))
        var g = NpyArray.magic + [1, 0] + le(UInt16(500)) + Array(Self.dict().utf8)
        g += eight
        #expect(error(g) == .headerBeyondFile(end: 510, fileSize: g.count))
    }

    @Test func headerLengthOverTheCap() {
        let f = NpyArray.magic + [2, 0] + le(UInt32(70_000)) + Array(Self.dict().utf8)
        #expect(error(f) == .headerTooLarge(70_000))
    }

    @Test(arguments: [
        "[('descr', '<f4')]",  // not a dict
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",  // unterminated
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",  // missing comma
        "{'descr': __import__('os').system('true'), 'fortran_order': False, 'shape': (2,)}",  // code, never run
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x",  // text after the dict
        "{'descr': '\\x3cf4', 'fortran_order': False, 'shape': (2,)}",  // escapes
        "{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}",  // leading zero
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}",  // float
        "{descr: '<f4', 'fortran_order': False, 'shape': (2,)}",  // bare key
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",  // duplicate key
        "{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((((((((((2,),),),),),),),),),),),),),),),),),)}",  // deep
        "{'descr': '\u{9B}2J', 'fortran_order': False, 'shape': (2,)}",  // a C1 control (CSI) that would reach a terminal
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': None}}",  // unbalanced
    ])
    func malformedHeaderDict(_ dict: String) {
        guard case .malformedHeader = error(Self.craft(dict, data: eight)) else {
            Issue.record("expected malformedHeader for \(dict), got \(String(describing: error(Self.craft(dict, data: eight))))")
            return
        }
    }

    @Test func missingKey() {
        #expect(error(Self.craft("{'descr': '<f4', 'shape': (2,)}", data: eight)) == .missingKey("fortran_order"))
    }

    @Test func unexpectedKey() {
        #expect(error(Self.craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", data: eight))
                == .unexpectedKey("x"))
    }

    @Test func wronglyTypedValues() {
        #expect(error(Self.craft(Self.dict(fortran: "0"), data: eight)) == .badValue(key: "fortran_order", expected: "True or False"))
        #expect(error(Self.craft(Self.dict(shape: "[2]"), data: eight)) == .badValue(key: "shape", expected: "a tuple"))
        #expect(error(Self.craft(Self.dict(shape: "(2)"), data: eight)) == .badValue(key: "shape", expected: "a tuple"))
        #expect(error(Self.craft(Self.dict(shape: "('2',)"), data: eight))
                == .badValue(key: "shape", expected: "a tuple of integers"))
    }

    @Test(arguments: ["'|O'", "'<O'", "'|O8'", "[('a', '<f4'), ('b', '|O')]"])
    func objectDTypeIsRefused(_ descr: String) {
        guard case .objectArray = error(Self.craft(Self.dict(descr: descr), data: eight)) else {
            Issue.record("expected objectArray for \(descr)")
            return
        }
    }

    @Test(arguments: ["'<c8'", "'<u2'", "'<u4'", "'<f16'", "'|f4'", "'=f4'", "'<M8[ns]'", "'<U3'", "'V8'", "[('a', '<f4')]"])
    func unknownDescrIsRefused(_ descr: String) {
        guard case .unsupportedDescr = error(Self.craft(Self.dict(descr: descr), data: eight)) else {
            Issue.record("expected unsupportedDescr for \(descr)")
            return
        }
    }

    @Test func negativeShape() {
        #expect(error(Self.craft(Self.dict(shape: "(-2,)"), data: eight)) == .badShape("negative dimension -2"))
    }

    @Test func rankBeyondIngotsLimitIsTheRealRank() {
        #expect(error(Self.craft(Self.dict(descr: "'|u1'", shape: "(1,1,1,1,1,1,1,1,1)"), data: [0]))
                == .badShape("rank 9 exceeds the maximum of 8"))
        // Rank 100, even with dimensions whose product overflows: the rank is what is wrong first.
        let hundred = "(" + Array(repeating: "1", count: 99).joined(separator: ",") + ",99999999999999999999999)"
        #expect(error(Self.craft(Self.dict(descr: "'|u1'", shape: hundred), data: [0])) == .badShape("rank 100 exceeds the maximum of 8"))
    }

    @Test func overflowingShape() {
        #expect(error(Self.craft(Self.dict(shape: "(4294967296, 4294967296)"))) == .sizeOverflow)
        #expect(error(Self.craft(Self.dict(shape: "(2305843009213693952,)"))) == .sizeOverflow)  // × 4 bytes
        #expect(error(Self.craft(Self.dict(shape: "(99999999999999999999999,)"))) == .sizeOverflow)
    }

    @Test func truncatedData() {
        #expect(error(Self.craft(Self.dict(), data: [0, 0, 0, 0, 0])) == .truncatedData(expected: 8, actual: 5))
    }

    @Test func trailingData() {
        #expect(error(Self.craft(Self.dict(), data: eight + [0])) == .trailingData(expected: 8, actual: 9))
    }

    @Test func bigEndianIntegersAreSwapped() throws {
        let f = Self.craft(Self.dict(descr: "'>i2'", shape: "(2,)"), data: [0x01, 0x02, 0xFF, 0xFE])
        #expect(try decoded(f) == [0x02, 0x01, 0xFE, 0xFF])
        let g = Self.craft(Self.dict(descr: "'>f8'", shape: "(1,)"), data: [0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        #expect(try decoded(g) == rawBytes([1.0]))
    }

    @Test func oneByteTypesIgnoreByteOrder() throws {
        let f = Self.craft(Self.dict(descr: "'>i1'", shape: "(2,)"), data: [1, 2])
        #expect(try parse(f).isZeroCopy)
        #expect(try decoded(f) == [1, 2])
    }

    @Test func fortranOrder3DIsTransposedToCOrder() throws {
        // Shape (2, 3, 4): the value at [i, j, k] is 100i + 10j + k. Fortran order stores i fastest, then j, then k.
        var fortran: [Int16] = []
        for k in 0..<4 { for j in 0..<3 { for i in 0..<2 { fortran.append(Int16(100 * i + 10 * j + k)) } } }
        var c: [Int16] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { c.append(Int16(100 * i + 10 * j + k)) } } }
        let f = Self.craft(Self.dict(descr: "'<i2'", fortran: "True", shape: "(2, 3, 4)"), data: rawBytes(fortran))
        #expect(try decoded(f) == rawBytes(c))
        // Big-endian and Fortran together.
        let be = fortran.flatMap { v in [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        let g = Self.craft(Self.dict(descr: "'>i2'", fortran: "True", shape: "(2, 3, 4)"), data: be)
        #expect(try decoded(g) == rawBytes(c))
    }

    @Test func fortranOrderWithOneLongAxisIsZeroCopy() throws {
        let f = Self.craft(Self.dict(descr: "'<i2'", fortran: "True", shape: "(1, 3, 1)"), data: [1, 0, 2, 0, 3, 0])
        #expect(try parse(f).isZeroCopy)
        #expect(try decoded(f) == [1, 0, 2, 0, 3, 0])
    }

    @Test func emptyFortranArrayDecodes() throws {
        let f = Self.craft(Self.dict(fortran: "True", shape: "(0, 3)"))
        #expect(try decoded(f) == [])
    }
}
