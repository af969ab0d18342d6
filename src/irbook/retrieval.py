"""Retrievers with one protocol: ``fit(corpus)`` then ``search(queries, k) -> Run``.

A :data:`Run` is what ir-measures reads: query id -> doc id -> score. Every retriever here ranks
documents by score (descending) and breaks ties by doc id (ascending), so the same inputs always give
the same ranking, and :func:`top_docs` and :func:`irbook.evaluation.ir_metrics` agree on it.

- :class:`BM25`: lexical scoring with `bm25s <https://github.com/xhluca/bm25s>`_ (and PyStemmer).
- :class:`DenseRetriever`: cosine similarity of sentence embeddings in a faiss index.
- :func:`reciprocal_rank_fusion` and :class:`HybridRetriever`: fuse the rankings of several retrievers.
- :class:`Reranker`: rescore a first stage's top candidates with any ``scorer(query, doc_texts)``.
- :func:`chunk_corpus` and :func:`collapse_to_parents`: retrieve passages, report documents.

Corpora and queries are read by duck typing: a corpus is any object with ``.ids``, ``.titles`` and
``.texts`` (such as :class:`irbook.data.Corpus`); queries are any object with ``.ids`` and ``.texts``
(such as :class:`irbook.data.Queries`) or a plain list of query strings, whose ids are ``"0"``, ``"1"``, ...

Rules every retriever here follows for degenerate input:

- An empty query (empty or whitespace-only text) gets an empty ranking (``{}``) from every retriever. A
  stop-word-only query gets an empty ranking from BM25 (no term to match) and a ranking from the dense
  retriever (the embedder still reads it).
- An empty document (no title and no text) is never returned: BM25 has no term to score it by, and the
  dense retriever leaves it out (its vector would otherwise tie with an empty query's).
- A corpus whose documents are all empty (or, for BM25, all stop words) is rejected at ``fit`` with a
  ``ValueError``.
- ``search(..., exclude={query id: doc id or doc ids})`` leaves those documents out of that query's
  ranking (e.g. a query's own document when documents serve as queries); the ranking is still ``k`` long
  when the corpus allows.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import dataclasses
import math
import numbers
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

Run = dict[str, dict[str, float]]
"""Query id -> doc id -> score, the format ir-measures reads. Introduced in chapter 1 (:doc:`01_rag_map`)."""

BM25_METHODS = ("lucene", "robertson", "atire", "bm25l", "bm25+")
DENSE_INDEXES = ("flat", "hnsw")
# An embedding counts as unit length when its norm is within this of 1 (float32 rounding, fp16 models).
_NORM_TOLERANCE = 1e-2


# ----------------------------------------------------------------------------------------------
# Input checks shared by every retriever
# ----------------------------------------------------------------------------------------------

def _check_k(k, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {k!r}")
    return int(k)


def _check_unique(ids: Sequence[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        duplicates = sorted({i for i in ids if i in seen or seen.add(i)})
        raise ValueError(f"{what} ids must be unique; repeated: {duplicates[:5]}")


def _corpus_fields(corpus) -> tuple[list[str], list[str], list[str]]:
    """Read ``ids``, ``titles`` and ``texts`` from a Corpus-like object and check they line up."""
    missing = [name for name in ("ids", "titles", "texts") if not hasattr(corpus, name)]
    if missing:
        raise TypeError(
            f"corpus must have .ids, .titles and .texts (an irbook.data.Corpus); "
            f"{type(corpus).__name__} lacks {missing}")
    ids, titles, texts = list(corpus.ids), list(corpus.titles), list(corpus.texts)
    if not (len(ids) == len(titles) == len(texts)):
        raise ValueError(
            f"corpus fields differ in length: {len(ids)} ids, {len(titles)} titles, {len(texts)} texts")
    if not ids:
        raise ValueError("corpus is empty: there is nothing to index")
    if not all(isinstance(i, str) for i in ids):
        raise TypeError("corpus ids must be strings")
    _check_unique(ids, "corpus")
    return ids, titles, texts


def _query_fields(queries) -> tuple[list[str], list[str]]:
    """Read query ids and texts from a Queries-like object or a plain list of strings."""
    if isinstance(queries, str):
        raise TypeError("queries must be a list of strings or a Queries object, not one string; "
                        "wrap it: search([query])")
    if hasattr(queries, "ids") and hasattr(queries, "texts"):
        ids, texts = [str(i) for i in queries.ids], list(queries.texts)
        if len(ids) != len(texts):
            raise ValueError(f"queries have {len(ids)} ids but {len(texts)} texts")
        _check_unique(ids, "query")
    elif isinstance(queries, Sequence):
        texts = list(queries)
        ids = [str(i) for i in range(len(texts))]
    else:
        raise TypeError(f"queries must be a list of strings or have .ids and .texts, "
                        f"got {type(queries).__name__}")
    bad = [i for i, t in zip(ids, texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"query texts must be strings; query {bad[0]!r} is not")
    return ids, texts


def _is_empty(text: str) -> bool:
    return not text.strip()


def _check_exclude(exclude, query_ids: Sequence[str], doc_index: Mapping[str, int] | None) -> dict[str, set[str]]:
    """Check ``exclude`` (query id -> doc id or doc ids) against the queries and, when given, the corpus."""
    if exclude is None:
        return {}
    if not isinstance(exclude, Mapping):
        raise TypeError(f"exclude must be a dict query id -> doc id (or list of doc ids), "
                        f"got {type(exclude).__name__}")
    known = set(query_ids)
    out: dict[str, set[str]] = {}
    for qid, docs in exclude.items():
        if qid not in known:
            hint = f"; the types differ ({type(qid).__name__} vs str)" if not isinstance(qid, str) else ""
            raise ValueError(f"exclude names query id {qid!r}, which is not among the queries "
                             f"(e.g. {query_ids[0]!r}){hint}" if query_ids else
                             f"exclude names query id {qid!r} but there are no queries")
        docs = {docs} if isinstance(docs, str) else docs
        if not isinstance(docs, (Sequence, set, frozenset)):
            raise TypeError(f"exclude[{qid!r}] must be a doc id or a list of doc ids, got {type(docs).__name__}")
        docs = set(docs)
        bad = [d for d in docs if not isinstance(d, str) or (doc_index is not None and d not in doc_index)]
        if bad:
            raise ValueError(f"exclude[{qid!r}] names doc id {bad[0]!r}, which is not in the corpus")
        out[qid] = docs
    return out


def _drop_excluded(run: Run, excluded: Mapping[str, set[str]], k: int | None = None) -> Run:
    """Remove excluded documents from each query's ranking (then keep the top ``k``)."""
    out = {}
    for qid, docs in run.items():
        drop = excluded.get(qid, ())
        kept = {d: v for d, v in docs.items() if d not in drop}
        out[qid] = kept if k is None else dict(_ranked(kept)[:k])
    return out


