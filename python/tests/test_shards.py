"""Sharded Ingot models (specs/format.md §11) read through the package: written by the CLI, read as one model."""
import json
import os
import shutil

import numpy as np
import pytest

import ingot
import ingot.numpy as inp
from conftest import FIXTURES, cli, needs_cli

SRC = os.path.join(FIXTURES, "models/llama-gqa/safetensors")


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    d = tmp_path_factory.mktemp("shards")
    cli("convert", SRC, "-o", d / "model.ingot", "--max-shard-size", "40kB", "--compress", "zstd")
    cli("convert", SRC, "-o", d / "whole.ingot")
    return d


def shard_names(d):
    return sorted(n for n in os.listdir(d) if n.startswith("model-") and n.endswith(".ingot"))


@needs_cli
def test_index_directory_and_shard_open_the_whole_model(sharded):
    whole = inp.load_file(sharded / "whole.ingot")
    assert len(shard_names(sharded)) > 2
    for path in (sharded / "model.ingot.index.json", ):
        got = inp.load_file(path)
        assert list(got) == list(whole)
        for k in whole:
            assert np.array_equal(got[k], whole[k]), k
    with pytest.warns(UserWarning, match="opened the whole model through model.ingot.index.json"):
        with ingot.safe_open(sharded / shard_names(sharded)[1]) as f:
            assert f.keys() == list(whole)
            assert "ingot.config" in f.metadata() and "ingot.shard" not in f.metadata()
            name = f.keys()[-1]
            assert np.array_equal(f.get_slice(name)[1:3], whole[name][1:3])


@needs_cli
def test_a_directory_opens_its_one_model(tmp_path, sharded):
    d = tmp_path / "m"
    d.mkdir()
    for n in shard_names(sharded) + ["model.ingot.index.json"]:
        shutil.copy(sharded / n, d / n)
    with ingot.safe_open(d) as f:
        assert len(f.keys()) == len(inp.load_file(sharded / "whole.ingot"))


def copy_model(src, dst):
    dst.mkdir()
    for n in shard_names(src) + ["model.ingot.index.json"]:
        shutil.copy(src / n, dst / n)
    return dst


@needs_cli
def test_a_missing_shard_is_one_error_naming_it(tmp_path, sharded):
    d = copy_model(sharded, tmp_path / "m")
    gone = shard_names(d)[1]
    os.remove(d / gone)
    with pytest.raises(ingot.IngotError) as e:
        ingot.safe_open(d / "model.ingot.index.json")
    assert gone in str(e.value) and "is missing" in str(e.value)
    # The same line as the CLI's.
    r = cli("check", d, check=False)
    assert r.returncode == 1 and r.stderr.strip() == f"ingot: {e.value}"


@needs_cli
def test_swapped_shards_are_caught(tmp_path, sharded):
    d = copy_model(sharded, tmp_path / "m")
    a, b = shard_names(d)[:2]
    os.rename(d / a, d / "t")
    os.rename(d / b, d / a)
    os.rename(d / "t", d / b)
    with pytest.raises(ingot.IngotError, match="not the file the index recorded") as e:
        ingot.safe_open(d)
    assert str(e.value).startswith(str(d / a))


@needs_cli
@pytest.mark.parametrize("edit,expected", [
    (lambda o: o.update(format="other"), '"format"'),
    (lambda o: o.update(version=2), '"version"'),
    (lambda o: o["shards"][0].update(file="../x.ingot"), "plain name"),
    (lambda o: o["shards"][0].update(header_xxh3="zz"), "header_xxh3"),
    (lambda o: o["shards"][0].update(tensors=o["shards"][0]["tensors"] + 1), "weight_map has"),
    (lambda o: o["weight_map"].update({"ghost": "nowhere.ingot"}), "not a listed shard"),
])
def test_hostile_indexes_are_refused(tmp_path, sharded, edit, expected):
    d = copy_model(sharded, tmp_path / "m")
    o = json.load(open(d / "model.ingot.index.json"))
    edit(o)
    json.dump(o, open(d / "model.ingot.index.json", "w"))
    with pytest.raises(ingot.IngotError, match=expected):
        ingot.safe_open(d)


@needs_cli
def test_an_index_that_is_not_json_is_an_error(tmp_path, sharded):
    d = copy_model(sharded, tmp_path / "m")
    (d / "model.ingot.index.json").write_bytes(b"{\xff")
    with pytest.raises(ingot.IngotError, match="not valid JSON"):
        ingot.safe_open(d)
