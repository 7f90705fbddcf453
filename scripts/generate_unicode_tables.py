#!/usr/bin/env python3
"""Writes Sources/IngotText/Tokenizer/UnicodeTables.swift: the character classes and mappings that Hugging Face
`tokenizers` uses, measured from the library itself (never from a Unicode database of another version).

    pip install tokenizers==0.23.3        # Python 3.11; unicodedata is only used to propose candidates
    python3 scripts/generate_unicode_tables.py

Why probe the library: `tokenizers` mixes Unicode versions. Its split regexes run on Oniguruma (`\\p{L}`, `\\p{N}`,
`\\s`), BERT's classes come from the `unicode_categories` crate (old tables: a character unassigned there counts as
"other" and is removed by clean_text), NFD/NFC from `unicode-normalization-alignments` (Unicode 9), lowercasing and
`is_whitespace`/`is_numeric` from Rust's std, `\\w` from the `regex` crate. Asking the library for every code point
gives exactly the sets it uses. Deterministic; CI never runs it (the Swift file is committed).
"""
import os
import unicodedata

from tokenizers import Regex, normalizers, pre_tokenizers

ALL = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
MARK = "\x01"


def ranges(cps):
    out, start, prev = [], None, None
    for c in sorted(cps):
        if start is None:
            start = prev = c
        elif c == prev + 1:
            prev = c
        else:
            out.append((start, prev))
            start = prev = c
    if start is not None:
        out.append((start, prev))
    return out


def regex_class(pattern):
    """Code points one Oniguruma regex (one character wide) matches."""
    norm = normalizers.Replace(Regex(pattern), MARK)
    found = set()
    for i in range(0, len(ALL), 65536):
        chunk = ALL[i:i + 65536]
        s = "".join(map(chr, chunk))
        out = norm.normalize_str(s)
        assert len(out) == len(s), pattern
        found.update(c for c, o in zip(chunk, out) if o == MARK and c != 1)
    return found


def per_char(fn):
    """fn(chr) for every code point, in batches: each character between two 'a's."""
    return {c: fn(chr(c)) for c in ALL}


def pieces(pretok, c):
    return len(pretok.pre_tokenize_str("a" + c + "a"))


def main():
    tables = {}
    tables["onigLetter"] = ranges(regex_class(r"\p{L}"))
    tables["onigNumber"] = ranges(regex_class(r"\p{N}"))
    tables["onigSpace"] = ranges(regex_class(r"\s"))

    ws = pre_tokenizers.WhitespaceSplit()
    punct = pre_tokenizers.Punctuation()
    digits = pre_tokenizers.Digits(individual_digits=True)
    word = pre_tokenizers.Whitespace()
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False,
                                       lowercase=False)
    rust_ws, bert_punct, numeric, word_chars, removed = set(), set(), set(), set(), set()
    for c in ALL:
        ch = chr(c)
        if pieces(ws, ch) == 2:
            rust_ws.add(c)
        if pieces(punct, ch) == 3:
            bert_punct.add(c)
        if pieces(digits, ch) == 3:
            numeric.add(c)
        if pieces(word, ch) == 1:
            word_chars.add(c)
        if clean.normalize_str("a" + ch + "a") == "aa":
            removed.add(c)
    tables["rustWhitespace"] = ranges(rust_ws)
    tables["bertPunctuation"] = ranges(bert_punct)
    tables["rustNumeric"] = ranges(numeric)
    tables["regexWord"] = ranges(word_chars)
    tables["bertRemoved"] = ranges(removed)

    # NFD of each code point alone (between NULs, which block canonical reordering).
    nfd = normalizers.NFD()
    nfc = normalizers.NFC()
    lower = normalizers.Lowercase()
    decomp, nfc_of, lowers = {}, {}, {}
    nonzero = ALL[1:]
    for i in range(0, len(nonzero), 20000):
        chunk = nonzero[i:i + 20000]
        s = "\x00".join(map(chr, chunk))
        for fn, dest in ((nfd, decomp), (nfc, nfc_of), (lower, lowers)):
            parts = fn.normalize_str(s).split("\x00")
            assert len(parts) == len(chunk)
            for c, p in zip(chunk, parts):
                if p != chr(c):
                    dest[c] = [ord(x) for x in p]
    hangul = lambda c: 0xAC00 <= c <= 0xD7A3
    tables["nfd"] = sorted((c, d) for c, d in decomp.items() if not hangul(c))
    tables["lowercase"] = sorted(lowers.items())

    # Canonical combining classes the library knows: Python proposes, the library's reordering confirms.
    ccc = {}
    for c in ALL:
        k = unicodedata.combining(chr(c))
        if k == 0 or c in decomp:
            continue
        if k > 1:
            known = nfd.normalize_str("a" + chr(c) + "\u0334") == "a\u0334" + chr(c)
        else:
            known = nfd.normalize_str("a\u05B0" + chr(c)) == "a" + chr(c) + "\u05B0"
        if known:
            ccc[c] = k
    tables["ccc"] = sorted(ccc.items())

    # Canonical pairs that NFC recomposes: one-level decompositions of characters the library decomposes and
    # keeps composed.
    pairs = []
    for c in decomp:
        if hangul(c) or c in nfc_of:
            continue
        d = unicodedata.decomposition(chr(c))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        if len(parts) == 2:
            pairs.append((parts[0], parts[1], c))
    pairs.sort()
    tables["composition"] = pairs

    # Mn as BERT's strip_accents sees it: NFD-stable characters that strip_accents removes.
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True,
                                       lowercase=False)
    mn = [c for c in ALL if c not in decomp and strip.normalize_str("a" + chr(c)) == "a"]
    tables["bertNonspacingMark"] = ranges(mn)

    check_nfc(pairs, decomp, ccc, nfc, nfc_of)
    write_swift(tables)


