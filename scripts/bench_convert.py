#!/usr/bin/env python3
"""Benchmark: converting a multi-GB sharded Hugging Face checkpoint streams tensor by tensor.

Generates (once) a ~3 GiB llama-shaped checkpoint in 3 safetensors shards with an index and config.json, then in one
run: `cp -r` of the directory, `ingot convert DIR -o out.ingot` (raw), and `ingot convert … --compress zstd`, each
under `/usr/bin/time -v`. Prints throughput in GB/s of tensor data next to cp's, and Ingot's peak RSS next to the
model size and the largest tensor. Goal: peak RSS near the largest tensor, not the model.

Needs: numpy, safetensors (pip), GNU time (apt: time). Usage: python3 scripts/bench_convert.py [--gib 3]
"""
import argparse, json, os, re, shutil, subprocess, sys, time

from benchlib import INGOT, build_release

WORK = os.environ.get("INGOT_BENCH_DIR", "/tmp/ingot-bench")


def make_checkpoint(d, gib):
    import numpy as np
    from safetensors.numpy import save_file
    if os.path.exists(os.path.join(d, "config.json")):
        return
    os.makedirs(d, exist_ok=True)
    hidden, ffn = 2048, 5632
    rng = np.random.default_rng(0)
    per_layer = (4 * hidden * hidden + 3 * hidden * ffn) * 4
    layers = max(1, int(gib * (1 << 30) // per_layer))
    names = []
    for i in range(layers):
        for p, shape in [("self_attn.q_proj", (hidden, hidden)), ("self_attn.k_proj", (hidden, hidden)),
                         ("self_attn.v_proj", (hidden, hidden)), ("self_attn.o_proj", (hidden, hidden)),
                         ("mlp.gate_proj", (ffn, hidden)), ("mlp.up_proj", (ffn, hidden)), ("mlp.down_proj", (hidden, ffn))]:
            names.append((f"model.layers.{i}.{p}.weight", shape))
    shards = 3
    per = (len(names) + shards - 1) // shards
    weight_map = {}
    for s in range(shards):
        part = names[s * per:(s + 1) * per]
        fname = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        tensors = {n: (rng.standard_normal(shape, dtype=np.float32) * 0.02) for n, shape in part}
        save_file(tensors, os.path.join(d, fname), metadata={"format": "pt"})
        for n, _ in part:
            weight_map[n] = fname
        del tensors
    json.dump({"metadata": {}, "weight_map": weight_map}, open(os.path.join(d, "model.safetensors.index.json"), "w"))
    json.dump({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": hidden,
               "intermediate_size": ffn, "num_hidden_layers": layers, "num_attention_heads": 16,
               "num_key_value_heads": 16, "vocab_size": 32000, "rms_norm_eps": 1e-5,
               "max_position_embeddings": 4096}, open(os.path.join(d, "config.json"), "w"))


def timed(cmd):
    """Wall seconds and peak RSS (KiB) of a command under GNU time."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    return wall, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=3.0)
    args = ap.parse_args()
    build_release(("ingot",))
    src = os.path.join(WORK, "sharded-ckpt")
    make_checkpoint(src, args.gib)
    data = sum(os.path.getsize(os.path.join(src, f)) for f in os.listdir(src) if f.endswith(".safetensors"))
    largest = 2048 * 5632 * 4
    subprocess.run(f"cat {src}/*.safetensors > /dev/null", shell=True, check=True)  # warm the page cache for all
    rows = []
    dst = os.path.join(WORK, "copy")
    shutil.rmtree(dst, ignore_errors=True)
    rows.append(("cp -r", *timed(["cp", "-r", src, dst])))
    shutil.rmtree(dst, ignore_errors=True)
    out = os.path.join(WORK, "converted.ingot")
    rows.append(("ingot convert (raw)", *timed([INGOT, "convert", src, "-o", out, "--force"])))
    rows.append(("ingot convert --compress zstd", *timed([INGOT, "convert", src, "-o", out, "--force", "--compress", "zstd"])))
    os.remove(out)
    print(f"model: {data / 2**30:.2f} GiB in 3 shards; largest tensor {largest / 2**20:.1f} MiB")
    cp_wall = rows[0][1]
    for name, wall, rss in rows:
        print(f"{name:32} {wall:7.2f} s  {data / wall / 1e9:6.2f} GB/s  ({cp_wall / wall:4.2f}x cp)  peak RSS {rss / 1024:8.1f} MiB"
              f"  ({rss * 1024 / data * 100:5.1f}% of the model, {rss * 1024 / largest:4.1f}x the largest tensor)")


if __name__ == "__main__":
    sys.exit(main())
