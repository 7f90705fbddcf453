#!/usr/bin/env python3
"""Checks a GGUF file Ingot exported from a canonical model (GGUFExport) with gguf-py, against a fixture GGUF
written the way llama.cpp's convert_hf_to_gguf.py writes one.

    python3 scripts/check_gguf_canonical.py EXPORTED.gguf FIXTURE.gguf [--hf HF_DIR] [--ignore-keys k1,k2]

FIXTURE may be "-" when there is none (qwen2): then only checks 1, 2 and 5 run.

Checks, each reported separately (exit status 0 when all pass):

  1. gguf-py's GGUFReader loads the export; every tensor offset is a multiple of the alignment.
  2. llama.cpp would know it: general.architecture is an architecture gguf-py knows, every tensor name is one of
     that architecture's tensor names (gguf.MODEL_TENSORS), and the hyperparameter keys llama.cpp requires are present.
  3. Pairs: the same keys in the same order with the same types and identical encoded bytes as the fixture, except
     the --ignore-keys (by default none; pass general.type,general.name,general.size_label for a Hugging Face export,
     whose source has no such values).
  4. Tensors: the same names in the same order with the same shapes; the same type means identical bytes; an F32
     export of a fixture tensor in another type must equal gguf.quants.dequantize of it when that is exact (K-quants,
     Q5_x) or round to the fixture's bytes (F16, BF16: Ingot exports the source's f32, the fixture rounded it).
  5. With --hf: un-permuting q/k with numpy (convert_hf_to_gguf.py's reshape, inverted) gives the Hugging Face
     safetensors weights — exactly for F32 tensors, within the fixture's own quantization error otherwise.

Produce the exports first (Swift, from the repository root):
    INGOT_GGUF_CANONICAL_DIR=/tmp/gguf-canonical swift test --filter exportForThePythonCheck
Needs gguf (gguf-py), numpy and safetensors. CI does not run it.
"""
import argparse
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q

# Keys llama.cpp's loader reads as required for llama / qwen2 (llama_model_loader::get_key(..., required=true)).
REQUIRED = ["context_length", "embedding_length", "block_count", "feed_forward_length", "attention.head_count",
            "attention.layer_norm_rms_epsilon"]
EXACT_DEQUANT = {Q.Q4_K, Q.Q5_K, Q.Q6_K, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.Q4_0, Q.Q4_1}


def pairs(reader):
    out = []
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue
        out.append((name, list(field.types), b"".join(p.tobytes() for p in field.parts[2:])))
    return out


def string_value(reader, key):
    f = reader.fields.get(key)
    return None if f is None else bytes(f.parts[-1]).decode("utf-8")


def int_value(reader, key):
    f = reader.fields.get(key)
    return None if f is None else int(f.parts[-1][0])


