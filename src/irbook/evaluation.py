"""Metrics the chapters report: ranking (ir-measures), QA answers (SQuAD), classification, and tests.

- :func:`ir_metrics`, :func:`recall_at_k`: nDCG, recall, MRR, MAP ... through ir-measures.
- :func:`normalize_answer`, :func:`exact_match`, :func:`token_f1`, :func:`qa_metrics`: SQuAD's answer scoring.
- :func:`r_precision`: precision among the top R of one ranked list (chapter 3).
- :func:`answer_contains`: whether a generated answer contains a target answer (chapter 15).
- :func:`classification_metrics`: accuracy and macro-F1 (scikit-learn); :func:`fast_macro_f1`, a bootstrap-fast
  macro-F1 from a confusion matrix (chapter 12).
- :func:`score_detections`: precision, recall and F1 of detected events against true intervals (chapter 16).
- :func:`text_to_image_recall`: Recall@k of text-to-image retrieval from embeddings (appendix A1).
- :func:`bootstrap_ci`, :func:`paired_test`: is system A really better than system B on these queries?

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import collections
import numbers
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

DEFAULT_IR_METRICS = ("nDCG@10", "R@10", "RR", "AP")
PAIRED_TEST_METHODS = ("randomization", "t", "wilcoxon")


# ----------------------------------------------------------------------------------------------
# Ranking metrics
# ----------------------------------------------------------------------------------------------

def _parse_measures(metrics) -> list:
    import ir_measures

    if isinstance(metrics, str):
        metrics = (metrics,)
    if not metrics:
        raise ValueError("metrics must name at least one measure, e.g. ('nDCG@10', 'RR')")
    measures = []
    for metric in metrics:
        if not isinstance(metric, str):
            measures.append(metric)  # already an ir_measures measure object
            continue
        try:
            measures.append(ir_measures.parse_measure(metric))
        except (ValueError, NameError, TypeError) as error:
            raise ValueError(f"unknown measure {metric!r} ({error}); examples: 'nDCG@10', 'R@100', "
                             f"'RR', 'AP', 'P@5', 'RR(rel=2)'") from None
    return measures


def _check_qrels(qrels) -> None:
    if not isinstance(qrels, Mapping) or not qrels:
        raise ValueError("qrels must be a non-empty dict: query id -> doc id -> relevance grade")
    for qid, judged in qrels.items():
        if not isinstance(judged, Mapping):
            raise TypeError(f"qrels[{qid!r}] must be a dict doc id -> grade, got {type(judged).__name__}")
        for grade in judged.values():
            if isinstance(grade, bool) or not isinstance(grade, numbers.Integral):
                raise TypeError(f"qrels[{qid!r}] grades must be integers, got {grade!r}")


def _check_run(run) -> None:
    if not isinstance(run, Mapping):
        raise TypeError(f"run must be a dict: query id -> doc id -> score, got {type(run).__name__}")
    for qid, docs in run.items():
        if not isinstance(docs, Mapping):
            raise TypeError(f"run[{qid!r}] must be a dict doc id -> score, got {type(docs).__name__}")


def _rank_scores(docs: Mapping[str, float]) -> dict[str, float]:
    """Replace scores by strictly decreasing ones in (score desc, doc id asc) order.

    trec_eval breaks score ties by doc id *descending*; irbook's retrievers and
    :func:`irbook.retrieval.top_docs` break them by doc id ascending. Handing ir-measures the ranks
    makes the metric describe the ranking the reader sees.
    """
    ranked = sorted(docs.items(), key=lambda item: (-float(item[1]), item[0]))
    n = len(ranked)
    return {doc_id: float(n - i) for i, (doc_id, _) in enumerate(ranked)}


def ir_metrics(qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]],
               metrics: Sequence[str] = DEFAULT_IR_METRICS, per_query: bool = False):
    """Ranking metrics of ``run`` against ``qrels``, computed by ir-measures.

    ``metrics`` are ir-measures names (``"nDCG@10"``, ``"R@100"``, ``"RR"``, ``"AP"``, ``"P@5"``,
    ``"RR(rel=2)"`` ...). Grades > 0 count as relevant unless a measure says otherwise.

    Every judged query (every query id of ``qrels``) is evaluated: a query the run has no ranking for
    scores 0 on every measure instead of being left out of the mean, which would flatter a system
    that fails on hard queries. Queries of the run without judgements are ignored. Score ties are
    broken by doc id ascending, as :func:`irbook.retrieval.top_docs` does.

    Returns ``{measure name: mean over judged queries}``, or with ``per_query=True`` a pandas
    DataFrame indexed by query id with one column per measure.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    import ir_measures
    import pandas as pd

    measures = _parse_measures(metrics)
    _check_qrels(qrels)
    _check_run(run)
    judged = list(qrels)
    ranked_run = {qid: _rank_scores(run[qid]) for qid in judged if run.get(qid)}
    names = [str(measure) for measure in measures]
    table = pd.DataFrame(0.0, index=pd.Index(judged, name="query_id"), columns=names)
    if ranked_run:
        qrels_in = {qid: dict(judged_docs) for qid, judged_docs in qrels.items()}
        for result in ir_measures.iter_calc(measures, qrels_in, ranked_run):
            if result.query_id in table.index:
                table.at[result.query_id, str(result.measure)] = float(result.value)
    if per_query:
        return table
    return {name: float(table[name].mean()) for name in names}


