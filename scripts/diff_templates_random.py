#!/usr/bin/env python3
"""Random differential test of Ingot's template expressions against jinja2 (not run by CI).

Generates random expressions from the pieces chat templates use (literals, variables of several types, operators,
filters with arguments, tests, methods, indexing, slicing, conditionals), renders `{{ expression }}` with jinja2 set
up as transformers sets it up and with Ingot (`ingot-template-check`, built here in release), and reports every case
where one renders and the other fails, or both render different text. Texts that differ only by a Python object
address (`<generator object … at 0x…>`) are counted apart: Ingot cannot reproduce those.

Needs: pip install jinja2. Run: python3 scripts/diff_templates_random.py [SEED] [COUNT]   (defaults 1, 500)
"""
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, ".build/release/ingot-template-check")
NOW = "2026-07-26T14:05:09"

CONTEXT = {
    "n": 7, "f": 2.5, "z": 0, "neg": -3, "big": 9007199254740993, "s": "Hello World", "e": "", "sp": "  a b  ",
    "u8": "héllo e\u0301", "l": [3, 1, 2], "ls": ["b", "A", "a"], "el": [], "d": {"b": 1, "a": [2, 3], "c": None},
    "ed": {}, "t": True, "no": None, "m": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo", "x": 1}],
    "fl": [1.5, 2, -0.5], "nested": [[1, 2], [3]],
}
NAMES = list(CONTEXT) + ["undef"]
LITERALS = ["0", "1", "-1", "3", "300", "2.5", "1e16", "0.1", "-0.0", "''", "'a'", "'héllo'", "' x '", "'1'", "'3.5'",
            "'A b-c'", "none", "true", "false", "[]", "[1, 'a']", "{}", "{'k': 1}", "(1, 2)", "'%s'", "'a,b,,c'"]
FILTERS = [
    ("trim", [[], ["'x'"]]), ("length", [[]]), ("count", [[]]), ("default", [["'d'"], ["'d'", "true"]]),
    ("join", [[], ["', '"], ["attribute='role'"]]), ("upper", [[]]), ("lower", [[]]), ("title", [[]]),
    ("capitalize", [[]]), ("replace", [["'a'", "'b'"], ["'l'", "''", "1"]]), ("first", [[]]), ("last", [[]]),
    ("list", [[]]), ("string", [[]]), ("int", [[], ["5"]]), ("float", [[]]), ("abs", [[]]),
    ("round", [[], ["1"], ["0", "'floor'"]]), ("tojson", [[], ["indent=2"], ["sort_keys=true"]]), ("safe", [[]]),
    ("sort", [[], ["reverse=true"]]), ("unique", [[]]), ("min", [[]]), ("max", [[]]), ("sum", [[]]),
    ("reverse", [[]]), ("items", [[]]), ("select", [[], ["'odd'"]]), ("reject", [["'none'"]]),
    ("map", [["'string'"], ["attribute='role'"], ["'upper'"]]), ("selectattr", [["'role'"], ["'role'", "'eq'", "'user'"]]),
    ("rejectattr", [["'x'"]]), ("center", [["9"]]), ("wordcount", [[]]), ("indent", [["2"], ["2", "true"]]),
    ("dictsort", [[]]), ("escape", [[]]), ("format", [["1"]]),
]
TESTS = ["defined", "undefined", "none", "string", "mapping", "number", "integer", "float", "iterable", "sequence",
         "boolean", "true", "false", "odd", "even", "divisibleby 3", "eq 1", "ne 'a'", "lt 3", "ge 2.5",
         "in [1, 'a']", "callable", "lower", "upper", "sameas none"]
METHODS = ["strip()", "lstrip('H')", "rstrip()", "startswith('H')", "endswith(('d', 'x'))", "split()", "split(',')",
           "rsplit(' ', 1)", "splitlines()", "upper()", "lower()", "title()", "capitalize()", "swapcase()",
           "replace('l', 'L')", "find('o')", "rfind('o')", "count('l')", "join(['1', '2'])", "format(1, 2)",
           "isdigit()", "isalpha()", "items()", "keys()", "values()", "get('a')", "get('zz', 0)", "index(2)",
           "copy()", "removeprefix('He')", "partition(' ')"]
OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or"]
SUBSCRIPTS = ["0", "-1", "1:", ":-1", "::-1", "::2", "'a'", "'role'", "1:3"]


def expression(rng, depth):
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice(LITERALS) if rng.random() < 0.5 else rng.choice(NAMES)
    kind = rng.randrange(9)
    a = expression(rng, depth - 1)
    if kind == 0:
        return f"({a} {rng.choice(OPERATORS)} {expression(rng, depth - 1)})"
    if kind == 1:
        name, choices = rng.choice(FILTERS)
        args = rng.choice(choices)
        return f"({a} | {name}" + (f"({', '.join(args)})" if args else "") + ")"
    if kind == 2:
        return f"({a} is {'not ' if rng.random() < 0.3 else ''}{rng.choice(TESTS)})"
    if kind == 3:
        return f"{rng.choice(NAMES)}.{rng.choice(METHODS)}"
    if kind == 4:
        return f"{rng.choice(NAMES)}[{rng.choice(SUBSCRIPTS)}]"
    if kind == 5:
        return f"(not {a})"
    if kind == 6:
        return f"({a} if {expression(rng, depth - 1)} else {expression(rng, depth - 1)})"
    if kind == 7:
        return f"[{a}, {expression(rng, depth - 1)}]"
    return f"(-{a})"


def jinja_environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals.update(raise_exception=raise_exception, dict=dict, namespace=jinja2.utils.Namespace)
    return env


def jinja(env, source):
    try:
        return "ok", env.from_string(source).render(**CONTEXT)
    except Exception as e:  # an error is a result to compare
        return "error", f"{type(e).__name__}: {e}"


def ingot(source, context_file):
    with tempfile.NamedTemporaryFile("w", suffix=".jinja", delete=False, encoding="utf-8") as f:
        f.write(source)
    try:
        p = subprocess.run([TOOL, f.name, context_file, "--now", NOW], capture_output=True)
    finally:
        os.unlink(f.name)
    return ("ok", p.stdout.decode()) if p.returncode == 0 else ("error", p.stderr.decode().strip())


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    subprocess.run(["swift", "build", "-c", "release", "--product", "ingot-template-check"], cwd=ROOT, check=True,
                   capture_output=True)
    rng = random.Random(seed)
    env = jinja_environment()
    stats = collections.Counter()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(CONTEXT, f)
    try:
        for _ in range(count):
            source = "{{ " + expression(rng, 3) + " }}"
            a, b = jinja(env, source), ingot(source, f.name)
            if a[0] == b[0] == "error":
                stats["both fail"] += 1
            elif a == b:
                stats["same"] += 1
            elif a[0] == b[0] == "ok" and " at 0x" in a[1]:
                stats["differ by an address"] += 1
            else:
                stats["DIFFERENT"] += 1
                print(f"{source}\n  jinja2: {a!r}\n  ingot:  {b!r}")
    finally:
        os.unlink(f.name)
    print(dict(stats))
    sys.exit(1 if stats["DIFFERENT"] else 0)


if __name__ == "__main__":
    main()
