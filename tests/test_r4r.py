"""Chapter 4 (R4R): docids, the prefix trie, the generative retrievers and the loop (irbook.chapters.ch04_r4r),
and the R4R view (irbook.widgets.r4r); headless, and only the LLM retriever's tests load a model (SmolLM2-135M)."""
import numpy as np
import pytest

from irbook.chapters.ch04_r4r import (DocidTrie, boilerplate_lines, GenerativeRetriever, GRConfig, arbitrary_ids, flatten_plan,
                                      pseudo_queries, r4r_loop, semantic_ids, snippet, title_ids)
from irbook.widgets.r4r import R4RStepper, check_trace


class HashEncoder:
    """A deterministic bag-of-words encoder: enough signal for the decoder to learn a tiny collection."""

    name = "hash-encoder"

    def encode(self, texts, long_texts=None):
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, sum(map(ord, word)) % 64] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


class EchoReader:
    """A stand-in reader that answers every prompt with a fixed plan (the loop's logic, not the LLM, is tested)."""

    def __init__(self):
        self.prompts = []

    def chat(self, prompts, max_new_tokens=64, cache=False):
        prompts = [prompts] if isinstance(prompts, str) else prompts
        self.prompts.extend(prompts)
        return [f"Topic: plan {len(self.prompts)}\nKey terms: apples, pears" for _ in prompts]


TEXTS = ["apples grow on trees in orchards", "pears are sweet autumn fruit", "cars need fuel and tyres",
         "trains run on rails between cities", "boats sail on the sea", "bicycles have two wheels and pedals"]


def test_semantic_ids_are_unique_and_group_neighbours():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 8)) * 10
    vectors = np.vstack([c + rng.normal(size=(12, 8)) for c in centres])
    ids = semantic_ids(vectors, branching=3, leaf_size=5, seed=0)
    assert len(set(ids)) == len(ids)
    assert all(i.isdigit() for i in ids)
    for block in range(3):  # the points of one well-separated blob share their first digit
        assert len({i[0] for i in ids[block * 12:(block + 1) * 12]}) == 1


def test_semantic_ids_bad_input():
    with pytest.raises(ValueError, match="embeddings"):
        semantic_ids(np.zeros(5))
    with pytest.raises(ValueError, match="branching"):
        semantic_ids(np.zeros((5, 2)), branching=11)
    with pytest.raises(ValueError, match="leaf_size"):
        semantic_ids(np.zeros((5, 2)), leaf_size=0)


def test_identical_vectors_still_get_unique_ids():
    ids = semantic_ids(np.ones((30, 4)), branching=3, leaf_size=4)
    assert len(set(ids)) == 30


def test_arbitrary_and_title_ids():
    ids = arbitrary_ids(120, seed=1)
    assert sorted(ids) == [str(i).zfill(3) for i in range(120)]
    assert ids != sorted(ids)
    assert title_ids(["a/1", "a/2"]) == ["a/1", "a/2"]
    with pytest.raises(ValueError, match="unique"):
        title_ids(["a", "a"])
    with pytest.raises(ValueError, match="n must be"):
        arbitrary_ids(0)


def test_trie_allows_only_existing_continuations():
    trie = DocidTrie(["12", "13", "2"])
    one = trie.token_id["1"]
    assert sorted(trie.decode(trie.allowed([]))) == ["1", "2"]
    assert sorted(trie.decode(trie.allowed([one]))) == ["2", "3"]
    assert trie.decode(trie.allowed(trie.sequences["2"][:1])) == [DocidTrie.END]
    assert trie.allowed(trie.sequences["12"]) == []
    assert trie.lookup(trie.sequences["13"]) == "13"
    assert trie.lookup([one]) is None
    with pytest.raises(ValueError, match="unique"):
        DocidTrie(["1", "1"])
    with pytest.raises(ValueError, match="list of strings"):
        DocidTrie("123")


def _trained(ids, epochs=150):
    gr = GenerativeRetriever(HashEncoder(), ids, GRConfig(epochs=epochs, batch_size=8, hidden=32, seed=0))
    return gr.fit(TEXTS, ids)


def test_generative_retriever_learns_and_decodes_valid_ids():
    ids = ["00", "01", "10", "11", "20", "21"]
    gr = _trained(ids)
    assert gr.losses[-1] < gr.losses[0]
    found = gr.search(TEXTS, k=3)
    assert all(d in ids for f in found for d, _, _ in f)
    assert all(len(f) == 3 for f in found)
    top1 = [f[0][0] for f in found]
    assert sum(t == i for t, i in zip(top1, ids)) >= 5  # it memorised the indexing pairs
    scores = [s for _, s, _ in found[0]]
    assert scores == sorted(scores, reverse=True)
    docids, scores = gr.search_one(TEXTS[0], k=2)
    assert docids[0] == "00" and len(scores) == 2


