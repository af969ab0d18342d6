"""Chapter 12 (DeReC): sentence splitting, the forbidden-word filter, one evidence index per split with and
without the claim's own report, the label vote, the classifier's cache, and the claim browser, headless."""
import hashlib

import numpy as np
import pytest

from irbook.chapters.ch12_derec import (FORBIDDEN_WORDS, FORBIDDEN_WORDS_SHA256, ClassifierConfig, EvidencePool,
                                        classifier_input, evidence_pool, evidence_texts,
                                        forbidden_pattern, label_vote, own_share, retrieve_evidence,
                                        split_sentences)
from irbook.widgets.derec import ClaimBrowser

LABELS = ["false", "true"]


# ------------------------------------------------------------------------------------------- the method

def test_forbidden_words_are_the_upstream_file():
    assert len(FORBIDDEN_WORDS) == 28 and len(set(FORBIDDEN_WORDS)) == 26
    assert hashlib.sha256("\n".join(FORBIDDEN_WORDS).encode()).hexdigest() == FORBIDDEN_WORDS_SHA256


@pytest.mark.parametrize("text, hit", [
    ("We rate it Pants on Fire.", True), ("That is mostly-true.", True), ("It is barely true", True),
    ("This is untrue.", False), ("The claims were checked.", False), ("A TRUE story", True),
    ("Data show a rise.", False),
])
def test_forbidden_pattern_matches_whole_words_and_phrases(text, hit):
    assert bool(forbidden_pattern().search(text)) is hit


def test_forbidden_pattern_refuses_bad_input():
    with pytest.raises(ValueError):
        forbidden_pattern([])
    with pytest.raises(ValueError):
        forbidden_pattern("true")


def test_split_sentences_keeps_abbreviations_and_quotes():
    text = 'The U.S. Senate voted. Sen. Smith said "no." Then 3 bills passed! Why? Jan. 5 was a Monday.'
    assert split_sentences(text) == ["The U.S. Senate voted.", 'Sen. Smith said "no."', "Then 3 bills passed!",
                                     "Why?", "Jan. 5 was a Monday."]
    assert split_sentences("") == [] and split_sentences("   ") == []
    with pytest.raises(TypeError):
        split_sentences(None)


def test_evidence_pool_owners_ids_and_stripping():
    pool = evidence_pool(["A one. A two.", "", "B says it is true. B two."], ["a", "e", "b"])
    assert pool.sentences == ["A one.", "A two.", "B says it is true.", "B two."]
    assert pool.owners.tolist() == [0, 0, 2, 2]
    assert pool.doc_ids == ["a#1", "a#2", "b#1", "b#2"]
    assert pool.own_sentences() == {"a": ["a#1", "a#2"], "e": [], "b": ["b#1", "b#2"]}
    stripped = evidence_pool(["A one. A two.", "", "B says it is true. B two."], ["a", "e", "b"],
                             strip=forbidden_pattern())
    assert stripped.sentences == ["A one.", "A two.", "B two."]
    with pytest.raises(ValueError):
        evidence_pool(["x"], ["a", "b"])
    with pytest.raises(ValueError):
        evidence_pool(["x", "y"], ["a", "a"])
    with pytest.raises(ValueError):
        evidence_pool(["", ""], ["a", "b"])


class _Vectors:
    """An 'embedder' whose vectors are given by the text (one-hot by first word), for retrieval tests."""

    def __init__(self, words):
        self.words = words

    def encode(self, texts):
        out = np.zeros((len(texts), len(self.words)), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, self.words.index(text.split()[0].lower())] = 1.0
        return out


def test_retrieval_includes_or_excludes_the_own_report():
    from irbook.data.types import Corpus
    from irbook.retrieval import DenseRetriever

    pool = evidence_pool(["Tax one. Tax two.", "Tax three. Wall four."], ["c0", "c1"])
    enc = _Vectors(["tax", "wall"])
    retriever = DenseRetriever(embedder=enc).fit(
        Corpus(ids=pool.doc_ids, titles=[""] * len(pool.sentences), texts=pool.sentences))
    claims = enc.encode(["tax claim", "tax claim"])
    _, with_own = retrieve_evidence(retriever, pool, claims, k=3, own_report="include")
    _, without = retrieve_evidence(retriever, pool, claims, k=3, own_report="exclude")
    assert set(with_own[0]) == {0, 1, 2}  # both own sentences and the other claim's "Tax three."
    assert own_share(with_own, pool)[0] == pytest.approx(2 / 3)
    assert 0 not in without[0] and 1 not in without[0] and without[0][0] == 2
    assert own_share(without, pool).tolist() == [0.0, 0.0]
    assert evidence_texts(without, pool)[1].startswith("Tax one.")
    with pytest.raises(ValueError):
        retrieve_evidence(retriever, pool, claims, own_report="sometimes")
    with pytest.raises(ValueError):
        retrieve_evidence(retriever, pool, claims[:1])


