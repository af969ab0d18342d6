"""Chapter 6 (CBDR): the chapter's code (irbook.chapters.ch06_cbdr) and its view, headless and without a model."""
import numpy as np
import pytest

from irbook.chapters.ch06_cbdr import (ConfidenceProbe, PreferenceReranker, auroc_ci, cached_arrays,
                                       cached_hidden_states, calibration_bins, cbdr_against_random, cbdr_curve,
                                       cbdr_decisions, confidence_shift, is_correct, preference_groups)
from irbook.widgets.cbdr import CBDRExplorer, threshold_state


def synthetic_states(n=200, layers=3, dim=8, seed=0):
    """Layer 1 carries the label, the others are noise."""
    rng = np.random.default_rng(seed)
    correct = (rng.random(n) < 0.3).astype(int)
    states = rng.normal(size=(layers, n, dim)).astype(np.float32)
    states[1, :, 0] += 2.5 * correct
    return states, correct


def test_is_correct_normalised_match():
    assert is_correct("Answer: Paris.", ["paris"])
    assert is_correct("It is in Paris, France", ["Paris"])
    assert not is_correct("London", ["Paris"])
    assert not is_correct("whatever", [")", "Paris"])  # a gold that normalises to nothing is skipped


def test_is_correct_bad_input():
    with pytest.raises(ValueError, match="golds"):
        is_correct("Paris", "Paris")
    with pytest.raises(TypeError, match="prediction"):
        is_correct(None, ["Paris"])


def test_probe_finds_the_informative_layer():
    states, correct = synthetic_states()
    probe = ConfidenceProbe(seed=0).fit(states, correct)
    assert probe.layer_ == 1
    conf = probe.confidence(states)
    assert conf.shape == (200,) and auroc_ci(correct, conf, 200)["auroc"] > 0.8
    assert probe.confidence(states[[1]]).shape == (200,)  # one layer given: the chosen one


def test_probe_bad_input():
    states, correct = synthetic_states()
    with pytest.raises(ValueError, match="layer"):
        ConfidenceProbe(layer=-1)
    with pytest.raises(ValueError, match="C must"):
        ConfidenceProbe(C=0)
    with pytest.raises(ValueError, match="both classes"):
        ConfidenceProbe().fit(states, np.zeros(200, dtype=int))
    with pytest.raises(ValueError, match="n_layers, n, dim"):
        ConfidenceProbe().fit(states[0], correct)
    with pytest.raises(RuntimeError, match="fit"):
        ConfidenceProbe().confidence(states)


def test_auroc_interval_and_calibration():
    rng = np.random.default_rng(1)
    correct = rng.integers(0, 2, 300)
    result = auroc_ci(correct, correct + rng.normal(0, 0.5, 300), 300)
    assert result["ci_low"] < result["auroc"] < result["ci_high"] and result["auroc"] > 0.8
    bins = calibration_bins(correct, np.full(300, 0.9))
    assert len(bins) == 1 and bins[0]["ece"] == pytest.approx(abs(0.9 - correct.mean()))
    with pytest.raises(ValueError, match="same length"):
        auroc_ci(correct, np.zeros(10))


def test_shift_and_preference_groups():
    shift = confidence_shift(np.array([[0.5, 0.9, 0.1], [0.2, 0.2, 0.2]]), np.array([0.4, 0.2]))
    assert np.allclose(shift[0], [0.1, 0.5, -0.3])
    groups = preference_groups(shift, n_neg=1)
    assert groups == [(0, 1, [2])]  # the second question has no gap and gives no group
    with pytest.raises(ValueError, match="conf_without"):
        confidence_shift(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="depth"):
        preference_groups(shift, n_neg=3)


def test_cbdr_rule_and_curve():
    conf = np.array([0.1, 0.5, 0.99])
    assert cbdr_decisions(conf, 0.98).tolist() == [True, True, False]
    curve = cbdr_curve(conf, [0, 0, 1], [1, 0, 0], [0.0, 0.98, 1.0])
    assert [r["retrieval rate"] for r in curve] == pytest.approx([0, 2 / 3, 1])
    assert curve[1]["accuracy"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="beta"):
        cbdr_decisions(conf, 1.5)
    with pytest.raises(ValueError, match="one value per question"):
        cbdr_curve(conf, [0, 1], [1, 0, 0], [0.5])


