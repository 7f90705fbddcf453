"""Every fixture, dtype and encoding read bit-exactly against the Swift CLI's safetensors export."""
import numpy as np
import pytest

import ingot
import ingot.numpy
from conftest import ST_DTYPES, all_cases, needs_cli, read_safetensors

INGOT_TO_ST = {"f32": "F32", "f16": "F16", "bf16": "BF16", "f64": "F64", "i8": "I8", "i16": "I16", "i32": "I32",
               "i64": "I64", "u8": "U8", "bool": "BOOL"}
CASES = [c[0] for c in all_cases()]


@needs_cli
@pytest.mark.parametrize("case", CASES)
def test_matches_cli_export(corpus, case):
    path, ref_path = corpus[case]
    ref = read_safetensors(ref_path)
    with ingot.safe_open(path) as f:
        assert sorted(f.keys()) == sorted(ref)
        for name in f.keys():
            info = f.tensor_info(name)
            st_dtype, shape, want = ref[name]
            assert tuple(info["shape"]) == shape, name
            got = f.get_tensor(name)
            assert got.shape == shape
            if info["dtype"] in INGOT_TO_ST:
                assert INGOT_TO_ST[info["dtype"]] == st_dtype
                assert got.tobytes() == want, name
                assert f.get_bytes(name).tobytes() == want
            else:  # block types: the CLI exports them dequantized to f32
                assert st_dtype == "F32" and got.dtype == np.float32
                assert got.view(np.uint32).tobytes() == want, name
                blocks = f.get_tensor(name, dequantize=False)
                assert blocks.tobytes() == f.get_bytes(name).tobytes()
                assert blocks.shape == shape[:-1] + (shape[-1] // info["group_size"],)
            # a row range decodes only its chunks and equals the same rows of the whole tensor
            if len(shape) >= 1 and shape[0] > 2:
                lo, hi = 1, shape[0] - 1
                assert f.get_slice(name)[lo:hi].tobytes() == got[lo:hi].tobytes()
                assert f.get_slice(name)[lo].tobytes() == got[lo].tobytes()
                assert f.get_slice(name)[::2].tobytes() == got[::2].tobytes()


@needs_cli
def test_encodings_are_covered(corpus):
    seen = set()
    for path, _ in corpus.values():
        with ingot.safe_open(path) as f:
            for k in f.keys():
                i = f.tensor_info(k)
                seen.add((i["dtype"], i["encoding"]))
    dtypes = {d for d, _ in seen}
    for d in ["f32", "f16", "bf16", "f64", "i8", "i16", "i32", "i64", "u8", "bool", "q8_0", "q4_0", "q4_1", "q5_0",
              "q5_1", "iq4_nl", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k"]:
        assert d in dtypes, d
    for d in ["f32", "f16", "bf16", "q8_0", "q4_0"]:
        assert (d, "chunked") in seen, d
    # K-quant blocks of these small random models rarely shrink by the writer's 1%: at least one does
    assert any((d, "chunked") in seen for d in ["q2_k", "q3_k", "q4_k", "q5_k", "q6_k"])


@needs_cli
def test_simple_blocks_by_formula(corpus):
    """The structured arrays' fields, dequantized with numpy by the formulas of quant.md, give the CLI's floats."""
    for case in ["llama_gqa_q8_0", "llama_gqa_q4_0", "llama_gqa_q4_1_z"]:
        path, ref_path = corpus[case]
        ref = read_safetensors(ref_path)
        with ingot.safe_open(path) as f:
            for name in f.keys():
                i = f.tensor_info(name)
                if i["dtype"] not in ("q8_0", "q4_0", "q4_1"):
                    continue
                b = f.get_tensor(name, dequantize=False)
                d = b["d"].astype(np.float32)[..., None]
                if i["dtype"] == "q8_0":
                    x = d * b["qs"].astype(np.float32)
                else:
                    q = np.concatenate([b["qs"] & 15, b["qs"] >> 4], axis=-1).astype(np.float32)
                    x = d * (q - 8) if i["dtype"] == "q4_0" else d * q + b["m"].astype(np.float32)[..., None]
                want = np.frombuffer(ref[name][2], "<f4").reshape(ref[name][1])
                np.testing.assert_array_equal(x.reshape(want.shape), want)


@needs_cli
def test_metadata_is_typed(corpus):
    path, _ = corpus["llama_tied-raw"]
    with ingot.safe_open(path) as f:
        m = f.metadata()
    assert m["ingot.architecture"] == "llama"
    assert isinstance(m["ingot.config"], dict)
    assert m["ingot.config"]["tied_embeddings"] is True
    assert isinstance(m["ingot.config"]["rope_theta"], float)
    assert isinstance(m["ingot.config"]["num_layers"], int)


@needs_cli
def test_load_file_numpy(corpus):
    path, ref_path = corpus["dtypes-zstd3"]
    ref = read_safetensors(ref_path)
    d = ingot.numpy.load_file(path)
    for k, (st, shape, b) in ref.items():
        assert d[k].tobytes() == b and d[k].shape == shape


@needs_cli
def test_torch_load_file(corpus):
    torch = pytest.importorskip("torch")
    import ingot.torch

    for case in ["dtypes-raw", "dtypes-zstd3", "llama_gqa_bf16_gguf-zstd3", "llama_k256_q4_k_m_z"]:
        path, ref_path = corpus[case]
        ref = read_safetensors(ref_path)
        d = ingot.torch.load_file(path)
        for k, (st, shape, b) in ref.items():
            t = d[k]
            assert isinstance(t, torch.Tensor) and tuple(t.shape) == shape
            if st == "BF16":
                assert t.dtype == torch.bfloat16
                assert t.view(torch.int16).numpy().tobytes() == b
            elif st == "BOOL":
                assert t.dtype == torch.bool and t.numpy().tobytes() == b
            else:
                assert t.numpy().tobytes() == b
