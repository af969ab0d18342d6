"""Chapter 3 (NER Retriever): the exported method (span positions, the scoring equation, the mention index, the
projection, the probe) and the explorer, headless."""
import numpy as np
import pytest

from irbook.chapters.ch03_ner_retriever import (MentionIndex, TypeProjection, last_token_positions,
                                                neighbourhood_probe, sentence_scores, word_end_chars)
from irbook.evaluation import r_precision
from irbook.widgets.ner_retriever import EntityRetrieverExplorer, mark_mention


def test_sentence_scores_take_the_best_mention():
    scores = sentence_scores([0.1, 0.9, 0.4, -0.2], [0, 0, 2, 2], n_sentences=4)
    assert scores[0] == pytest.approx(0.9) and scores[2] == pytest.approx(0.4)
    assert np.isneginf(scores[1]) and np.isneginf(scores[3])  # sentences without mentions come last
    with pytest.raises(ValueError):
        sentence_scores([0.1], [5], n_sentences=3)
    with pytest.raises(ValueError):
        sentence_scores([0.1, 0.2], [0], n_sentences=3)


def test_r_precision_of_sentence_scores():
    relevant = np.array([True, False, True, False])
    assert r_precision([0.9, 0.1, 0.8, 0.2], relevant) == 1.0
    assert r_precision([0.9, 0.8, 0.1, 0.2], relevant) == 0.5
    # a sentence without mentions (-inf) ranks last instead of breaking the metric
    assert r_precision(sentence_scores([0.5, 0.7], [0, 2], 4), relevant) == 1.0


def test_word_ends_and_last_token_positions():
    tokens = ["New", "York", "is", "big"]
    ends = word_end_chars(tokens)
    assert list(ends) == [3, 8, 11, 15] and " ".join(tokens)[:ends[1]] == "New York"
    # tokens: <s> (empty span), "New", " Yo", "rk", " is", " big"
    offsets = [(0, 0), (0, 3), (3, 6), (6, 8), (8, 11), (11, 15)]
    assert last_token_positions(offsets, [ends[1], ends[0], ends[3]]) == [3, 1, 5]
    with pytest.raises(ValueError, match="no token starts before"):
        last_token_positions([(0, 0)], [3])


def test_mention_index_scores_and_search():
    vectors = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    index = MentionIndex().fit(vectors, [0, 0, 1, 2], n_sentences=4)
    scores = index.scores(np.eye(3, dtype=np.float32))
    assert scores.shape == (3, 4)
    assert list(scores[1]) == [1.0, 0.0, 1.0, -np.inf]  # sentence 3 has no mention
    hits = index.search([0.0, 1.0, 0.0], k=3)
    assert [(s, m) for s, _, m in hits] == [(0, 1), (2, 3), (1, 2)]
    with pytest.raises(ValueError, match="queries must be"):
        index.scores(np.ones((1, 2)))
    with pytest.raises(ValueError, match="outside"):
        MentionIndex().fit(vectors, [0, 0, 1, 9], n_sentences=4)
    with pytest.raises(RuntimeError, match="fit"):
        MentionIndex().scores(np.ones((1, 3)))
    with pytest.raises(ValueError, match="k must be"):
        index.search([1.0, 0.0, 0.0], k=0)


def test_type_projection_separates_training_types():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16)).astype(np.float32)
    labels = np.repeat(np.arange(3), 20)
    mentions = centres[labels] + 0.3 * rng.normal(size=(60, 16)).astype(np.float32)
    projection = TypeProjection(epochs=30, seed=0).fit(mentions, labels, centres)
    assert projection.losses_[-1] < projection.losses_[0]
    z, d = projection.transform(mentions), projection.transform(centres)
    assert z.shape == (60, 500) and np.allclose(np.linalg.norm(z, axis=1), 1, atol=1e-5)
    assert ((z @ d.T).argmax(1) == labels).mean() > 0.9  # each mention finds its own type's description
    with pytest.raises(ValueError, match="labels"):
        TypeProjection().fit(mentions, labels[:-1], centres)
    with pytest.raises(ValueError, match="descriptions"):
        TypeProjection().fit(mentions, labels, centres[:2])
    with pytest.raises(RuntimeError, match="fit"):
        TypeProjection().transform(mentions)


def test_neighbourhood_probe_tells_grouped_from_random_vectors():
    rng = np.random.default_rng(0)
    types = np.repeat(["a", "b", "c"], 10)
    grouped = np.eye(3)[np.repeat(np.arange(3), 10)] + 0.05 * rng.normal(size=(30, 3))
    assert neighbourhood_probe(grouped, types) == pytest.approx(1.0)
    assert neighbourhood_probe(rng.normal(size=(30, 3)), types) < 0.7
    with pytest.raises(ValueError):
        neighbourhood_probe(grouped, types[:-1])


def test_mark_mention_escapes_and_marks():
    out = mark_mention(["<b>", "New", "York", "&", "co"], 1, 3)
    assert "&lt;b&gt;" in out and "&amp;" in out
    assert ">New York</mark>" in out
    assert out.count("<mark") == 1
    with pytest.raises(ValueError):
        mark_mention(["a", "b"], 1, 3)


