"""Chapter 13 (T-Retrievability): retrievability, Gini, topic Gini, and the explorer widget, headless."""
import numpy as np
import pytest

from irbook.chapters.ch13_t_retrievability import (gini, lorenz_curve, rank_weights, rankings_from_run, retrievability,
                                   t_retrievability, topic_gini)
from irbook.widgets.t_retrievability import SCORINGS, RetrievabilityExplorer


def pairwise_gini(values):
    """The definition the T-Retrievability code uses: mean absolute difference over twice the mean."""
    x = np.asarray(values, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size ** 2 * x.mean())


def test_gini_matches_pairwise_definition():
    rng = np.random.default_rng(0)
    x = rng.exponential(size=300) * (rng.random(300) > 0.3)
    assert gini(x) == pytest.approx(pairwise_gini(x))
    assert gini(x, "retrieved") == pytest.approx(pairwise_gini(x[x > 0]))


def test_gini_extremes_and_zero_rule():
    assert gini(np.ones(10)) == pytest.approx(0.0)
    assert gini(np.r_[np.zeros(9), 5.0]) == pytest.approx(0.9)
    assert gini(np.r_[np.zeros(9), 5.0], "retrieved") == pytest.approx(0.0)
    # adding n0 zeros to n+ values: G_all = n0/n + (n+/n) G_retrieved
    x = np.r_[np.zeros(40), np.arange(1, 61)]
    assert gini(x) == pytest.approx(40 / 100 + 60 / 100 * gini(x, "retrieved"))
    assert gini(np.zeros(4)) == 0.0
    with pytest.raises(ValueError):
        gini(np.array([1.0, -1.0]))
    with pytest.raises(ValueError):
        gini(np.array([]))
    with pytest.raises(ValueError):
        gini(np.ones(3), counting="some")


def test_rank_weights():
    assert rank_weights(5, 3).tolist() == [1, 1, 1, 0, 0]
    assert rank_weights(3, 3, "gravity", 1.0) == pytest.approx([1, 1 / 2, 1 / 3])
    assert rank_weights(2, 2, "t-retrievability")[0] == pytest.approx(1 / np.log(2))
    with pytest.raises(ValueError):
        rank_weights(5, 6)
    with pytest.raises(ValueError):
        rank_weights(5, 3, "linear")


def test_retrievability_counts_and_topics():
    rankings = np.array([[0, 1, -1], [0, 2, 1], [3, -1, -1]], dtype=np.int32)
    r = retrievability(rankings, n_docs=5, cutoff=2)
    assert r.tolist() == [2, 1, 1, 1, 0]  # doc 1 at rank 3 of query 1 is beyond c=2; doc 4 never retrieved
    assert retrievability(rankings, 5, cutoff=3).tolist() == [2, 2, 1, 1, 0]
    assert retrievability(rankings, 5, 2, queries=np.array([False, False, True])).tolist() == [0, 0, 0, 1, 0]
    per_topic = topic_gini(rankings, np.array([0, 0, 1]), 5, cutoff=2, weighting="cumulative")
    assert per_topic[1] == 0.0 and per_topic[0] == pytest.approx(gini(np.array([2, 1, 1]), "all"))
    summary = t_retrievability(rankings, np.array([0, 0, 1]), 5, cutoff=2, weighting="cumulative")
    assert summary["topics"] == 2 and summary["min"] == 0.0
    with pytest.raises(ValueError):
        retrievability(rankings, n_docs=3)  # doc index 3 outside the collection
    with pytest.raises(ValueError):
        topic_gini(rankings, np.array([0, 1]), 5)


def test_rankings_from_run_orders_and_filters():
    run = {"a": {"d2": 0.5, "d1": 2.0, "d3": 0.0}, "b": {}}
    m = rankings_from_run(run, ["a", "b", "c"], ["d1", "d2", "d3"], depth=3, min_score=0.0)
    assert m.tolist() == [[0, 1, -1], [-1, -1, -1], [-1, -1, -1]]
    with pytest.raises(ValueError):
        rankings_from_run({"a": {"zz": 1.0}}, ["a"], ["d1"], depth=2)


def test_lorenz_curve_ends():
    x, y = lorenz_curve(np.r_[np.zeros(500), np.arange(1, 501)], points=50)
    assert x[0] == 0 and y[0] == 0 and x[-1] == 1 and y[-1] == pytest.approx(1)
    assert len(x) <= 50 and np.all(np.diff(y) >= 0)


def make_explorer():
    rng = np.random.default_rng(1)
    n_q, depth, n_docs = 60, 10, 40
    skewed = np.stack([rng.choice(10, depth, replace=False) for _ in range(n_q)]).astype(np.int32)
    spread = np.stack([rng.choice(n_docs, depth, replace=False) for _ in range(n_q)]).astype(np.int32)
    labels = {"k=3": rng.integers(0, 3, n_q), "k=6": rng.integers(0, 6, n_q)}
    return RetrievabilityExplorer({"skewed": skewed, "spread": spread}, n_docs, labels, cutoffs=(5, 10))


def test_explorer_state_and_figure():
    ex = make_explorer()
    s = ex.state("skewed", cutoff=10, scoring="cumulative", counting="all", topics="k=3")
    assert s["global_gini"]["skewed"] > s["global_gini"]["spread"]
    assert s["never_retrieved"]["skewed"] == 30
    assert len(s["topic_gini"]) == 3
    s_ret = ex.state("skewed", cutoff=10, scoring="cumulative", counting="retrieved", topics="k=6")
    assert s_ret["global_gini"]["skewed"] < s["global_gini"]["skewed"]
    assert len(s_ret["topic_gini"]) == 6
    for scoring in SCORINGS:
        fig = ex.figure("spread", 5, scoring, "all", "k=6")
        assert len(fig.data) == 4  # equality line, two Lorenz curves, one histogram
    with pytest.raises(ValueError):
        ex.state("bm42")
    with pytest.raises(ValueError):
        ex.state("skewed", cutoff=7)
    with pytest.raises(ValueError):
        RetrievabilityExplorer({"a": np.zeros((3, 5), int)}, 10, {"k": np.zeros(4)})


def test_explorer_render_is_the_figure_of_the_state():
    ex = make_explorer()
    fig = ex.render("skewed", 10, "cumulative", "retrieved", "k=3")
    assert len(fig.data) == 4
    assert fig.data[1].name.startswith("skewed (G=")


def test_explorer_widget_builds_and_redraws():
    pytest.importorskip("ipywidgets")
    ex = make_explorer()
    box = ex.widget(model="spread", cutoff=5)
    assert len(box.children) == 2  # the row of five controls, the figure pane
    controls, pane = box.children
    assert [c.value for c in controls.children][:2] == ["spread", 5]
    first = pane.outputs
    controls.children[3].value = "retrieved"  # the counting rule: the figure is redrawn
    assert pane.outputs != first
    with pytest.raises(ValueError):
        ex.widget(model="bm42")


def test_topic_gini_keeps_one_query_topics_by_default_as_the_paper_code_does():
    # three queries, each retrieving 100 distinct documents; topic 1 holds a single query
    rankings = np.arange(300, dtype=np.int32).reshape(3, 100)
    per_topic = topic_gini(rankings, [0, 0, 1], 300)
    # the T-Retrievability repository's minimum T-Gini (results/bm25_all_groupings_gini_scikit_tfidf.csv)
    assert per_topic[1] == pytest.approx(0.18425672501427096, abs=1e-12)
    assert list(topic_gini(rankings, [0, 0, 1], 300, min_queries=2)) == [0]
    assert t_retrievability(rankings, [0, 0, 1], 300)["topics"] == 2
