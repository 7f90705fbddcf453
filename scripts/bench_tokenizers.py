#!/usr/bin/env python3
"""Encode throughput of Ingot's tokenizers against Hugging Face `tokenizers` (Rust), one thread each, side by side
on the same ~10 MB of mixed text, and the load time of a 150k-token vocabulary. Not CI.

    python3 scripts/bench_tokenizers.py [--mb 10] [--build] [--minilm DIR] [--smollm FILE.gguf]

The text is the fixture corpus (fixtures/text/corpus.json: prose, code, 19 scripts, emoji, numbers…) shuffled and
repeated to --mb megabytes, encoded line by line (with special tokens). tokenizers runs with
TOKENIZERS_PARALLELISM=false, measured two ways: `encode` in a Python loop (includes Python's per-call cost) and
`encode_batch` over all lines (one thread, since parallelism is off). Ingot runs `ingot-text-check bench`
(release build, a Swift loop over `Tokenizer.encode`). Ratios are tokenizers' time / Ingot's time (> 1: Ingot is
faster). Token counts are checked equal. Each figure is the best of --runs runs.

The 150k vocabulary is synthesised here (256 bytes + merges of existing tokens until 150,000 tokens, GPT-2 layout)
into a temporary tokenizer.json; the load time is the best of 5 (file read + parse + tables).
"""
import argparse, json, os, random, subprocess, sys, tempfile, time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
from benchlib import ROOT, build_release

CHECK = os.path.join(ROOT, ".build/release/ingot-text-check")
KINDS = ["gpt2", "llama3", "qwen2", "sp", "wordpiece"]


def make_text(mb):
    with open(os.path.join(ROOT, "fixtures/text/corpus.json"), encoding="utf-8") as f:
        strings = json.load(f)["strings"]
    rng = random.Random(7)
    lines, size = [], 0
    while size < mb * 1_000_000:
        s = rng.choice(strings).replace("\n", " ")
        lines.append(s)
        size += len(s.encode("utf-8")) + 1
    return lines


def ingot_bench(tokenizer, text_path, runs):
    best = None
    for _ in range(runs):
        out = json.loads(subprocess.run([CHECK, "bench", tokenizer, text_path], check=True, capture_output=True,
                                        text=True).stdout)
        if best is None or out["seconds"] < best["seconds"]:
            best = out
    return best


def rust_bench(tok, lines, runs):
    loop = batch = float("inf")
    tokens = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        n = 0
        for line in lines:
            n += len(tok.encode(line).ids)
        loop = min(loop, time.perf_counter() - t0)
        tokens = n
        t0 = time.perf_counter()
        tok.encode_batch(lines)
        batch = min(batch, time.perf_counter() - t0)
    return loop, batch, tokens


def synth_150k(path):
    """A GPT-2-shaped byte-level BPE with 150,000 tokens: every merge joins two existing tokens."""
    from tokenizers.pre_tokenizers import ByteLevel
    alphabet = sorted(ByteLevel.alphabet())
    vocab = {c: i for i, c in enumerate(alphabet)}
    tokens = list(alphabet)
    merges = []
    rng = random.Random(150)
    while len(vocab) < 150_000:
        a = tokens[min(int(rng.paretovariate(1.2)) - 1, len(tokens) - 1)] if rng.random() < 0.5 else rng.choice(tokens)
        b = rng.choice(alphabet) if rng.random() < 0.7 else rng.choice(tokens[:2000])
        if len(a) + len(b) > 16 or a + b in vocab:
            continue
        vocab[a + b] = len(vocab)
        tokens.append(a + b)
        merges.append(f"{a} {b}")
    spec = {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": len(vocab), "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                              "rstrip": False, "normalized": False, "special": True}],
            "normalizer": None, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                                                  "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": vocab, "merges": merges}}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=10)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--build", action="store_true")
    ap.add_argument("--minilm", help="all-MiniLM-L6-v2 directory (adds its tokenizer.json)")
    args = ap.parse_args()
    if args.build or not os.path.exists(CHECK):
        build_release(("ingot-text-check",))
    from tokenizers import Tokenizer
    import tokenizers
    lines = make_text(args.mb)
    tmp = tempfile.mkdtemp()
    text_path = os.path.join(tmp, "text.txt")
    with open(text_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    mb = os.path.getsize(text_path) / 1e6
    print(f"tokenizers {tokenizers.__version__}, {len(lines)} lines, {mb:.1f} MB, best of {args.runs}\n")
    print("| tokenizer | tokens | tokenizers encode loop | tokenizers encode_batch (1 thread) | Ingot | ratio (loop) | ratio (batch) |")
    print("|---|---|---|---|---|---|---|")
    files = [(k, os.path.join(ROOT, f"fixtures/text/{k}.tokenizer.json")) for k in KINDS]
    if args.minilm:
        files.append(("all-MiniLM-L6-v2", os.path.join(args.minilm, "tokenizer.json")))
    for name, path in files:
        tok = Tokenizer.from_file(path)
        tok.no_truncation()
        tok.no_padding()
        loop, batch, tokens = rust_bench(tok, lines, args.runs)
        mine = ingot_bench(path, text_path, args.runs)
        assert mine["tokens"] == tokens, (name, mine["tokens"], tokens)
        print(f"| {name} | {tokens:,} | {loop:.2f} s ({mb / loop:.1f} MB/s) | {batch:.2f} s ({mb / batch:.1f} MB/s) | "
              f"{mine['seconds']:.2f} s ({mb / mine['seconds']:.1f} MB/s) | {loop / mine['seconds']:.2f}× | "
              f"{batch / mine['seconds']:.2f}× |")
    big = os.path.join(tmp, "vocab150k.json")
    synth_150k(big)
    ms = json.loads(subprocess.run([CHECK, "load", big, "5"], check=True, capture_output=True, text=True).stdout)["load_ms"]
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        Tokenizer.from_file(big)
        best = min(best, time.perf_counter() - t0)
    print(f"\n150,000-token byte-level BPE ({os.path.getsize(big) / 1e6:.1f} MB tokenizer.json): Ingot loads it in "
          f"{ms:.0f} ms, tokenizers in {best * 1000:.0f} ms")


if __name__ == "__main__":
    main()