def _widen(k: int, excluded: Mapping[str, set[str]]) -> int:
    """How many candidates to fetch so that ``k`` remain after exclusions."""
    return k + max((len(docs) for docs in excluded.values()), default=0)


def document_text(title: str, text: str) -> str:
    """The text a retriever sees for one document: its title (when there is one), then its body.

    Public so that code encoding passages outside a retriever (chapter 15, :doc:`15_disarmrag`) writes them
    the same way.
    """
    return f"{title}\n{text}" if title else text


def _id_ranks(ids: Sequence[str]) -> np.ndarray:
    """Position of each doc id in sorted order: the tie-breaker as an integer array."""
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.argsort(np.asarray(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return ranks


def _order_rows(scores: np.ndarray, indices: np.ndarray, id_rank: np.ndarray, presorted: bool = False):
    """Sort each row by score (descending), then doc id (ascending); vectorised over queries.

    ``presorted`` rows are already in descending score order (faiss), so only rows with a tie need work.
    """
    if presorted:
        rows = np.flatnonzero((scores[:, 1:] == scores[:, :-1]).any(axis=1))
        if rows.size:
            scores[rows], indices[rows] = _order_rows(scores[rows], indices[rows], id_rank)
        return scores, indices
    order = np.lexsort((id_rank[indices], -scores), axis=-1)
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(indices, order, axis=1)


def _exact_top_k(scores: np.ndarray, id_rank: np.ndarray, k: int):
    """Top k of one full score vector under the (score desc, doc id asc) order."""
    order = np.lexsort((id_rank, -scores))[:k]
    return scores[order], order


def _rows_to_run(query_ids, doc_ids: np.ndarray, scores: np.ndarray, indices: np.ndarray,
                 counts: np.ndarray) -> Run:
    """Build the Run dict: one ``dict(zip(...))`` per query (C speed), no loop over documents."""
    id_rows = doc_ids[indices].tolist()
    score_rows = scores.tolist()
    return {qid: dict(zip(ids[:n], vals[:n]))
            for qid, ids, vals, n in zip(query_ids, id_rows, score_rows, counts.tolist())}


def _ranked(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


# ----------------------------------------------------------------------------------------------
# BM25
# ----------------------------------------------------------------------------------------------

class BM25:
    """Okapi BM25 over title + text, backed by ``bm25s`` (sparse pre-computed scores) and PyStemmer.

    Parameters
    ----------
    k1, b : BM25's term-frequency saturation and length normalisation.
    method : the bm25s variant: ``"lucene"`` (Lucene/Pyserini's formula), ``"robertson"``, ``"atire"``,
        ``"bm25l"`` or ``"bm25+"``.
    stemmer : a Snowball language for PyStemmer (``"english"``) or ``None`` for no stemming.
    stopwords : ``"en"`` (bm25s' English list), a list of words, or ``None``.
    n_threads : threads bm25s uses to score queries; 0 scores them in this thread. Scoring is numpy
        work that releases the GIL only in part, so threads help little on small corpora.

    Documents that share no term with a query score 0 and are not returned (as in Lucene), so an
    empty or stopword-only query gets an empty ranking rather than an arbitrary one, and an empty
    document is never returned. A corpus with no indexable term (all documents empty or stop words)
    raises ``ValueError`` at :meth:`fit`.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, method: str = "lucene",
                 stemmer: str | None = "english", stopwords: str | list[str] | None = "en",
                 n_threads: int = 0):
        self.k1 = k1
        self.b = b
        self.method = method
        self.stemmer = stemmer
        self.stopwords = stopwords
        self.n_threads = n_threads

    def _check_params(self) -> None:
        if not (isinstance(self.k1, numbers.Real) and self.k1 >= 0):
            raise ValueError(f"k1 must be a number >= 0, got {self.k1!r}")
        if not (isinstance(self.b, numbers.Real) and 0 <= self.b <= 1):
            raise ValueError(f"b must be a number in [0, 1], got {self.b!r}")
        if self.method not in BM25_METHODS:
            raise ValueError(f"method must be one of {BM25_METHODS}, got {self.method!r}")
        if isinstance(self.n_threads, bool) or not isinstance(self.n_threads, int) or self.n_threads < 0:
            raise ValueError(f"n_threads must be an integer >= 0, got {self.n_threads!r}")

    def _make_stemmer(self):
        if self.stemmer is None:
            return None
        import Stemmer  # PyStemmer

        if self.stemmer not in Stemmer.algorithms():
            raise ValueError(f"stemmer must be None or one of {sorted(Stemmer.algorithms())}, "
                             f"got {self.stemmer!r}")
        return Stemmer.Stemmer(self.stemmer)

    def _tokenize(self, texts: list[str], as_ids: bool):
        import bm25s

        return bm25s.tokenize(texts, stopwords=self.stopwords if self.stopwords is not None else [],
                              stemmer=self.stemmer_, return_ids=as_ids, show_progress=False)

    def fit(self, corpus) -> "BM25":
        """Index ``title + text`` of every document of ``corpus`` (Corpus-like). Returns ``self``."""
        import bm25s

        self._check_params()
        ids, titles, texts = _corpus_fields(corpus)
        self.stemmer_ = self._make_stemmer()
        tokenized = self._tokenize([document_text(t, x) for t, x in zip(titles, texts)], as_ids=True)
        if not any(len(doc) for doc in tokenized.ids):
            raise ValueError(
                f"corpus has no indexable term: all {len(ids)} documents are empty or stop words only "
                f"(stopwords={self.stopwords!r}); add text, or pass stopwords=None to index stop words")
        model = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
        model.index(tokenized, show_progress=False)
        self.model_ = model
        self.doc_ids_ = np.asarray(ids, dtype=object)
        self._doc_index = {doc_id: i for i, doc_id in enumerate(ids)}
        self._id_rank = _id_ranks(ids)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RuntimeError("this BM25 is not fitted yet: call fit(corpus) before search()")

    def search(self, queries, k: int = 10, exclude: Mapping[str, str | Sequence[str]] | None = None) -> Run:
        """Top-``k`` documents per query (``k`` is capped at the corpus size), as a :data:`Run`.

        ``exclude`` maps a query id to a doc id (or doc ids) left out of its ranking. An empty query
        gets an empty ranking.
        """
        self._check_fitted()
        k = min(_check_k(k), len(self.doc_ids_))
        query_ids, texts = _query_fields(queries)
        if not texts:
            return {}
        excluded = _check_exclude(exclude, query_ids, self._doc_index)
        tokens = self._tokenize(texts, as_ids=False)
        # One extra candidate shows whether a tie straddles the cut-off (then we resolve it exactly).
        fetch = min(_widen(k, excluded) + 1, len(self.doc_ids_))
        indices, scores = self.model_.retrieve(tokens, k=fetch, sorted=False, show_progress=False,
                                               n_threads=self.n_threads)
        drop = self._excluded_rows(query_ids, excluded)
        for row, doc_rows in drop.items():
            scores[row][np.isin(indices[row], doc_rows)] = -np.inf
        scores, indices = _order_rows(scores, indices, self._id_rank)
        if fetch > k:
            for row in np.flatnonzero((scores[:, k - 1] == scores[:, k]) & (scores[:, k] > 0)):
                full = self.model_.get_scores(tokens[row])
                if row in drop:
                    full[drop[row]] = -np.inf
                scores[row, :k], indices[row, :k] = _exact_top_k(full, self._id_rank, k)
            scores, indices = scores[:, :k], indices[:, :k]
        return _rows_to_run(query_ids, self.doc_ids_, scores, indices, (scores > 0).sum(axis=1))

    def _excluded_rows(self, query_ids: Sequence[str], excluded: Mapping[str, set[str]]) -> dict[int, np.ndarray]:
        return {row: np.asarray([self._doc_index[d] for d in excluded[qid]], dtype=np.int64)
                for row, qid in enumerate(query_ids) if excluded.get(qid)}

    def __repr__(self) -> str:
        return (f"BM25(k1={self.k1}, b={self.b}, method={self.method!r}, stemmer={self.stemmer!r}, "
                f"stopwords={self.stopwords!r})")


# ----------------------------------------------------------------------------------------------
# Dense retrieval
# ----------------------------------------------------------------------------------------------

def _check_embeddings(vectors, n_rows: int | None, dim: int | None, what: str) -> np.ndarray:
    """Check an embedding matrix (2-D, finite, unit rows) and return it as contiguous float32."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f"{what} embeddings must be a 2-D array (n, dim), got shape {array.shape}")
    if n_rows is not None and array.shape[0] != n_rows:
        raise ValueError(f"expected {n_rows} {what} embeddings, got {array.shape[0]}")
    if dim is not None and array.shape[1] != dim:
        raise ValueError(f"{what} embeddings have dimension {array.shape[1]}, the index has {dim}")
    norms = np.sqrt(np.einsum("ij,ij->i", array, array))
    if not np.all(np.abs(norms - 1) <= _NORM_TOLERANCE):
        raise ValueError(f"{what} embeddings must be L2-normalised (inner product = cosine); "
                         f"norms range from {norms.min():.3g} to {norms.max():.3g}")
    return array


class DenseRetriever:
    """Cosine similarity between query and document embeddings, searched with faiss.

    Parameters
    ----------
    embedder : any object with ``encode(list[str]) -> float32 (n, dim)`` L2-normalised rows; ``None``
        loads :func:`irbook.models.embedder` (all-MiniLM-L6-v2) at :meth:`fit` time.
    index : ``"flat"`` (``faiss.IndexFlatIP``: exact) or ``"hnsw"`` (``faiss.IndexHNSWFlat``:
        approximate graph search, faster on large corpora; its ties across the cut-off follow the graph
        search, not doc ids).
    hnsw_m, ef_search : the HNSW graph degree and search breadth (used when ``index="hnsw"``).

    An empty query gets an empty ranking; an empty document (no title, no text) is never returned; a
    corpus of only empty documents raises ``ValueError`` at :meth:`fit`. :meth:`search_arrays` returns
    numpy arrays (scores, doc indices) instead of a :data:`Run`.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def __init__(self, embedder=None, index: str = "flat", hnsw_m: int = 32, ef_search: int = 128):
        self.embedder = embedder
        self.index = index
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search

    def _resolve_embedder(self):
        if self.embedder is not None:
            if not callable(getattr(self.embedder, "encode", None)):
                raise TypeError(f"embedder must have an encode(list[str]) method, "
                                f"got {type(self.embedder).__name__}")
            return self.embedder
        from irbook.models import embedder as load_embedder  # imported late: loads torch

        return load_embedder()

    def _encode(self, texts: list[str], n_rows: int, dim: int | None, what: str) -> np.ndarray:
        return _check_embeddings(self.embedder_.encode(texts), n_rows, dim, what)

    def fit(self, corpus, embeddings=None) -> "DenseRetriever":
        """Encode ``title + text`` of every document and add it to a faiss index. Returns ``self``.

        ``embeddings`` (optional, ``(len(corpus), dim)`` L2-normalised) skips encoding the corpus,
        e.g. to reuse vectors computed once for several experiments.
        """
        import faiss

        if self.index not in DENSE_INDEXES:
            raise ValueError(f"index must be one of {DENSE_INDEXES}, got {self.index!r}")
        ids, titles, texts = _corpus_fields(corpus)
        doc_texts = [document_text(t, x) for t, x in zip(titles, texts)]
        empty = np.array([_is_empty(t) for t in doc_texts], dtype=bool)
        if empty.all():
            raise ValueError(f"corpus has no text: all {len(ids)} documents have an empty title and text")
        if embeddings is None:
            self.embedder_ = self._resolve_embedder()
            vectors = self._encode(doc_texts, len(ids), None, "document")
        else:
            # With vectors given, the default embedder is loaded only if search() needs to encode.
            self.embedder_ = self._resolve_embedder() if self.embedder is not None else None
            vectors = _check_embeddings(embeddings, len(ids), None, "document")
        dim = vectors.shape[1]
        if self.index == "flat":
            faiss_index = faiss.IndexFlatIP(dim)
        else:
            faiss_index = faiss.IndexHNSWFlat(dim, _check_k(self.hnsw_m, "hnsw_m"), faiss.METRIC_INNER_PRODUCT)
            faiss_index.hnsw.efSearch = _check_k(self.ef_search, "ef_search")
        faiss_index.add(vectors)
        self.index_ = faiss_index
        self.doc_embeddings_ = vectors
        self.doc_ids_ = np.asarray(ids, dtype=object)
        self._doc_index = {doc_id: i for i, doc_id in enumerate(ids)}
        self._empty_docs = np.flatnonzero(empty)
        self._id_rank = _id_ranks(ids)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise RuntimeError("this DenseRetriever is not fitted yet: call fit(corpus) before search()")

    def _encode_queries(self, queries, exclude):
        """Query ids, vectors (zeros for empty queries), which are empty, and the checked exclusions."""
        query_ids, texts = _query_fields(queries)
        excluded = _check_exclude(exclude, query_ids, self._doc_index)  # before the (slow) encoding
        if self.embedder_ is None:
            self.embedder_ = self._resolve_embedder()
        vectors = np.zeros((len(texts), self.doc_embeddings_.shape[1]), dtype=np.float32)
        real = [i for i, t in enumerate(texts) if not _is_empty(t)]
        if real:
            vectors[real] = self._encode([texts[i] for i in real], len(real), self.doc_embeddings_.shape[1], "query")
        blank = np.ones(len(texts), dtype=bool)
        blank[real] = False
        return query_ids, vectors, blank, excluded

    def search(self, queries, k: int = 10, exclude: Mapping[str, str | Sequence[str]] | None = None) -> Run:
        """Encode the queries and return the top-``k`` documents by cosine similarity.

        ``exclude`` maps a query id to a doc id (or doc ids) left out of its ranking. An empty query gets
        an empty ranking.
        """
        self._check_fitted()
        _check_k(k)
        query_ids, vectors, blank, excluded = self._encode_queries(queries, exclude)
        if not query_ids:
            return {}
        scores, indices = self._search(vectors, k, excluded, query_ids, blank)
        return _rows_to_run(query_ids, self.doc_ids_, scores, indices, np.isfinite(scores).sum(axis=1))

    def search_arrays(self, queries, k: int = 10,
                      exclude: Mapping[str, str | Sequence[str]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`search`, as arrays: ``scores`` (float32, ``(n_queries, k)``) and ``indices`` (int64,
        positions in the corpus), rows best first; where a query has fewer than ``k`` results (``k`` above
        the corpus size, an empty query, exclusions) the rest of its row is ``-inf`` and ``-1``.

        Arrays skip building the dict of a :data:`Run`, which matters for many queries (retrievability).
        """
        self._check_fitted()
        k = _check_k(k)
        query_ids, vectors, blank, excluded = self._encode_queries(queries, exclude)
        return self._padded(self._search(vectors, k, excluded, query_ids, blank), len(query_ids), k)

    def search_embeddings(self, query_embeddings, k: int = 10, query_ids: Sequence[str] | None = None,
                          exclude: Mapping[str, str | Sequence[str]] | None = None, return_arrays: bool = False):
        """Search with query vectors computed elsewhere (ids ``"0"``, ``"1"``, ... unless given).

        ``return_arrays=True`` returns ``(scores, indices)`` as :meth:`search_arrays` does.
        """
        self._check_fitted()
        k = _check_k(k)
        vectors = _check_embeddings(query_embeddings, None, self.doc_embeddings_.shape[1], "query")
        if query_ids is None:
            query_ids = [str(i) for i in range(len(vectors))]
        elif isinstance(query_ids, str) or len(query_ids) != len(vectors):
            raise ValueError(f"query_ids must hold one id per query embedding (query ids for {len(vectors)} "
                             f"query embeddings): expected {len(vectors)}, "
                             f"got {1 if isinstance(query_ids, str) else len(query_ids)}")
        query_ids = list(query_ids)
        excluded = _check_exclude(exclude, query_ids, self._doc_index)
        scores, indices = self._search(vectors, k, excluded, query_ids, np.zeros(len(vectors), dtype=bool))
        if return_arrays:
            return self._padded((scores, indices), len(query_ids), k)
        return _rows_to_run(query_ids, self.doc_ids_, scores, indices, np.isfinite(scores).sum(axis=1))

    @staticmethod
    def _padded(result, n_queries: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores, indices = result
        out_scores = np.full((n_queries, k), -np.inf, dtype=np.float32)
        out_indices = np.full((n_queries, k), -1, dtype=np.int64)
        width = min(k, scores.shape[1]) if scores.ndim == 2 else 0
        if n_queries and width:
            out_scores[:, :width] = scores[:, :width]
            out_indices[:, :width] = np.where(np.isfinite(scores[:, :width]), indices[:, :width], -1)
        return out_scores, out_indices

    def _search(self, vectors: np.ndarray, k: int, excluded: Mapping[str, set[str]], query_ids: Sequence[str],
                blank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Top ``min(k, n_docs)`` per row, best first; left-out entries are ``-inf``."""
        n_docs = len(self.doc_ids_)
        k = min(k, n_docs)
        drop = {row: np.asarray([self._doc_index[d] for d in excluded[qid]], dtype=np.int64)
                for row, qid in enumerate(query_ids) if excluded.get(qid)}
        if len(self._empty_docs):
            drop = {row: np.union1d(drop.get(row, np.empty(0, np.int64)), self._empty_docs)
                    for row in range(len(vectors))}
        widen = max((len(d) for d in drop.values()), default=0)
        fetch = min(k + widen + 1, n_docs)
        scores, indices = self.index_.search(vectors, fetch)
        if indices.min(initial=0) < 0:  # HNSW may find fewer than `fetch` neighbours; faiss pads with -1
            missing = indices < 0
            scores[missing], indices[missing] = -np.inf, 0
        for row, doc_rows in drop.items():
            scores[row][np.isin(indices[row], doc_rows)] = -np.inf
        scores[blank] = -np.inf
        scores, indices = _order_rows(scores, indices, self._id_rank, presorted=not drop)
        if fetch > k and self.index == "flat":
            # The flat index is exact, so a tie across the cut-off is resolved exactly too.
            for row in np.flatnonzero((scores[:, k - 1] == scores[:, k]) & np.isfinite(scores[:, k])):
                full = self.doc_embeddings_ @ vectors[row]
                if row in drop:
                    full[drop[row]] = -np.inf
                scores[row, :k], indices[row, :k] = _exact_top_k(full, self._id_rank, k)
        return scores[:, :k], indices[:, :k]

    def __repr__(self) -> str:
        return f"DenseRetriever(embedder={self.embedder!r}, index={self.index!r})"


def cosine_scorer(embedder) -> Callable[[str, list[str]], np.ndarray]:
    """A :class:`Reranker` scorer: cosine similarity of the embedder's query and document vectors.

    ``Reranker(BM25(), cosine_scorer(embedder))`` re-orders BM25's candidates by dense similarity:
    a cheap two-stage pipeline (the cached :func:`irbook.models.embedder` encodes each passage once).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if not callable(getattr(embedder, "encode", None)):
        raise TypeError(f"embedder must have an encode(list[str]) method, got {type(embedder).__name__}")

    def score(query: str, doc_texts: list[str]) -> np.ndarray:
        query_vector = _check_embeddings(embedder.encode([query]), 1, None, "query")[0]
        return _check_embeddings(embedder.encode(doc_texts), len(doc_texts), len(query_vector),
                                 "document") @ query_vector

    return score


# ----------------------------------------------------------------------------------------------
# Fusion and reranking
# ----------------------------------------------------------------------------------------------

def _check_weights(weights, n: int) -> list[float]:
    if weights is None:
        return [1.0] * n
    weights = list(weights)
    if len(weights) != n:
        raise ValueError(f"got {len(weights)} weights for {n} runs/retrievers")
    if not all(isinstance(w, numbers.Real) and math.isfinite(w) and w >= 0 for w in weights):
        raise ValueError(f"weights must be finite numbers >= 0, got {weights}")
    return [float(w) for w in weights]


def _truncate(run: Run, k: int) -> Run:
    return {qid: dict(_ranked(docs)[:k]) for qid, docs in run.items()}


def reciprocal_rank_fusion(runs: Sequence[Run], k: float = 60, weights: Sequence[float] | None = None) -> Run:
    """Fuse runs by Reciprocal Rank Fusion: ``score(d) = sum_i w_i / (k + rank_i(d))``.

    Ranks start at 1 and follow each run's (score desc, doc id asc) order; a document a run did not
    return adds nothing from that run. Every query id of any run appears in the result. Only ranks
    matter, so runs on incomparable score scales (BM25 and cosine) fuse without normalisation
    (Cormack, Clarke and Buettcher, SIGIR 2009).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if isinstance(runs, Mapping) or not isinstance(runs, Sequence) or not runs:
        raise TypeError("runs must be a non-empty list of runs (dicts query id -> doc id -> score)")
    if not all(isinstance(run, Mapping) for run in runs):
        raise TypeError("every run must be a dict: query id -> doc id -> score")
    if not (isinstance(k, numbers.Real) and k >= 0):
        raise ValueError(f"k must be a number >= 0, got {k!r}")
    weights = _check_weights(weights, len(runs))
    fused: dict[str, defaultdict[str, float]] = {}
    for run, weight in zip(runs, weights):
        for qid, docs in run.items():
            scores = fused.setdefault(qid, defaultdict(float))
            for rank, (doc_id, _) in enumerate(_ranked(docs), start=1):
                scores[doc_id] += weight / (k + rank)
    return {qid: dict(_ranked(scores)) for qid, scores in fused.items()}


class HybridRetriever:
    """Several retrievers fused by :func:`reciprocal_rank_fusion` (e.g. BM25 + dense).

    Each retriever returns its top ``max(depth, k)`` documents; the fused list is cut to ``k``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def __init__(self, retrievers: Sequence, k_rrf: float = 60, depth: int = 100,
                 weights: Sequence[float] | None = None):
        self.retrievers = retrievers
        self.k_rrf = k_rrf
        self.depth = depth
        self.weights = weights

    def fit(self, corpus) -> "HybridRetriever":
        """Fit every retriever on the same corpus. Returns ``self``."""
        if isinstance(self.retrievers, Mapping) or not isinstance(self.retrievers, Sequence) \
                or not self.retrievers:
            raise TypeError("retrievers must be a non-empty list of retrievers")
        for retriever in self.retrievers:
            if not (callable(getattr(retriever, "fit", None)) and callable(getattr(retriever, "search", None))):
                raise TypeError(f"{type(retriever).__name__} has no fit/search methods")
        _check_weights(self.weights, len(self.retrievers))
        _check_k(self.depth, "depth")
        ids, _, _ = _corpus_fields(corpus)
        for retriever in self.retrievers:
            retriever.fit(corpus)
        self._doc_index = {doc_id: i for i, doc_id in enumerate(ids)}
        self.fitted_ = True
        return self

    def search(self, queries, k: int = 10, exclude: Mapping[str, str | Sequence[str]] | None = None) -> Run:
        """Fused top-``k`` documents per query.

        ``exclude`` (query id -> doc id or doc ids) is left out of every retriever's ranking before fusion.
        An empty query gets an empty ranking.
        """
        if not getattr(self, "fitted_", False):
            raise RuntimeError("this HybridRetriever is not fitted yet: call fit(corpus) before search()")
        k = _check_k(k)
        query_ids, texts = _query_fields(queries)
        excluded = _check_exclude(exclude, query_ids, getattr(self, "_doc_index", None))
        depth = _widen(max(self.depth, k), excluded)
        # Exclusions are applied here, not passed down, so any retriever with fit/search can take part.
        runs = [_drop_excluded(retriever.search(queries, k=depth), excluded) for retriever in self.retrievers]
        fused = _truncate(reciprocal_rank_fusion(runs, k=self.k_rrf, weights=self.weights), k)
        for qid, text in zip(query_ids, texts):
            if _is_empty(text) or qid not in fused:
                fused[qid] = {}
        return fused


class Reranker:
    """Two-stage retrieval: a first stage proposes candidates, ``scorer`` re-orders them.

    ``scorer(query_text, doc_texts) -> scores`` (one number per document, higher is better) can be a
    cross-encoder, an LLM judgement, or simply the dense embedder's cosine over BM25's candidates:
    ``Reranker(BM25(), cosine_scorer(embedder), depth=50)``. Documents reach the scorer as
    ``title + "\\n" + text``, the text the first stage indexed. The first stage returns
    ``max(depth, k)`` candidates; the result keeps the ``k`` best by the scorer.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def __init__(self, first_stage, scorer: Callable[[str, list[str]], Sequence[float]], depth: int = 50):
        self.first_stage = first_stage
        self.scorer = scorer
        self.depth = depth

    def fit(self, corpus) -> "Reranker":
        """Fit the first stage and keep the document texts the scorer will read. Returns ``self``."""
        if not callable(self.scorer):
            raise TypeError("scorer must be a callable scorer(query_text, doc_texts) -> scores")
        _check_k(self.depth, "depth")
        ids, titles, texts = _corpus_fields(corpus)
        self.first_stage.fit(corpus)
        self.doc_texts_ = {doc_id: document_text(t, x) for doc_id, t, x in zip(ids, titles, texts)}
        return self

    def _rerank(self, query: str, candidates: dict[str, float], k: int) -> dict[str, float]:
        if not candidates:
            return {}
        doc_ids = list(candidates)
        scores = np.asarray(self.scorer(query, [self.doc_texts_[d] for d in doc_ids]), dtype=np.float64)
        if scores.shape != (len(doc_ids),):
            raise ValueError(f"scorer returned shape {scores.shape} for {len(doc_ids)} documents")
        if not np.all(np.isfinite(scores)):
            raise ValueError("scorer returned a NaN or infinite score")
        return dict(_ranked(dict(zip(doc_ids, scores.tolist())))[:k])

    def search(self, queries, k: int = 10, exclude: Mapping[str, str | Sequence[str]] | None = None) -> Run:
        """The first stage's candidates, re-scored and cut to ``k`` per query.

        ``exclude`` (query id -> doc id or doc ids) is left out of the candidates. An empty query gets an
        empty ranking (the scorer is not called).
        """
        if not hasattr(self, "doc_texts_"):
            raise RuntimeError("this Reranker is not fitted yet: call fit(corpus) before search()")
        k = _check_k(k)
        query_ids, texts = _query_fields(queries)
        excluded = _check_exclude(exclude, query_ids, self.doc_texts_)
        first = _drop_excluded(self.first_stage.search(queries, k=_widen(max(self.depth, k), excluded)), excluded)
        return {qid: {} if _is_empty(text) else self._rerank(text, first.get(qid, {}), k)
                for qid, text in zip(query_ids, texts)}


# ----------------------------------------------------------------------------------------------
# Passages and documents
# ----------------------------------------------------------------------------------------------

@dataclasses.dataclass
class _PassageCorpus:
    """What :func:`chunk_corpus` returns while ``irbook.data`` (and its Corpus) is not installed."""

    ids: list[str]
    titles: list[str]
    texts: list[str]
    metadata: list[dict]

    def __len__(self) -> int:
        return len(self.ids)


def _corpus_type():
    try:
        from irbook.data import Corpus
    except ImportError:
        return _PassageCorpus
    return Corpus


def _word_windows(n_words: int, max_words: int, overlap: int) -> list[tuple[int, int]]:
    step = max_words - overlap
    windows, start = [], 0
    while True:
        windows.append((start, min(start + max_words, n_words)))
        if start + max_words >= n_words:
            return windows
        start += step


def chunk_corpus(corpus, max_words: int = 100, overlap: int = 20):
    """Split every document into windows of at most ``max_words`` words, ``overlap`` words shared.

    Chunk ids are ``"{doc_id}#{i}"`` (``i`` from 0); each chunk keeps its document's title and
    metadata plus ``parent_id``, ``chunk`` (``i``) and ``start_word``. A document of at most
    ``max_words`` words (an empty one included) becomes one chunk. Returns an
    :class:`irbook.data.Corpus`.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    max_words = _check_k(max_words, "max_words")
    if isinstance(overlap, bool) or not isinstance(overlap, numbers.Integral) or not 0 <= overlap < max_words:
        raise ValueError(f"overlap must be an integer in [0, max_words={max_words}), got {overlap!r}")
    ids, titles, texts = _corpus_fields(corpus)
    metadata = list(getattr(corpus, "metadata", None) or [{} for _ in ids])
    if len(metadata) != len(ids):
        raise ValueError(f"corpus has {len(ids)} ids but {len(metadata)} metadata entries")
    out_ids, out_titles, out_texts, out_meta = [], [], [], []
    for doc_id, title, text, meta in zip(ids, titles, texts, metadata):
        words = text.split()
        for i, (start, stop) in enumerate(_word_windows(len(words), max_words, overlap)):
            out_ids.append(f"{doc_id}#{i}")
            out_titles.append(title)
            out_texts.append(" ".join(words[start:stop]))
            out_meta.append({**(meta or {}), "parent_id": doc_id, "chunk": i, "start_word": start})
    return _corpus_type()(ids=out_ids, titles=out_titles, texts=out_texts, metadata=out_meta)


def collapse_to_parents(run: Run, chunks) -> Run:
    """Turn a run over chunks into a run over their documents: each document scores its best chunk.

    ``chunks`` is the corpus :func:`chunk_corpus` made (its metadata names each chunk's parent).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    metadata = getattr(chunks, "metadata", None)
    if metadata is None or not hasattr(chunks, "ids"):
        raise TypeError("chunks must be the corpus chunk_corpus() returned (with .ids and .metadata)")
    parent_of = {}
    for chunk_id, meta in zip(chunks.ids, metadata):
        if "parent_id" not in (meta or {}):
            raise ValueError(f"chunk {chunk_id!r} has no metadata['parent_id']; was it made by chunk_corpus()?")
        parent_of[chunk_id] = meta["parent_id"]
    collapsed: Run = {}
    for qid, docs in run.items():
        best: dict[str, float] = {}
        for chunk_id, score in docs.items():
            try:
                parent = parent_of[chunk_id]
            except KeyError:
                raise ValueError(f"run has chunk {chunk_id!r} (query {qid!r}) that is not in chunks") from None
            if parent not in best or score > best[parent]:
                best[parent] = score
        collapsed[qid] = dict(_ranked(best))
    return collapsed


def top_docs(run: Run, query_id: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` best ``(doc_id, score)`` of one query, by score (descending) then doc id.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    k = _check_k(k)
    if query_id not in run:
        raise KeyError(f"query {query_id!r} is not in the run ({len(run)} queries)")
    return _ranked(run[query_id])[:k]
