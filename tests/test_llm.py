"""The LLMs: GGUF conversion cache (verified, rebuilt when damaged), chat, batching, log-probs, hidden states,
next-token distributions, forward hooks, and the llama.cpp backend (agreement with transformers, the Qwen reader)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from irbook import llm as llm_lib
from irbook import models
from irbook.llm import LLM, closed_book_messages, rag_messages, short_answer


# The user's model cache, read before the fixtures below point IRBOOK_CACHE at a temporary folder.
_USER_MODELS = Path(os.environ.get("IRBOOK_CACHE") or Path.home() / ".cache" / "irbook") / "models"


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


def test_models_llm_is_the_llm_module_loader():
    assert models.llm is llm_lib.llm and models.converted_smollm2 is llm_lib.converted_smollm2


def test_rag_messages_system_replaces_or_drops_the_default():
    default = rag_messages("Q?", ["p"])
    assert default[0]["role"] == "system"
    assert rag_messages("Q?", ["p"], system="Be terse.")[0] == {"role": "system", "content": "Be terse."}
    assert [m["role"] for m in rag_messages("Q?", ["p"], system="")] == ["user"]
    with pytest.raises(TypeError, match="system"):
        rag_messages("Q?", ["p"], system=3)


def test_next_token_distribution_is_normalised_over_candidates(smol):
    prompts = ["Is Paris in France? Answer yes or no.", "Is Paris in Japan? Answer yes or no."]
    probs = smol.next_token_distribution(prompts, ["Yes", "No"])
    assert probs.shape == (2, 2) and np.allclose(probs.sum(1), 1)
    # the same numbers as a softmax of logprob() over the candidates' first tokens
    texts = [smol.chat_text([{"role": "user", "content": p}]) for p in prompts]
    lp = smol.logprob([texts[0]] * 2, ["Yes", "No"])
    np.testing.assert_allclose(probs[0], np.exp(lp) / np.exp(lp).sum(), atol=1e-4)
    with pytest.raises(ValueError, match="share a first token"):
        smol.next_token_distribution(prompts, ["Paris", "Paris is"])
    with pytest.raises(ValueError, match="at least two"):
        smol.next_token_distribution(prompts, "Yes")


def test_capture_matches_hidden_states_and_hooks_are_removed(smol):
    texts = ["Paris is in France.", "Hi"]
    hooks_before = [len(m._forward_hooks) for m in smol.model.modules()]
    states = smol.capture(texts, layers=[0, 5], components=("v_proj", "o_proj", "residual"))
    n_tokens = [len(smol.tokenizer(t)["input_ids"]) for t in texts]
    hidden = smol.model.config.hidden_size
    assert [a.shape for a in states["residual"]] == [(2, n, hidden) for n in n_tokens]
    assert states["v_proj"][0].shape[-1] == smol.model.model.layers[0].self_attn.v_proj.out_features
    # residual after block b is hidden_states[b + 1], at every position (last token checked here)
    pooled = smol.hidden_states(texts, layers=[1, 6])
    for i in range(2):
        np.testing.assert_allclose(states["residual"][i][:, -1], pooled[:, i], atol=1e-4)
    picked = smol.capture(texts, layers=[5], components=["o_proj"], positions=[[0, -1], [0]])
    np.testing.assert_allclose(picked["o_proj"][0, 1], states["o_proj"][0][1, -1], atol=1e-4)
    assert picked["o_proj"].shape == (1, 3, hidden)
    assert [len(m._forward_hooks) for m in smol.model.modules()] == hooks_before  # transformers keeps its own
    with pytest.raises(ValueError, match="components"):
        smol.capture(texts, components=["attention"])
    with pytest.raises(ValueError, match="out of range"):
        smol.capture(texts, layers=[smol.n_layers])


# ----- the llama.cpp backend

_AGREEMENT_PROMPTS = [
    "What is the capital of France?",
    "Who wrote Romeo and Juliet?",
    "What is 2 + 3?",
    "Name a primary colour.",
    "What is the largest planet in the solar system?",
    "Translate 'thank you' into French.",
    "What gas do plants absorb from the air?",
    "How many days are in a week?",
]


@pytest.fixture(scope="module")
def smol_cpp():
    pytest.importorskip("xllamacpp", reason="xllamacpp (the llama.cpp backend) is not installed")
    return llm_lib.llm("smollm2", backend="llama.cpp", n_parallel=2)


@pytest.fixture(scope="module")
def qwen():
    pytest.importorskip("xllamacpp", reason="xllamacpp (the llama.cpp backend) is not installed")
    from irbook import model_registry

    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get("IRBOOK_MODELS"):
            mp.setenv("IRBOOK_MODELS", str(_USER_MODELS))
        try:
            path = model_registry.model_path("qwen2.5-coder-0.5b")
        except FileNotFoundError as err:
            pytest.skip(f"the Qwen reader file is not fetched ({err})")
    return llm_lib.LlamaCppLLM(path, "qwen2.5-coder-0.5b", n_parallel=2)


def test_backends_agree_on_smollm2(smol, smol_cpp):
    """The same Q4_1 weights: transformers dequantises them to float32, llama.cpp multiplies them with
    8-bit-quantised activations, so logits differ slightly and a near-tie can flip a greedy token (measured:
    4 of these 8 answers identical, the others diverge at a near-tie, e.g. "The" vs "L'" after France)."""
    ours = smol.chat(_AGREEMENT_PROMPTS, max_new_tokens=16)
    theirs = smol_cpp.chat(_AGREEMENT_PROMPTS, max_new_tokens=16)
    assert sum(a == b for a, b in zip(ours, theirs)) >= 3
    candidates = ["The", "A", "Paris"]
    gap = np.abs(smol.next_token_distribution(_AGREEMENT_PROMPTS, candidates)
                 - smol_cpp.next_token_distribution(_AGREEMENT_PROMPTS, candidates))
    assert gap.max() < 0.1


def test_llama_cpp_greedy_is_deterministic_and_batch_invariant(smol_cpp):
    prompts = _AGREEMENT_PROMPTS[:3]
    batched = smol_cpp.chat(prompts, max_new_tokens=12)
    assert batched == [smol_cpp.chat(p, max_new_tokens=12)[0] for p in prompts]
    assert smol_cpp.generate("The sky is", max_new_tokens=5) == smol_cpp.generate("The sky is", max_new_tokens=5)
    seeded = [smol_cpp.chat("Name an animal.", temperature=1.0, seed=7, max_new_tokens=8)[0] for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_llama_cpp_names_the_transformers_backend_for_internals(smol_cpp):
    for call in (smol_cpp.hidden_states, smol_cpp.capture, smol_cpp.logprob):
        with pytest.raises(NotImplementedError, match="backend='transformers'"):
            call(["x"])
    with pytest.raises(ValueError, match="backend"):
        llm_lib.llm("smollm2", backend="onnx")


def test_qwen_reader_answers_from_passages(qwen):
    passages = [{"title": "Kigali", "text": "Kigali is the capital and largest city of Rwanda."}, "Lyon is a city in France."]
    answers = qwen.chat([rag_messages("What is the capital of Rwanda?", passages),
                         closed_book_messages("What is the capital of France?")], max_new_tokens=16)
    assert "Kigali" in answers[0] and "Paris" in answers[1]
    probs = qwen.next_token_distribution(["Is Paris in France? Answer yes or no."], ["Yes", "No"])
    assert probs[0, 0] > 0.5 and np.isclose(probs.sum(), 1)


def test_qwen_reader_on_transformers_matches_llama_cpp(qwen, monkeypatch):
    """The reader's GGUF dequantised for transformers (hidden states for chapter 6): same answers and
    next-token probabilities as llama.cpp, up to the backends' arithmetic. Uses the user's cache, where the
    2.5 GB conversion is made once."""
    monkeypatch.setenv("IRBOOK_CACHE", str(_USER_MODELS.parent))
    if not os.environ.get("IRBOOK_MODELS"):
        monkeypatch.setenv("IRBOOK_MODELS", str(_USER_MODELS))
    reader = llm_lib.llm("qwen2.5-coder-0.5b", backend="transformers", device="cpu")
    assert isinstance(reader, LLM) and reader.name == "qwen2.5-coder-0.5b" and reader.n_layers == 24
    assert llm_lib._manifest_problem(llm_lib.converted_reader(), qwen.path, "quick") is None
    prompt = closed_book_messages("What is the capital of France?")
    assert "Paris" in reader.chat([prompt], max_new_tokens=12)[0]
    question = ["Is Paris in France? Answer yes or no."]
    gap = np.abs(reader.next_token_distribution(question, ["Yes", "No"]) - qwen.next_token_distribution(question, ["Yes", "No"]))
    assert gap.max() < 0.1
    assert reader.hidden_states(["Paris is in France."], layers=[12]).shape == (1, 1, reader.model.config.hidden_size)


def test_damaged_cache_is_rebuilt(smol, cache_env, monkeypatch):
    """Runs last: damages the shared folder. The slow GGUF dequantisation is replaced by the model already
    converted above; detection, atomic re-save, manifest and reload are the real ones."""
    reference = smol.logprob("The capital of France is", " Paris")
    calls = []

    def reuse_converted(gguf):
        calls.append(gguf)
        return smol.model, smol.tokenizer

    monkeypatch.setattr(llm_lib, "_load_gguf", reuse_converted)
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


@pytest.mark.parametrize("backend", ["transformers", "llama.cpp"])
def test_generation_cache_returns_the_same_answers_without_running_the_model(backend, smol, smol_cpp,
                                                                              tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    model = smol if backend == "transformers" else smol_cpp
    prompts = ["What is the capital of France?", "Name a primary colour."]
    fresh = model.chat(prompts, max_new_tokens=8)
    assert model.chat(prompts, max_new_tokens=8, cache=True) == fresh
    assert len(model.generation_cache()) == 2

    def must_not_run(*args, **kwargs):
        raise AssertionError("the model ran although every answer was cached")

    monkeypatch.setattr(model, "_run" if backend == "llama.cpp" else "_generate", must_not_run)
    assert model.chat(prompts, max_new_tokens=8, cache=True) == fresh
    with pytest.raises(AssertionError, match="the model ran"):  # other settings are another request
        model.chat(prompts, max_new_tokens=9, cache=True)


def test_generation_cache_moves_a_corrupt_file_aside(smol_cpp, tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    path = smol_cpp.generation_cache().path
    path.write_bytes(b"not a database" * 100)
    with pytest.warns(RuntimeWarning, match="Generation cache .* is unreadable"):
        answer = smol_cpp.chat(["Say hello."], max_new_tokens=4, cache=True)
    assert answer == smol_cpp.chat(["Say hello."], max_new_tokens=4)
    assert list(tmp_path.glob("generations/*.corrupt-*"))
    with pytest.raises(TypeError, match="cache must be True or False"):
        smol_cpp.chat(["Say hello."], cache="yes")
