"""Chapter 3 (NER Retriever): sentence scoring, R-precision, mention marking and the explorer, headless."""
import numpy as np
import pytest

from irbook.widgets.ner_retriever import EntityRetrieverExplorer, mark_mention, r_precision, sentence_scores


def test_sentence_scores_take_the_best_mention():
    scores = sentence_scores([0.1, 0.9, 0.4, -0.2], [0, 0, 2, 2], n_sentences=4)
    assert scores[0] == pytest.approx(0.9) and scores[2] == pytest.approx(0.4)
    assert np.isneginf(scores[1]) and np.isneginf(scores[3])  # sentences without mentions come last
    with pytest.raises(ValueError):
        sentence_scores([0.1], [5], n_sentences=3)
    with pytest.raises(ValueError):
        sentence_scores([0.1, 0.2], [0], n_sentences=3)


def test_r_precision():
    relevant = np.array([True, False, True, False])
    assert r_precision([0.9, 0.1, 0.8, 0.2], relevant) == 1.0
    assert r_precision([0.1, 0.9, 0.2, 0.8], relevant) == 0.0
    assert r_precision([0.9, 0.8, 0.1, 0.2], relevant) == 0.5
    # ties are broken by index, so a constant score is not silently perfect
    assert r_precision([0.0, 0.0, 0.0, 0.0], np.array([False, False, True, True])) == 0.0
    with pytest.raises(ValueError):
        r_precision([0.1, 0.2], np.array([False, False]))
    with pytest.raises(ValueError):
        r_precision([0.1, np.nan], np.array([True, False]))


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
    box = _explorer().widget("instrument")
    assert "organ" in box.children[1].value
    box.children[0].value = ""  # an empty description shows a message instead of raising in the callback
    assert "non-empty" in box.children[1].value