def recall_at_k(qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]],
                ks: int | Iterable[int] = (1, 5, 10, 20, 100)) -> dict[int, float]:
    """Mean recall at each cut-off ``k`` (share of a query's relevant documents in its top ``k``).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    ks = [ks] if isinstance(ks, numbers.Integral) else list(ks)
    if not ks or any(isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1 for k in ks):
        raise ValueError(f"ks must be integers >= 1, got {ks!r}")
    values = ir_metrics(qrels, run, metrics=[f"R@{int(k)}" for k in ks])
    return {int(k): values[f"R@{int(k)}"] for k in ks}


# ----------------------------------------------------------------------------------------------
# Answer metrics (SQuAD)
# ----------------------------------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation: lower case, drop punctuation and articles, squeeze spaces.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if not isinstance(text, str):
        raise TypeError(f"answer must be a string, got {type(text).__name__}")
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _golds(golds) -> list[str]:
    golds = [golds] if isinstance(golds, str) else list(golds)
    if not golds:
        raise ValueError("need at least one gold answer")
    return golds


def exact_match(prediction: str, golds: str | Sequence[str]) -> float:
    """1.0 if the normalised prediction equals any normalised gold answer, else 0.0.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    prediction = normalize_answer(prediction)
    return float(any(prediction == normalize_answer(gold) for gold in _golds(golds)))


