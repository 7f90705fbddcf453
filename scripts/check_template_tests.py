#!/usr/bin/env python3
"""Checks that the expected texts in Ingot's template unit tests are what jinja2 renders (not run by CI).

Every line of Tests/IngotTextTests/Template*.swift of the form

    #expect(try render("TEMPLATE") == "EXPECTED")
    #expect(try render("TEMPLATE", #"{JSON context}"#) == "EXPECTED")

is rendered by jinja2 set up as transformers sets it up (trim_blocks, lstrip_blocks, loop controls, its tojson and
raise_exception, strftime_now fixed at 2026-07-26 14:05:09 as in the tests) and compared byte for byte.

Needs: pip install jinja2==3.1.6. Run from the repository root: python3 scripts/check_template_tests.py
"""

import datetime
import glob
import json
import re
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

NOW = datetime.datetime(2026, 7, 26, 14, 5, 9)
SWIFT_STRING = r'"((?:[^"\\]|\\.)*)"'
LINE = re.compile(
    r'#expect\(try render\(' + SWIFT_STRING + r'(?:, #"(.*?)"#)?\) == ' + SWIFT_STRING + r'\)$'
)


def swift_unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        if e == "u":
            end = s.index("}", i)
            out.append(chr(int(s[i + 3 : end], 16)))
            i = end + 1
            continue
        out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "'": "'", "\\": "\\"}[e])
        i += 2
    return "".join(out)


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals.update(raise_exception=raise_exception, strftime_now=NOW.strftime, dict=dict)
    return env


def main():
    env = environment()
    checked = failed = 0
    for path in sorted(glob.glob("Tests/IngotTextTests/Template*.swift")):
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            m = LINE.search(line.strip())
            if not m:
                continue
            source, context, expected = swift_unescape(m[1]), json.loads(m[2] or "{}"), swift_unescape(m[3])
            try:
                got = env.from_string(source).render(**context)
            except jinja2.exceptions.TemplateSyntaxError as e:
                if "generation" in str(e):  # transformers' own tag; its test was checked against transformers
                    continue
                got = f"<{type(e).__name__}: {e}>"
            except Exception as e:
                got = f"<{type(e).__name__}: {e}>"
            checked += 1
            if got != expected:
                failed += 1
                print(f"{path}:{number}: jinja2 renders {got!r}, the test expects {expected!r}")
    print(f"{checked} expectations checked, {failed} differ")
    sys.exit(1 if failed or not checked else 0)


if __name__ == "__main__":
    main()
