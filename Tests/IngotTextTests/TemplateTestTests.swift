import Testing

@testable import IngotText

/// jinja2's `is` tests with Python's type rules; expected texts are jinja2's.
@Suite struct TemplateTestTests {
    /// `defined`, `undefined`, `none`.
    @Test func definedAndNoneTests() throws {
        #expect(try render("{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ n is none }} {{ x is not none }} {{ y is none }}", #"{"x": 1, "n": null}"#) == "True False True True True False")
    }

    /// `string`, `mapping`, `number` (bools are numbers), `integer` (bools are not), `float`, `boolean`, `true`, `false`.
    @Test func typeTests() throws {
        #expect(try render("{{ s is string }} {{ d is mapping }} {{ l is mapping }} {{ b is number }} {{ b is integer }} {{ i is integer }} {{ f is float }} {{ i is float }} {{ b is boolean }} {{ b is true }} {{ 1 is true }} {{ false is false }}", #"{"s": "x", "d": {}, "l": [], "b": true, "i": 3, "f": 1.0}"#) == "True True False True False True True False True True False True")
    }

    /// Strings, lists, dicts (and undefined) are iterable and sequences; numbers are not.
    @Test func iterableAndSequenceTests() throws {
        #expect(try render("{{ 'x' is iterable }} {{ l is iterable }} {{ d is sequence }} {{ 1 is iterable }} {{ none is sequence }} {{ u is iterable }}", #"{"l": [1], "d": {}}"#) == "True True True False False True")
    }

    /// `odd`, `even`, `divisibleby`: Python's `value % n` (a string formats, and so is neither odd nor even).
    @Test func numberTests() throws {
        #expect(try render("{{ 3 is odd }} {{ 4 is odd }} {{ 4 is even }} {{ 4.0 is even }} {{ 9 is divisibleby 3 }} {{ 10 is divisibleby(3) }} {{ '%s' is even }}") == "True False True True True False False")
    }

    /// `eq`/`equalto`, `ne`, `lt`/`lessthan`, `le`, `gt`/`greaterthan`, `ge`, `in`, `sameas`.
    @Test func comparisonTests() throws {
        #expect(try render("{{ 1 is eq 1.0 }} {{ 'a' is equalto 'a' }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is le 2 }} {{ 3 is greaterthan 2 }} {{ 2 is ge 3 }} {{ 2 is in [1, 2] }} {{ none is sameas none }} {{ 1 is sameas true }}") == "True True True True True True False True True False")
    }

    /// `lower`, `upper`, `callable`, `filter`, `test`.
    @Test func caseAndCallableTests() throws {
        #expect(try render("{{ x is callable }} {{ 'ab1' is lower }} {{ 'Ab' is lower }} {{ 'AB' is upper }} {{ '1' is upper }} {{ range is callable }} {{ 'x'.strip is callable }} {{ 'x' is callable }} {{ 'trim' is filter }} {{ 'odd' is test }} {{ 'nope' is filter }}") == "True True False True False True True False True True False")
    }

    /// `is not t` and `not x is t` give the same result.
    @Test func negatedTests() throws {
        #expect(try render("{{ x is not defined }} {{ not x is defined }} {{ 1 is not odd }}") == "True True False")
    }
}