def _f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    if not prediction_tokens or not gold_tokens:
        # SQuAD 2.0's rule: two empty answers agree, one empty answer scores 0.
        return float(prediction_tokens == gold_tokens)
    common = collections.Counter(prediction_tokens) & collections.Counter(gold_tokens)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(prediction_tokens), overlap / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, golds: str | Sequence[str]) -> float:
    """Best token-overlap F1 between the normalised prediction and any gold answer (SQuAD).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    tokens = normalize_answer(prediction).split()
    return max(_f1(tokens, normalize_answer(gold).split()) for gold in _golds(golds))


def _aligned_answers(predictions, answers) -> tuple[list[str], list[str], list]:
    if isinstance(predictions, Mapping) != isinstance(answers, Mapping):
        raise TypeError("predictions and answers must both be dicts (query id -> ...) or both be lists")
    if isinstance(predictions, Mapping):
        missing = [qid for qid in answers if qid not in predictions]
        extra = [qid for qid in predictions if qid not in answers]
        if missing or extra:
            raise ValueError(f"predictions and answers cover different queries: "
                             f"no prediction for {missing[:5]}, no gold answers for {extra[:5]}")
        ids = [str(qid) for qid in answers]
        return ids, [predictions[qid] for qid in answers], [answers[qid] for qid in answers]
    predictions, answers = list(predictions), list(answers)
    if len(predictions) != len(answers):
        raise ValueError(f"{len(predictions)} predictions but {len(answers)} answer lists")
    return [str(i) for i in range(len(answers))], predictions, answers


def qa_metrics(predictions, answers, per_query: bool = False):
    """Mean exact match (``EM``) and token F1 (``F1``) of predicted answers.

    ``predictions`` maps query id -> predicted string and ``answers`` query id -> gold answers (a
    string or a list of aliases); two aligned lists work too. Both must cover the same queries.
    Returns ``{"EM", "F1", "n"}``, or a DataFrame indexed by query id with ``per_query=True``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    import pandas as pd

    ids, predictions, answers = _aligned_answers(predictions, answers)
    if not ids:
        raise ValueError("no answers to score")
    table = pd.DataFrame(
        {"EM": [exact_match(p, g) for p, g in zip(predictions, answers)],
         "F1": [token_f1(p, g) for p, g in zip(predictions, answers)]},
        index=pd.Index(ids, name="query_id"))
    if per_query:
        return table
    return {"EM": float(table["EM"].mean()), "F1": float(table["F1"].mean()), "n": len(table)}


# ----------------------------------------------------------------------------------------------
# Classification
# ----------------------------------------------------------------------------------------------

def classification_metrics(y_true: Sequence, y_pred: Sequence, labels: Sequence | None = None) -> dict:
    """Accuracy, macro-F1 and per-class precision / recall / F1 / support (scikit-learn).

    ``labels`` fixes the classes (and their order) that macro-F1 averages over; by default the
    classes seen in ``y_true`` or ``y_pred``. A class never predicted gets precision 0.
    Returns ``{"accuracy", "macro_f1", "n", "per_class": {label: {"precision", "recall", "f1",
    "support"}}}``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support
    from sklearn.utils.multiclass import unique_labels

    y_true, y_pred = list(y_true), list(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("no labels to score")
    labels = list(unique_labels(y_true, y_pred)) if labels is None else list(labels)
    unknown = sorted({str(y) for y in y_true + y_pred if y not in labels})
    if unknown:
        raise ValueError(f"labels {unknown[:5]} occur in the data but not in labels={labels}")
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    per_class = {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                 for label, p, r, f, s in zip(labels, precision, recall, f1, support)}
    return {"accuracy": float(accuracy_score(y_true, y_pred)), "macro_f1": float(np.mean(f1)),
            "n": len(y_true), "per_class": per_class}


# ----------------------------------------------------------------------------------------------
# Uncertainty and significance
# ----------------------------------------------------------------------------------------------

def _as_scores(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one score per query (1-D), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _check_alpha(alpha) -> float:
    if not (isinstance(alpha, numbers.Real) and 0 < alpha < 1):
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    return float(alpha)


def bootstrap_ci(values_or_pairs, statistic: Callable = np.mean, n_resamples: int = 2000,
                 alpha: float = 0.05, seed: int = 0) -> dict:
    """Percentile bootstrap confidence interval of ``statistic`` (scipy.stats.bootstrap).

    ``values_or_pairs`` is either one score per query (1-D), or a pair ``(scores_a, scores_b)`` of
    equal-length per-query scores (or an ``(n, 2)`` array), in which case the statistic is taken of
    the paired differences ``a - b`` and queries are resampled together.
    Returns ``{"estimate", "ci_low", "ci_high", "n"}``; the interval covers ``1 - alpha``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    from scipy import stats

    alpha = _check_alpha(alpha)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) or n_resamples < 1:
        raise ValueError(f"n_resamples must be an integer >= 1, got {n_resamples!r}")
    if isinstance(values_or_pairs, (tuple, list)) and len(values_or_pairs) == 2 \
            and all(np.ndim(part) == 1 for part in values_or_pairs):
        a, b = (_as_scores(part, "paired scores") for part in values_or_pairs)
        if len(a) != len(b):
            raise ValueError(f"paired scores differ in length: {len(a)} vs {len(b)}")
        values = a - b
    else:
        array = np.asarray(values_or_pairs, dtype=np.float64)
        if array.ndim == 2 and array.shape[1] == 2:
            values = _as_scores(array[:, 0] - array[:, 1], "paired differences")
        elif array.ndim == 1:
            values = _as_scores(array, "values")
        else:
            raise ValueError(f"expected 1-D values, a pair (scores_a, scores_b) or an (n, 2) array, "
                             f"got shape {array.shape}")
    if len(values) < 2:
        raise ValueError(f"need at least 2 values to bootstrap, got {len(values)}")
    estimate = float(statistic(values))
    if np.all(values == values[0]):
        return {"estimate": estimate, "ci_low": estimate, "ci_high": estimate, "n": len(values)}
    result = stats.bootstrap((values,), statistic, n_resamples=int(n_resamples), confidence_level=1 - alpha,
                             method="percentile", rng=np.random.default_rng(seed))
    interval = result.confidence_interval
    return {"estimate": estimate, "ci_low": float(interval.low), "ci_high": float(interval.high),
            "n": len(values)}


