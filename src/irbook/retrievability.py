"""Retrievability, its Gini coefficient, and topic-focused retrievability (T-Retrievability).

Introduced in chapter 13 (:doc:`13_t_retrievability`). A retrieval run over many queries is held as a
*ranking matrix*: an int array of shape ``(n_queries, depth)`` whose row ``q`` lists the indices of the
documents retrieved for query ``q``, best first, padded with ``-1`` where fewer than ``depth`` documents
were retrieved. Everything here works on that matrix, so twenty thousand queries cost one ``np.bincount``.

- :func:`rankings_from_run` turns an ``irbook.retrieval`` run into a ranking matrix.
- :func:`retrievability` is Azzopardi and Vinay's r(d) = sum over queries of f(rank) for rank <= c, with
  the cumulative, gravity (1/rank^beta) or T-Retrievability (1/ln(rank+1)) rank weights.
- :func:`gini` and :func:`lorenz_curve` measure how unequal r is, counting the never-retrieved documents
  as zeros (Azzopardi) or leaving them out (the T-Retrievability code).
- :func:`topic_gini` and :func:`t_retrievability` are Chang, Meng and Ganguly's topic-focused version:
  retrievability and its Gini within each group of topically similar queries, then mean/min/max.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

WEIGHTINGS = ("cumulative", "gravity", "t-retrievability")
COUNTINGS = ("all", "retrieved")


def rankings_from_run(run: Mapping[str, Mapping[str, float]], query_ids: Sequence[str],
                      doc_ids: Sequence[str], depth: int = 100, min_score: float | None = None) -> np.ndarray:
    """Turn a run (query id -> doc id -> score) into a ``(len(query_ids), depth)`` ranking matrix.

    Documents are ordered by descending score (ties by doc id, so the matrix is repeatable); a query
    missing from the run gets an all ``-1`` row. ``min_score`` drops documents scoring at or below it:
    BM25 returns zero-score documents when a query matches fewer than ``depth`` documents, and those
    were not retrieved in any meaningful sense.
    """
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive int, got {depth!r}")
    index = {doc_id: i for i, doc_id in enumerate(doc_ids)}
    if len(index) != len(doc_ids):
        raise ValueError("doc_ids must be unique")
    matrix = np.full((len(query_ids), depth), -1, dtype=np.int32)
    for row, query_id in enumerate(query_ids):
        scored = run.get(query_id, {})
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
        if min_score is not None:
            ranked = [(d, s) for d, s in ranked if s > min_score]
        ranked = ranked[:depth]
        try:
            matrix[row, :len(ranked)] = [index[d] for d, _ in ranked]
        except KeyError as error:
            raise ValueError(f"run for query {query_id!r} holds doc id {error.args[0]!r} not in doc_ids") from None
    return matrix


def rank_weights(depth: int, cutoff: int, weighting: str = "cumulative", beta: float = 1.0) -> np.ndarray:
    """The weight f(rank) of ranks 1..depth: zero beyond ``cutoff``.

    ``cumulative``: 1 (Azzopardi and Vinay's cumulative measure); ``gravity``: 1/rank^beta (their
    gravity-based measure, where ``beta`` is the paper's b); ``t-retrievability``: 1/ln(rank + 1), the
    rank discount of the T-Retrievability code (which writes 1/ln(rank + 2) with 0-based ranks).
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    if not isinstance(cutoff, (int, np.integer)) or cutoff < 1:
        raise ValueError(f"cutoff c must be a positive int, got {cutoff!r}")
    if cutoff > depth:
        raise ValueError(f"cutoff c={cutoff} exceeds the retrieved depth {depth}; retrieve deeper first")
    if beta < 0:
        raise ValueError(f"gravity exponent beta must be >= 0, got {beta!r}")
    ranks = np.arange(1, depth + 1, dtype=np.float64)
    if weighting == "cumulative":
        weights = np.ones(depth)
    elif weighting == "gravity":
        weights = ranks ** -float(beta)
    else:
        weights = 1.0 / np.log(ranks + 1.0)
    weights[cutoff:] = 0.0
    return weights


def _check_rankings(rankings: np.ndarray, n_docs: int) -> np.ndarray:
    rankings = np.asarray(rankings)
    if rankings.ndim != 2 or not np.issubdtype(rankings.dtype, np.integer):
        raise ValueError(f"rankings must be a 2-d int array (n_queries, depth), got shape {rankings.shape} "
                         f"and dtype {rankings.dtype}")
    if not isinstance(n_docs, (int, np.integer)) or n_docs < 1:
        raise ValueError(f"n_docs must be a positive int, got {n_docs!r}")
    if rankings.size and (rankings.max() >= n_docs or rankings.min() < -1):
        raise ValueError(f"rankings hold doc indices outside [-1, {n_docs - 1}]")
    return rankings


def retrievability(rankings: np.ndarray, n_docs: int, cutoff: int = 100, weighting: str = "cumulative",
                   beta: float = 1.0, queries: np.ndarray | None = None) -> np.ndarray:
    """r(d) for every document 0..n_docs-1: the sum of f(rank) over the queries that retrieve d within c.

    ``queries`` (a boolean mask or index array) restricts the sum to a subset of the rows, which is how
    a topic's retrievability is computed. Never-retrieved documents get r(d) = 0.
    """
    rankings = _check_rankings(rankings, n_docs)
    if queries is not None:
        rankings = rankings[queries]
    weights = rank_weights(rankings.shape[1], cutoff, weighting, beta)
    per_entry = np.broadcast_to(weights, rankings.shape)
    retrieved = rankings >= 0
    return np.bincount(rankings[retrieved], weights=per_entry[retrieved], minlength=n_docs)


def gini(values: np.ndarray, counting: str = "all") -> float:
    """The Gini coefficient of non-negative values (0: all equal, towards 1: one holds everything).

    ``counting="all"`` keeps zeros (Azzopardi: a never-retrieved document is maximally unexposed);
    ``counting="retrieved"`` drops them first (the T-Retrievability code, which only sees documents that
    occur in the run). All-zero input gives 0.0, as in the paper's code.
    """
    if counting not in COUNTINGS:
        raise ValueError(f"counting must be one of {COUNTINGS}, got {counting!r}")
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("gini of an empty array is undefined")
    if np.any(values < 0) or not np.all(np.isfinite(values)):
        raise ValueError("gini needs finite, non-negative values")
    if counting == "retrieved":
        values = values[values > 0]
    total = values.sum()
    if values.size == 0 or total == 0:
        return 0.0
    ordered = np.sort(values)
    n = ordered.size
    # closed form of sum_i sum_j |x_i - x_j| / (2 n^2 mean) over the sorted values
    return float(2.0 * np.sum(np.arange(1, n + 1) * ordered) / (n * total) - (n + 1.0) / n)


def lorenz_curve(values: np.ndarray, counting: str = "all", points: int | None = 200) -> tuple[np.ndarray, np.ndarray]:
    """The Lorenz curve: share of documents (poorest first) against their share of total retrievability.

    Returns ``(x, y)`` starting at (0, 0) and ending at (1, 1), thinned to about ``points`` points for plotting
    (``None`` keeps every document).
    """
    if counting not in COUNTINGS:
        raise ValueError(f"counting must be one of {COUNTINGS}, got {counting!r}")
    values = np.asarray(values, dtype=np.float64).ravel()
    if counting == "retrieved":
        values = values[values > 0]
    if values.size == 0 or values.sum() == 0:
        raise ValueError("the Lorenz curve needs at least one positive value")
    ordered = np.sort(values)
    x = np.arange(0, ordered.size + 1) / ordered.size
    y = np.concatenate([[0.0], np.cumsum(ordered) / ordered.sum()])
    if points is not None and x.size > points:
        keep = np.unique(np.linspace(0, x.size - 1, points).round().astype(int))
        x, y = x[keep], y[keep]
    return x, y


def topic_gini(rankings: np.ndarray, labels: np.ndarray, n_docs: int, cutoff: int = 100,
               weighting: str = "t-retrievability", beta: float = 1.0, counting: str = "retrieved",
               min_queries: int = 1) -> dict[int, float]:
    """Gini of retrievability within each topic group of queries: topic label -> Gini.

    ``labels[q]`` is the topic of query ``q`` (e.g. its k-means cluster). Topics with fewer than
    ``min_queries`` queries are skipped (a one-query topic has a near-trivial Gini).
    """
    rankings = _check_rankings(rankings, n_docs)
    labels = np.asarray(labels)
    if labels.shape != (rankings.shape[0],):
        raise ValueError(f"labels must hold one topic per query: shape {labels.shape} vs {rankings.shape[0]} queries")
    result = {}
    for topic in np.unique(labels):
        members = labels == topic
        if members.sum() < min_queries:
            continue
        r = retrievability(rankings, n_docs, cutoff, weighting, beta, queries=members)
        result[int(topic)] = gini(r, counting)
    return result


def t_retrievability(rankings: np.ndarray, labels: np.ndarray, n_docs: int, **kwargs) -> dict[str, float]:
    """T-Retrievability's collection-level summary: mean, min and max of the per-topic Gini, and the topic count.

    The mean is unweighted over topics, as in the paper. Keyword arguments go to :func:`topic_gini`.
    """
    per_topic = np.array(list(topic_gini(rankings, labels, n_docs, **kwargs).values()))
    if per_topic.size == 0:
        raise ValueError("no topic has enough queries; lower min_queries")
    return {"mean": float(per_topic.mean()), "min": float(per_topic.min()), "max": float(per_topic.max()),
            "topics": int(per_topic.size)}
