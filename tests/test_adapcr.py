"""Chapter 8 (AdaPCR): the context-aware reformulation, the beam of combinations, complete evidence, the
features, the reranker's two objectives and its checksummed cache, the answer log-likelihood cache, and the beam
browser, headless and without the reader (a toy scorer stands in for it where a test needs one)."""
import numpy as np
import pytest

from irbook.chapters.ch08_adapcr import (Combination, CombinationReranker, RerankerConfig, answer_loglik,
                                         beam_combinations, combination_features, complete_evidence,
                                         iterative_retrieval, reformulate)
from irbook.widgets.adapcr import BeamBrowser

# A toy corpus in a 4-d space: passage 0 matches the question; passage 1 matches only once passage 0 is in the
# query (the "bridge"); passage 2 is a near-duplicate of 0; passage 3 is unrelated.
VECTORS = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0.95, 0, 0.31, 0], [0, 0, 0, 1]], dtype=np.float32)
VECTORS /= np.linalg.norm(VECTORS, axis=1, keepdims=True)
TEXTS = ["alpha", "bravo", "alpha prime", "delta"]


def toy_encode(texts):
    """Question -> passage 0's direction; a query that contains 'alpha' (passage 0's text) also points to 1."""
    rows = []
    for text in texts:
        v = np.array([1.0, 0.0, 0.0, 0.05])
        if "alpha" in text:
            v = np.array([0.2, 1.0, 0.0, 0.0])
        rows.append(v / np.linalg.norm(v))
    return np.array(rows, dtype=np.float32)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))


def test_reformulate_appends_cut_passages():
    assert reformulate("who?", ["a b c d", "e f"], max_words=2) == "who? a b e f"
    with pytest.raises(ValueError, match="question"):
        reformulate(" ", ["x"])
    with pytest.raises(TypeError, match="passage_texts"):
        reformulate("q", "one string")


def test_beam_reaches_the_bridge_passage_through_the_reformulated_query():
    beam = beam_combinations("question", VECTORS, TEXTS, toy_encode, first=2, beam=1, expand=1, max_size=2)
    sets = {frozenset(c.passages) for c in beam}
    assert {frozenset([0]), frozenset([2])} <= sets          # the two best single passages
    assert frozenset([0, 1]) in sets                         # 1 found only via "question + alpha"
    assert max(c.size for c in beam) == 2 and len(sets) == len(beam)  # no duplicated set


def test_iterative_retrieval_is_a_width_one_path():
    path = iterative_retrieval("question", VECTORS, TEXTS, toy_encode, hops=2)
    assert path.passages == (0, 1)
    with pytest.raises(ValueError, match="hops"):
        iterative_retrieval("question", VECTORS, TEXTS, toy_encode, hops=0)


@pytest.mark.parametrize("kwargs, match", [({"beam": 0}, "beam"), ({"expand": 1.5}, "expand"),
                                           ({"max_size": True}, "max_size")])
def test_beam_rejects_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        beam_combinations("question", VECTORS, TEXTS, toy_encode, **kwargs)


def test_beam_rejects_misaligned_vectors():
    with pytest.raises(ValueError, match="doc_vectors"):
        beam_combinations("question", VECTORS[:3], TEXTS, toy_encode)


def test_complete_evidence_needs_every_supporting_passage():
    assert complete_evidence([3, 1, 0], [0, 1])
    assert not complete_evidence([0, 2], [0, 1])
    with pytest.raises(ValueError, match="supporting"):
        complete_evidence([0], [])


def test_features_shape_and_redundancy():
    single = combination_features(VECTORS[0], VECTORS[[0]], 1.0, max_size=3)
    pair = combination_features(VECTORS[0], VECTORS[[0, 2]], 1.9, max_size=3)
    assert single.shape == pair.shape == (4 + 5 + 3,)
    assert pair[4 + 3] > 0.9 and single[4 + 3] == 0          # near-duplicates are redundant
    assert list(pair[-3:]) == [0, 1, 0]                      # size one-hot
    with pytest.raises(ValueError, match="columns"):
        combination_features(VECTORS[0], np.ones((2, 3)), 0.0)
    with pytest.raises(ValueError, match="1..2"):
        combination_features(VECTORS[0], VECTORS[:3], 0.0, max_size=2)


def _toy_groups(seed=0, n=20):
    """Questions whose best candidate has a large first feature: the label is that feature plus noise."""
    rng = np.random.default_rng(seed)
    groups = [rng.normal(size=(6, 5)).astype(np.float32) for _ in range(n)]
    labels = [3 * g[:, 0] + 0.1 * rng.normal(size=6) for g in groups]
    return groups, labels


def test_predictive_reranker_learns_to_rank_held_out_questions():
    groups, labels = _toy_groups(0)
    model = CombinationReranker(RerankerConfig(epochs=150, seed=0)).fit(groups, labels)
    test_groups, test_labels = _toy_groups(1)
    hits = [np.argmax(model.score(g)) == np.argmax(y) for g, y in zip(test_groups, test_labels)]
    assert np.mean(hits) > 0.5                               # chance is 1/6
    assert model.fit_seconds_ > 0 and not model.loaded_from_cache_