def _mean_difference(a, b, axis=-1):
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def paired_test(scores_a, scores_b, method: str = "randomization", n_resamples: int = 10000,
                seed: int = 0, alpha: float = 0.05) -> dict:
    """Is system A's per-query score different from system B's on the same queries? (two-sided)

    ``method``:

    - ``"randomization"``: Fisher's paired randomisation test (sign flips of the per-query
      differences, scipy.stats.permutation_test; exact when ``2**n <= n_resamples``), the test
      Smucker, Allan and Carterette (CIKM 2007) recommend for IR;
    - ``"t"``: the paired t-test (scipy.stats.ttest_rel), whose interval is the t interval;
    - ``"wilcoxon"``: the Wilcoxon signed-rank test (scipy.stats.wilcoxon).

    For the randomisation and Wilcoxon tests the interval is a bootstrap one (:func:`bootstrap_ci`).
    Returns ``{"mean_diff" (A - B), "p_value", "ci_low", "ci_high", "n"}``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    from scipy import stats

    if method not in PAIRED_TEST_METHODS:
        raise ValueError(f"method must be one of {PAIRED_TEST_METHODS}, got {method!r}")
    alpha = _check_alpha(alpha)
    a, b = _as_scores(scores_a, "scores_a"), _as_scores(scores_b, "scores_b")
    if len(a) != len(b):
        raise ValueError(f"paired scores differ in length: {len(a)} vs {len(b)} (same queries, same order)")
    if len(a) < 2:
        raise ValueError(f"need at least 2 paired scores, got {len(a)}")
    diff = a - b
    mean_diff = float(diff.mean())
    if np.all(diff == diff[0]):
        # No spread in the differences: every test statistic is 0/0. Identical systems are not
        # different (p = 1); a constant non-zero shift on every query is as different as it gets.
        p_value = 1.0 if diff[0] == 0 else 0.0
        return {"mean_diff": mean_diff, "p_value": p_value, "ci_low": mean_diff, "ci_high": mean_diff,
                "n": len(a)}
    if method == "t":
        result = stats.ttest_rel(a, b)
        interval = result.confidence_interval(confidence_level=1 - alpha)
        return {"mean_diff": mean_diff, "p_value": float(result.pvalue), "ci_low": float(interval.low),
                "ci_high": float(interval.high), "n": len(a)}
    if method == "randomization":
        result = stats.permutation_test((a, b), _mean_difference, permutation_type="samples",
                                        n_resamples=n_resamples, vectorized=True,
                                        rng=np.random.default_rng(seed))
        p_value = float(result.pvalue)
    else:
        p_value = float(stats.wilcoxon(a, b).pvalue)
    ci = bootstrap_ci(diff, np.mean, alpha=alpha, seed=seed)
    return {"mean_diff": mean_diff, "p_value": min(1.0, p_value), "ci_low": ci["ci_low"],
            "ci_high": ci["ci_high"], "n": len(a)}


# --------------------------------------------------------------------------------------------------------------
# Metrics first written for one chapter and gathered here (the old import paths still work).
# --------------------------------------------------------------------------------------------------------------

def r_precision(scores, relevant) -> float:
    """Precision among the top R documents, R being the number of relevant ones (ties broken by index).

    Parameters
    ----------
    scores : array-like of float
        One score per document (higher ranks first); no NaN.
    relevant : array-like of bool
        Whether each document is relevant; at least one must be.

    Returns
    -------
    float
        The share of relevant documents among the R best scored.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    scores = np.asarray(scores, dtype=float)
    relevant = np.asarray(relevant, dtype=bool)
    if scores.ndim != 1 or scores.shape != relevant.shape:
        raise ValueError(f"scores {scores.shape} and relevant {relevant.shape} must be 1-D of the same length")
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN")
    n_relevant = int(relevant.sum())
    if n_relevant == 0:
        raise ValueError("R-precision is undefined for a query without relevant documents")
    top = np.argsort(-scores, kind="stable")[:n_relevant]
    return float(relevant[top].mean())