def test_generative_retriever_cache_roundtrip_and_corruption(tmp_path):
    ids = ["00", "01", "10", "11", "20", "21"]
    path = tmp_path / "gr.pt"
    first = GenerativeRetriever(HashEncoder(), ids, GRConfig(epochs=20, hidden=16)).fit(TEXTS, ids, cache_path=path)
    again = GenerativeRetriever(HashEncoder(), ids, GRConfig(epochs=20, hidden=16)).fit(TEXTS, ids, cache_path=path)
    assert again.losses == first.losses
    assert [d for d, _, _ in again.search(TEXTS[:1], 6)[0]] == [d for d, _, _ in first.search(TEXTS[:1], 6)[0]]
    path.write_bytes(b"corrupt")
    rebuilt = GenerativeRetriever(HashEncoder(), ids, GRConfig(epochs=20, hidden=16)).fit(TEXTS, ids, cache_path=path)
    assert len(rebuilt.losses) == 20


def test_generative_retriever_bad_input():
    ids = ["0", "1", "2", "3", "4", "5"]
    with pytest.raises(ValueError, match="encoder"):
        GenerativeRetriever(object(), ids)
    with pytest.raises(ValueError, match="config"):
        GenerativeRetriever(HashEncoder(), ids, config={"epochs": 1})
    gr = GenerativeRetriever(HashEncoder(), ids, GRConfig(epochs=1))
    with pytest.raises(RuntimeError, match="fit"):
        gr.search(["x"])
    with pytest.raises(ValueError, match="equal length"):
        gr.fit(TEXTS, ids[:2])
    with pytest.raises(ValueError, match="missing from the collection"):
        gr.fit(TEXTS, ids[:5] + ["9"])
    gr.fit(TEXTS, ids)
    with pytest.raises(ValueError, match="k must be"):
        gr.search(["x"], k=0)
    with pytest.raises(ValueError, match="text must be"):
        gr.search_one("  ")


def test_r4r_loop_refines_from_retrieved_snippets():
    ids = ["00", "01", "10", "11", "20", "21"]
    gr = _trained(ids, epochs=40)
    snippets = {d: snippet(f"doc {d}", t, words=3) for d, t in zip(ids, TEXTS)}
    reader = EchoReader()
    history = r4r_loop("which fruit grows on trees?", reader, gr, snippets, rounds=3, k=4, show=2)
    assert len(history) == 3 and len(reader.prompts) == 3  # one plan, then one refinement per later round
    assert history[0].plan != history[1].plan
    assert all(len(r.ranking) == 4 and set(r.ranking) <= set(ids) for r in history)
    shown = [snippets[d] for d in history[0].ranking[:2]]
    assert all(s in reader.prompts[1] for s in shown)
    assert "".join(token for token, _ in history[0].path[:-1]) == history[0].ranking[0]
    with pytest.raises(ValueError, match="rounds"):
        r4r_loop("q", reader, gr, snippets, rounds=0)
    with pytest.raises(ValueError, match="question"):
        r4r_loop("", reader, gr, snippets)


def test_text_helpers():
    assert flatten_plan("Topic: a b\n\n Key terms: x, y ") == "Topic: a b Key terms: x, y"
    assert snippet("T", "one two three four", words=2) == "T: one two..."
    assert snippet("T", "HEADER\nbody words here", words=2, skip={"HEADER"}) == "T: body words..."
    assert boilerplate_lines(["H\na", "H\nb", "c"], min_passages=2) == {"H"}
    with pytest.raises(ValueError, match="min_passages"):
        boilerplate_lines(["a"], min_passages=0)
    reader = EchoReader()
    assert pseudo_queries(reader, ["a passage"]) == ["Topic: plan 1"]
    with pytest.raises(ValueError, match="passages"):
        pseudo_queries(reader, "a passage")


def _trace(rounds=2):
    return {"question": "Which fruit?", "gold": ["00"],
            "rounds": [{"plan": f"Topic: fruit {r}", "ranking": ["01", "00"], "scores": [-0.1, -0.5],
                        "path": [("0", 3), ("1", 2), ("</s>", 1)]} for r in range(rounds)]}