def test_reranker_weights_are_cached_and_a_corrupt_file_is_retrained():
    groups, labels = _toy_groups(0, n=5)
    config = RerankerConfig(epochs=20, seed=0)
    first = CombinationReranker(config).fit(groups, labels)
    again = CombinationReranker(config).fit(groups, labels)
    assert again.loaded_from_cache_
    np.testing.assert_allclose(first.score(groups[0]), again.score(groups[0]), rtol=1e-6)
    path = again._cache_path(again._check_groups(groups, labels), labels)
    path.write_bytes(b"corrupt")
    rebuilt = CombinationReranker(config).fit(groups, labels)
    assert not rebuilt.loaded_from_cache_


def test_binary_objective_scores_supporting_passages_higher():
    rng = np.random.default_rng(0)
    groups = [rng.normal(size=(8, 3)).astype(np.float32) for _ in range(15)]
    labels = [(g[:, 1] > 0.5).astype(float) for g in groups]
    model = CombinationReranker(RerankerConfig("binary", epochs=100), cache=False).fit(groups, labels)
    scores = np.concatenate([model.score(g) for g in groups])
    truth = np.concatenate(labels)
    assert scores[truth == 1].mean() > scores[truth == 0].mean()


@pytest.mark.parametrize("kwargs, match", [({"objective": "pairwise"}, "objective"), ({"hidden": 0}, "hidden"),
                                           ({"lr": -1.0}, "lr"), ({"temperature": 0}, "temperature"),
                                           ({"weight_decay": -0.1}, "weight_decay"), ({"seed": -1}, "seed")])
def test_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RerankerConfig(**kwargs)


def test_reranker_rejects_bad_input():
    model = CombinationReranker(cache=False)
    with pytest.raises(RuntimeError, match="not fitted"):
        model.score(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="groups"):
        model.fit(np.zeros((2, 3)), [np.zeros(2)])
    with pytest.raises(ValueError, match="labels"):
        model.fit([np.zeros((2, 3))], [np.zeros(3)])
    with pytest.raises(ValueError, match="non-finite"):
        model.fit([np.zeros((2, 3))], [np.array([0.0, np.nan])])
    with pytest.raises(TypeError, match="RerankerConfig"):
        CombinationReranker({"epochs": 3})
    model.fit([np.ones((2, 3)), np.zeros((3, 3))], [np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="3 columns"):
        model.score(np.zeros((2, 4)))


class _CountingScorer:
    """Stands in for the reader's ``logprob`` (minus the answer's length), counting the calls."""

    def __init__(self, fingerprint="toy"):
        self.calls, self._fp = 0, fingerprint

    def fingerprint(self):
        return self._fp

    def logprob(self, prompts, continuations, batch_size=4):
        self.calls += len(prompts)
        return np.array([-float(len(c)) for c in continuations])


def test_answer_loglik_is_cached_per_reader():
    scorer = _CountingScorer()
    first = answer_loglik(scorer, ["p1", "p2"], ["ab", "abcd"])
    np.testing.assert_array_equal(first, [-3.0, -5.0])       # " ab", " abcd"
    again = answer_loglik(scorer, ["p2", "p1", "p3"], ["abcd", "ab", "x"])
    np.testing.assert_array_equal(again, [-5.0, -3.0, -2.0])
    assert scorer.calls == 3                                 # only p3 was new
    other = _CountingScorer("another reader")
    answer_loglik(other, ["p1"], ["ab"])
    assert other.calls == 1
    with pytest.raises(ValueError, match="answers"):
        answer_loglik(scorer, ["p1"], [])


def _record():
    beam = [{"passages": [0], "supporting": [True], "retrieval": 0.8, "reranker": -1.0, "loglik": -9.0, "answer": "x"},
            {"passages": [0, 1], "supporting": [True, False], "retrieval": 1.4, "reranker": 2.0, "loglik": -2.0,
             "answer": "<b>Paris</b>"}]
    return {"q1": {"question": "Where?", "gold": "Paris", "titles": {0: "France", 1: "Seine"}, "beam": beam}}


def test_browser_ranks_by_reranker_and_escapes():
    browser = BeamBrowser(_record())
    rows = browser.rows("q1")
    assert [r["rank"] for r in rows] == [1, 2] and rows[0]["passages"] == [0, 1]
    page = browser.render("q1")
    assert "&lt;b&gt;Paris&lt;/b&gt;" in page and "✓ France" in page
    assert page.index("Seine") < page.index("-9.00")         # the pick is listed first
    widget = browser.widget()
    assert "Seine" in widget.children[1].value


def test_browser_rejects_bad_records():
    record = _record()
    record["q1"]["beam"][0]["supporting"] = []
    with pytest.raises(ValueError, match="supporting"):
        BeamBrowser(record)
    record = _record()
    record["q1"]["beam"][1]["passages"] = [0, 7]
    record["q1"]["beam"][1]["supporting"] = [True, False]
    with pytest.raises(ValueError, match="no title"):
        BeamBrowser(record)
    with pytest.raises(ValueError, match="non-empty"):
        BeamBrowser({})
    with pytest.raises(KeyError, match="unknown"):
        BeamBrowser(_record()).rows("q9")
