import Testing

@testable import IngotText

/// Block tags and jinja2's scoping; expected texts are jinja2's.
@Suite struct TemplateStatementTests {
    /// A `set` inside a loop body lasts one iteration and never reaches the outer scope; reads before it see the outer value.
    @Test func assignmentsInsideLoopsStayInside() throws {
        #expect(try render("{% set x = 0 %}{% for i in [1, 2] %}{{ x }}{% set x = x + i %}{{ x }},{% endfor %}{{ x }}") == "01,02,0")
        #expect(try render("{% for i in [1] %}{% set inner = 5 %}{% endfor %}[{{ inner }}]") == "[]")
    }

    /// `if` bodies share the enclosing scope.
    @Test func assignmentsInsideIfChangeTheEnclosingScope() throws {
        #expect(try render("{% if true %}{% set y = 5 %}{% endif %}{{ y }}{% for i in [1] %}{% if true %}{% set z = 1 %}{% endif %}{{ z }}{% endfor %}[{{ z }}]") == "51[]")
    }

    /// `namespace()` attributes set in a loop are seen after it.
    @Test func namespacesCarryValuesOutOfLoops() throws {
        #expect(try render("{% set ns = namespace(total=0, seen=[]) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% set ns.seen = ns.seen + [i] %}{% endfor %}{{ ns.total }} {{ ns.seen }} {{ ns.missing is defined }}") == "6 [1, 2, 3] False")
        #expect(try render("{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}") == "12")
    }

    /// `loop.index/index0/revindex/revindex0/first/last/length/previtem/nextitem/cycle`.
    @Test func loopVariables() throws {
        #expect(try render("{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}") == "1032TrueFalse3|2121FalseFalse3|3210FalseTrue3|")
        #expect(try render("{% for x in [1, 2, 3] %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }} {{ loop.cycle('odd', 'even') }};{% endfor %}") == "<1>2 odd;1<2>3 even;2<3> odd;")
        #expect(try render("{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}") == "121 122 ")
    }

    /// `for x in xs if cond`: `loop` counts the kept items; `else` runs when none is.
    @Test func loopFiltersCountOnlyKeptItems() throws {
        #expect(try render("{% for x in [1, 2, 3, 4, 5] if x is odd %}{{ loop.index }}/{{ loop.length }}={{ x }} {% endfor %}") == "1/3=1 2/3=3 3/3=5 ")
        #expect(try render("{% for x in [] %}never{% else %}empty{% endfor %}|{% for x in [2] if x > 5 %}never{% else %}filtered{% endfor %}") == "empty|filtered")
    }

    /// Loop controls (transformers enables jinja2's loopcontrols extension).
    @Test func breakAndContinue() throws {
        #expect(try render("{% for x in range(10) %}{% if x is even %}{% continue %}{% endif %}{% if x > 6 %}{% break %}{% endif %}{{ x }}{% endfor %}") == "135")
    }

    /// `for k, v in …` and `set a, b = …` unpack sequences.
    @Test func unpackingInForAndSet() throws {
        #expect(try render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% set a, b = [1, 2] %}{{ a + b }}", #"{"d": {"z": 1, "y": null}}"#) == "z=1;y=None;3")
        #expect(try render("{% for a, b in [[1, 'x'], [2, 'y']] %}{{ b }}{{ a }}{% endfor %}") == "x1y2")
    }

    /// A dict iterates over its keys in order, a string over its characters.
    @Test func iteratingDictsAndStrings() throws {
        #expect(try render("{% for k in d %}{{ k }}{% endfor %}|{% for c in 'hé' %}[{{ c }}]{% endfor %}", #"{"d": {"b": 1, "a": 2}}"#) == "ba|[h][é]")
    }

    /// Macros: positional and keyword arguments, defaults, missing ones undefined, extra ones in varargs/kwargs.
    @Test func macrosBindArguments() throws {
        #expect(try render("{% macro m(a, b=2, c='c') %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, 3) }} {{ m(1, c='z') }} [{{ m() }}]") == "12c 13c 12z [2c]")
        #expect(try render("{% macro f(a) %}{{ a }}|{{ varargs }}|{{ kwargs }}{% endmacro %}{{ f(1, 2, 3, x=4) }}") == "1|(2, 3)|{'x': 4}")
    }

    /// A macro sees the template's variables as they are when it is called; a loop-local macro stays in its loop.
    @Test func macrosReadVariablesWhenCalled() throws {
        #expect(try render("{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ m() }}") == "2")
        #expect(try render("{% macro r(n) %}{% if n > 0 %}{{ n }}{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(4) }}") == "4321")
    }

    /// `{% call %}` renders its body through `caller()`, with arguments when declared.
    @Test func callBlocksPassCaller() throws {
        #expect(try render("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold{% endcall %}") == "<b>bold</b>")
        #expect(try render("{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each([1, 2]) %}[{{ v }}]{% endcall %}") == "[1][2]")
    }

    /// `{% set x %}…{% endset %}` captures the body; filters on the tag apply to it.
    @Test func blockSetCapturesRenderedText() throws {
        #expect(try render("{% set x %}  a {{ 1 + 1 }}\n{% endset %}({{ x }}){% set y | trim | upper %}  b \n{% endset %}({{ y }})") == "(  a 2\n)(B)")
    }

    /// `{% filter %}` filters its rendered body; `{% with %}` assigns in a scope of its own.
    @Test func filterAndWithBlocks() throws {
        #expect(try render("{% filter upper %}ab{{ 'c' }}{% endfilter %}|{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]") == "ABC|3[]")
    }

    /// transformers' `{% generation %}` tag only marks the assistant's text for its token mask: the body renders
    /// in place, in its own scope (expected text from transformers' compiled template).
    @Test func generationTagRendersItsBody() throws {
        #expect(try render("a{% generation %}gen{{ 1 }}{% set q = 1 %}{% endgeneration %}[{{ q }}]") == "agen1[]")
    }
}
