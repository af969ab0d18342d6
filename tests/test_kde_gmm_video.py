"""Chapter 16 (KDE-GMM video retrieval): the chapter's exported methods, detection scoring and the two views."""
import numpy as np
import pytest

from irbook.chapters.ch16_kde_gmm_video import (change, detect_boundaries, dp_temporal_search, kde_gmm_detect,
                                                kde_gmm_threshold, keyframes, rrf_pivot_search)
from irbook.evaluation import score_detections
from irbook.widgets.kde_gmm_video import ChangeThresholdExplorer, TemporalQueryBuilder


def test_detect_boundaries_merges_runs_and_reports_their_last_frame():
    signal = np.zeros(40)
    signal[[10, 11, 12]] = 1.0      # a dissolve: three frames in a row
    signal[20] = 0.9                # a cut
    signal[23] = 0.8                # within min_gap of the cut: same detection
    signal[35] = 0.2                # below the threshold
    assert detect_boundaries(signal, 0.5, min_gap=4).tolist() == [12, 23]
    assert detect_boundaries(signal, 0.5, min_gap=1).tolist() == [12, 20, 23]
    assert detect_boundaries(signal, 2.0).tolist() == []


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), [1.0], [0.0, np.nan, 1.0]])
def test_detect_boundaries_rejects_bad_signals(bad):
    with pytest.raises(ValueError):
        detect_boundaries(bad, 0.5)


def test_detect_boundaries_rejects_bad_min_gap():
    with pytest.raises(ValueError, match="min_gap"):
        detect_boundaries(np.zeros(5), 0.5, min_gap=0)


def test_score_detections_uses_spans_tolerance_and_one_to_one_matching():
    truth = [(10, 10), (30, 36)]     # a cut, then a dissolve over frames 30..36
    m = score_detections([11, 12, 38, 50], truth, tolerance=2)
    # 11 matches the cut, 12 would too but the cut is taken, 38 matches the dissolve (36 + 2), 50 matches nothing
    assert (m["tp"], m["fp"], m["fn"]) == (2, 2, 0)
    assert m["precision"] == pytest.approx(0.5) and m["recall"] == pytest.approx(1.0)
    assert m["f1"] == pytest.approx(2 / 3)
    assert score_detections([39], truth, tolerance=2)["tp"] == 0
    assert score_detections([], truth)["f1"] == 0.0


def test_score_detections_reads_transition_objects_and_rejects_bad_spans():
    class T:
        def __init__(self, start, end):
            self.start, self.end = start, end
    assert score_detections([5], [T(4, 6)], tolerance=0)["tp"] == 1
    with pytest.raises(ValueError, match="start <= end"):
        score_detections([5], [(6, 4)])
    with pytest.raises(ValueError, match="tolerance"):
        score_detections([5], [(4, 6)], tolerance=-1)


def make_explorer(**overrides):
    rng = np.random.default_rng(0)
    signal = rng.uniform(0.0, 0.1, 60)
    signal[[15, 40]] = 0.8
    grid = np.linspace(0.01, 1, 50)
    kwargs = dict(signal=signal, intervals=[(15, 15), (40, 40)],
                  fit={"threshold": 0.3, "grid": grid, "density": np.ones(50), "components": [np.ones(50), np.ones(50)]})
    kwargs.update(overrides)
    return ChangeThresholdExplorer(**kwargs)


def test_explorer_scores_manual_and_adaptive_thresholds():
    explorer = make_explorer()
    assert explorer.adaptive_threshold == pytest.approx(0.3)
    assert explorer.metrics_at(0.3)["detections"] == [15, 40]
    assert explorer.metrics_at(0.3)["f1"] == pytest.approx(1.0)
    low = explorer.metrics_at(0.0)   # everything fires: merged into few runs, precision drops below 1
    assert low["recall"] <= 1.0 and low["fp"] >= 1
    assert "precision / recall / F1" in explorer.readout(0.3)


def test_explorer_figure_and_widget_build_headless():
    explorer = make_explorer()
    fig = explorer.figure(0.5)
    names = [t.name for t in fig.data]
    assert "kernel density" in names and "component 2" in names and "detections" in names
    box = explorer.widget()
    assert len(box.children) == 3


def test_explorer_rejects_mismatched_fit():
    with pytest.raises(ValueError, match="grid"):
        make_explorer(fit={"threshold": 0.3, "grid": np.ones(5), "density": np.ones(4)})
    with pytest.raises(ValueError, match="finite"):
        make_explorer(fit={"threshold": float("nan")})


def fake_search(steps, max_gap):
    """A plain function standing in for the chapter's dynamic programme (no model involved)."""
    return [{"video": 7, "frames": list(range(0, max_gap * len(steps), max_gap)), "score": 1.0, "correct": True}]


