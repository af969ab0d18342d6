"""The model registry: size and sha256 checks (a corrupted file is rejected), the part-wheel assembly
(a wrong part is rejected and nothing corrupt is left in the cache), and the registered files themselves."""
from __future__ import annotations

import dataclasses
import hashlib
import zipfile

import pytest

from irbook import model_registry as reg

PARTS = [b"first part " * 100, b"second part " * 100, b"end"]
WHOLE = b"".join(PARTS)


@pytest.fixture
def spec(tmp_path, monkeypatch):
    """A small registered file made of three part wheels, and a fresh cache."""
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("IRBOOK_MODELS", raising=False)
    entry = reg.ModelFile(
        key="toy", filename="toy.gguf", size=len(WHOLE), sha256=hashlib.sha256(WHOLE).hexdigest(), licence="MIT",
        url="https://example.org/toy.gguf", description="a toy",
        parts=tuple((f"toy-part{i}==1.0", f"toy_part{i}/data/part{i:02d}.bin") for i in range(1, 4)),
    )
    monkeypatch.setitem(reg.REGISTRY, "toy", entry)
    return entry


def _wheels(folder, parts):
    folder.mkdir(exist_ok=True)
    for i, data in enumerate(parts, start=1):
        with zipfile.ZipFile(folder / f"toy_part{i}-1.0-py3-none-any.whl", "w") as zf:
            zf.writestr(f"toy_part{i}/__init__.py", "raise ImportError('never imported')")
            zf.writestr(f"toy_part{i}/data/part{i:02d}.bin", data)
    return folder


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name not in ("toy.gguf", "verified"))


def test_assembled_file_is_verified_and_cached(spec, tmp_path):
    path = reg.fetch("toy", _wheels(tmp_path / "w", PARTS))
    assert path.read_bytes() == WHOLE and path.parent == reg.cache_dir("models")
    assert reg.model_path("toy") == path  # found in the cache, sidecar makes it a size+mtime check
    assert _leftovers(path.parent) == []


def test_a_wrong_part_is_rejected_and_nothing_is_left(spec, tmp_path):
    corrupt = [PARTS[0], PARTS[1][:-1] + b"X", PARTS[2]]  # same size, one byte changed
    with pytest.raises(reg.ModelFileError, match="sha256"):
        reg.assemble_parts(spec, _wheels(tmp_path / "w", corrupt))
    cache = reg.cache_dir("models")
    assert [p.name for p in cache.iterdir()] in ([], ["verified"])
    with pytest.raises(reg.ModelFileError, match="bytes, expected"):  # a missing part: the wrong size
        reg.assemble_parts(dataclasses.replace(spec, parts=spec.parts[:2]), _wheels(tmp_path / "w2", PARTS))
    assert [p.name for p in cache.iterdir()] in ([], ["verified"])
    with pytest.raises(reg.ModelFileError, match="no wheel"):
        reg.assemble_parts(spec, tmp_path)


def test_a_corrupted_cached_file_is_moved_aside(spec, tmp_path):
    path = reg.fetch("toy", _wheels(tmp_path / "w", PARTS))
    damaged = bytearray(WHOLE)
    damaged[5] ^= 1
    path.write_bytes(bytes(damaged))  # same size, new mtime: the sidecar no longer vouches for it
    with pytest.raises(FileNotFoundError, match="sha256"):
        reg.model_path("toy")
    assert not path.exists() and any(".corrupt-" in p.name for p in path.parent.iterdir())
    assert reg.fetch("toy", tmp_path / "w").read_bytes() == WHOLE  # and fetched again


def test_models_folder_comes_first(spec, tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "toy.gguf").write_bytes(WHOLE)
    monkeypatch.setenv("IRBOOK_MODELS", str(folder))
    assert reg.model_path("toy") == folder / "toy.gguf"
    (folder / "toy.gguf").write_bytes(WHOLE[:-1])
    with pytest.raises(FileNotFoundError, match="expected"):
        reg.model_path("toy")
    assert (folder / "toy.gguf").exists()  # a user's own folder is reported, never moved


def test_unknown_name_lists_the_registry():
    with pytest.raises(KeyError, match="qwen2.5-coder-0.5b"):
        reg.entry("gpt-5")
    assert reg.entry("QWEN").key == "qwen2.5-coder-0.5b"


@pytest.mark.parametrize("name", ["smollm2-135m", "all-minilm-l6-v2", "efficientnet-lite0",
                                  "spacy-en-core-web-sm-tok2vec", "spacy-en-core-web-sm-ner",
                                  "multilingual-e5-small-q4"])
def test_packaged_files_match_the_registry(name):
    assert reg.model_path(name).stat().st_size == reg.entry(name).size


def test_registered_qwen_file_when_fetched():
    try:
        path = reg.model_path("qwen2.5-coder-0.5b")
    except FileNotFoundError as err:
        pytest.skip(f"the Qwen reader is not fetched here ({err})")
    assert path.stat().st_size == 491_400_064


def test_multilingual_e5_loads_the_verified_file():
    from irbook.models import multilingual_e5

    model = multilingual_e5(num_threads=1)
    vectors = model.passage(["Umwana arakina", "Abahinzi bahawe imbuto"])
    assert vectors.shape == (2, 384)
    assert abs(float((vectors ** 2).sum(axis=1).mean()) - 1.0) < 1e-3
    with pytest.raises(ValueError, match="num_threads"):
        multilingual_e5(num_threads=0)
