"""Files written by save_file pass `ingot check` and read back in Swift (the CLI's safetensors export)."""
import os

import ml_dtypes
import numpy as np
import pytest

import ingot
import ingot.numpy
from conftest import cli, needs_cli, read_safetensors

RNG = np.random.default_rng(14)


def sample_tensors():
    w = RNG.standard_normal((64, 300)).astype(np.float32) * 0.02
    return {
        "f32": w,
        "f16": w.astype(np.float16),
        "bf16": w.astype(ml_dtypes.bfloat16),
        "f64": RNG.standard_normal((7, 5)),
        "i8": RNG.integers(-128, 127, (33,), dtype=np.int8),
        "i16": RNG.integers(-3000, 3000, (4, 4), dtype=np.int16),
        "i32": np.arange(1000, dtype=np.int32).reshape(10, 100),
        "i64": np.array([1, -2, 1 << 40], dtype=np.int64),
        "u8": np.zeros((5000,), dtype=np.uint8),
        "bool": np.array([True, False, True]),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "big_endian": np.arange(6, dtype=">i4"),
    }


@needs_cli
@pytest.mark.parametrize("compress,chunk", [(None, None), (1, 1 << 20), (3, 512), (12, 1000), (3, 3)])
def test_save_check_and_swift_read(tmp_path, compress, chunk):
    t = sample_tensors()
    p = tmp_path / "w.ingot"
    meta = {"n_layers": 30, "rope_theta": 100000.0, "tied": True, "name": "x\u00e9", "list": [1, 2.5, None], "obj": {"a": {}}}
    kw = {} if chunk is None else {"chunk_size": chunk}
    ingot.numpy.save_file(t, p, meta, compress=compress, **kw)
    r = cli("check", p)
    assert "OK" in r.stdout, r.stdout + r.stderr
    cli("convert", p, "-o", tmp_path / "w.safetensors")
    ref = read_safetensors(tmp_path / "w.safetensors")
    for k, a in t.items():
        st, shape, b = ref[k]
        assert shape == a.shape, k
        assert b == np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"))).tobytes(), k
    with ingot.safe_open(p) as f:
        assert f.metadata() == meta
        if compress and chunk >= 512:  # 4-byte chunks (chunk_size 3 rounded up to one f32) never pay for their table
            assert f.tensor_info("f32")["encoding"] == "chunked"
            assert f.tensor_info("f32")["filter"] == "bytegroup"
            assert f.tensor_info("u8")["encoding"] == "chunked"
            assert f.tensor_info("u8")["filter"] == "none"
        for k, a in t.items():
            assert f.get_tensor(k).tobytes() == np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"))).tobytes()


@needs_cli
def test_blocks_round_trip(corpus, tmp_path):
    """Raw blocks read with dequantize=False and written back are the same blocks (Swift dequantizes them the same)."""
    for case in ["llama_gqa_q4_1", "llama_k256_q6_k", "llama_gqa_iq4_nl"]:
        path, ref_path = corpus[case]
        blocks = ingot.numpy.load_file(path, dequantize=False)
        with ingot.safe_open(path) as f:
            meta = f.metadata()
        out = tmp_path / (case + ".ingot")
        ingot.numpy.save_file(blocks, out, meta, compress=3)
        assert "OK" in cli("check", out).stdout
        cli("convert", out, "-o", tmp_path / (case + ".safetensors"))
        assert read_safetensors(tmp_path / (case + ".safetensors")) == read_safetensors(ref_path)


@needs_cli
def test_compressed_like_the_cli(tmp_path):
    """save_file(compress=3) stores the same sizes as `ingot convert --compress zstd` (same C encoder, same policy)."""
    w = (RNG.standard_normal((256, 1024)) * 0.05).astype(ml_dtypes.bfloat16)
    ingot.numpy.save_file({"w": w}, tmp_path / "py.ingot", compress=3)
    ingot.numpy.save_file({"w": w}, tmp_path / "raw.ingot")
    cli("convert", tmp_path / "raw.ingot", "-o", tmp_path / "cli.ingot", "--compress", "zstd")
    with ingot.safe_open(tmp_path / "py.ingot") as a, ingot.safe_open(tmp_path / "cli.ingot") as b:
        assert a.tensor_info("w")["length"] == b.tensor_info("w")["length"]
        assert a.get_tensor("w").tobytes() == b.get_tensor("w").tobytes()


def test_torch_save_file(tmp_path):
    torch = pytest.importorskip("torch")
    import ingot.torch

    t = {"a": torch.randn(10, 20, dtype=torch.bfloat16), "b": torch.arange(5), "c": torch.randn(3, dtype=torch.float16)}
    ingot.torch.save_file(t, tmp_path / "t.ingot", {"k": 1}, compress=3)
    back = ingot.torch.load_file(tmp_path / "t.ingot")
    for k, v in t.items():
        assert back[k].dtype == v.dtype and torch.equal(back[k], v)


def test_writer_refuses(tmp_path):
    with pytest.raises(ingot.UnsupportedError):
        ingot.numpy.save_file({"a\n": np.zeros(2)}, tmp_path / "x.ingot")
    with pytest.raises(ingot.UnsupportedError):
        ingot.numpy.save_file({"a": np.zeros(2)}, tmp_path / "x.ingot", {"x": float("nan")})
    with pytest.raises(ingot.UnsupportedError):
        ingot.numpy.save_file({"a": np.zeros(2, dtype=np.complex64)}, tmp_path / "x.ingot")
    assert not os.listdir(tmp_path)
