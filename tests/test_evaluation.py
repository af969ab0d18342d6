"""Tests of irbook.evaluation against values computed by hand."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from irbook import evaluation as ev

from irbook.evaluation import (bootstrap_ci, classification_metrics, exact_match, ir_metrics,
                               normalize_answer, paired_test, qa_metrics, recall_at_k, token_f1)

# q1 has graded judgements; the run ranks b (grade 1), x (unjudged), a (grade 2); e (grade 1) is missed.
# q2 is judged but the run has nothing for it; q3 is in the run but not judged.
QRELS = {"q1": {"a": 2, "b": 1, "c": 0, "e": 1}, "q2": {"z": 1}}
RUN = {"q1": {"b": 3.0, "x": 2.0, "a": 1.0}, "q3": {"z": 1.0}}


def hand_ndcg_q1() -> float:
    # trec_eval's nDCG: gain = grade, discount = log2(rank + 1).
    dcg = 1 / math.log2(2) + 0 / math.log2(3) + 2 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    return dcg / ideal


def test_ir_metrics_match_hand_computed_values_per_query():
    table = ir_metrics(QRELS, RUN, per_query=True)
    assert isinstance(table, pd.DataFrame)
    assert list(table.index) == ["q1", "q2"]  # every judged query, and only those
    assert list(table.columns) == ["nDCG@10", "R@10", "RR", "AP"]
    q1 = table.loc["q1"]
    assert q1["nDCG@10"] == pytest.approx(hand_ndcg_q1())
    assert q1["R@10"] == pytest.approx(2 / 3)
    assert q1["RR"] == pytest.approx(1.0)
    assert q1["AP"] == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert (table.loc["q2"] == 0).all()  # judged but not retrieved: zero, not left out


def test_ir_metrics_mean_counts_unretrieved_judged_queries_as_zero():
    means = ir_metrics(QRELS, RUN)
    assert means["nDCG@10"] == pytest.approx(hand_ndcg_q1() / 2)
    assert means["R@10"] == pytest.approx(1 / 3)
    assert means["AP"] == pytest.approx((1 + 2 / 3) / 3 / 2)


def test_ir_metrics_other_measures_and_cutoffs():
    values = ir_metrics(QRELS, RUN, metrics=["P@2", "R@1", "nDCG@1", "RR(rel=2)"])
    assert values["P@2"] == pytest.approx((1 / 2 + 0) / 2)
    assert values["R@1"] == pytest.approx((1 / 3) / 2)
    assert values["nDCG@1"] == pytest.approx((1 / 2) / 2)  # grade 1 where grade 2 was possible
    assert values["RR(rel=2)"] == pytest.approx((1 / 3) / 2)  # only a (rank 3) counts at rel >= 2


def test_ir_metrics_breaks_score_ties_by_doc_id_ascending():
    # trec_eval alone would put "d" first (doc id descending); irbook's order puts "a" first.
    tied = {"q": {"d": 1.0, "a": 1.0, "c": 1.0}}
    assert ir_metrics({"q": {"a": 1}}, tied, metrics=["RR"])["RR"] == pytest.approx(1.0)
    assert ir_metrics({"q": {"d": 1}}, tied, metrics=["RR"])["RR"] == pytest.approx(1 / 3)


def test_recall_at_k():
    assert recall_at_k(QRELS, RUN, ks=[1, 3, 10]) == {1: pytest.approx(1 / 6), 3: pytest.approx(1 / 3),
                                                      10: pytest.approx(1 / 3)}
    assert recall_at_k(QRELS, RUN, ks=3) == {3: pytest.approx(1 / 3)}
    with pytest.raises(ValueError, match="ks"):
        recall_at_k(QRELS, RUN, ks=[0])


def test_ir_metrics_input_checks():
    with pytest.raises(ValueError, match="unknown measure"):
        ir_metrics(QRELS, RUN, metrics=["Foo@10"])
    with pytest.raises(ValueError, match="qrels"):
        ir_metrics({}, RUN)
    with pytest.raises(TypeError, match="integers"):
        ir_metrics({"q1": {"a": "yes"}}, RUN)
    with pytest.raises(TypeError, match="run"):
        ir_metrics(QRELS, [("q1", "a", 1.0)])
    assert ir_metrics(QRELS, {})["nDCG@10"] == 0.0


# ------------------------------------------------------------------------------------------ QA

def test_normalize_answer_like_squad():
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert normalize_answer("an apple, a pear") == "apple pear"
    assert normalize_answer("Theatre") == "theatre"  # articles only as whole words


def test_exact_match_and_token_f1_on_squad_examples():
    # SQuAD v1.1 dev, "Which NFL team represented the AFC at Super Bowl 50?"
    golds = ["Denver Broncos", "Denver Broncos", "Denver Broncos"]
    assert exact_match("the Denver Broncos", golds) == 1.0
    assert token_f1("the Denver Broncos", golds) == 1.0
    assert exact_match("Broncos", golds) == 0.0
    assert token_f1("Broncos", golds) == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    # "Where did Super Bowl 50 take place?": the best of several gold answers counts.
    golds = ["Santa Clara, California", "Levi's Stadium", "Levi's Stadium in the San Francisco Bay Area at "
             "Santa Clara, California."]
    assert exact_match("Levi's Stadium", golds) == 1.0
    assert token_f1("Santa Clara", golds) == pytest.approx(2 * 1.0 * (2 / 3) / (1 + 2 / 3))
    assert token_f1("Paris", golds) == 0.0
    assert token_f1("", [""]) == 1.0 and token_f1("the", ["Paris"]) == 0.0
    assert exact_match("x", "X") == 1.0  # one gold answer may be a plain string


def test_qa_metrics_dicts_lists_and_checks():
    predictions = {"q1": "Denver Broncos", "q2": "Santa Clara"}
    answers = {"q1": ["Denver Broncos"], "q2": ["Santa Clara, California"]}
    summary = qa_metrics(predictions, answers)
    assert summary["EM"] == pytest.approx(0.5)
    assert summary["F1"] == pytest.approx((1 + 0.8) / 2)
    assert summary["n"] == 2
    table = qa_metrics(predictions, answers, per_query=True)
    assert table.loc["q2", "F1"] == pytest.approx(0.8)
    assert qa_metrics(["Denver Broncos"], [["Denver Broncos"]])["EM"] == 1.0
    with pytest.raises(ValueError, match="different queries"):
        qa_metrics({"q1": "x"}, answers)
    with pytest.raises(ValueError, match="predictions"):
        qa_metrics(["a"], [["a"], ["b"]])
    with pytest.raises(ValueError, match="gold"):
        exact_match("a", [])


# ------------------------------------------------------------------------------------------ classification

def test_classification_metrics_by_hand():
    result = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert result["accuracy"] == 0.75
    f1_a, f1_b = 2 * 1 * 0.5 / 1.5, 2 * (2 / 3) * 1 / (1 + 2 / 3)
    assert result["macro_f1"] == pytest.approx((f1_a + f1_b) / 2)
    assert result["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(f1_a), "support": 2}
    with_unused = classification_metrics(["a", "b"], ["a", "b"], labels=["a", "b", "c"])
    assert with_unused["macro_f1"] == pytest.approx(2 / 3)  # "c" never occurs: F1 0 in the macro average
    with pytest.raises(ValueError, match="predictions"):
        classification_metrics(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="labels"):
        classification_metrics(["a", "z"], ["a", "a"], labels=["a", "b"])


# ------------------------------------------------------------------------------------------ tests of differences

def test_bootstrap_ci_covers_the_mean_and_is_repeatable():
    values = np.random.default_rng(1).normal(0.5, 0.1, size=200)
    ci = bootstrap_ci(values)
    assert ci["ci_low"] < values.mean() < ci["ci_high"]
    assert ci["estimate"] == pytest.approx(values.mean())
    assert ci == bootstrap_ci(values)  # same seed, same interval
    assert ci["ci_high"] - ci["ci_low"] < 0.05
    paired = bootstrap_ci((values + 0.2, values))
    assert paired["estimate"] == pytest.approx(0.2)
    assert paired["ci_low"] == pytest.approx(0.2) and paired["ci_high"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="alpha"):
        bootstrap_ci(values, alpha=1.5)
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_ci([1.0])


@pytest.mark.parametrize("method", ["randomization", "t", "wilcoxon"])
def test_paired_test_small_p_for_a_clear_shift_large_p_for_none(method):
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.6, size=40)
    shifted = base + 0.2 + rng.normal(0, 0.05, size=40)
    result = paired_test(shifted, base, method=method, n_resamples=2000)
    assert set(result) == {"mean_diff", "p_value", "ci_low", "ci_high", "n"}
    assert result["n"] == 40
    assert result["p_value"] < 0.01
    assert result["ci_low"] < result["mean_diff"] < result["ci_high"]
    assert result["ci_low"] > 0
    identical = paired_test(base, base, method=method)
    assert identical["p_value"] == 1.0 and identical["mean_diff"] == 0.0
    noise = paired_test(base + rng.normal(0, 0.05, size=40), base + rng.normal(0, 0.05, size=40),
                        method=method, n_resamples=2000)
    assert noise["p_value"] > 0.05


def test_paired_test_input_checks():
    with pytest.raises(ValueError, match="method"):
        paired_test([1, 2], [1, 2], method="anova")
    with pytest.raises(ValueError, match="length"):
        paired_test([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="NaN"):
        paired_test([1, float("nan")], [1, 2])


def test_docstrings_name_the_chapter():
    from irbook import evaluation

    for name in ["ir_metrics", "recall_at_k", "normalize_answer", "exact_match", "token_f1", "qa_metrics",
                 "classification_metrics", "bootstrap_ci", "paired_test"]:
        assert getattr(evaluation, name).__doc__.rstrip().endswith(
            "Introduced in chapter 1 (:doc:`01_rag_map`)."), name


# --------------------------------------------------------------------------------------------------------------
# Metrics gathered from the chapters (their old import paths still work)
# --------------------------------------------------------------------------------------------------------------

def test_r_precision_counts_relevant_among_the_top_r():
    assert ev.r_precision([0.9, 0.8, 0.1, 0.7], [True, False, False, True]) == 0.5
    assert ev.r_precision([1.0, 1.0, 0.0], [False, True, False]) == 0.0  # a tie goes to the lower index
    with pytest.raises(ValueError, match="undefined for a query without relevant"):
        ev.r_precision([1.0, 0.0], [False, False])


def test_answer_contains_normalises_and_needs_whole_words():
    assert ev.answer_contains("The answer is Mercyful Fate.", "mercyful fate")
    assert not ev.answer_contains("Fatehpur", "Fate")
    with pytest.raises(ValueError, match="empty after normalisation"):
        ev.answer_contains("anything", "the")
    with pytest.raises(TypeError, match="answer must be a str"):
        ev.answer_contains(None, "x")


def test_fast_macro_f1_matches_scikit_learn():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 6, 300), rng.integers(0, 5, 300)  # label 5 never predicted
    expected = f1_score(y_true, y_pred, average="macro", labels=range(6), zero_division=0)
    assert ev.fast_macro_f1(y_true, y_pred, 6) == pytest.approx(expected)
    with pytest.raises(ValueError, match="y_pred must hold integer labels in 0..1"):
        ev.fast_macro_f1(np.array([0, 1]), np.array([0, 2]), 2)
    with pytest.raises(ValueError, match="n_labels must be a positive int"):
        ev.fast_macro_f1([0], [0], 0)


def test_score_detections_greedy_matching_with_tolerance():
    scores = ev.score_detections([10, 11, 52, 90], [(10, 10), (50, 54), (70, 70)], tolerance=2)
    assert scores == {"tp": 2, "fp": 2, "fn": 1, "precision": 0.5, "recall": 2 / 3, "f1": pytest.approx(4 / 7)}
    assert ev.score_detections([], [])["f1"] == 1.0 and ev.score_detections([], [(3, 3)])["recall"] == 0.0
    with pytest.raises(ValueError, match="start <= end"):
        ev.score_detections([1], [(5, 3)])
    from irbook.widgets.kde_gmm_video import score_detections

    assert score_detections is ev.score_detections


def test_text_to_image_recall():
    images = np.eye(3)
    texts = np.array([[1.0, 0, 0], [0, 0.2, 0.9], [0.9, 0, 0.1]])  # texts 1 and 2: gold image second
    assert ev.text_to_image_recall(texts, images, [0, 1, 2], ks=(1, 2, 3)) == {1: 1 / 3, 2: 1.0, 3: 1.0}
    with pytest.raises(ValueError, match="2 texts but 3 gold"):
        ev.text_to_image_recall(texts[:2], images, [0, 1, 2])


def test_text_to_image_recall_is_the_vision_metric():
    from irbook import vision
    from irbook.vision import encoders

    assert vision.retrieval_recall is ev.text_to_image_recall
    assert not hasattr(encoders, "retrieval_recall"), "one home: the metric lives in irbook.evaluation"
