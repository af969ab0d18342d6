"""The types every loader returns: :class:`Corpus` and :class:`Queries` (one base, :class:`Records`),
:class:`RetrievalDataset` (with qrels and answers) and :class:`NERSentence`.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd

__all__ = ["Qrels", "Records", "Corpus", "Queries", "RetrievalDataset", "NERSentence"]

Qrels = dict[str, dict[str, int]]


def _check_parallel(kind: str, ids: list[str], columns: dict[str, list]) -> dict[str, int]:
    """Check equal lengths and unique string ids; return id -> position.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    for column, values in columns.items():
        if len(values) != len(ids):
            raise ValueError(f"{kind}: {len(ids)} ids but {len(values)} {column}")
    bad = [i for i in ids if not isinstance(i, str)]
    if bad:
        raise TypeError(f"{kind} ids must be str, got {type(bad[0]).__name__} ({bad[0]!r})")
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    if len(index) != len(ids):
        seen: set[str] = set()
        dupes = [i for i in ids if i in seen or seen.add(i)]
        raise ValueError(f"{kind} ids must be unique; repeated: {dupes[:5]}")
    return index


class Records:
    """The shared base of :class:`Corpus` and :class:`Queries`: parallel lists keyed by unique str ``ids``.

    ``len(x)``, ``x[i]`` (a dict with id, the columns and metadata), iteration, ``id in x``, ``x.index_of(id)``,
    ``x.doc(id)`` and ``x.to_frame()``. A subclass is a dataclass with ``ids``, its text columns and ``metadata``,
    and names its columns in ``_COLUMNS``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    _COLUMNS: tuple[str, ...] = ()
    _NOUN = "record"
    _PLURAL = "records"

    def __post_init__(self) -> None:
        self.ids = list(self.ids)
        for column in self._COLUMNS:
            setattr(self, column, list(getattr(self, column)))
        self.metadata = [{} for _ in self.ids] if self.metadata is None else list(self.metadata)
        columns = {column: getattr(self, column) for column in self._COLUMNS}
        self._index = _check_parallel(type(self).__name__, self.ids, {**columns, "metadata": self.metadata})

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict:
        record = {"id": self.ids[i]}
        record.update({column[:-1]: getattr(self, column)[i] for column in self._COLUMNS})  # titles -> title
        record["metadata"] = self.metadata[i]
        return record

    def __iter__(self) -> Iterator[dict]:
        return (self[i] for i in range(len(self)))

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._index

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} {self._PLURAL})"

    def index_of(self, record_id: str) -> int:
        """Position of ``record_id``; ``KeyError`` naming it if absent.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        try:
            return self._index[record_id]
        except KeyError:
            raise KeyError(f"no {self._NOUN} with id {record_id!r} among the {len(self)} {self._PLURAL}") from None

    def doc(self, record_id: str) -> dict:
        """The record ``record_id`` as a dict (id, its columns, metadata).

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        return self[self.index_of(record_id)]

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame with columns id, the text columns and one column per metadata key.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        frame = pd.DataFrame({"id": self.ids, **{column[:-1]: getattr(self, column) for column in self._COLUMNS}})
        extra = pd.DataFrame(self.metadata, index=frame.index)
        extra = extra[[c for c in extra.columns if c not in frame.columns]]
        return pd.concat([frame, extra], axis=1)


@dataclass(repr=False)
class Corpus(Records):
    """A document collection as parallel lists: ``ids`` (unique str), ``titles``, ``texts``, ``metadata``.

    ``len(corpus)``, ``corpus[i]`` (a dict with id, title, text, metadata), ``corpus.index_of(doc_id)``,
    ``corpus.doc(doc_id)`` and ``corpus.to_frame()`` (from :class:`Records`).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    ids: list[str]
    titles: list[str]
    texts: list[str]
    metadata: list[dict] | None = None
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    _COLUMNS = ("titles", "texts")
    _NOUN = "document"
    _PLURAL = "documents"


@dataclass(repr=False)
class Queries(Records):
    """Queries as parallel lists: ``ids`` (unique str), ``texts``, ``metadata``; helpers from :class:`Records`.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    ids: list[str]
    texts: list[str]
    metadata: list[dict] | None = None
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    _COLUMNS = ("texts",)
    _NOUN = "query"
    _PLURAL = "queries"

    def query(self, query_id: str) -> dict:
        """The query ``query_id`` as a dict (id, text, metadata); the same as :meth:`Records.doc`.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        return self.doc(query_id)


@dataclass
class RetrievalDataset:
    """A retrieval or QA test set: ``corpus`` (None for open-domain QA without passages), ``queries``,
    ``qrels`` (query id -> doc id -> grade, > 0 relevant) and ``answers`` (query id -> gold answers, or None).

    Construction checks that qrels and answers only name known queries and documents.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    name: str
    corpus: Corpus | None
    queries: Queries
    qrels: Qrels
    answers: dict[str, list[str]] | None = None

    def __post_init__(self) -> None:
        unknown_q = [q for q in self.qrels if q not in self.queries]
        if unknown_q:
            raise ValueError(f"{self.name}: qrels name unknown query ids {unknown_q[:5]}")
        if self.corpus is not None:
            unknown_d = [(q, d) for q, docs in self.qrels.items() for d in docs if d not in self.corpus]
            if unknown_d:
                raise ValueError(f"{self.name}: qrels name doc ids missing from the corpus, e.g. {unknown_d[:5]}")
        if self.answers is not None:
            unknown_a = [q for q in self.answers if q not in self.queries]
            if unknown_a:
                raise ValueError(f"{self.name}: answers name unknown query ids {unknown_a[:5]}")

    def __repr__(self) -> str:
        docs = "no corpus" if self.corpus is None else f"{len(self.corpus)} docs"
        judged = sum(1 for q in self.qrels.values() if any(g > 0 for g in q.values()))
        return f"RetrievalDataset({self.name!r}: {len(self.queries)} queries, {docs}, {judged} judged queries)"

    def sample(self, n: int, seed: int = 0) -> "RetrievalDataset":
        """A random subset of ``n`` queries (kept in their original order) with their qrels and answers;
        the corpus is shared, not copied.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if not 1 <= n <= len(self.queries):
            raise ValueError(f"n must be between 1 and {len(self.queries)} (the number of queries), got {n}")
        rng = np.random.default_rng(seed)
        keep = sorted(rng.choice(len(self.queries), size=int(n), replace=False).tolist())
        ids = [self.queries.ids[i] for i in keep]
        queries = Queries(ids, [self.queries.texts[i] for i in keep], [self.queries.metadata[i] for i in keep])
        qrels = {q: dict(self.qrels[q]) for q in ids if q in self.qrels}
        answers = None if self.answers is None else {q: list(self.answers[q]) for q in ids if q in self.answers}
        return RetrievalDataset(self.name, self.corpus, queries, qrels, answers)


@dataclass(frozen=True)
class NERSentence:
    """A tokenised sentence with BIO ``tags`` and the entity ``spans`` they encode,
    each ``(start_token, end_token_exclusive, type)``.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    spans: tuple[tuple[int, int, str], ...]

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.tags):
            raise ValueError(f"NERSentence: {len(self.tokens)} tokens but {len(self.tags)} tags")

    def entities(self) -> list[tuple[str, str]]:
        """The entities as (surface text, type) pairs, tokens joined by spaces.

        Introduced in chapter 3 (:doc:`03_ner_retriever`).
        """
        return [(" ".join(self.tokens[s:e]), t) for s, e, t in self.spans]