def answer_contains(answer: str, target: str) -> bool:
    """True when the normalised ``target`` occurs, as whole words, in the normalised ``answer``.

    Both are normalised as SQuAD does (:func:`normalize_answer`); PoisonedRAG counts an attack as a success this
    way, and the same test tells whether a gold answer appears in a generated one.

    Parameters
    ----------
    answer : str
        The generated text.
    target : str
        The answer looked for; it must not be empty after normalisation.

    Returns
    -------
    bool
        Whether ``target`` occurs in ``answer``.

    Introduced in chapter 15 (:doc:`15_disarmrag`).
    """
    for value, what in ((answer, "answer"), (target, "target")):
        if not isinstance(value, str):
            raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    target_norm = normalize_answer(target)
    if not target_norm:
        raise ValueError(f"target {target!r} is empty after normalisation")
    return f" {target_norm} " in f" {normalize_answer(answer)} "


def fast_macro_f1(y_true, y_pred, n_labels: int) -> float:
    """Macro-F1 over ``n_labels`` integer labels from a confusion matrix: fast enough to bootstrap.

    A label that occurs in neither ``y_true`` nor ``y_pred`` counts as F1 0, as scikit-learn's
    ``f1_score(average="macro", labels=range(n_labels), zero_division=0)`` does.

    Parameters
    ----------
    y_true, y_pred : array-like of int
        Labels in ``0 .. n_labels - 1``, of the same length.
    n_labels : int
        The number of labels.

    Returns
    -------
    float
        The mean over labels of ``2 TP / (2 TP + FP + FN)``.

    Introduced in chapter 12 (:doc:`12_derec`).
    """
    if isinstance(n_labels, bool) or not isinstance(n_labels, numbers.Integral) or n_labels < 1:
        raise ValueError(f"n_labels must be a positive int, got {n_labels!r}")
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} must be 1-D of the same length")
    for values, what in ((y_true, "y_true"), (y_pred, "y_pred")):
        if values.size and (not np.issubdtype(values.dtype, np.integer) or values.min() < 0
                            or values.max() >= n_labels):
            raise ValueError(f"{what} must hold integer labels in 0..{n_labels - 1}")
    cm = np.bincount(y_true * n_labels + y_pred, minlength=n_labels * n_labels).reshape(n_labels, n_labels)
    tp = np.diag(cm).astype(float)
    denominator = cm.sum(0) + cm.sum(1)
    return float(np.mean(np.divide(2 * tp, denominator, out=np.zeros(n_labels), where=denominator > 0)))