def test_view_renders_rounds_paths_and_gold():
    view = R4RStepper([_trace(2), _trace(1)], {"00": "apples grow", "01": "pears are"}, show=2)
    page = view.render(question=0, round_number=2)
    assert "Topic: fruit 1" in page and "<code>1</code><sub>2</sub>" in page
    assert "gold passage at rank 2" in page and "apples grow" in page
    assert view.gold_rank(0, 1) == 2
    assert "Topic: fruit 0" in view.render(question=1, round_number=2)  # a shorter trace shows its last round
    widget = view.widget(question=1, round_number=1)
    assert widget is not None


def test_view_bad_input():
    with pytest.raises(ValueError, match="traces"):
        R4RStepper([], {})
    with pytest.raises(ValueError, match="snippets"):
        R4RStepper([_trace()], [])
    with pytest.raises(ValueError, match="show"):
        R4RStepper([_trace()], {}, show=0)
    with pytest.raises(ValueError, match="question"):
        check_trace({"rounds": []})
    bad = _trace()
    bad["rounds"][0]["scores"] = [1.0]
    with pytest.raises(ValueError, match="scores"):
        check_trace(bad)
    view = R4RStepper([_trace()], {})
    with pytest.raises(ValueError, match="question"):
        view.render(question=5)
    with pytest.raises(ValueError, match="round_number"):
        view.render(round_number=0)


@pytest.fixture(scope="module")
def smollm2():
    """The book's causal LM (SmolLM2-135M-Instruct), for the LLM generative retriever's tests."""
    pytest.importorskip("peft")
    from irbook.llm import llm

    return llm("smollm2")


def test_llm_generative_retriever_decodes_only_valid_ids(smollm2, tmp_path):
    from irbook.cache import KeyValueStore
    from irbook.chapters.ch04_r4r import LLMGenerativeRetriever, LLMGRConfig

    docids = ["10", "11", "20"]
    gr = LLMGenerativeRetriever(smollm2, docids, LLMGRConfig(epochs=1, batch_size=4))
    with pytest.raises(RuntimeError, match="fit"):
        gr.search(["apples"], 2)
    path = tmp_path / "llmgr.pt"
    gr.fit(TEXTS[:3], docids, cache_path=path)
    assert path.exists() and len(gr.losses) == 1 and gr.train_seconds > 0
    store = KeyValueStore(tmp_path / "decodings.sqlite", gr.digest)
    found = gr.search(["apples in orchards", "cars and fuel"], k=5, store=store)  # k above the 3 docids
    for ranking in found:
        ids = [d for d, _, _ in ranking]
        scores = [s for _, s, _ in ranking]
        assert 1 <= len(ids) <= 3 and set(ids) <= set(docids) and len(set(ids)) == len(ids)
        assert np.all(np.isfinite(scores)) and scores == sorted(scores, reverse=True)
        assert [gr.trie.vocab[t] for t, _ in ranking[0][2]] == [*ranking[0][0], "</s>"]  # the path writes the docid
    assert gr.search(["apples in orchards", "cars and fuel"], k=5, store=store) == found  # read back from the store
    again = LLMGenerativeRetriever(smollm2, docids, LLMGRConfig(epochs=1, batch_size=4)).fit(TEXTS[:3], docids,
                                                                                              cache_path=path)
    assert again.digest == gr.digest and again.losses == gr.losses  # loaded, not retrained
    path.write_bytes(b"corrupt")
    rebuilt = LLMGenerativeRetriever(smollm2, docids, LLMGRConfig(epochs=1, batch_size=4)).fit(TEXTS[:3], docids,
                                                                                                cache_path=path)
    assert rebuilt.digest == gr.digest  # retrained from the same seed after the checksum failed


def test_llm_generative_retriever_bad_input(smollm2):
    from irbook.chapters.ch04_r4r import LLMGenerativeRetriever, LLMGRConfig

    with pytest.raises(ValueError, match="lm"):
        LLMGenerativeRetriever(object(), ["1", "2"])
    with pytest.raises(ValueError, match="config"):
        LLMGenerativeRetriever(smollm2, ["1", "2"], GRConfig())
    with pytest.raises(ValueError, match="single token"):
        LLMGenerativeRetriever(smollm2, ["1\u2603", "2"])
    gr = LLMGenerativeRetriever(smollm2, ["1", "2"], LLMGRConfig(epochs=1))
    with pytest.raises(ValueError, match="equal length"):
        gr.fit(["a", "b"], ["1"])
    with pytest.raises(ValueError, match="missing from the collection"):
        gr.fit(["a"], ["3"])
    gr.fit(["a"], ["1"])
    with pytest.raises(ValueError, match="k must"):
        gr.search(["a"], k=0)
    with pytest.raises(ValueError, match="texts"):
        gr.search("a", k=1)
    with pytest.raises(ValueError, match="max_tokens"):
        gr.search(["a"], k=1, max_tokens=0)
