import Testing

@testable import IngotText

/// The Python methods of str, dict and list that templates call; expected texts are jinja2's.
@Suite struct TemplateMethodTests {
    /// `strip`/`lstrip`/`rstrip`, with Unicode whitespace or the given characters.
    @Test func stripMethods() throws {
        #expect(try render("[{{ '  x \\n'.strip() }}][{{ '  x '.lstrip() }}][{{ '  x '.rstrip() }}][{{ 'xyhiyx'.strip('xy') }}][{{ '\\n\\nanswer'.lstrip('\\n') }}]") == "[x][x ][  x][hi][answer]")
    }

    /// `startswith`/`endswith` with a string or a tuple of strings.
    @Test func startswithAndEndswith() throws {
        #expect(try render("{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ 'hello'.startswith('lo', 3) }} {{ ''.startswith('') }}") == "True True True True")
    }

    /// `split` (on whitespace runs, or a separator, with maxsplit), `rsplit`, `splitlines`.
    @Test func splitMethods() throws {
        #expect(try render("{{ ' a  b\\n c '.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a b c'.rsplit(' ', 1) }} {{ 'a\\nb\\r\\nc\\n'.splitlines() }}") == "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c'] ['a b', 'c'] ['a', 'b', 'c']")
        #expect(try render("{{ '<think>\\nx\\n</think>\\n\\nanswer'.split('</think>')[-1].lstrip('\\n') }}") == "answer")
    }

    /// Python's `upper`, `lower`, `title` (unlike the filter: after any uncased character), `capitalize`, `swapcase`.
    @Test func caseMethods() throws {
        #expect(try render("{{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }} {{ 'aBc'.swapcase() }}") == "AB ab They'Re Bill'S Hello AbC")
    }

    /// `find`, `rfind`, `index`, `count`, `replace`.
    @Test func searchMethods() throws {
        #expect(try render("{{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'hello'.index('e') }} {{ 'hello'.count('l') }} {{ 'a-b-c'.replace('-', '+', 1) }}") == "2 3 -1 1 2 a+b-c")
    }

    /// `str.join` and `str.format` with automatic, numbered and named fields.
    @Test func joinAndFormatMethods() throws {
        #expect(try render("{{ ', '.join(['a', 'b']) }} {{ '{} + {} = {}'.format(1, 2, 3) }} {{ '{1}{0}'.format('a', 'b') }} {{ '{x}!'.format(x='hi') }} {{ '{{literal}}'.format() }} {{ '{0[0]}'.format(['z']) }}") == "a, b 1 + 2 = 3 ba hi! {literal} z")
    }

    /// `removeprefix`, `removesuffix`, `partition`, `isdigit`, `isalpha`, `isspace`.
    @Test func otherStringMethods() throws {
        #expect(try render("{{ 'abc'.removeprefix('a') }} {{ 'abc'.removesuffix('c') }} {{ 'k=v=w'.partition('=') }} {{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }} {{ ''.isdigit() }}") == "bc ab ('k', '=', 'v=w') True True True False")
    }

    /// `items()`, `keys()`, `values()` (Python's views: printed as such, sized, not indexable), `get(key, default)`.
    @Test func dictMethods() throws {
        #expect(try render("{{ d.keys() }} {{ d.values() }} {{ d.items() }} {{ d.keys() | length }} {{ 'a' in d.keys() }} [{{ d.keys()[0] }}] {{ d.keys() is sequence }}", #"{"d": {"a": 1, "b": [2]}}"#) == "dict_keys(['a', 'b']) dict_values([1, [2]]) dict_items([('a', 1), ('b', [2])]) 2 True [] False")
        #expect(try render("{{ d.items() | list }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {% for k, v in d.items() %}{{ k }}{% endfor %}", #"{"d": {"a": 1, "b": [2]}}"#) == "[('a', 1), ('b', [2])] ['a', 'b'] [1, [2]] 1 None 0 ab")
    }

    /// `index` and `count` on lists.
    @Test func listMethods() throws {
        #expect(try render("{{ [1, 2, 2].index(2) }} {{ [1, 2, 2].count(2) }}") == "1 2")
    }
}
