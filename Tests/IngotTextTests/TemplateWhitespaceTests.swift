import Testing

@testable import IngotText

/// jinja2's whitespace rules with transformers' settings (trim_blocks, lstrip_blocks); expected texts are
/// jinja2's.
@Suite struct TemplateWhitespaceTests {
    /// trim_blocks: the first newline after `%}` goes; the one after `}}` stays.
    @Test func trimBlocksDropsTheNewlineAfterABlockTag() throws {
        #expect(try render("{% if true %}\nyes\n{% endif %}\nafter") == "yes\nafter")
        #expect(try render("{{ 'x' }}\n{{ 'y' }}\n") == "x\ny")
        #expect(try render("{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}\n") == "1\n2\n")
    }

    /// lstrip_blocks: spaces and tabs between a line start and a block tag go; text before the tag keeps them.
    @Test func lstripBlocksDropsIndentBeforeABlockTag() throws {
        #expect(try render("a\n  {% if true %}\n  b\n\t{% endif %}\nc") == "a\n  b\nc")
        #expect(try render("a\n  x {% if true %}b{% endif %}") == "a\n  x b")
        #expect(try render("{% if true %}\n    {% if true %}\n    deep\n    {% endif %}\n{% endif %}") == "    deep\n")
    }

    /// lstrip_blocks leaves the indentation before `{{`.
    @Test func lstripDoesNotApplyToOutputTags() throws {
        #expect(try render("a\n  {{ 'b' }}\n  {% if true %}  c{% endif %}") == "a\n  b\n  c")
    }

    /// `{%+` keeps the indentation and `+%}` keeps the newline.
    @Test func plusSignsKeepWhitespace() throws {
        #expect(try render("a\n    {%+ if true %}b{% endif +%}\nc") == "a\n    b\nc")
        #expect(try render("{% if true +%}\nkept\n{%+ endif %}") == "\nkept\n")
    }

    /// `{%-`/`-%}`/`{{-`/`-}}` strip every whitespace character on that side, newlines included.
    @Test func minusSignsStripAllWhitespace() throws {
        #expect(try render("a   {%- if true -%}   b   {%- endif -%}   \n\n c") == "abc")
        #expect(try render("x\n\n   {{- ' y ' -}}\n\n   z") == "x y z")
    }

    /// Comments render nothing and are trimmed like block tags.
    @Test func commentsVanishWithTheirLine() throws {
        #expect(try render("a\n  {# note #}\nb {# inline #}\nc") == "a\nb c")
        #expect(try render("a {#- strip -#}   b{# multi\nline #}\nc") == "abc")
        #expect(try render("an unclosed comment at the very end is dropped {#") == "an unclosed comment at the very end is dropped ")
    }

    /// `{% raw %}` keeps tag-like text as is.
    @Test func rawBlocksAreLiteralText() throws {
        #expect(try render("{% raw %}{{ x }}{% if %}{# c #}{% endraw %}") == "{{ x }}{% if %}{# c #}")
        #expect(try render("x\n  {% raw %}\n  a {{ b }}\n  {% endraw %}\ny") == "x\n\n  a {{ b }}\ny")
    }

    /// `\r\n` and `\r` read as `\n`; one final newline of the template is dropped (keep_trailing_newline=False).
    @Test func newlinesAreNormalizedAndOneTrailingNewlineDropped() throws {
        #expect(try render("one\r\ntwo\rthree\n\n") == "one\ntwo\nthree\n")
        #expect(try render("{{ 'a\r\nb' }}\n") == "a\nb")
        #expect(try render("end\n") == "end")
    }

    /// Python's `\s` is Unicode-aware: a no-break space or ideographic space before a tag is stripped too.
    @Test func unicodeWhitespaceCountsAsWhitespace() throws {
        #expect(try render("a\n \u{a0}{% if true %}b{% endif %}") == "a\nb")
        #expect(try render("a\u{3000}{%- if true %}b{% endif %}") == "ab")
    }
}
