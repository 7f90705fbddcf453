import Testing

@testable import IngotText

/// jinja2's filters and transformers' `tojson`; expected texts are jinja2's.
@Suite struct TemplateFilterTests {
    /// `trim` strips whitespace (Unicode-aware) or the given characters.
    @Test func trimFilter() throws {
        #expect(try render("[{{ '  a b \\n\\t' | trim }}][{{ 'xxhixx' | trim('x') }}][{{ '\u{a0}a\u{3000}' | trim }}]") == "[a b][hi][a]")
    }

    /// `length`/`count` count characters, items or keys.
    @Test func lengthFilter() throws {
        #expect(try render("{{ 'héllo' | length }} {{ [1, 2] | count }} {{ {'a': 1} | length }} {{ x | length }}") == "5 2 1 0")
    }

    /// `default` replaces undefined only, or any false value with `boolean=true`.
    @Test func defaultFilter() throws {
        #expect(try render("{{ x | default('d') }} {{ none | default('d') }} [{{ '' | default('d') }}] {{ '' | default('d', true) }} {{ 0 | d('zero', boolean=true) }} [{{ x | default }}]") == "d None [] d zero []")
    }

    /// `join` converts items with str() and can join an attribute of each.
    @Test func joinFilter() throws {
        #expect(try render("{{ [1, 'a', none] | join(', ') }}|{{ 'abc' | join('-') }}|{{ xs | join('/', attribute='n') }}", #"{"xs": [{"n": "a"}, {"n": 2}]}"#) == "1, a, None|a-b-c|a/2")
    }

    /// `items` gives (key, value) pairs; undefined gives none.
    @Test func itemsFilter() throws {
        #expect(try render("{{ d | items | list }}{% for k, v in d | items %}{{ k }}{{ v }}{% endfor %}{{ x | items | list }}", #"{"d": {"b": 1, "a": [2]}}"#) == "[('b', 1), ('a', [2])]b1a[2][]")
    }

    /// `upper`, `lower`, `capitalize` and jinja2's `title` (words start after spaces, dashes and brackets).
    @Test func caseFilters() throws {
        #expect(try render("{{ 'hÉllo wORLD' | upper }} {{ 'HÉLLO' | lower }} {{ 'hELLO wORLD' | capitalize }} {{ \"they're bill's-friends(x)\" | title }} {{ 'straße' | upper }}") == "HÉLLO WORLD héllo Hello world They're Bill's-Friends(X) STRASSE")
    }

    /// `replace(old, new, count)`.
    @Test func replaceFilter() throws {
        #expect(try render("{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 'abc' | replace('', '-') }} {{ 12 | replace('1', 'x') }}") == "bbb bba -a-b-c- x2")
    }

    /// `first`/`last` of lists, strings and dicts; an empty sequence gives undefined.
    @Test func firstAndLastFilters() throws {
        #expect(try render("{{ xs | first }} {{ xs | last }} {{ 'abc' | first }}{{ 'abc' | last }} {{ d | first }}{{ d | last }} [{{ [] | first }}]", #"{"xs": [1, 2, 3], "d": {"k": 1, "j": 2}}"#) == "1 3 ac kj []")
    }

    /// `list` makes a list of items or characters; `string` is str().
    @Test func listAndStringFilters() throws {
        #expect(try render("{{ 'ab' | list }} {{ {'a': 1} | list }} {{ (1, 2) | list }} {{ [1, none] | string }} {{ 1.0 | string }}") == "['a', 'b'] ['a'] [1, 2] [1, None] 1.0")
    }

