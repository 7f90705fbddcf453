import Testing

@testable import IngotText

/// Values and operators with Python's semantics, as jinja2 evaluates them; expected texts are jinja2's.
@Suite struct TemplateExpressionTests {
    /// jinja2's Undefined: prints nothing, is false, has length 0, iterates as empty, takes `default`.
    @Test func undefinedRendersEmptyAndIsFalse() throws {
        #expect(try render("{{ x }}|{{ x | length }}|{% for i in x %}never{% endfor %}|{{ x is defined }}|{{ 'yes' if x else 'falsy' }}|{{ x | default('d') }}|{{ x ~ 'tail' }}") == "|0||False|falsy|d|tail")
    }

    /// A missing key, attribute or index of a defined value is undefined (not an error).
    @Test func missingAttributesAndItemsAreUndefined() throws {
        #expect(try render("{{ m.missing }}|{{ m.missing is defined }}|{{ m['missing'] is defined }}|{{ l[5] is defined }}|{{ l[-1] }}", #"{"m": {"a": 1}, "l": [1, 2]}"#) == "|False|False|False|2")
    }

    /// `d.items` is the dict method (getattr first), `d['items']` the key (item first).
    @Test func attributesTryMethodsBeforeKeys() throws {
        #expect(try render("{{ d['items'] }}|{{ d.items() | list }}|{{ d.role }}", #"{"d": {"items": 3, "role": "user"}}"#) == "3|[('items', 3), ('role', 'user')]|user")
    }

    /// `none`/`None`, `true`/`True` print as Python does.
    @Test func noneAndBooleansPrintAsPython() throws {
        #expect(try render("{{ none }} {{ None }} {{ true }} {{ False }}") == "None None True False")
    }

    /// Floats print as Python's repr: shortest round-trip digits, exponent from 1e16 and below 1e-4.
    @Test func floatsPrintAsPythonRepr() throws {
        #expect(try render("{{ 1e16 }} {{ 1e15 }} {{ 1e-5 }} {{ 0.0001 }} {{ 1.0 }} {{ 0.1 + 0.2 }} {{ 2.5e-5 }} {{ 1 / 3 }} {{ -0.0 }}") == "1e+16 1000000000000000.0 1e-05 0.0001 1.0 0.30000000000000004 2.5e-05 0.3333333333333333 -0.0")
        #expect(try render("{{ x }} {{ y }}", #"{"x": 9999999999999998.0, "y": 1.2345678901234568e+17}"#) == "9999999999999998.0 1.2345678901234568e+17")
    }

    /// `/` is always float, `//` and `%` floor like Python, ints stay ints, `**` with a negative exponent is float.
    @Test func integerAndFloatArithmetic() throws {
        #expect(try render("{{ 7 / 2 }} {{ 10 / 5 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}") == "3.5 2.0 3 -4 2 -2 3.0 0.5")
        #expect(try render("{{ (1, 2) * 2 }} {{ true * [0] }} {{ 'ab' * true }}") == "(1, 2, 1, 2) [0] ab")
        #expect(try render("{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 0.5 }} {{ -2 ** 2 }} {{ 1 + true }} {{ 3 * 1.5 }} {{ 10 - 0.5 }}") == "1024 0.5 1.4142135623730951 4 2 4.5 9.5")
    }

    /// `==` across int/float/bool, containers compared item by item, strings by code point, chained comparisons.
    @Test func comparisonsFollowPython() throws {
        #expect(try render("{{ 1 == 1.0 }} {{ true == 1 }} {{ [1, 2] < [1, 3] }} {{ 'B' < 'a' }} {{ {'a': 1} == {'a': 1.0} }} {{ none == false }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}") == "True True True True True False True False")
        #expect(try render("{{ 'e\u{301}' == 'é' }} {{ 'e\u{301}' | length }}") == "False 2")
    }

    /// Length, indexing and slicing of strings count code points, as Python does.
    @Test func stringsAreSequencesOfCodePoints() throws {
        #expect(try render("{{ s | length }} {{ s[0] }}{{ s[2] }} {{ s[-2:] }} {{ s[::-1] | length }}", #"{"s": "he\u0301llo \ud83d\ude00"}"#) == "8 h\u{301}  😀 8")
    }

