import Testing

@testable import IngotText

/// A template that cannot run gives one `TemplateError` naming what failed and where.
@Suite struct TemplateErrorTests {
    /// `raise_exception(msg)` fails the render with exactly the template's message and its line.
    @Test func raiseExceptionCarriesTheTemplatesMessage() {
        let e = renderError("a\n{% if true %}\n  {{ raise_exception('Roles must alternate (' ~ 2 ~ ')') }}\n{% endif %}")
        #expect(e?.kind == .raised)
        #expect(e?.message == "Roles must alternate (2)")
        #expect(e?.line == 3)
    }

    /// An unknown filter is refused when the template is parsed, even where it never runs (as jinja2 refuses it
    /// when it compiles the template)…
    @Test func unknownFilterIsRefusedAtParseTime() {
        #expect(throws: TemplateError(.unsupported, "unsupported filter 'frobnicate'", line: 2)) {
            try ChatTemplate(source: "line one\n{% for m in [] %}{{ m | frobnicate }}{% endfor %}")
        }
        #expect(renderError("{{ [1] | map('frobnicate') | list }}")?.message == "unsupported filter 'frobnicate'")
    }

    /// …except inside an `if` or a conditional expression, where jinja2 (3.0 and later) fails only when the
    /// filter or test runs.
    @Test func unknownFilterInsideIfFailsOnlyWhenRun() throws {
        #expect(try render("{% if false %}{{ x | frobnicate }}{% endif %}{{ 1 if true else x is frobby }}ok") == "1ok")
        #expect(renderError("{% if true %}{{ x | frobnicate }}{% endif %}")?.message == "unsupported filter 'frobnicate'")
        #expect(renderError("{% if false %}{% for i in [] %}{{ i | frobnicate }}{% endfor %}{% endif %}") != nil)
        #expect(try render("{{ [] | map('frobnicate') | list }}{{ [] | select('frobby') | list }}") == "[][]")
    }

    /// An unknown test is refused at parse time; a test named by a string (`select`) when it is used.
    @Test func unknownTestIsRefused() {
        #expect(renderError("{{ x is frobby }}")?.message == "unsupported test 'frobby'")
        #expect(renderError("{{ [1] | select('frobby') | list }}")?.kind == .unsupported)
    }

    /// Tags jinja2 has but transformers cannot use (no loader) and unknown tags are refused by name.
    @Test func unsupportedTagsAreNamed() {
        #expect(renderError("{% include 'other.jinja' %}")?.message == "unsupported tag 'include'")
        #expect(renderError("{% do x.append(1) %}")?.message == "unsupported tag 'do'")
        #expect(renderError("\n{% frob %}")?.message == "unknown tag 'frob'")
        #expect(renderError("\n{% frob %}")?.line == 2)
        #expect(renderError("{% for x in y recursive %}{% endfor %}")?.kind == .unsupported)
    }

    /// A method Ingot does not implement is named with its receiver's type.
    @Test func unsupportedMethodIsNamed() {
        let e = renderError("{{ 'a'.encode('utf-8') }}")
        #expect(e?.kind == .unsupported)
        #expect(e?.message == "unsupported method 'encode' of str")
    }

    /// Calling, indexing or reading an attribute of an undefined value fails with jinja2's message.
    @Test func usingUndefinedValuesFails() {
        #expect(renderError("{{ missing_function(1) }}")?.kind == .undefined)
        #expect(renderError("{{ missing_function(1) }}")?.message == "'missing_function' is undefined")
        #expect(renderError("{{ missing.attribute }}")?.message == "'missing' is undefined")
        #expect(renderError(#"{{ m.a.b }}"#, #"{"m": {}}"#)?.message == "'dict object' has no attribute 'a'")
        #expect(renderError("{{ missing + 1 }}")?.kind == .undefined)
    }

    /// Operations on the wrong types fail with Python's message.
    @Test func typeErrorsUsePythonsMessages() {
        #expect(renderError("{{ 'a' + 1 }}")?.message == "can only concatenate str (not \"int\") to str")
        #expect(renderError("{{ 1 + 'a' }}")?.message == "unsupported operand type(s) for +: 'int' and 'str'")
        #expect(renderError("{{ 1 / 0 }}")?.message == "division by zero")
        #expect(renderError("{{ 1 // 0 }}")?.message == "integer division or modulo by zero")
        #expect(renderError("{{ 'a' < 1 }}")?.message == "'<' not supported between instances of 'str' and 'int'")
        #expect(renderError("{% for x in 3 %}{% endfor %}")?.message == "'int' object is not iterable")
        #expect(renderError("{% set a, b = [1] %}")?.message == "not enough values to unpack (expected 2, got 1)")
        #expect(renderError("{{ x() }}", #"{"x": 1}"#)?.message == "'int' object is not callable")
        #expect(renderError("{{ undefined_value | tojson }}")?.message == "Object of type Undefined is not JSON serializable")
        #expect(renderError("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}")?.message
            == "macro 'm' takes not more than 1 argument(s)")
    }

    /// Ints are 64-bit: a result Python would grow past that is refused rather than wrapped.
    @Test func integerOverflowIsRefused() {
        #expect(renderError("{{ 9223372036854775807 + 1 }}")?.kind == .unsupported)
        #expect(renderError("{{ 2 ** 64 }}")?.kind == .unsupported)
        #expect(renderError("{{ 99999999999999999999 }}")?.kind == .unsupported)
    }

    /// The sandbox's refusals: no list/dict mutation, no underscore names on a namespace.
    @Test func sandboxRefusals() {
        #expect(renderError(#"{{ m.append(1) }}"#, #"{"m": []}"#)?.message
            == "access to attribute 'append' of 'list' object is unsafe.")
        #expect(renderError("{% set ns = namespace(_secret=1) %}")?.message.hasPrefix(
            "Chat templates cannot store underscore-prefixed attributes on a namespace") == true)
        #expect(renderError("{% set ns = namespace() %}{% set ns._x = 1 %}")?.kind == .unsupported)
        #expect(renderError("{% set d = {} %}{% set d.x = 1 %}")?.message == "cannot assign attribute on non-namespace object")
    }

    /// Broken syntax names the problem and the line.
    @Test func syntaxErrorsNameTheProblem() {
        let unclosed = renderError("{% if x %}\nyes")
        #expect(unclosed?.kind == .syntax)
        #expect(unclosed?.message == "unexpected end of template; expected 'elif' or 'else' or 'endif'")
        #expect(renderError("{{ 1 + }}")?.kind == .syntax)
        #expect(renderError("{{ x ")?.kind == .syntax)
        #expect(renderError("{% endfor %}")?.message == "unexpected tag 'endfor'")
        #expect(renderError("{# never closed")?.message == "missing end of comment tag")
        #expect(renderError("{{ 'unterminated }}")?.kind == .syntax)
        #expect(renderError("{{ (1, 2] }}")?.message == "unexpected ']', expected ')'")
        #expect(renderError("{% break %}")?.message == "'break' outside a loop")
        #expect(renderError("{{ 007 }}")?.kind == .syntax)
    }

    /// The error's description says what kind of failure it is and where.
    @Test func descriptionNamesKindAndLine() {
        #expect(TemplateError(.raised, "no", line: 2).description == "chat template raised an exception (line 2: no)")
        #expect(TemplateError(.unsupported, "unsupported filter 'x'", line: 1).description
            == "chat template unsupported error: line 1: unsupported filter 'x'")
    }
}

extension TemplateErrorTests {
    /// What Python refuses on an iterator (a generator from `map`, `select`, … or `reverse`'s iterator).
    @Test func iteratorsHaveNoLengthIndexOrJSON() {
        let m = #"{"m": [{"c": "a"}]}"#
        #expect(renderError("{{ m | map(attribute='c') | length }}", m)?.message == "object of type 'generator' has no len()")
        #expect(renderError("{{ m | reverse | length }}", m)?.message == "object of type 'list_reverseiterator' has no len()")
        #expect(renderError("{{ m | map(attribute='c') | last }}", m)?.message == "'generator' object is not reversible")
        #expect(renderError("{{ (m | map(attribute='c'))[1:] }}", m)?.message == "'generator' object is not subscriptable")
        #expect(renderError("{{ m | select | tojson }}", m)?.message == "Object of type generator is not JSON serializable")
        #expect(renderError("{{ [1] | map('nope') | list }}")?.message == "unsupported filter 'nope'")
    }
}