    /// `int`, `float`, `abs`, `round` with Python's conversions and rounding.
    @Test func numberFilters() throws {
        #expect(try render("{{ '42' | int }} {{ ' 7 ' | int }} {{ '3.9' | int }} {{ 3.9 | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ '0x1A' | int(base=16) }} {{ '1_000' | int }} {{ true | int }}") == "42 7 3 3 0 5 26 1000 1")
        #expect(try render("{{ x | int(5) if false else 'undefined has no int' }} {{ none | int(7) }} {{ [] | float(1.5) }}") == "undefined has no int 7 1.5")
        #expect(try render("{{ '2.5' | float }} {{ 3 | float }} {{ 'x' | float }} {{ ' -1e3 ' | float }} {{ 'inf' | float }} {{ -3 | abs }} {{ -2.5 | abs }}") == "2.5 3.0 0.0 -1000.0 inf 3 2.5")
        #expect(try render("{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 7 | round }} {{ 1.55 | round(1, 'floor') }} {{ 1.51 | round(1, 'ceil') }}") == "2.0 4.0 2.67 7 1.5 1.6")
    }

    /// `selectattr`/`rejectattr`/`select`/`reject` with tests and arguments; `map` by attribute (with default) or filter.
    @Test func selectAndMapFilters() throws {
        #expect(try render("{{ m | selectattr('role', 'equalto', 'user') | map(attribute='c') | join }} {{ m | rejectattr('role', 'in', ['user']) | map(attribute='c') | list }} {{ m | selectattr('tool') | list | length }}", #"{"m": [{"role": "user", "c": "a"}, {"role": "system", "c": "b", "tool": true}, {"role": "user", "c": "c"}]}"#) == "ac ['b'] 1")
        #expect(try render("{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('gt', 2) | list }} {{ [0, 1, '', 'a'] | select | list }}") == "[1, 3] [1, 2] [1, 'a']")
        #expect(try render("{{ xs | map(attribute='a.b', default='-') | list }} {{ ['a', 'b'] | map('upper') | join }} {{ [1, 2] | map('string') | list }} {{ ['ab'] | map('replace', 'a', 'x') | first }}", #"{"xs": [{"a": {"b": 1}}, {"a": {}}]}"#) == "[1, '-'] AB ['1', '2'] xb")
    }

    /// transformers' `tojson`: `json.dumps` with non-ASCII kept, no HTML escaping, Python's separators and float repr.
    @Test func tojsonFilter() throws {
        #expect(try render("{{ x | tojson }}", #"{"x": {"s": "\u00e9 <b> & 'q' \"d\" \\ \n\u0001\u2028", "n": [1, 2.0, 1e+16, -0.0, null, true], "e": {}, "l": []}}"#) == "{\"s\": \"é <b> & 'q' \\\"d\\\" \\\\ \\n\\u0001\u{2028}\", \"n\": [1, 2.0, 1e+16, -0.0, null, true], \"e\": {}, \"l\": []}")
        #expect(try render("{{ x | tojson(indent=2) }}", #"{"x": {"a": [1, {"b": null}], "c": {}, "d": []}}"#) == "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}")
        #expect(try render("{{ x | tojson(separators=(',', ':')) }} {{ x | tojson(sort_keys=true) }} {{ 'é😀' | tojson(ensure_ascii=true) }}", #"{"x": {"b": [1, 2], "a": "x"}}"#) == "{\"b\":[1,2],\"a\":\"x\"} {\"a\": \"x\", \"b\": [1, 2]} \"\\u00e9\\ud83d\\ude00\"")
        #expect(try render("{{ 'x' | tojson(indent='\\t') }}{{ [1] | tojson(indent='\\t') }}") == "\"x\"[\n\t1\n]")
    }

    /// `safe` and `escape`/`e` make markupsafe's Markup: printed as is (no autoescaping), but `+`, `*` and `%` escape
    /// the other operand for HTML.
    @Test func safeAndEscapeFilters() throws {
        #expect(try render("{{ '<b>&' | safe }} {{ '<b>&\"\\'' | e }} {{ 1 | safe }} {{ ('<' | e) | e }} {{ ['x' | safe] }}") == "<b>& &lt;b&gt;&amp;&#34;&#39; 1 &lt; [Markup('x')]")
        #expect(try render("{{ ('<b>' | safe) + '<i>' }} {{ '<i>' + ('<b>' | safe) }} {{ ('<b>' | safe) ~ '<i>' }} {{ ('%s<' | safe) % '<' }} {{ ('a' | safe) * 2 }}") == "<b>&lt;i&gt; &lt;i&gt;<b> <b><i> &lt;< aa")
    }

