"""The LLM: GGUF conversion cache (verified, rebuilt when damaged), chat, batching, log-probs, hidden states."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from irbook import llm as llm_lib
from irbook import models
from irbook.llm import LLM, closed_book_messages, rag_messages, short_answer


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Convert the packaged GGUF once into a fresh cache (~20 s); yield the loaded model and the cache root."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the test machine is shared: one thread avoids oversubscription stalls
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IRBOOK_CACHE", str(root))
        yield models.llm(device="cpu"), root
    torch.set_num_threads(threads)


@pytest.fixture
def smol(converted):
    return converted[0]


@pytest.fixture
def cache_env(converted, monkeypatch):
    """IRBOOK_CACHE set to the converted cache; returns the converted model's folder."""
    monkeypatch.setenv("IRBOOK_CACHE", str(converted[1]))
    return converted[1] / "models" / models.DEFAULT_LLM


def test_conversion_creates_a_verified_folder(smol, cache_env):
    manifest = json.loads((cache_env / models.MANIFEST_NAME).read_text())
    assert manifest["files"]["model.safetensors"]["size"] > 100_000_000
    gguf = llm_lib._packaged_smollm2_gguf()
    assert llm_lib._manifest_problem(cache_env, gguf, "full") is None
    assert isinstance(smol, LLM) and smol.name == "SmolLM2-135M-Instruct" and smol.device == "cpu"
    assert smol.n_layers == 30 and not smol.model.training


def test_second_load_is_fast(smol, cache_env):
    start = time.perf_counter()
    again = models.llm(device="cpu")
    assert time.perf_counter() - start < 2.0
    assert again.model.dtype == torch.float32


def _tiny_converted(folder, gguf):
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(bytes(range(256)) * 20_000)  # 5 MB: has distinct head and tail
    (folder / "config.json").write_text("{}")
    llm_lib._write_manifest(folder, gguf)


@pytest.mark.parametrize("damage", ["truncated", "missing_manifest", "missing_file", "tail_changed", "bad_json"])
def test_manifest_detects_damage(tmp_path, damage):
    gguf = llm_lib._packaged_smollm2_gguf()
    folder = tmp_path / "converted"
    _tiny_converted(folder, gguf)
    assert llm_lib._manifest_problem(folder, gguf, "quick") is None
    weights = folder / "model.safetensors"
    if damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:-1000])
    elif damage == "missing_manifest":
        (folder / models.MANIFEST_NAME).unlink()
    elif damage == "missing_file":
        (folder / "config.json").unlink()
    elif damage == "tail_changed":
        data = bytearray(weights.read_bytes())
        data[-5] ^= 0xFF
        weights.write_bytes(bytes(data))
    else:
        (folder / models.MANIFEST_NAME).write_text("{not json")
    assert llm_lib._manifest_problem(folder, gguf, "quick") is not None


def test_chat_knows_the_capital_of_france(smol):
    (answer,) = smol.chat(closed_book_messages("What is the capital of France?"), max_new_tokens=16)
    assert "Paris" in answer


def test_rag_prompt_reads_the_passages(smol):
    passages = [
        {"title": "Kigali", "text": "Kigali is the capital and largest city of Rwanda."},
        "Lyon is a city in France.",
    ]
    messages = rag_messages("What is the capital of Rwanda?", passages)
    assert "[1] Kigali: Kigali is" in messages[-1]["content"] and "[2] Lyon" in messages[-1]["content"]
    (answer,) = smol.chat(messages, max_new_tokens=16)
    assert "Kigali" in answer


def test_batched_greedy_equals_one_by_one(smol):
    prompts = ["Name a colour.", "What is 2 + 2? Answer with a number.", "Say hello in French, one word."]
    batched = smol.chat(prompts, max_new_tokens=8, batch_size=3)
    single = [smol.chat(p, max_new_tokens=8)[0] for p in prompts]
    assert batched == single
    texts = ["The sky is", "Once upon a time, in a land far"]
    assert smol.generate(texts, max_new_tokens=5) == [smol.generate(t, max_new_tokens=5)[0] for t in texts]


