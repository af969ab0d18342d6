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
- :func:`simulate_queries` draws the simulated queries (unigrams and bigrams over document-frequency bands)
  that retrievability is measured with.

Degenerate inputs follow documented rules: a run that shares no query id with ``query_ids`` raises (with an
example of each); a matrix made by :func:`rankings_from_run` remembers its collection size, so another
``n_docs`` raises; the Gini of fewer than two documents raises (inequality needs two); topic labels are
kept as given (any hashable).
"""
from __future__ import annotations

import numbers
import warnings
import weakref
from collections.abc import Hashable, Mapping, Sequence

import numpy as np

WEIGHTINGS = ("cumulative", "gravity", "t-retrievability")
COUNTINGS = ("all", "retrieved")


# id(matrix) -> (weak reference to it, n_docs): the collection size of each matrix rankings_from_run made, so
# that retrievability() can check n_docs exactly without changing the matrix's type.
_COLLECTION_SIZE: dict[int, tuple[weakref.ref, int]] = {}


def _remember_size(matrix: np.ndarray, n_docs: int) -> None:
    key = id(matrix)
    _COLLECTION_SIZE[key] = (weakref.ref(matrix, lambda _, key=key: _COLLECTION_SIZE.pop(key, None)), n_docs)


def _known_size(matrix) -> int | None:
    entry = _COLLECTION_SIZE.get(id(matrix))
    if entry is None or entry[0]() is not matrix:
        return None
    return entry[1]


def _id_mismatch(missing: list, run: Mapping) -> str:
    run_example = next(iter(run))
    hint = ""
    if type(missing[0]) is not type(run_example):
        hint = (f"; the types differ ({type(missing[0]).__name__} vs {type(run_example).__name__}): "
                f"convert them, e.g. [str(q) for q in query_ids]")
    return f"e.g. query_ids has {missing[0]!r} but the run has {run_example!r}{hint}"


def rankings_from_run(run: Mapping[str, Mapping[str, float]], query_ids: Sequence[str],
                      doc_ids: Sequence[str], depth: int = 100, min_score: float | None = None) -> np.ndarray:
    """Turn a run (query id -> doc id -> score) into a ``(len(query_ids), depth)`` ranking matrix.

    Documents are ordered by descending score (ties by doc id, so the matrix is repeatable). ``min_score``
    drops documents scoring at or below it: BM25 returns zero-score documents when a query matches fewer
    than ``depth`` documents, and those were not retrieved in any meaningful sense.

    Ids must match: a run that holds none of ``query_ids`` raises ``ValueError`` showing an example of
    each (``1`` is not ``"1"``); when only some are missing, their rows are all ``-1`` (nothing retrieved)
    and a ``RuntimeWarning`` says how many. The returned matrix remembers ``len(doc_ids)``, so
    :func:`retrievability` rejects it with another ``n_docs``.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or depth < 1:
        raise ValueError(f"depth must be a positive int, got {depth!r}")
    if not isinstance(run, Mapping):
        raise TypeError(f"run must be a dict query id -> doc id -> score, got {type(run).__name__}")
    if isinstance(query_ids, str) or isinstance(doc_ids, str):
        raise TypeError("query_ids and doc_ids must be lists of ids, not one string")
    query_ids, doc_ids = list(query_ids), list(doc_ids)
    index = {doc_id: i for i, doc_id in enumerate(doc_ids)}
    if len(index) != len(doc_ids):
        raise ValueError(f"doc_ids must be unique: {len(doc_ids)} ids, {len(index)} distinct")
    if not doc_ids:
        raise ValueError("doc_ids must name at least one document, got an empty list")
    missing = [q for q in query_ids if q not in run]
    if query_ids and not run:
        raise ValueError(f"run is empty: expected a ranking for each of the {len(query_ids)} query ids "
                         f"(e.g. {query_ids[0]!r}), got none")
    if missing and len(missing) == len(query_ids):
        raise ValueError(f"run and query_ids share no query id ({len(run)} in the run, {len(query_ids)} in "
                         f"query_ids): {_id_mismatch(missing, run)}")
    if missing:
        warnings.warn(f"{len(missing)} of {len(query_ids)} query ids have no ranking in the run "
                      f"(e.g. {missing[0]!r}); their rows are empty (-1)", RuntimeWarning, stacklevel=2)
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
            raise ValueError(f"run for query {query_id!r} holds doc id {error.args[0]!r} not in doc_ids "
                             f"(e.g. {doc_ids[0]!r})") from None
    _remember_size(matrix, len(doc_ids))
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
    known = _known_size(rankings)
    rankings = np.asarray(rankings)
    if rankings.ndim != 2 or not np.issubdtype(rankings.dtype, np.integer):
        raise ValueError(f"rankings must be a 2-d int array (n_queries, depth), got shape {rankings.shape} "
                         f"and dtype {rankings.dtype}")
    if isinstance(n_docs, bool) or not isinstance(n_docs, (int, np.integer)) or n_docs < 1:
        raise ValueError(f"n_docs must be a positive int (the collection size), got {n_docs!r}")
    if known is not None and n_docs != known:
        raise ValueError(f"n_docs must be the size of the collection these rankings were made from: "
                         f"expected {known} (len(doc_ids) given to rankings_from_run), got {n_docs}")
    if rankings.size and (rankings.max() >= n_docs or rankings.min() < -1):
        raise ValueError(f"rankings hold doc indices outside [-1, n_docs - 1 = {n_docs - 1}]: "
                         f"min {rankings.min()}, max {rankings.max()}")
    return rankings