def _check_intervals(intervals) -> list[tuple[int, int]]:
    """``(start, end)`` pairs (or objects with ``.start`` and ``.end``) as int tuples, each with start <= end.

    Introduced in chapter 16 (:doc:`16_kde_gmm_video`).
    """
    checked = []
    for item in intervals:
        start, end = (item.start, item.end) if hasattr(item, "start") else item
        if int(end) < int(start):
            raise ValueError(f"a transition interval must have start <= end, got ({start}, {end})")
        checked.append((int(start), int(end)))
    return checked


def score_detections(detections: Sequence[int], intervals, tolerance: int = 2) -> dict:
    """Precision, recall and F1 of detections against ground-truth transitions.

    ``intervals`` are ``(start, end)`` frame spans (a hard cut has ``start == end``) or objects with ``.start`` and
    ``.end`` (:class:`irbook.vision.scenes.Transition`). A detection matches a transition when it lies in
    ``[start - tolerance, end + tolerance]``; each transition matches at most one detection (greedy, in time order).

    Parameters
    ----------
    detections : sequence of int
        Detected frames.
    intervals : iterable
        The true transitions.
    tolerance : int
        Frames of slack on either side of a transition.

    Returns
    -------
    dict
        ``tp``, ``fp``, ``fn``, ``precision``, ``recall`` and ``f1``.

    Introduced in chapter 16 (:doc:`16_kde_gmm_video`).
    """
    if not isinstance(tolerance, (int, np.integer)) or tolerance < 0:
        raise ValueError(f"tolerance must be a non-negative int, got {tolerance!r}")
    truth = _check_intervals(intervals)
    used: set[int] = set()
    tp = 0
    for frame in sorted(int(d) for d in detections):
        for j, (start, end) in enumerate(truth):
            if j not in used and start - tolerance <= frame <= end + tolerance:
                used.add(j)
                tp += 1
                break
    n_det, n_true = len(detections), len(truth)
    precision = tp / n_det if n_det else (1.0 if n_true == 0 else 0.0)
    recall = tp / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": n_det - tp, "fn": n_true - tp, "precision": precision, "recall": recall, "f1": f1}


def text_to_image_recall(text_emb: np.ndarray, image_emb: np.ndarray, gold: Sequence[int],
                         ks: Sequence[int] = (1, 5, 10)) -> dict[int, float]:
    """Text-to-image Recall@k: the share of texts whose gold image (index ``gold[i]``) ranks in the top k.

    Parameters
    ----------
    text_emb : numpy.ndarray
        One row per text, ``(n_texts, d)``.
    image_emb : numpy.ndarray
        One row per image, ``(n_images, d)``; scores are dot products (normalise for cosine).
    gold : sequence of int
        The index of each text's image.
    ks : sequence of int
        The cut-offs.

    Returns
    -------
    dict
        k -> Recall@k. Ties count against the gold image (an image scored equal to it does not outrank it).

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    text_emb, image_emb, gold = np.asarray(text_emb), np.asarray(image_emb), np.asarray(gold)
    if text_emb.ndim != 2 or image_emb.ndim != 2:
        raise ValueError(f"text_emb and image_emb must be 2-D, got shapes {text_emb.shape} and {image_emb.shape}")
    if text_emb.shape[0] != len(gold):
        raise ValueError(f"{text_emb.shape[0]} texts but {len(gold)} gold image indices")
    if text_emb.shape[1] != image_emb.shape[1]:
        raise ValueError(f"text and image embeddings differ in width: {text_emb.shape[1]} vs {image_emb.shape[1]}")
    scores = text_emb @ image_emb.T
    gold_scores = scores[np.arange(len(gold)), gold]
    ranks = (scores > gold_scores[:, None]).sum(axis=1)  # 0 = the gold image is first
    return {int(k): float((ranks < k).mean()) for k in ks}