def test_logprob_prefers_a_sensible_continuation(smol):
    prompts = ["The capital of France is"] * 2 + ["One, two, three,"]
    scores = smol.logprob(prompts, [" Paris", " banana", " four"], batch_size=2)
    assert scores.shape == (3,) and np.all(scores <= 0)
    assert scores[0] > scores[1] + 2
    alone = smol.logprob(prompts[2], " four")  # padding in a batch changes nothing
    np.testing.assert_allclose(alone[0], scores[2], atol=1e-3)


def test_hidden_states_shape_and_padding_invariance(smol):
    texts = ["hello", "a somewhat longer sentence about retrieval"]
    states = smol.hidden_states(texts, layers=[0, -1])
    assert states.shape == (2, 2, smol.model.config.hidden_size) and states.dtype == np.float32
    assert smol.hidden_states(texts).shape[0] == smol.n_layers + 1
    alone = smol.hidden_states(texts[:1], layers=-1, pool="mean")
    np.testing.assert_allclose(smol.hidden_states(texts, layers=-1, pool="mean")[:, :1], alone, atol=1e-3)


def test_bad_input_is_rejected(smol):
    with pytest.raises(ValueError, match="max_new_tokens"):
        smol.chat("hi", max_new_tokens=0)
    with pytest.raises(ValueError, match="temperature"):
        smol.chat("hi", temperature=-1)
    with pytest.raises(TypeError):
        smol.chat([{"role": "user"}])
    with pytest.raises(ValueError, match="system"):
        smol.chat(closed_book_messages("Why?"), system="Be brief.")
    with pytest.raises(ValueError, match="continuations"):
        smol.logprob(["a", "b"], [" c"])
    with pytest.raises(ValueError, match="out of range"):
        smol.hidden_states(["a"], layers=[smol.n_layers + 1])
    with pytest.raises(ValueError, match="pool"):
        smol.hidden_states(["a"], pool="max")
    with pytest.raises(TypeError, match="single string"):
        rag_messages("Q?", "one passage")


def test_short_answer_trims_to_first_sentence():
    assert short_answer("Answer: Paris.\nIt is the capital.") == "Paris"
    assert short_answer("  \nThe U.S. Army won. Then it rained.") == "The U.S. Army won"
    assert short_answer("**Kigali**") == "Kigali"
    assert short_answer("") == ""
    with pytest.raises(TypeError):
        short_answer(None)


def test_damaged_cache_is_rebuilt(smol, cache_env, monkeypatch):
    """Runs last: damages the shared folder. The slow GGUF dequantisation is replaced by the model already
    converted above; detection, atomic re-save, manifest and reload are the real ones."""
    reference = smol.logprob("The capital of France is", " Paris")
    calls = []

    def reuse_converted(gguf):
        calls.append(gguf)
        return smol.model, smol.tokenizer

    monkeypatch.setattr(models, "_load_gguf", reuse_converted)
    weights = cache_env / "model.safetensors"
    # An interrupted copy: half the file. Written as a new file, as a copy would be; truncating in place
    # would pull the pages from under the model above, whose weights are memory-mapped from this file.
    with open(weights, "rb") as handle:
        half = handle.read(weights.stat().st_size // 2)
    partial = weights.with_name("partial.tmp")
    partial.write_bytes(half)
    partial.replace(weights)
    with pytest.warns(RuntimeWarning, match="wrong size"):
        rebuilt = models.llm(device="cpu")
    assert len(calls) == 1
    assert llm_lib._manifest_problem(cache_env, llm_lib._packaged_smollm2_gguf(), "quick") is None
    np.testing.assert_allclose(rebuilt.logprob("The capital of France is", " Paris"), reference, atol=1e-4)
