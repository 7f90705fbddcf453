import Testing
@testable import IngotFormat

@Suite struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }
    func failure(_ s: String) -> String? {
        do { _ = try JSONParser.parse(Array(s.utf8)); return nil } catch { return error.message }
    }

    @Test func integersStayExactAndApartFromFloats() throws {
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("-1") == .int(-1))
        #expect(try parse("1.0") == .double(1))
        #expect(try parse("1e3") == .double(1000))
    }

    @Test func objectKeyOrderIsKept() throws {
        let v = try parse("{\"b\":1,\"a\":2,\"c\":3}")
        #expect(v.objectValue?.keys == ["b", "a", "c"])
    }

    @Test func escapesAndSurrogatePairs() throws {
        #expect(try parse("\"a\\n\\u00e9\\ud83d\\ude00\\\"\"") == .string("a\né😀\""))
    }

    @Test func encoderRoundTrips() throws {
        let text = "{\"k\":[1,-2.5,\"x\\u0001\",true,false,null,{\"n\":1e-05}]}"
        let v = try parse(text)
        #expect(try parse(JSONWriter.encode(v)) == v)
    }

    @Test func rejectsDuplicateKeys() { #expect(failure("{\"a\":1,\"a\":2}") == "duplicate key \"a\"") }
    @Test func rejectsTrailingData() { #expect(failure("{} x") == "unexpected data after the value") }
    @Test func rejectsLeadingZeros() { #expect(failure("01") == "leading zero in number") }
    @Test func rejectsIntegerOverflow() { #expect(failure("9223372036854775808") == "integer out of 64-bit range") }
    @Test func rejectsFloatOverflow() { #expect(failure("1e999") == "number out of range") }
    @Test func rejectsLoneSurrogate() { #expect(failure("\"\\ud800\"") == "unpaired surrogate") }
    @Test func rejectsControlCharacters() { #expect(failure("\"a\u{01}\"") == "control character in string") }
    @Test func rejectsUnterminatedString() { #expect(failure("\"abc") == "unterminated string") }
    @Test func rejectsTrailingComma() { #expect(failure("[1,]") == "unexpected character") }
    @Test func rejectsDeepNesting() {
        #expect(failure(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == "nesting deeper than 64")
    }
    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xff, 0x22]) }
    }
    @Test func encoderRefusesNonFinite() {
        #expect(throws: JSONWriter.NonFiniteNumber.self) { try JSONWriter.encode(.double(.nan)) }
    }
}