def test_cached_arrays_rebuilds_corrupt_files(tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(3)}

    assert cached_arrays("t", {"a": 1}, compute)["x"].tolist() == [0, 1, 2]
    assert cached_arrays("t", {"a": 1}, compute)["x"].tolist() == [0, 1, 2] and len(calls) == 1
    stored = next(p for p in tmp_path.rglob("t-*.npz"))
    stored.write_bytes(b"garbage")
    assert cached_arrays("t", {"a": 1}, compute)["x"].tolist() == [0, 1, 2] and len(calls) == 2
    with pytest.raises(TypeError, match="key"):
        cached_arrays("t", [1], compute)


def test_reranker_bad_input():
    with pytest.raises(ValueError, match="epochs"):
        PreferenceReranker(epochs=0)
    with pytest.raises(ValueError, match="lr"):
        PreferenceReranker(lr=-1)
    with pytest.raises(ValueError, match="groups is empty"):
        PreferenceReranker().fit(["q"], [["a", "b"]], [])
    with pytest.raises(RuntimeError, match="fit"):
        PreferenceReranker().score("q", ["a"])


def test_threshold_state_and_explorer():
    conf, closed, rag = np.array([0.2, 0.9, 0.95]), np.array([0, 1, 0]), np.array([1, 0, 0])
    state = threshold_state(conf, closed, rag, 0.5)
    assert state["retrieval_rate"] == pytest.approx(1 / 3) and state["gained"] == [1] and state["lost"] == []
    explorer = CBDRExplorer(["q1", "q2", "q3"], conf, closed, rag, [["a", "b"]] * 3, [[0.1, 0.3]] * 3)
    html, fig = explorer.render(beta=0.5, question=1)
    assert "right only without retrieval" in html and len(fig.data) == 1
    with pytest.raises(ValueError, match="question"):
        explorer.render(beta=0.5, question=7)
    with pytest.raises(ValueError, match="closed_correct has 2 entries"):
        CBDRExplorer(["q1", "q2", "q3"], conf, closed[:2], rag, [["a"]] * 3, [[0.1]] * 3)
    with pytest.raises(ValueError, match="beta"):
        threshold_state(conf, closed, rag, 2)


def test_cbdr_against_random_gating():
    # the confident questions are exactly those answered right closed-book and wrong with retrieval
    conf = np.linspace(0, 1, 40)
    closed = (conf > 0.7).astype(int)
    rag = np.r_[np.ones(28), np.zeros(12)].astype(int)
    result = cbdr_against_random(conf, closed, rag, 0.7, n_resamples=500, seed=0)
    assert result["retrieval_rate"] == pytest.approx(28 / 40) and result["accuracy"] == 1.0
    assert result["random_gating"] == pytest.approx(rag.mean() + 12 / 40 * (closed - rag).mean())
    assert result["p_vs_random"] < 0.01 and result["vs_random_ci"][0] > 0
    assert result["cost"] == pytest.approx(rag.mean() - 1.0) and result["cost_ci"][1] <= 0
    # an uninformative detector: closed-book never helps, so CBDR is no better than random gating
    flat = cbdr_against_random(conf, np.zeros(40), np.ones(40), 0.5, n_resamples=200)
    assert flat["vs_random"] == pytest.approx(0) and flat["p_vs_random"] == 1.0 and flat["cost"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="one value per question"):
        cbdr_against_random(conf, closed[:3], rag, 0.5)
    with pytest.raises(ValueError, match="beta"):
        cbdr_against_random(conf, closed, rag, 2.0)
    with pytest.raises(ValueError, match="n_resamples"):
        cbdr_against_random(conf, closed, rag, 0.5, n_resamples=0)


class _FakeStates:
    """Stands in for a transformers LLM in the cache test only: states are a function of the text."""
    backend = "transformers"

    def __init__(self):
        self.calls = []

    def fingerprint(self):
        return "fake-states"

    def hidden_states(self, texts, pool="last", batch_size=8):
        self.calls.append(list(texts))
        return np.stack([np.full((3, 4), len(t), dtype=np.float32) for t in texts], axis=1)


def test_cached_hidden_states(tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    model = _FakeStates()
    first = cached_hidden_states(model, ["a", "bbb", "a"], chunk=1)
    assert first.shape == (3, 3, 4) and first[0, 1, 0] == 3 and model.calls == [["a"], ["bbb"]]
    again = cached_hidden_states(model, ["bbb", "cc"])
    assert again[0, :, 0].tolist() == [3, 2] and model.calls[-1] == ["cc"]
    with pytest.raises(TypeError, match="transformers"):
        cached_hidden_states(object(), ["a"])
    with pytest.raises(ValueError, match="texts"):
        cached_hidden_states(model, "a")
    with pytest.raises(ValueError, match="chunk"):
        cached_hidden_states(model, ["a"], chunk=0)