def _check_query_subset(queries, n_queries: int) -> np.ndarray:
    """A boolean mask of length n_queries, or an int index array within range, as an indexer."""
    subset = np.asarray(queries)
    if subset.dtype == bool:
        if subset.shape != (n_queries,):
            raise ValueError(f"queries as a boolean mask must have shape ({n_queries},), one entry per row of "
                             f"rankings, got shape {subset.shape}")
        return subset
    if subset.ndim != 1 or (subset.size and not np.issubdtype(subset.dtype, np.integer)):
        raise ValueError(f"queries must be a boolean mask of shape ({n_queries},) or a 1-d array of row indices, "
                         f"got shape {subset.shape} and dtype {subset.dtype}")
    if subset.size and (subset.min() < -n_queries or subset.max() >= n_queries):
        raise ValueError(f"queries holds row indices outside [0, {n_queries - 1}]: "
                         f"min {subset.min()}, max {subset.max()}")
    return subset.astype(np.int64)


def retrievability(rankings: np.ndarray, n_docs: int, cutoff: int = 100, weighting: str = "cumulative",
                   beta: float = 1.0, queries: np.ndarray | None = None) -> np.ndarray:
    """r(d) for every document 0..n_docs-1: the sum of f(rank) over the queries that retrieve d within c.

    ``queries`` (a boolean mask of shape ``(n_queries,)`` or an index array) restricts the sum to a subset
    of the rows, which is how a topic's retrievability is computed. Never-retrieved documents get r(d) = 0.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    rankings = _check_rankings(rankings, n_docs)
    if queries is not None:
        rankings = rankings[_check_query_subset(queries, rankings.shape[0])]
    weights = rank_weights(rankings.shape[1], cutoff, weighting, beta)
    per_entry = np.broadcast_to(weights, rankings.shape)
    retrieved = rankings >= 0
    return np.bincount(rankings[retrieved], weights=per_entry[retrieved], minlength=n_docs)


def gini(values: np.ndarray, counting: str = "all") -> float:
    """The Gini coefficient of non-negative values (0: all equal, towards 1: one holds everything).

    ``counting="all"`` keeps zeros (Azzopardi: a never-retrieved document is maximally unexposed);
    ``counting="retrieved"`` drops them first (the T-Retrievability code, which only sees documents that
    occur in the run). All-zero input gives 0.0, as in the paper's code.

    Fewer than two values (a one-document collection) raise ``ValueError``: inequality needs at least two
    documents, and the formula's 0.0 would read as perfect equality. (With ``counting="retrieved"``, one
    retrieved document among several gives 0.0, as in the T-Retrievability code.)

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    if counting not in COUNTINGS:
        raise ValueError(f"counting must be one of {COUNTINGS}, got {counting!r}")
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("gini of an empty array is undefined")
    if values.size == 1:
        raise ValueError("values must hold at least 2 documents for a Gini coefficient (inequality needs two); "
                         "got 1: a one-document collection has no retrievability bias to measure")
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
    value = 2.0 * np.sum(np.arange(1, n + 1) * ordered) / (n * total) - (n + 1.0) / n
    return float(max(value, 0.0))  # equal values can round to -2e-16


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


def _plain(label):
    # numpy scalars become Python ones (np.int32(3) -> 3), so keys print and compare as the labels given
    return label.item() if isinstance(label, np.generic) else label