def unpermute(w, n_head):
    rows = w.shape[0]
    return w.reshape(n_head, rows // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def check_loads(r, problems):
    for t in r.tensors:
        rel = t.data_offset - r.data_offset
        if rel % r.alignment:
            problems.append(f"{t.name}: offset {rel} is not a multiple of the alignment {r.alignment}")


def check_llama_cpp_names(r, problems):
    arch_name = string_value(r, "general.architecture")
    archs = {v: k for k, v in gguf.MODEL_ARCH_NAMES.items()}
    if arch_name not in archs:
        problems.append(f"general.architecture {arch_name!r} is not an architecture gguf-py knows")
        return
    arch = archs[arch_name]
    n_layer = int_value(r, f"{arch_name}.block_count") or 0
    known = set()
    for t in gguf.MODEL_TENSORS[arch]:
        base = gguf.TENSOR_NAMES[t]
        for bid in range(n_layer) if "{bid}" in base else [None]:
            n = base.format(bid=bid) if bid is not None else base
            known.update({n + ".weight", n + ".bias"})
    for t in r.tensors:
        if t.name not in known:
            problems.append(f"tensor {t.name!r} is not a {arch_name} tensor name llama.cpp knows")
    for k in REQUIRED:
        if f"{arch_name}.{k}" not in r.fields:
            problems.append(f"required key {arch_name}.{k} is missing")
    if "tokenizer.ggml.model" not in r.fields:
        print("  note: no tokenizer.ggml.model (the source had no tokenizer); llama.cpp will not load it as is")


def check_pairs(a_reader, b_reader, ignore, problems):
    a = [p for p in pairs(a_reader) if p[0] not in ignore]
    b = [p for p in pairs(b_reader) if p[0] not in ignore]
    if [k for k, _, _ in a] != [k for k, _, _ in b]:
        problems.append(f"keys differ:\n    export  {[k for k, _, _ in a]}\n    fixture {[k for k, _, _ in b]}")
    bk = {k: (t, v) for k, t, v in b}
    for k, t, v in a:
        if k in bk and bk[k][0] != t:
            problems.append(f"{k}: types {t} != {bk[k][0]}")
        elif k in bk and bk[k][1] != v:
            problems.append(f"{k}: values differ")
    return len(a)


def check_tensors(a_reader, b_reader, problems):
    a, b = a_reader.tensors, b_reader.tensors
    if [t.name for t in a] != [t.name for t in b]:
        problems.append(f"tensor names/order differ:\n    {[t.name for t in a]}\n    {[t.name for t in b]}")
    bt = {t.name: t for t in b}
    exact = rounded = 0
    for t in a:
        f = bt.get(t.name)
        if f is None:
            continue
        if list(t.shape) != list(f.shape):
            problems.append(f"{t.name}: shape {list(t.shape)} != {list(f.shape)}")
            continue
        if t.tensor_type == f.tensor_type:
            if t.data.tobytes() != f.data.tobytes():
                problems.append(f"{t.name}: {t.tensor_type.name} bytes differ")
            exact += 1
        elif t.tensor_type == Q.F32 and f.tensor_type in EXACT_DEQUANT | {Q.F16, Q.BF16}:
            mine = np.asarray(t.data, dtype=np.float32).reshape(-1)
            if f.tensor_type in (Q.F16, Q.BF16):
                ok = gguf.quants.quantize(mine, f.tensor_type).tobytes() == f.data.tobytes()
            else:
                ok = mine.tobytes() == gguf.quants.dequantize(f.data, f.tensor_type).astype(np.float32).reshape(-1).tobytes()
            if not ok:
                problems.append(f"{t.name}: F32 export is not the fixture's {f.tensor_type.name} values")
            rounded += 1
        else:
            problems.append(f"{t.name}: type {t.tensor_type.name} vs fixture {f.tensor_type.name}")
    return exact, rounded


def check_hf(r, hf_dir, problems):
    from safetensors.numpy import load_file
    hf = load_file(os.path.join(hf_dir, "model.safetensors"))
    arch_name = string_value(r, "general.architecture")
    arch = {v: k for k, v in gguf.MODEL_ARCH_NAMES.items()}[arch_name]
    n_layer = int_value(r, f"{arch_name}.block_count")
    n_head = int_value(r, f"{arch_name}.attention.head_count")
    n_kv = int_value(r, f"{arch_name}.attention.head_count_kv") or n_head
    tmap = gguf.get_tensor_name_map(arch, n_layer)
    to_gguf = {tmap.get_name(k, try_suffixes=(".weight", ".bias")): k for k in hf}
    worst = 0.0
    for t in r.tensors:
        if t.name == "rope_freqs.weight":
            continue
        name = to_gguf.get(t.name)
        if name is None:
            problems.append(f"{t.name}: no Hugging Face tensor maps to it")
            continue
        w = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(hf[name].shape)
        if arch == gguf.MODEL_ARCH.LLAMA and t.name.endswith("attn_q.weight"):
            w = unpermute(w, n_head)
        elif arch == gguf.MODEL_ARCH.LLAMA and t.name.endswith("attn_k.weight"):
            w = unpermute(w, n_kv)
        ref = hf[name].astype(np.float32)
        if t.tensor_type == Q.F32:
            if w.tobytes() != ref.tobytes():
                problems.append(f"{t.name}: un-permuted F32 differs from {name}")
        else:
            worst = max(worst, float(np.abs(w.astype(np.float64) - ref).max()))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exported")
    ap.add_argument("fixture")
    ap.add_argument("--hf", help="Hugging Face directory the fixture was converted from")
    ap.add_argument("--ignore-keys", default="", help="comma-separated keys to leave out of the pair comparison")
    args = ap.parse_args()
    ignore = {k for k in args.ignore_keys.split(",") if k}

    problems = []
    exported = gguf.GGUFReader(args.exported)
    check_loads(exported, problems)
    check_llama_cpp_names(exported, problems)
    if args.fixture == "-":
        line = f"{os.path.basename(args.exported)}: loads, {len(exported.tensors)} {string_value(exported, 'general.architecture')} tensors"
    else:
        fixture = gguf.GGUFReader(args.fixture)
        n_pairs = check_pairs(exported, fixture, ignore, problems)
        exact, rounded = check_tensors(exported, fixture, problems)
        line = f"{os.path.basename(args.exported)} vs {os.path.basename(args.fixture)}: {n_pairs} pairs, " \
               f"{exact} tensors identical, {rounded} F32 = fixture values"
    if args.hf:
        worst = check_hf(exported, args.hf, problems)
        line += f", q/k un-permuted = HF" + (f" (max |Δ| {worst:.3g} from quantization)" if worst else " exactly")
    if problems:
        print(f"FAIL {line}")
        for p in problems:
            print("  -", p)
        sys.exit(1)
    print(f"OK   {line}")


if __name__ == "__main__":
    main()