def test_label_vote_weights_by_similarity_and_handles_padding():
    votes = label_vote(np.array([[0.9, 0.5], [0.8, -np.inf]]), np.array([[0, 1], [1, -1]]), np.array([0, 1]), 2)
    assert votes[0, 0] > 0.99 and votes[1].tolist() == [0.0, 1.0]
    uniform = label_vote(np.array([[-np.inf]]), np.array([[-1]]), np.array([0, 1]), 2)
    assert uniform.tolist() == [[0.5, 0.5]]
    with pytest.raises(ValueError):
        label_vote(np.zeros((2, 2)), np.zeros((2, 3), int), np.array([0]), 2)


def test_classifier_config_validates_and_keys_change():
    assert ClassifierConfig().key() != ClassifierConfig(lr=1e-5).key()
    for bad in ({"max_length": 0}, {"epochs": 1.5}, {"lr": 0}, {"frozen_layers": -1}, {"model": ""}):
        with pytest.raises(ValueError):
            ClassifierConfig(**bad).validate()
    assert classifier_input("c", "e") == "claim: c [SEP] evidence: e"


# ------------------------------------------------------------------------------------------- the view

def make_browser(**overrides):
    kwargs = dict(
        claims=["the sky is green", "water is wet"],
        gold=["false", "true"],
        labels=LABELS,
        evidence={"sentences": (["grass is blue", "rain is wet", "fire is cold"], ["false", "true", "false"],
                                np.array([[2, 0], [1, -1]]), np.array([[0.9, 0.5], [0.8, 0.0]]))},
        probabilities={"knn": np.array([[0.7, 0.3], [0.4, 0.6]]), "head": np.array([[0.2, 0.8], [0.1, 0.9]])},
        own={"sentences": np.array([[True, False], [False, False]])},
    )
    kwargs.update(overrides)
    return ClaimBrowser(**kwargs)


def test_state_lists_evidence_in_rank_order_and_stops_at_padding():
    browser = make_browser()
    st = browser.state(0, "knn", "sentences", k=5)
    assert [r["text"] for r in st["evidence"]] == ["fire is cold", "grass is blue"]
    assert [r["rank"] for r in st["evidence"]] == [1, 2]
    assert [r["own"] for r in st["evidence"]] == [True, False]
    assert st["evidence"][0]["similarity"] == pytest.approx(0.9)
    assert st["predicted"] == "false" and st["correct"]
    assert len(browser.state(1, "knn", "sentences")["evidence"]) == 1


def test_state_reflects_the_chosen_model():
    browser = make_browser()
    assert browser.state(0, "head")["predicted"] == "true"
    assert not browser.state(0, "head")["correct"]
    assert browser.state(0, "head")["distribution"] == pytest.approx({"false": 0.2, "true": 0.8})


def test_html_escapes_and_marks_gold_and_own():
    browser = make_browser(claims=["<script>x</script>", "water is wet"])
    page = browser.html(0, "knn", k=1)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>false</b>" in page and "fire is cold" in page and "grass is blue" not in page and ">own<" in page


def test_render_gives_html_and_a_figure_with_one_trace_per_model():
    page, fig = make_browser().render(claim=1)
    assert "water is wet" in page
    assert [t.name for t in fig.data] == ["knn", "head"]
    assert list(fig.data[1].y) == pytest.approx([0.1, 0.9])


def test_widget_builds_and_follows_the_slider():
    box = make_browser(k=2).widget()
    controls, body, _ = box.children
    slider = controls.children[0]
    slider.value = 1
    assert "water is wet" in body.value


@pytest.mark.parametrize("overrides, error", [
    ({"claims": []}, ValueError),
    ({"gold": ["false"]}, ValueError),
    ({"gold": ["false", "maybe"]}, ValueError),
    ({"probabilities": {"knn": np.array([[0.7, 0.7], [0.4, 0.6]])}}, ValueError),
    ({"probabilities": {"knn": np.ones((2, 3)) / 3}}, ValueError),
    ({"evidence": {"n": (["a"], ["true"], np.array([[0], [3]]), np.array([[0.1], [0.2]]))}, "own": None}, ValueError),
    ({"evidence": {"n": (["a"], ["true"], np.array([0, 0]), np.array([0.1, 0.2]))}, "own": None}, ValueError),
    ({"evidence": {"n": (["a"], ["true"])}, "own": None}, TypeError),
    ({"evidence": {}}, ValueError),
    ({"own": {"other": np.zeros((2, 2), bool)}}, ValueError),
    ({"own": {"sentences": np.zeros((2, 3), bool)}}, ValueError),
    ({"k": 0}, ValueError),
])
def test_bad_input_is_refused(overrides, error):
    with pytest.raises(error):
        make_browser(**overrides)


def test_bad_queries_are_refused():
    browser = make_browser()
    with pytest.raises(IndexError):
        browser.state(2)
    with pytest.raises(ValueError):
        browser.state(0, "nope")
    with pytest.raises(ValueError):
        browser.state(0, source="nope")
    with pytest.raises(ValueError):
        browser.state(0, k=0)
