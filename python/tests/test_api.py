"""API details: errors, frameworks, slices."""
import os

import numpy as np
import pytest

import ingot
import ingot.numpy
from conftest import FIXTURES


def test_missing_file_and_tensor(tmp_path):
    with pytest.raises(ingot.IngotIOError) as e:
        ingot.safe_open(tmp_path / "nope.ingot")
    assert str(e.value).startswith(str(tmp_path / "nope.ingot") + ": ")
    ingot.numpy.save_file({"a": np.zeros((3, 2), np.float32)}, tmp_path / "a.ingot")
    with ingot.safe_open(tmp_path / "a.ingot") as f:
        with pytest.raises(KeyError) as e:
            f.get_tensor("b")
        assert str(e.value) == f'{tmp_path / "a.ingot"}: no tensor named "b"'


def test_control_characters_are_escaped(tmp_path):
    p = tmp_path / "bad\nname.ingot"
    p.write_bytes(b"nope")
    with pytest.raises(ingot.InvalidFileError) as e:
        ingot.safe_open(p)
    assert "\n" not in str(e.value) and "bad\\u{a}name" in str(e.value)


def test_empty_file(tmp_path):
    p = tmp_path / "e.ingot"
    p.write_bytes(b"")
    with pytest.raises(ingot.InvalidFileError, match="truncated: preamble needs 40 bytes, 0 remain"):
        ingot.safe_open(p)


def test_slices_decode_parts(tmp_path):
    a = np.arange(40000, dtype=np.float32).reshape(400, 100)
    p = tmp_path / "a.ingot"
    ingot.numpy.save_file({"a": a}, p, compress=3, chunk_size=4000)
    with ingot.safe_open(p) as f:
        s = f.get_slice("a")
        assert s.get_shape() == [400, 100] and s.get_dtype() == "f32"
        np.testing.assert_array_equal(s[5:17], a[5:17])
        np.testing.assert_array_equal(s[-3:], a[-3:])
        np.testing.assert_array_equal(s[10:2:-3, 4:9], a[10:2:-3, 4:9])
        np.testing.assert_array_equal(s[7, ::10], a[7, ::10])
        np.testing.assert_array_equal(s[...], a)
        assert s[400:].shape == (0, 100)
        with pytest.raises(IndexError):
            s[400]


def test_raw_tensors_are_views(tmp_path):
    a = np.arange(1 << 16, dtype=np.float32)
    p = tmp_path / "a.ingot"
    ingot.numpy.save_file({"a": a}, p)
    with ingot.safe_open(p) as f:
        t = f.get_tensor("a")
        assert not t.flags.owndata and t.ctypes.data % 64 == 0
    t[0] = 5  # private mapping: the file is not changed
    with ingot.safe_open(p) as f:
        assert f.get_tensor("a")[0] == 0


def test_kernels_report_cpu():
    from ingot import _ingot

    assert set(_ingot.cpu()) == {"avx512f", "avx2_fma", "f16c"}


def test_shapes_numpy_cannot_hold(tmp_path):
    """An empty tensor whose other dimensions overflow numpy's index range: an IngotError, not numpy's ValueError."""
    import json
    import struct

    from ingot import _ingot

    h = json.dumps({"alignment": 64, "metadata": {}, "tensors": [
        {"name": "e", "dtype": "f32", "shape": [0, 1 << 62], "offset": 0, "length": 0, "encoding": "raw",
         "xxh3": f"{_ingot.xxh3(b''):016x}"}]}).encode()  # the checksum of no bytes (the reader checks it)
    data = b"\x89INGOT\r\n" + struct.pack("<HHIQQQ", 1, 0, 0, len(h), _ingot.xxh3(h), 4096) + h
    p = tmp_path / "e.ingot"
    p.write_bytes(data + bytes(4096 - len(data)))
    with ingot.safe_open(p) as f:
        with pytest.raises(ingot.UnsupportedError, match="numpy cannot hold shape"):
            f.get_tensor("e")
