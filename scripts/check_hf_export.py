#!/usr/bin/env python3
"""Checks that a Hugging Face directory written by `ingot convert … -o DIR/` loads in transformers and
sentence-transformers and computes exactly what the original directory computes.

    /work/venv/bin/python3 scripts/check_hf_export.py [--ingot .build/debug/ingot]

For each fixture model, original → .ingot (zstd-compressed, so the tensors really go through Ingot's codec) →
directory, then:
- fixtures/models/bert/safetensors (a sentence-transformers BERT: mean pooling + Normalize):
  `SentenceTransformer(dir).encode(sentences)` must equal the original's bit for bit, and the tokenizer must give
  the same ids;
- fixtures/models/llama-gqa/safetensors: `AutoModelForCausalLM.from_pretrained(dir)` logits on the fixture prompt
  must equal the original's bit for bit, `AutoTokenizer` must give the same ids and `GenerationConfig` must be equal.
The weights are byte-identical, so anything but exact equality is a bug. Needs torch, transformers and
sentence-transformers; run by hand (CI does not). Exit status 0 when every check passes.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "fixtures", "models")
SENTENCES = [
    "Ingot reads model weights from safetensors files and writes them back unchanged.",
    "A sentence embedding is the mean of the token states, scaled to unit length.",
    "Small random weights are enough to test that two programs agree.",
]


def export(ingot, source, work, name):
    """source → NAME.ingot → NAME/ with the ingot binary; returns the directory."""
    mid, out = os.path.join(work, name + ".ingot"), os.path.join(work, name) + "/"
    for args in ([source, "-o", mid, "--compress", "zstd"], [mid, "-o", out]):
        r = subprocess.run([ingot, "convert", *args], capture_output=True, text=True)
        if r.returncode != 0 or r.stderr:
            raise SystemExit(f"ingot convert {' '.join(args)} failed or warned ({r.returncode}): {r.stderr.strip()}")
    return out


def check_bert(ingot, work):
    original = os.path.join(MODELS, "bert", "safetensors")
    out = export(ingot, original, work, "bert")
    a = SentenceTransformer(original, device="cpu")
    b = SentenceTransformer(out, device="cpu")
    ea = a.encode(SENTENCES, convert_to_numpy=True)
    eb = b.encode(SENTENCES, convert_to_numpy=True)
    problems = []
    if [type(m).__name__ for m in a] != [type(m).__name__ for m in b]:
        problems.append(f"modules differ: {list(a)} vs {list(b)}")
    if not np.array_equal(ea, eb):
        problems.append(f"embeddings differ: max |diff| {np.abs(ea - eb).max()}")
    ids = [a.tokenizer(s)["input_ids"] for s in SENTENCES], [b.tokenizer(s)["input_ids"] for s in SENTENCES]
    if ids[0] != ids[1]:
        problems.append("tokenizer ids differ")
    return problems, f"{len(SENTENCES)} embeddings of {ea.shape[1]} dims, norms {np.linalg.norm(eb, axis=1).round(6).tolist()}"


def check_llama(ingot, work):
    original = os.path.join(MODELS, "llama-gqa", "safetensors")
    out = export(ingot, original, work, "llama-gqa")
    with open(os.path.join(MODELS, "tokens.json"), encoding="utf-8") as f:
        prompt = json.load(f)
    problems = []
    ta, tb = AutoTokenizer.from_pretrained(original), AutoTokenizer.from_pretrained(out)
    ids_a, ids_b = ta(prompt["text"])["input_ids"], tb(prompt["text"])["input_ids"]
    if ids_a != ids_b:
        problems.append(f"tokenizer ids differ: {ids_a} vs {ids_b}")
    if GenerationConfig.from_pretrained(original).to_dict() != GenerationConfig.from_pretrained(out).to_dict():
        problems.append("generation configs differ")
    ids = torch.tensor([prompt["ids"]])
    logits = []
    for d in (original, out):
        m = AutoModelForCausalLM.from_pretrained(d, attn_implementation="eager", dtype=torch.float32).eval()
        with torch.no_grad():
            logits.append(m(ids).logits)
    if not torch.equal(logits[0], logits[1]):
        problems.append(f"logits differ: max |diff| {(logits[0] - logits[1]).abs().max().item()}")
    return problems, f"logits {tuple(logits[1].shape)} on {len(prompt['ids'])} tokens"


def main():
    p = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    p.add_argument("--ingot", default=os.path.join(ROOT, ".build", "debug", "ingot"))
    args = p.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="ingot-hf-export-") as work:
        for name, check in (("bert (sentence-transformers)", check_bert), ("llama-gqa (causal LM)", check_llama)):
            problems, summary = check(args.ingot, work)
            if problems:
                failed = True
                print(f"FAIL {name}:")
                for line in problems:
                    print(f"  {line}")
            else:
                print(f"OK   {name}: {summary}, identical to the original")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