def check_nfc(pairs, decomp, ccc, nfc, nfc_of):
    """Recomposes every decomposed character with the tables and compares with the library."""
    comp = {(a, b): c for a, b, c in pairs}
    for c, d in decomp.items():
        if 0xAC00 <= c <= 0xD7A3:
            continue
        want = nfc_of.get(c, [c])
        got = recompose(d, comp, ccc)
        assert got == want, (hex(c), got, want)


def recompose(cps, comp, ccc):
    out, starter, last = [], None, None
    for c in cps:
        k = ccc.get(c, 0)
        if starter is not None and (last is None or (last < k)) and (out[starter], c) in comp:
            out[starter] = comp[(out[starter], c)]
            continue
        if k == 0:
            starter, last = len(out), None
        else:
            last = k
        out.append(c)
    return out


def write_swift(t):
    lines = [
        "// Generated by scripts/generate_unicode_tables.py from tokenizers 0.23.3 — do not edit.",
        "// Each table is hex numbers in a string (fast to compile), parsed once on first use by `UnicodeTables`.",
        "",
        "enum UnicodeTableData {",
    ]

    def emit(name, doc, values):
        chunks, line = [], ""
        for v in values:
            word = format(v, "x")
            if line and len(line) + 1 + len(word) > 110:
                chunks.append(line)
                line = ""
            line = line + " " + word if line else word
        chunks.append(line)
        lines.append(f"    /// {doc}")
        lines.append(f'    static let {name} = """')
        for ch in chunks:
            lines.append("        " + ch)
        lines.append('        """')

    docs = {
        "onigLetter": "Oniguruma \\p{L}: start end pairs.",
        "onigNumber": "Oniguruma \\p{N}: start end pairs.",
        "onigSpace": "Oniguruma \\s: start end pairs.",
        "rustWhitespace": "Rust char::is_whitespace: start end pairs.",
        "bertPunctuation": "ASCII punctuation or unicode_categories is_punctuation: start end pairs.",
        "rustNumeric": "Rust char::is_numeric: start end pairs.",
        "regexWord": "regex crate \\w: start end pairs.",
        "bertRemoved": "Removed by BertNormalizer clean_text (NUL, U+FFFD, 'other' but \\t\\n\\r): start end pairs.",
        "bertNonspacingMark": "Removed by strip_accents after NFD (unicode_categories Mn): start end pairs.",
    }
    for name, doc in docs.items():
        emit(name, doc, [v for r in t[name] for v in r])
    emit("nfd", "Canonical decomposition (full, Unicode 9; Hangul is algorithmic): code point, count, code points.",
         [v for c, d in t["nfd"] for v in [c, len(d), *d]])
    emit("lowercase", "Rust char::to_lowercase where it differs: code point, count, code points.",
         [v for c, d in t["lowercase"] for v in [c, len(d), *d]])
    emit("ccc", "Canonical combining classes the normalizer knows: code point, class.",
         [v for c, k in t["ccc"] for v in (c, k)])
    emit("composition", "Canonical composition pairs: first, second, composite.",
         [v for p in t["composition"] for v in p])
    lines.append("}")
    path = os.path.join(os.path.dirname(__file__), "..", "Sources", "IngotText", "Tokenizer", "UnicodeTableData.swift")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", os.path.normpath(path), sum(len(l) + 1 for l in lines), "bytes")


if __name__ == "__main__":
    main()