    /// Python slices: negative bounds, steps, reversed, out of range.
    @Test func slicesTakeStartStopStep() throws {
        #expect(try render("{{ x[1:] }} {{ x[:-1] }} {{ x[::2] }} {{ x[::-1] }} {{ x[5:1:-2] }} {{ x[10:] }} {{ x[-100:2] }}", #"{"x": [0, 1, 2, 3, 4, 5, 6]}"#) == "[1, 2, 3, 4, 5, 6] [0, 1, 2, 3, 4, 5] [0, 2, 4, 6] [6, 5, 4, 3, 2, 1, 0] [5, 3] [] [0, 1]")
        #expect(try render("{{ 'héllo'[::-1] }} {{ 'abcdef'[1:5:2] }}") == "olléh bd")
    }

    /// `in`/`not in`: substrings, list items by ==, dict keys.
    @Test func membershipTests() throws {
        #expect(try render("{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'a' in {'a': 1} }} {{ 'z' not in 'abc' }} {{ 1 in [1.0] }} {{ 'x' in y }}") == "True True True True True False")
    }

    /// `and`/`or` return one of their operands, as in Python; `not` gives a bool.
    @Test func andOrReturnAnOperand() throws {
        #expect(try render("{{ 0 or 'x' }} {{ '' or [] }} {{ 1 and 'y' }} {{ 0 and 'y' }} {{ none or none }}|{{ not 0 }} {{ not 'a' }}") == "x [] y 0 None|True False")
    }

    /// `~` converts both sides with str() and joins them.
    @Test func tildeConcatenatesStrings() throws {
        #expect(try render("{{ 'a' ~ 1 ~ 2.5 ~ none ~ true ~ [1] ~ x }}") == "a12.5NoneTrue[1]")
    }

    /// Lists, dicts and tuples print as Python's repr, with its choice of quotes and escapes.
    @Test func containersPrintAsPythonRepr() throws {
        #expect(try render("{{ x }} {{ d }}", #"{"x": [1, "it's", "say \"hi\"", "both ' \"", "\n\t\u0001\u00e9\u2028\u00a0", null, true, 2.5], "d": {"k": {"n": []}}}"#) == "[1, \"it's\", 'say \"hi\"', 'both \\' \"', '\\n\\t\\x01é\\u2028\\xa0', None, True, 2.5] {'k': {'n': []}}")
        #expect(try render("{{ (1, 2) }} {{ (1,) }} {{ () }} {% set t = 1, 'a' %}{{ t }}") == "(1, 2) (1,) () (1, 'a')")
    }

    /// String literals decode Python's escapes; unknown escapes keep their backslash; adjacent literals join.
    @Test func stringLiteralEscapes() throws {
        #expect(try render("{{ 'a\\tb\\\\n\\u00e9\\x41\\101\\U0001F600' }}|{{ \"it's\" }}|{{ 'a' 'b' }}|{{ '\\q' }}|{{ 'x\\\ny' }}") == "a\tb\\néAA😀|it's|ab|\\q|xy")
    }

    /// Integer and float literals: `_` separators, hex, octal, binary, exponents.
    @Test func numberLiterals() throws {
        #expect(try render("{{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1.5e3 }} {{ 2E-2 }} {{ 1_0.5 }}") == "1000 31 15 5 1500.0 0.02 10.5")
    }

    /// `a if c else b`; without `else` a false condition gives undefined.
    @Test func conditionalExpressions() throws {
        #expect(try render("{{ 'y' if 1 else 'n' }}{{ 'y' if 0 else 'n' }}[{{ 'y' if 0 }}]{{ 1 if false else 2 if false else 3 }}") == "yn[]3")
    }

    /// Filters apply to the nearest operand: `-1 | abs` is 1, `'a' ~ x | upper` upper-cases only x.
    @Test func filtersBindTighterThanOperators() throws {
        #expect(try render("{{ -1 | abs }} {{ 'a' ~ 'b' | upper }} {{ ('a' ~ 'b') | upper }} {{ not '' | length }} {{ 1 + [1, 2] | length }}") == "1 aB AB True 3")
    }
}