def topic_gini(rankings: np.ndarray, labels, n_docs: int, cutoff: int = 100,
               weighting: str = "t-retrievability", beta: float = 1.0, counting: str = "retrieved",
               min_queries: int = 1) -> dict[Hashable, float]:
    """Gini of retrievability within each topic group of queries: topic label -> Gini.

    ``labels[q]`` is the topic of query ``q`` (e.g. its k-means cluster): any hashable, kept as given
    (numpy scalars become the equal Python scalar); topics are in sorted order when labels sort, else in
    order of first appearance. Topics with fewer than ``min_queries`` queries are skipped (a one-query topic
    has a near-trivial Gini).

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    rankings = _check_rankings(rankings, n_docs)
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(f"labels must be a sequence with one topic per query, got {type(labels).__name__}")
    if isinstance(labels, np.ndarray) and labels.ndim != 1:
        raise ValueError(f"labels must hold one topic per query: expected shape ({rankings.shape[0]},), "
                         f"got shape {labels.shape}")
    labels = [_plain(label) for label in labels]
    if len(labels) != rankings.shape[0]:
        raise ValueError(f"labels must hold one topic per query: expected {rankings.shape[0]} labels (rows of "
                         f"rankings), got {len(labels)}")
    if isinstance(min_queries, bool) or not isinstance(min_queries, numbers.Integral) or min_queries < 1:
        raise ValueError(f"min_queries must be an int >= 1, got {min_queries!r}")
    members: dict[Hashable, list[int]] = {}
    for row, label in enumerate(labels):
        try:
            members.setdefault(label, []).append(row)
        except TypeError:
            raise TypeError(f"labels must be hashable; labels[{row}] is {type(label).__name__}") from None
    try:
        topics = sorted(members)
    except TypeError:
        topics = list(members)
    result = {}
    for topic in topics:
        rows = np.asarray(members[topic], dtype=np.int64)
        if rows.size < min_queries:
            continue
        r = retrievability(rankings, n_docs, cutoff, weighting, beta, queries=rows)
        result[topic] = gini(r, counting)
    return result


def t_retrievability(rankings: np.ndarray, labels: np.ndarray, n_docs: int, **kwargs) -> dict[str, float]:
    """T-Retrievability's collection-level summary: mean, min and max of the per-topic Gini, and the topic count.

    The mean is unweighted over topics, as in the paper. Keyword arguments go to :func:`topic_gini`.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    per_topic = np.array(list(topic_gini(rankings, labels, n_docs, **kwargs).values()))
    if per_topic.size == 0:
        raise ValueError("no topic has enough queries; lower min_queries")
    return {"mean": float(per_topic.mean()), "min": float(per_topic.min()), "max": float(per_topic.max()),
            "topics": int(per_topic.size)}


# ----------------------------------------------------------------------------------------------
# Simulated queries
# ----------------------------------------------------------------------------------------------

TOKEN_PATTERN = r"(?u)\b[a-z][a-z]+\b"
"""The tokens that simulated queries are made of, words of two letters or more and no digits."""


def ngram_pool(texts: Sequence[str], n: int, min_df: int = 2):
    """Every ``n``-gram (English stop words removed) in at least ``min_df`` of ``texts``, with its document
    frequency: a DataFrame with columns ``text``, ``df`` and ``kind`` (``"unigram"`` or ``"bigram"``).

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer

    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of document strings, got {type(texts).__name__}")
    if n not in (1, 2):
        raise ValueError(f"n must be 1 (unigrams) or 2 (bigrams), got {n!r}")
    if isinstance(min_df, bool) or not isinstance(min_df, numbers.Integral) or min_df < 1:
        raise ValueError(f"min_df must be an int >= 1, got {min_df!r}")
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(n, n), min_df=min_df, lowercase=True,
                                 token_pattern=TOKEN_PATTERN, binary=True)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError as err:  # scikit-learn: "empty vocabulary" / "max_df corresponds to < documents than min_df"
        raise ValueError(f"texts hold no {'word' if n == 1 else 'word pair'} in at least min_df={min_df} "
                         f"documents ({len(texts)} texts; scikit-learn said: {err})") from None
    return pd.DataFrame({"text": vectorizer.get_feature_names_out(), "df": np.asarray(counts.sum(axis=0)).ravel(),
                         "kind": "unigram" if n == 1 else "bigram"})


def simulate_queries(texts: Sequence[str], n_queries: int | None, seed: int = 0, min_df: int = 2):
    """Simulated queries for retrievability: equal numbers of unigrams and bigrams, each drawn evenly from
    three bands of log document frequency (``rare``, ``medium``, ``common``).

    ``texts`` are the documents (title and body); ``n_queries`` is rounded down to a multiple of 6 (two
    n-gram kinds times three bands); ``None`` returns the whole pool (every unigram and bigram with
    df >= ``min_df``). Returns a DataFrame with columns ``text``, ``df``, ``kind`` and ``band``. A band
    with fewer n-grams than asked for raises ``ValueError``.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    import pandas as pd

    if n_queries is not None and (isinstance(n_queries, bool) or not isinstance(n_queries, numbers.Integral)
                                  or n_queries < 6):
        raise ValueError(f"n_queries must be None (the whole pool) or an int >= 6 (2 kinds x 3 bands), "
                         f"got {n_queries!r}")
    pools = [ngram_pool(texts, 1, min_df), ngram_pool(texts, 2, min_df)]
    for pool in pools:
        if len(pool) < 3:
            raise ValueError(f"only {len(pool)} {pool['kind'].iat[0] if len(pool) else 'n-gram'}s with "
                             f"df >= {min_df}; three document-frequency bands need at least 3")
        pool["band"] = pd.qcut(np.log(pool["df"]).rank(method="first"), 3, labels=["rare", "medium", "common"])
    if n_queries is None:
        return pd.concat(pools, ignore_index=True)
    rng = np.random.default_rng(seed)
    per_cell = n_queries // 6
    picked = []
    for pool in pools:
        for band, group in pool.groupby("band", observed=True):
            if len(group) < per_cell:
                raise ValueError(f"only {len(group)} {pool['kind'].iat[0]}s in band {band}; ask for fewer queries")
            picked.append(group.iloc[rng.choice(len(group), per_cell, replace=False)])
    return pd.concat(picked, ignore_index=True)