    /// `sort`, `unique`, `min`, `max` (case-insensitive by default), `sum`, `reverse`, `dictsort`.
    @Test func sortingAndAggregateFilters() throws {
        #expect(try render("{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'a'] | sort }} {{ ['b', 'A', 'a'] | sort(case_sensitive=true) }} {{ [3, 1, 2] | sort(reverse=true) }}") == "[1, 2, 3] ['A', 'a', 'b'] ['A', 'a', 'b'] [3, 2, 1]")
        #expect(try render("{{ xs | sort(attribute='n') | map(attribute='k') | join }} {{ ['a', 'A', 'b'] | unique | list }} {{ ['b', 'A'] | min }} {{ [1, 5, 3] | max }} {{ [1, 2.5] | sum }} {{ xs | sum(attribute='n') }}", #"{"xs": [{"n": 2, "k": "x"}, {"n": 1, "k": "y"}, {"n": 2, "k": "z"}]}"#) == "yxz ['a', 'b'] A 5 3.5 5")
        #expect(try render("{{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }} {{ {'b': 1, 'a': 2} | dictsort }} {{ {'b': 1, 'a': 2} | dictsort(by='value', reverse=true) }} [{{ [] | max }}]") == "[3, 2, 1] cba [('a', 2), ('b', 1)] [('a', 2), ('b', 1)] []")
    }

    /// `indent(width, first, blank)`.
    @Test func indentFilter() throws {
        #expect(try render("{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(width='> ', blank=true) }}") == "a\n  b\n\n  c|  a\n  b|a\n> \n> b")
    }

    /// `format` and `%` use Python's printf-style formatting.
    @Test func formatFilterAndPercentOperator() throws {
        #expect(try render("{{ 'no fields' % x }} {{ 'abc' % [1] }} {{ 'abc' % {'a': 1} }} {{ '%s' % {'a': 1} }}") == "no fields abc abc {'a': 1}")
        #expect(try render("{{ '%s and %r' | format('a', 'b') }} {{ '%(x)s!' | format(x=3) }} {{ '%d items' % 3 }} {{ '%5.2f|%-4s|%04d|%x' % (3.14159, 'ab', 7, 255) }} {{ '%s' % [1, 2] }} {{ '%.1e %%' % 12345.678 }}") == "a and 'b' 3! 3 items  3.14|ab  |0007|ff [1, 2] 1.2e+04 %")
    }

    /// `map`, `select`, `reject`, `selectattr`, `rejectattr`, `unique`, `items` and `reverse` return Python iterators:
    /// always true, no length, read once, lazy (an unknown filter inside is no error until an item is read).
    @Test func iteratorFiltersReturnGenerators() throws {
        #expect(try render("{% set g = m | map(attribute='c') %}{% for x in g %}{{ x }}{% endfor %}|{% for x in g %}{{ x }}{% endfor %}|{{ g | list }}", #"{"m": [{"c": "a"}, {"c": "b"}]}"#) == "ab||[]")
        #expect(try render("{% set g = m | map(attribute='c') %}{{ g | first }}{{ 'b' in g }}{{ g | list }}|{% if m | selectattr('c', 'eq', 'z') %}true though empty{% endif %}", #"{"m": [{"c": "a"}, {"c": "b"}, {"c": "c"}]}"#) == "aTrue['c']|true though empty")
        #expect(try render("{% set g = [1] | map('nope') %}{{ [] | map('nope') | list }}{{ [1, 2] | map('string') == ['1', '2'] }} {{ [1] | select is sequence }} {{ [1] | select is iterable }} {{ [1, 2] | reverse | list }} {{ {'a': 1} | items | list }}") == "[]False False True [2, 1] [('a', 1)]")
    }

    /// `center`, `wordcount`, `attr`.
    @Test func otherFilters() throws {
        #expect(try render("[{{ 'ab' | center(7) }}] {{ 'hello big_world, 2 times' | wordcount }} {{ 'x' | attr('upper') is callable }}") == "[   ab  ] 4 True")
    }
}
