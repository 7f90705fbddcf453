import Testing

@testable import IngotText

/// Globals: jinja2's `range` and `namespace` (see the statement tests), transformers' `dict` and `strftime_now`;
/// expected texts are jinja2's with strftime_now fixed at 2026-07-26 14:05:09.
@Suite struct TemplateGlobalTests {
    /// `range(stop)`, `range(start, stop, step)`.
    @Test func rangeGlobal() throws {
        #expect(try render("{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }} {{ range(0) | list }} {% for i in range(2) %}{{ i }}{% endfor %}") == "[0, 1, 2] [1, 4, 7] [5, 3, 1] [] 01")
    }

    /// `dict(...)` builds a dict (transformers exposes it).
    @Test func dictGlobal() throws {
        #expect(try render("{{ dict(a=1, b='x') }} {{ dict({'a': 1}, b=2) | tojson }}") == "{'a': 1, 'b': 'x'} {\"a\": 1, \"b\": 2}")
    }

    /// `strftime_now(format)` formats the `now` the render was given as Python does on Linux: the C locale, glibc's
    /// flags (`-` drops padding), unknown directives kept, the format cut at a NUL.
    @Test func strftimeNowFormatsTheRenderClock() throws {
        #expect(try render("{{ strftime_now('%Q %k %l %G-%V %U %W %P %r %^a %#b %_m %Ey [%z%Z]') }}|{{ strftime_now('%Y\u{0}%m') }}") == "%Q 14  2 2026-30 30 29 pm 02:05:09 PM SUN JUL  7 26 []|2026")
        #expect(try render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%B %-d, %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A %a %j %p %I %y %e %%') }}") == "26 Jul 2026|July 26, 2026|2026-07-26 14:05:09|Sunday Sun 207 PM 02 26 26 %")
    }
}

extension TemplateGlobalTests {
    /// Dates are computed, not looked up: a leap day's weekday and day of the year, and a morning hour.
    @Test func strftimeNowComputesCalendarFields() throws {
        let leapDay = TemplateDate(year: 2024, month: 2, day: 29, hour: 9, minute: 3, second: 0)
        #expect(try leapDay.format("%a %A %j %I%p %w %u %C %D %G-%V %U %W") == "Thu Thursday 060 09AM 4 4 20 02/29/24 2024-09 08 09")
        #expect(try TemplateDate(year: 2000, month: 1, day: 1).format("%A %j %I %p %G-%V") == "Saturday 001 12 AM 1999-52")
    }

    /// `%s` and `%f` need a time zone or microseconds a `TemplateDate` does not carry: refused, never invented.
    @Test func strftimeNowRefusesWhatItCannotKnow() {
        #expect(renderError("{{ strftime_now('%s') }}")?.kind == .unsupported)
        #expect(renderError("{{ strftime_now('%f') }}")?.message.contains("%f") == true)
    }
}
