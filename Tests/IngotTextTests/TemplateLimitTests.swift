import Testing

@testable import IngotText

/// No template can run forever, exhaust memory or overflow the stack: each way of trying ends in a `.limit`
/// error. Budgets are lowered where the default would only make the test slow.
@Suite struct TemplateLimitTests {
    /// The documented defaults.
    @Test func defaultLimits() {
        let limits = TemplateLimits()
        #expect(limits.maxSteps == 10_000_000)
        #expect(limits.maxOutputBytes == 16 << 20)
        #expect(limits.maxItems == 1 << 21)
        #expect(limits.maxRange == 100_000)
        #expect(limits.maxCallDepth == 100)
    }

    /// Endless recursion stops at the macro call depth.
    @Test func endlessRecursionHitsTheCallDepth() {
        let e = renderError("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}")
        #expect(e?.kind == .limit)
        #expect(e?.message == "macro calls nested deeper than 100")
    }

    /// Recursion through nested blocks and expressions stops at the evaluation depth, well inside the stack.
    @Test func deepEvaluationHitsTheDepthCap() {
        let source = """
            {% macro a(n) %}{% if n > 0 %}{% for i in [1] %}{% if true %}{{ [a(n - 1)] | map('trim') | first }}\
            {% endif %}{% endfor %}{% endif %}{% endmacro %}{{ a(99) }}
            """
        let e = renderError(source)
        #expect(e?.kind == .limit)
        #expect(e?.message == "evaluation nested deeper than 500")
    }

    /// `range` refuses more items than jinja2's sandbox (`MAX_RANGE`, 100,000), however large the request.
    @Test func hugeRangeIsRefused() {
        #expect(renderError("{% for i in range(1000000) %}{% endfor %}")?.message
            == "range too big: 1000000 items (the sandbox allows 100000, as jinja2's does)")
        #expect(renderError("{{ range(-9223372036854775807, 9223372036854775807) | length }}")?.kind == .limit)
    }

    /// Nested loops that would run 10^10 iterations exhaust the step budget.
    @Test func nestedLoopsExhaustTheStepBudget() {
        let limits = TemplateLimits(maxSteps: 200_000)
        let e = renderError(
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", limits: limits)
        #expect(e?.kind == .limit)
        #expect(e?.message == "evaluation budget of 200000 steps exhausted")
    }

    /// Output past the cap stops the render.
    @Test func outputIsCapped() throws {
        let limits = TemplateLimits(maxOutputBytes: 1000)
        #expect(try render("{% for i in range(500) %}xx{% endfor %}", limits: limits).utf8.count == 1000)
        let e = renderError("{% for i in range(501) %}xx{% endfor %}", limits: limits)
        #expect(e?.kind == .limit)
        #expect(e?.message == "output larger than 1000 bytes")
    }

    /// A string or list doubled in a loop hits the size cap long before memory runs out.
    @Test func doublingValuesHitsTheSizeCap() {
        let strings = "{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
        #expect(renderError(strings)?.message == "string larger than 16777216 bytes")
        let lists = "{% set ns = namespace(l=[1]) %}{% for i in range(100) %}{% set ns.l = ns.l + ns.l %}{% endfor %}"
        #expect(renderError(lists)?.message == "list longer than 2097152 items")
        #expect(renderError("{{ 'x' * 100000000 }}")?.kind == .limit)
    }

    /// Values nested deeper than 256 levels are refused when printed, compared or serialised.
    @Test func deeplyNestedValuesAreRefused() {
        let build = "{% set ns = namespace(v=none) %}{% for i in range(1000) %}{% set ns.v = [ns.v] %}{% endfor %}"
        for use in ["{{ ns.v }}", "{{ ns.v | tojson }}", "{{ ns.v == ns.v }}"] {
            #expect(renderError(build + use)?.message == "value nested deeper than 256")
        }
    }

    /// Templates nested too deeply are refused when parsed.
    @Test func deepTemplatesAreRefusedWhenParsed() {
        let parentheses = "{{ " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300) + " }}"
        #expect(renderError(parentheses)?.message == "expression nested deeper than 200")
        let sum = "{{ " + Array(repeating: "1", count: 500).joined(separator: " + ") + " }}"
        #expect(renderError(sum)?.kind == .limit)
        let blocks = String(repeating: "{% if true %}", count: 200) + String(repeating: "{% endif %}", count: 200)
        #expect(renderError(blocks)?.message == "block tags nested deeper than 100")
    }
}