def _explorer():
    sentences = [["Bach", "played", "the", "organ"], ["Paris", "is", "in", "France"], ["She", "plays", "violin"]]
    mentions = [(0, 0, 1, "person"), (0, 3, 4, "instrument"), (1, 0, 1, "city"), (1, 3, 4, "country"),
                (2, 2, 3, "instrument")]
    kinds = ["person", "instrument", "city", "country"]
    vectors = np.eye(4, dtype=np.float32)[[kinds.index(m[3]) for m in mentions]]

    def encode(descriptions):  # maps a description to the axis of the first type name it contains (test only)
        axes = np.eye(4, dtype=np.float32)
        return np.stack([axes[kinds.index(next(k for k in kinds if k in d))] for d in descriptions])

    return EntityRetrieverExplorer(sentences, mentions, vectors, encode, k=3)


def test_explorer_ranks_sentences_by_matching_mention():
    explorer = _explorer()
    rows = explorer.search("musical instrument")
    assert [r["sentence"] for r in rows[:2]] == [0, 2]
    assert rows[0]["mention"] == "organ" and rows[1]["mention"] == "violin"
    assert rows[0]["gold_type"] == "instrument" and rows[0]["score"] == pytest.approx(1.0)
    html = explorer.render("musical instrument")
    assert ">organ</mark>" in html and ">violin</mark>" in html
    assert len(explorer.search("country", k=1)) == 1


def test_explorer_rejects_bad_input():
    explorer = _explorer()
    with pytest.raises(ValueError):
        explorer.search("   ")
    assert "non-empty" in explorer.render("   ")  # the view says so instead of raising
    with pytest.raises(ValueError):
        EntityRetrieverExplorer([["a"]], [(0, 0, 2, "x")], np.ones((1, 2)), lambda d: np.ones((len(d), 2)))
    with pytest.raises(ValueError):
        EntityRetrieverExplorer([["a"]], [(0, 0, 1, "x")], np.ones((2, 2)), lambda d: np.ones((len(d), 2)))
    with pytest.raises(TypeError):
        EntityRetrieverExplorer([["a"]], [(0, 0, 1, "x")], np.ones((1, 2)), encode="not callable")
    wrong_dim = EntityRetrieverExplorer([["a"]], [(0, 0, 1, "x")], np.ones((1, 2)), lambda d: np.ones((len(d), 3)))
    with pytest.raises(ValueError):
        wrong_dim.search("x")


def test_explorer_widget_builds_headless():
    pytest.importorskip("ipywidgets")
    box = _explorer().widget(description="instrument")
    assert "organ" in box.children[1].value
    box.children[0].value = ""  # an empty description shows a message instead of raising in the callback
    assert "non-empty" in box.children[1].value


class _FakeLLM:
    """Just enough of irbook.llm.LLM for mention_states: a whitespace tokenizer and capture() of fixed states."""

    name, n_layers, device = "fake-llm", 4, "cpu"

    def __init__(self):
        self.calls = 0
        self.tokenizer = self._tokenize

    @staticmethod
    def _tokenize(text, return_offsets_mapping=False):
        offsets, at = [], 0
        for word in text.split(" "):
            offsets.append((at, at + len(word)))
            at += len(word) + 1
        return {"input_ids": list(range(len(offsets))), "offset_mapping": offsets}

    def capture(self, texts, layers, components, batch_size):
        self.calls += 1
        out = {}
        for c in components:  # token t of every text carries the value t (+ 100 per layer) in every dimension
            dim = 2 if c == "v_proj" else 3
            out[c] = [np.stack([np.repeat(np.arange(len(t.split(" ")), dtype=np.float32)[:, None] + 100 * k, dim, 1)
                                for k in range(len(layers))]) for t in texts]
        return out


def test_mention_states_reads_last_tokens_and_rebuilds_a_corrupt_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    from irbook.chapters import ch03_ner_retriever as ch03

    llm = _FakeLLM()
    texts = ["Bach played the organ", "Paris"]
    ends = [[4, 21], [5]]  # "Bach", "organ"; "Paris"
    states, mean = ch03.mention_states(llm, texts, ends, blocks=[1, 2])
    assert states["values"].shape == (2, 3, 2) and states["residual"].shape == (2, 3, 3)
    assert list(states["values"][0, :, 0]) == [0, 3, 0] and list(states["values"][1, :, 0]) == [100, 103, 100]
    assert mean[0, 0] == pytest.approx(101.5)  # mean over the 4 tokens of the last block read
    again, _ = ch03.mention_states(llm, texts, ends, blocks=[1, 2])
    assert llm.calls == 1 and np.array_equal(again["values"], states["values"])  # read back from the cache
    (cached,) = list(tmp_path.rglob("*.npz"))
    cached.write_bytes(b"not a zip file")
    rebuilt, _ = ch03.mention_states(llm, texts, ends, blocks=[1, 2])
    assert llm.calls == 2 and np.array_equal(rebuilt["values"], states["values"])
    with pytest.raises(ValueError, match="char_ends"):
        ch03.mention_states(llm, texts, ends[:1], blocks=[1])
