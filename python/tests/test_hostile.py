"""The shared bad-file suite (fixtures/hostile, also run by Swift's SharedHostileFileTests): same stage, same line."""
import json
import os

import pytest

import ingot
from conftest import FIXTURES

HOSTILE = os.path.join(FIXTURES, "hostile")
with open(os.path.join(HOSTILE, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_shared_expectation(case):
    path = os.path.join(HOSTILE, case["file"])
    stage = "open"
    try:
        with ingot.safe_open(path) as f:
            stage = "read"
            for k in f.keys():
                f.get_tensor(k)
                f.get_tensor(k, dequantize=False)
    except ingot.IngotError as e:
        line = str(e)
        assert stage == case["stage"], line
        assert case["expect"] in line, line
        assert line.startswith(path + ": ")
        assert "\n" not in line
        if stage == "open":
            assert isinstance(e, ingot.InvalidFileError)
        else:
            assert isinstance(e, ingot.CorruptDataError)
        return
    assert case["stage"] == "none", f"accepted; expected {case['stage']}: {case['expect']}"


def test_checksum_is_checked_once_per_open_file():
    path = os.path.join(HOSTILE, "checksum_mismatch.ingot")
    with ingot.safe_open(path) as f:
        with pytest.raises(ingot.ChecksumMismatchError):
            f.get_tensor("w")
        with pytest.raises(ingot.ChecksumMismatchError):  # a failed check is not remembered as a pass
            f.get_tensor("w")
        assert f.get_slice("w")[0:2].shape == (2, 4)  # a part has no checksum of its own


def test_truncations_and_bit_flips_never_crash(tmp_path):
    """Every prefix and many single-byte flips of a valid chunked file: an IngotError or a successful read."""
    with open(os.path.join(HOSTILE, "chunked_valid.ingot"), "rb") as f:
        good = f.read()
    p = tmp_path / "x.ingot"
    variants = [good[:n] for n in range(0, len(good), 97)]
    for i in list(range(0, 200)) + list(range(4096, len(good))):
        b = bytearray(good)
        b[i] ^= 0x5A
        variants.append(bytes(b))
    for v in variants:
        p.write_bytes(v)
        try:
            with ingot.safe_open(p) as f:
                for k in f.keys():
                    f.get_tensor(k)
        except ingot.IngotError:
            pass


@pytest.mark.skipif(__import__("conftest").CLI is None, reason="no ingot CLI")
def test_mutations_agree_with_swift(tmp_path):
    """Random byte flips and truncations of a compressed file (entropy + zstd planes): the Python reader and
    `ingot check` (Swift, a black box) accept and reject the same files, with the same line when they reject."""
    import random

    import numpy as np

    import ingot.numpy
    from conftest import cli

    rng = np.random.default_rng(3)
    good_path = tmp_path / "good.ingot"
    ingot.numpy.save_file({"w": (rng.standard_normal((64, 64)) * 0.02).astype(np.float32),
                           "i": rng.integers(0, 4, 3000, dtype=np.int8)}, good_path, {"m": 1}, compress=12, chunk_size=4096)
    good = good_path.read_bytes()
    r = random.Random(14)
    p = tmp_path / "m.ingot"
    for n in range(120):
        b = bytearray(good)
        if n % 6 == 5:
            b = b[: r.randrange(len(b))]
        else:
            for _ in range(r.randint(1, 3)):
                i = r.randrange(40, len(b)) if r.random() < 0.9 else r.randrange(0, 40)
                b[i] ^= 1 << r.randrange(8)
        p.write_bytes(bytes(b))
        py = None
        try:
            with ingot.safe_open(p) as f:
                for k in f.keys():
                    f.get_tensor(k)
        except ingot.IngotError as e:
            py = str(e)
        sw = cli("check", p, check=False)
        if py is None:
            assert sw.returncode == 0, sw.stderr
        else:
            assert sw.returncode != 0, py
            assert py in sw.stderr or py.split(": ", 1)[1].split(" (")[0] in sw.stderr, (py, sw.stderr)