def test_query_builder_validates_steps_and_renders():
    builder = TemporalQueryBuilder(fake_search, ["semantic", "ocr"], describe=lambda v, f: f"v{v} f{f}")
    steps = [("semantic", "a red circle"), ("ocr", "  "), ("ocr", "AGENDA")]
    assert builder.check(steps) == [("semantic", "a red circle"), ("ocr", "AGENDA")]
    assert builder.search(steps, 10)[0]["frames"] == [0, 10]
    html = builder.table(steps, 10)
    assert "v7 f10" in html and "AGENDA" in html and "&#10003;" in html
    with pytest.raises(ValueError, match="unknown modality"):
        builder.check([("audio", "a bell")])
    with pytest.raises(ValueError, match="at least one step"):
        builder.check([("ocr", "")])
    with pytest.raises(ValueError, match="max_gap"):
        builder.search(steps, 0)
    box = builder.widget(steps=steps)
    assert len(box.children) == 2 and "AGENDA" in box.children[1].value
    assert "unknown modality" in builder.render(max_gap=10, modality_1="audio", text_1="a bell")


def test_query_builder_rejects_a_search_that_skips_steps():
    builder = TemporalQueryBuilder(lambda steps, gap: [{"video": 1, "frames": [3], "score": 0.5}], ["semantic"])
    with pytest.raises(ValueError, match="frames for 2 steps"):
        builder.search([("semantic", "a"), ("semantic", "b")], 5)
    with pytest.raises(TypeError):
        TemporalQueryBuilder("not callable", ["semantic"])


def test_kde_gmm_threshold_separates_two_modes_and_refuses_bad_input():
    rng = np.random.default_rng(0)
    signal = rng.uniform(0.005, 0.02, 300)
    signal[::30] = rng.uniform(0.4, 0.6, 10)          # ten transitions, far above the floor
    fit = kde_gmm_threshold(signal)
    assert fit["separated"] and 0.02 < fit["threshold"] < 0.4
    assert kde_gmm_detect(signal, 1, min_gap=1).tolist() == list(range(0, 300, 30))
    assert kde_gmm_threshold(signal, weights="equal")["threshold"] <= fit["threshold"]
    with pytest.raises(ValueError, match="weights"):
        kde_gmm_threshold(signal, weights="both")
    with pytest.raises(ValueError, match="at least 10"):
        kde_gmm_threshold(signal[:5])


def test_change_and_keyframes():
    features = np.repeat(np.eye(3), 4, axis=0)        # three segments of four identical rows
    d = change(features, 1, "cos")
    assert np.flatnonzero(d > 0.5).tolist() == [4, 8]
    assert keyframes(features, [4, 8]).tolist() == [0, 4, 8]
    with pytest.raises(ValueError, match="kind"):
        change(features, 1, "l2")
    with pytest.raises(ValueError, match="gap"):
        change(features, 0)


def test_dp_temporal_search_keeps_order_and_gap():
    # two videos, keyframes at frames 0, 10, 20 (video a) and 0, 10 (video b); step 1 likes a:20, step 2 likes a:0
    scores = np.array([[0.2, 0.5, 1.0, 0.0, 0.0], [1.0, 0.1, 0.6, 0.0, 0.9]])
    videos, frames = ["a", "a", "a", "b", "b"], [0, 10, 20, 0, 10]
    best = dp_temporal_search(scores, videos, frames, max_gap=15)[0]
    assert best["video"] == "a" and best["frames"] == [10, 20] and best["score"] == pytest.approx(1.1)
    assert dp_temporal_search(scores, videos, frames, max_gap=5) == []
    with pytest.raises(ValueError, match="max_gap"):
        dp_temporal_search(scores, videos, frames, max_gap=0)


def test_rrf_pivot_search_follows_the_released_scoring():
    # pivot list [5, 9]; step 2 list [7, 30]; step 3 list [8]; window 3, k 100
    out = rrf_pivot_search([[5, 9], [7, 30], [8]], window=3, k_rrf=100)
    assert [r["keyframes"] for r in out] == [[5, 7, 8], [9, None, None]]
    assert out[0]["score"] == pytest.approx(1 / 100 + 1 / 100 + 1 / 100)
    assert out[1]["score"] == pytest.approx(1 / 101)
    # every hit in the window counts, summed: a pivot with two later hits outranks a better-ranked pivot with one
    out = rrf_pivot_search([[0, 10], [1, 11, 12]], window=3, k_rrf=100)
    assert out[0]["keyframes"] == [10, 11]
    with pytest.raises(ValueError, match="window"):
        rrf_pivot_search([[1]], window=0)
