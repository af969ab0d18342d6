"""Bad input and one's own data: every mistake gets a clear error or a documented rule, never silent nonsense.

One test per case of the "why" list (retrievability ids, labels, n_docs, masks, one document; empty queries and
documents; all-empty corpora; encoder truncation; loaders; exclusions; system programs), the existing data and
model errors, property-based tests (hypothesis) of the retrieval and retrievability functions over small
random collections, and the how-to page's "Your own collection" run end to end on TREC and BEIR files.
"""
import gzip
import json
import os
import re
import subprocess
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irbook import data, formats, retrieval
from irbook.chapters.ch13_t_retrievability import (gini, rankings_from_run, retrievability, simulate_queries, t_retrievability,
                                   topic_gini)

ROOT = Path(__file__).resolve().parents[1]
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class HashingEncoder:
    """Test double for an embedder in the property tests: bag of hashed words, L2-normalised, no model.

    The real model (all-MiniLM-L6-v2) is used wherever the test is about what an encoder does.
    """

    def __init__(self, dim: int = 64):
        self.dim = dim

    def encode(self, texts):
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        vectors[:, 0] += np.linalg.norm(vectors, axis=1) == 0  # an empty text still gets a unit vector
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def minilm(tmp_path_factory):
    """The book's real embedder, loaded once, writing no cache outside a temporary folder."""
    from irbook import models

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IRBOOK_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield models.embedder(device="cpu", cache=False)


def small_corpus(texts, titles=None):
    return data.Corpus([f"d{i}" for i in range(len(texts))], titles or [""] * len(texts), list(texts))


# ------------------------------------------------------------------------------------------ retrievability


def test_run_with_other_id_type_raises_with_an_example_of_each():
    run = {"1": {"d0": 1.0}, "2": {"d1": 1.0}}
    with pytest.raises(ValueError, match=r"share no query id.*query_ids has 1 but the run has '1'.*types differ "
                                         r"\(int vs str\)"):
        rankings_from_run(run, [1, 2], ["d0", "d1"], depth=2)


def test_empty_run_raises():
    with pytest.raises(ValueError, match=r"run is empty: expected a ranking for each of the 2 query ids \(e.g. 'a'\)"):
        rankings_from_run({}, ["a", "b"], ["d0"], depth=1)


def test_run_missing_some_queries_warns_and_leaves_their_rows_empty():
    with pytest.warns(RuntimeWarning, match=r"1 of 2 query ids have no ranking in the run \(e.g. 'b'\)"):
        matrix = rankings_from_run({"a": {"d0": 1.0}}, ["a", "b"], ["d0", "d1"], depth=2)
    assert matrix.tolist() == [[0, -1], [-1, -1]]


def test_run_with_unknown_doc_id_names_it():
    with pytest.raises(ValueError, match=r"doc id 'zz' not in doc_ids \(e.g. 'd0'\)"):
        rankings_from_run({"a": {"zz": 1.0}}, ["a"], ["d0"], depth=2)


def test_topic_gini_keeps_string_and_float_labels_as_given():
    rankings = np.array([[0, 1], [1, 2], [2, 3], [3, 4]], dtype=np.int32)
    by_name = topic_gini(rankings, ["sports", "sports", "health", "health"], 5, cutoff=2, weighting="cumulative")
    assert list(by_name) == ["health", "sports"]
    by_float = topic_gini(rankings, [0.2, 0.2, 0.7, 0.7], 5, cutoff=2, weighting="cumulative")
    assert list(by_float) == [0.2, 0.7]  # not merged into int 0
    by_int = topic_gini(rankings, np.array([3, 3, 1, 1]), 5, cutoff=2)
    assert list(by_int) == [1, 3] and all(type(k) is int for k in by_int)
    mixed = topic_gini(rankings, [("a", 1), ("a", 1), None, None], 5, cutoff=2)
    assert set(mixed) == {("a", 1), None}


def test_topic_labels_of_wrong_length_or_shape_raise():
    rankings = np.array([[0, 1], [1, 2]], dtype=np.int32)
    with pytest.raises(ValueError, match=r"expected 2 labels \(rows of rankings\), got 3"):
        topic_gini(rankings, [0, 1, 1], 3, cutoff=2)
    with pytest.raises(ValueError, match=r"expected shape \(2,\), got shape \(2, 1\)"):
        topic_gini(rankings, np.array([[0], [1]]), 3, cutoff=2)


def test_n_docs_must_match_the_collection_the_matrix_was_built_from():
    run = {"q": {"d0": 3.0, "d1": 2.0}}
    matrix = rankings_from_run(run, ["q"], [f"d{i}" for i in range(5)], depth=2)
    retrievability(matrix, 5, cutoff=2)
    with pytest.raises(ValueError, match=r"n_docs must be the size of the collection.*expected 5.*got 50"):
        retrievability(matrix, 50, cutoff=2)
    with pytest.raises(ValueError, match="expected 5"):
        topic_gini(matrix, [0], 50, cutoff=2)
    with pytest.raises(ValueError, match=r"n_docs must be a positive int \(the collection size\), got True"):
        retrievability(matrix, True, cutoff=2)


def test_query_mask_of_wrong_shape_raises_clearly():
    rankings = np.array([[0, 1], [1, 2], [2, 0]], dtype=np.int32)
    with pytest.raises(ValueError, match=r"boolean mask must have shape \(3,\).*got shape \(2,\)"):
        retrievability(rankings, 3, cutoff=2, queries=np.array([True, False]))
    with pytest.raises(ValueError, match=r"row indices outside \[0, 2\]"):
        retrievability(rankings, 3, cutoff=2, queries=np.array([0, 5]))
    with pytest.raises(ValueError, match="or a 1-d array of row indices"):
        retrievability(rankings, 3, cutoff=2, queries=np.array([0.5, 1.0]))
    assert retrievability(rankings, 3, cutoff=2, queries=np.array([0, 2])).tolist() == [2, 1, 1]


def test_one_document_collection_has_no_gini():
    matrix = rankings_from_run({"q": {"d0": 1.0}}, ["q"], ["d0"], depth=1)
    r = retrievability(matrix, 1, cutoff=1)
    with pytest.raises(ValueError, match=r"at least 2 documents.*got 1"):
        gini(r)
    with pytest.raises(ValueError, match="at least 2 documents"):
        t_retrievability(matrix, [0], 1, cutoff=1)


def test_simulate_queries_is_in_the_package_and_checks_its_input():
    texts = [f"alpha beta gamma delta word{i} word{i % 3} shared pair" for i in range(12)]
    frame = simulate_queries(texts, 7, seed=1)  # rounded down to 6: two kinds x three bands
    assert len(frame) == 6 and set(frame["kind"]) == {"unigram", "bigram"}
    assert frame.equals(simulate_queries(texts, 7, seed=1))
    with pytest.raises(ValueError, match=r"n_queries must be None \(the whole pool\) or an int >= 6 "
                                         r"\(2 kinds x 3 bands\), got 3"):
        simulate_queries(texts, 3)
    with pytest.raises(ValueError, match="ask for fewer queries"):
        simulate_queries(texts, 600)
    with pytest.raises(ValueError, match="texts hold no word"):
        simulate_queries(["the of", "and a"], 6)


# ------------------------------------------------------------------------------------------ retrievers


def test_empty_query_gets_an_empty_ranking_from_every_retriever(minilm):
    corpus = small_corpus(["cats purr on the sofa", "dogs bark at night", "", "the of and"])
    queries = data.Queries(["empty", "blank", "real"], ["", "   ", "cats"])
    bm25 = retrieval.BM25().fit(corpus)
    dense = retrieval.DenseRetriever(minilm).fit(corpus)
    hybrid = retrieval.HybridRetriever([retrieval.BM25(), retrieval.DenseRetriever(minilm)]).fit(corpus)
    reranker = retrieval.Reranker(retrieval.DenseRetriever(minilm), retrieval.cosine_scorer(minilm)).fit(corpus)
    for retriever in (bm25, dense, hybrid, reranker):
        run = retriever.search(queries, k=3)
        assert run["empty"] == {} and run["blank"] == {}, type(retriever).__name__
        assert next(iter(retrieval.top_docs(run, "real", 1)))[0] == "d0"


def test_empty_document_never_outranks_real_ones(minilm):
    corpus = small_corpus(["cats purr on the sofa", "", "dogs bark at night"])
    dense = retrieval.DenseRetriever(minilm).fit(corpus)
    run = dense.search(["the of", "a", "cats"], k=3)  # stop-word-only queries: the empty doc's cosine was 1.0
    assert all("d1" not in docs for docs in run.values())
    assert len(run["0"]) == 2
    scores, indices = dense.search_arrays(["cats", ""], k=3)
    assert indices.tolist()[1] == [-1, -1, -1] and np.isneginf(scores[1]).all()
    assert indices[0, 2] == -1 and indices[0, 0] == 0  # the empty document is padding, not a result
    assert "d1" not in retrieval.BM25().fit(corpus).search(["the of cats"], k=3)["0"]


def test_all_empty_or_stop_word_corpus_is_rejected_before_bm25s(minilm):
    with pytest.raises(ValueError, match=r"no indexable term: all 2 documents are empty or stop words only"):
        retrieval.BM25().fit(small_corpus(["", "the of and"]))
    with pytest.raises(ValueError, match=r"corpus has no text: all 2 documents have an empty title and text"):
        retrieval.DenseRetriever(minilm).fit(small_corpus(["", "  "]))
    assert retrieval.BM25(stopwords=None).fit(small_corpus(["", "the of and"])).search(["the"], k=1)["0"]


def test_exclude_leaves_a_querys_own_document_out(minilm):
    corpus = small_corpus(["cats purr", "cats sleep", "dogs bark", "dogs run"])
    queries = data.Queries(["d0", "d2"], ["cats purr", "dogs bark"])
    own = {"d0": "d0", "d2": ["d2"]}
    for retriever in (retrieval.BM25(stopwords=None), retrieval.DenseRetriever(minilm),
                      retrieval.HybridRetriever([retrieval.BM25(), retrieval.DenseRetriever(minilm)]),
                      retrieval.Reranker(retrieval.BM25(), retrieval.cosine_scorer(minilm))):
        run = retriever.fit(corpus).search(queries, k=2, exclude=own)
        assert "d0" not in run["d0"] and "d2" not in run["d2"], type(retriever).__name__
        assert retrieval.top_docs(run, "d0", 1)[0][0] == "d1"
    dense = retrieval.DenseRetriever(minilm).fit(corpus)
    with pytest.raises(ValueError, match=r"exclude names query id 0, which is not among the queries.*int vs str"):
        dense.search(queries, k=2, exclude={0: "d0"})
    with pytest.raises(ValueError, match=r"exclude\['d0'\] names doc id 'nope', which is not in the corpus"):
        retrieval.BM25().fit(corpus).search(queries, k=2, exclude={"d0": "nope"})
    with pytest.raises(TypeError, match="exclude must be a dict"):
        dense.search(queries, k=2, exclude=["d0"])


def test_dense_arrays_agree_with_the_run(minilm):
    corpus = small_corpus(["cats purr", "cats sleep", "dogs bark", "dogs run", "birds sing"])
    dense = retrieval.DenseRetriever(minilm).fit(corpus)
    run = dense.search(["cats", "dogs"], k=3)
    scores, indices = dense.search_arrays(["cats", "dogs"], k=3)
    assert scores.shape == indices.shape == (2, 3) and indices.dtype == np.int64
    for row, qid in enumerate(["0", "1"]):
        assert [corpus.ids[i] for i in indices[row]] == [d for d, _ in retrieval.top_docs(run, qid, 3)]
    vectors = minilm.encode(["cats", "dogs"])
    s2, i2 = dense.search_embeddings(vectors, k=3, return_arrays=True)
    assert (i2 == indices).all() and np.allclose(s2, scores)


# ------------------------------------------------------------------------------------------ encoder


def test_encoder_truncation_is_counted_and_chunking_reads_every_token(minilm):
    claim = "The senator said the bill cut taxes for every family in the state. "
    evidence = "Records show the bill raised taxes for most families. " * 40 + "Verdict: false."
    texts = ["a short claim", claim + evidence]
    with pytest.warns(UserWarning, match=r"1 of 2 texts are longer than the model's 256-token limit and were "
                                         r"truncated \(\d+ tokens cut"):
        truncated = minilm.encode(texts)
    n_tokens = len(minilm.model.tokenizer(texts[1], verbose=False)["input_ids"])
    assert minilm.last_truncation == {"texts": 1, "tokens_cut": n_tokens - 256, "max_seq_length": 256}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        silent = minilm.encode(texts, long_texts="truncate")
        chunked = minilm.encode(texts, long_texts="chunk")
        minilm.encode(["short texts", "warn about nothing"])
    assert np.allclose(truncated, silent)
    assert np.allclose(np.linalg.norm(chunked, axis=1), 1, atol=1e-5)
    assert np.allclose(chunked[0], truncated[0], atol=1e-5) and not np.allclose(chunked[1], truncated[1], atol=1e-3)
    with pytest.raises(ValueError, match=r"long_texts must be one of \('warn', 'truncate', 'chunk'\), got 'cut'"):
        minilm.encode(texts, long_texts="cut")
    from irbook import models

    chunking = models.Embedder(minilm.model, name=minilm.name, cache=False, fingerprint="t", long_texts="chunk")
    assert np.allclose(chunking.encode(texts)[1], chunked[1], atol=1e-5)  # the embedder's setting is the default


def test_encode_cache_false_neither_reads_nor_writes(minilm, tmp_path, monkeypatch):
    from irbook import models

    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    emb = models.Embedder(minilm.model, name=minilm.name, cache=True, fingerprint="t")
    emb.encode(["one sentence"], cache=False)
    assert len(emb.cache) == 0 and emb.cache_stats == {"hits": 0, "misses": 1}
    emb.encode(["one sentence"])
    emb.encode(["one sentence"], cache=False)
    assert emb.cache_stats == {"hits": 0, "misses": 3}
    emb.encode(["one sentence"])
    assert emb.cache_stats["hits"] == 1


# ------------------------------------------------------------------------------------------ existing errors


def test_existing_data_errors_keep_their_messages():
    with pytest.raises(ValueError, match=r"unknown data set 'nope'; known data sets: (.+, )?cisi, coco-mini, cranfield"):
        data.load("nope")
    with pytest.raises(ValueError, match=r"Corpus ids must be unique; repeated: \['a'\]"):
        data.Corpus(["a", "a"], ["", ""], ["x", "y"])
    with pytest.raises(ValueError, match="Queries: 1 ids but 2 texts"):
        data.Queries(["a"], ["x", "y"])
    with pytest.raises(TypeError, match=r"Corpus ids must be str, got int \(1\)"):
        data.Corpus([1], [""], ["x"])
    corpus = data.Corpus(["d"], [""], ["t"])
    with pytest.raises(ValueError, match=r"qrels name unknown query ids \['q2'\]"):
        data.RetrievalDataset("x", corpus, data.Queries(["q"], ["t"]), {"q2": {"d": 1}})
    with pytest.raises(KeyError, match="no document with id 'zz'"):
        corpus.index_of("zz")


def test_existing_model_and_retriever_errors_keep_their_messages(minilm):
    from irbook import models

    with pytest.raises(TypeError, match=r"got a single string; wrap it: encode\(\[text\]\)"):
        minilm.encode("one string")
    with pytest.raises(TypeError, match=r"texts\[1\] is int, not str"):
        minilm.encode(["a", 3])
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        minilm.encode(["a"], batch_size=0)
    with pytest.raises(ValueError, match="name must be a non-empty model name"):
        models.embedder("")
    with pytest.raises(ValueError, match=r"k must be an integer >= 1, got 0"):
        retrieval.BM25().fit(small_corpus(["cats"])).search(["cats"], k=0)
    with pytest.raises(RuntimeError, match="not fitted yet"):
        retrieval.DenseRetriever(minilm).search(["cats"])
    with pytest.raises(TypeError, match="not one string; wrap it"):
        retrieval.BM25().fit(small_corpus(["cats"])).search("cats")


# ------------------------------------------------------------------------------------------ formats


def write_example(tmp_path):
    """A small TREC + BEIR + SMART collection: six documents, two topics."""
    docs = {"A-1": ("Tea", "Green tea holds caffeine &amp; catechins."), "A-2": ("Coffee", "Coffee keeps you awake."),
            "B-1": ("Sleep", "A dark room helps sleep."), "B-2": ("", "Naps restore alertness."),
            "C-1": ("Running", "Running shoes cushion each stride."), "C-2": ("Marathon", "Train slowly.")}
    trec = tmp_path / "trec"
    trec.mkdir()
    body = "".join(f"<DOC>\n<DOCNO> {d} </DOCNO>\n" + (f"<HEADLINE>{t}</HEADLINE>\n" if t else "")
                   + f"<TEXT>\n{x}\n</TEXT>\n</DOC>\n" for d, (t, x) in docs.items())
    (trec / "part1.trec").write_text(body[: body.index("<DOC>\n<DOCNO> B-2")])
    with gzip.open(trec / "part2.trec.gz", "wt") as handle:
        handle.write(body[body.index("<DOC>\n<DOCNO> B-2"):])
    (trec / "topics").write_text("<top>\n<num> Number: 301\n<title> caffeine drinks\n\n<desc> Description:\n"
                                 "Which drinks hold caffeine?\n\n<narr> Narrative:\nTea and coffee.\n</top>\n"
                                 "<top><num>302</num><title>better sleep</title><desc>What helps sleep?</desc></top>\n")
    (trec / "qrels").write_text("301 0 A-1 1\n301 0 A-2 2\n302 0 B-1 1\n302 0 C-1 0\n")
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    (beir / "corpus.jsonl").write_text("".join(json.dumps({"_id": d, "title": t, "text": x.replace("&amp;", "&"),
                                                           "metadata": {}}) + "\n" for d, (t, x) in docs.items()))
    (beir / "queries.jsonl").write_text(json.dumps({"_id": 301, "text": "caffeine drinks"}) + "\n"
                                        + json.dumps({"_id": "302", "text": "better sleep"}) + "\n"
                                        + json.dumps({"_id": "303", "text": "unjudged"}) + "\n")
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n301\tA-1\t1\n301\tA-2\t2\n302\tB-1\t1\n"
                                             "302\tC-1\t0\n")
    smart = tmp_path / "docs.smart"
    smart.write_text(".I 1\n.T\nTea  and\n  caffeine\n.A\nSmith\n.W\nGreen tea\nholds caffeine.\n.I 2\n.W\nCoffee.\n")
    return trec, beir, smart


def test_trec_and_beir_loaders_read_the_same_collection(tmp_path):
    trec, beir, smart = write_example(tmp_path)
    from_trec = formats.load_trec(sorted(trec.glob("part*")), trec / "topics", trec / "qrels")
    from_beir = formats.load_beir(beir)
    assert from_trec.corpus.ids == from_beir.corpus.ids == ["A-1", "A-2", "B-1", "B-2", "C-1", "C-2"]
    assert from_trec.corpus.texts == from_beir.corpus.texts and from_trec.corpus.titles == from_beir.corpus.titles
    assert from_trec.corpus.doc("A-1")["text"] == "Green tea holds caffeine & catechins."
    assert from_trec.queries.ids == from_beir.queries.ids == ["301", "302"]  # 303 is unjudged in test
    assert from_trec.queries.texts == from_beir.queries.texts == ["caffeine drinks", "better sleep"]
    assert from_trec.qrels == from_beir.qrels == {"301": {"A-1": 1, "A-2": 2}, "302": {"B-1": 1, "C-1": 0}}
    desc = formats.read_trec_topics(trec / "topics", field="title+desc")
    assert desc.texts[0] == "caffeine drinks Which drinks hold caffeine?"
    assert desc.metadata[0]["narr"] == "Tea and coffee."
    smart_corpus = formats.read_smart_corpus(smart)
    assert smart_corpus.titles == ["Tea and caffeine", ""] and smart_corpus.metadata[0] == {"A": "Smith"}
    assert formats.clean_text("  a \n b ") == "a b" and data.parse_smart is formats.parse_smart


def test_loaders_name_the_file_and_line_of_a_bad_record(tmp_path):
    trec, beir, _ = write_example(tmp_path)
    (trec / "bad_qrels").write_text("301 0 A-1 1\n301 A-2 2\n")
    with pytest.raises(ValueError, match=r"bad_qrels, line 2: expected 4 columns"):
        formats.read_trec_qrels(trec / "bad_qrels")
    (trec / "bad_grade").write_text("301 0 A-1 high\n")
    with pytest.raises(ValueError, match=r"line 1: relevance grade must be an integer, got 'high'"):
        formats.read_trec_qrels(trec / "bad_grade")
    (trec / "qrels_unknown").write_text("301 0 Z-9 1\n")
    with pytest.raises(ValueError, match=r"qrels name doc ids missing from the corpus"):
        formats.load_trec(sorted(trec.glob("part*")), trec / "topics", trec / "qrels_unknown")
    with pytest.raises(ValueError, match="no <top>...</top> topic found"):
        formats.read_trec_topics(trec / "qrels")
    with pytest.raises(ValueError, match="field must be one of"):
        formats.read_trec_topics(trec / "topics", field="body")
    with pytest.raises(ValueError, match="no <DOC>...</DOC> document found"):
        formats.read_trec_documents(trec / "qrels")
    (beir / "queries.jsonl").write_text('{"_id": "1", "text": "x"}\n{not json}\n')
    with pytest.raises(ValueError, match=r"queries.jsonl, line 2: not JSON"):
        formats.read_beir_queries(beir / "queries.jsonl")
    with pytest.raises(FileNotFoundError, match=r"split 'dev'.*splits found: \['test'\]"):
        formats.load_beir(beir, split="dev")
    with pytest.raises(FileNotFoundError, match="no such file"):
        formats.read_trec_qrels(tmp_path / "missing")


def test_ir_datasets_loader_says_what_it_needs():
    try:
        import ir_datasets  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install ir_datasets"):
            formats.load_ir_datasets("beir/scifact/test")
    with pytest.raises(ValueError, match="dataset_id must be an ir_datasets id"):
        formats.load_ir_datasets("")


def test_trec_run_file_is_read_by_ir_measures_and_round_trips(tmp_path):
    import ir_measures

    run = {"q1": {"d2": 0.5, "d1": 0.5, "d3": 2.0}, "q2": {}}
    path = formats.write_trec_run(run, tmp_path / "x.run", tag="test", depth=2)
    lines = path.read_text().splitlines()
    assert lines == ["q1 Q0 d3 1 2.0 test", "q1 Q0 d1 2 0.5 test"]
    assert formats.read_trec_run(path) == {"q1": {"d3": 2.0, "d1": 0.5}}
    assert {(s.query_id, s.doc_id) for s in ir_measures.read_trec_run(str(path))} == {("q1", "d3"), ("q1", "d1")}
    with pytest.raises(ValueError, match=r"run query id 'q 1' is empty or holds whitespace"):
        formats.write_trec_run({"q 1": {"d": 1.0}}, tmp_path / "y.run")
    with pytest.raises(ValueError, match=r"run\['q'\]\['d'\] must be a finite number, got nan"):
        formats.write_trec_run({"q": {"d": float("nan")}}, tmp_path / "y.run")
    with pytest.raises(TypeError, match=r"run query ids must be str, got int \(1\)"):
        formats.write_trec_run({1: {"d": 1.0}}, tmp_path / "y.run")
    assert not (tmp_path / "y.run").exists()  # nothing half-written


def test_how_to_page_own_collection_runs_end_to_end(tmp_path, monkeypatch, capsys):
    """The how-to page's "Your own collection" code, as written there: TREC and BEIR files, BM25, dense,
    hybrid, TREC runs, evaluation, retrievability and Gini."""
    page = (ROOT / "book" / "how_to_use.md").read_text()
    section = page.split("## Your own collection", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path / "cache"))
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "how_to_use.md", "exec"), namespace)
    assert (tmp_path / "my_collection" / "trec" / "docs.trec").is_file()
    assert (tmp_path / "my_collection" / "beir" / "qrels" / "test.tsv").is_file()
    for name in ("BM25", "MiniLM", "hybrid"):
        run = formats.read_trec_run(tmp_path / "my_collection" / f"{name}.run")
        assert set(run) == {"1", "2", "3"} and all(1 <= len(docs) <= 5 for docs in run.values())
    printed = capsys.readouterr().out
    assert re.search(r"BM25 \{'nDCG@5': [01]\.\d+", printed)
    assert re.search(r"MiniLM: \d+ simulated queries, Gini 0\.\d+", printed)


# ------------------------------------------------------------------------------------------ system programs


def test_system_deps_check_names_the_apt_command_within_seconds(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    for tool in ("id", "grep"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        os.symlink(found, empty / tool)
    env = {"PATH": str(empty), "IRBOOK_SYSTEM_DEPS_NO_INSTALL": "1"}
    bash = subprocess.run(["bash", "-c", "command -v bash"], capture_output=True, text=True).stdout.strip()
    script = str(ROOT / "tools" / "system_deps.sh")
    test = subprocess.run([bash, script, "test"], env=env, capture_output=True, text=True, timeout=10)
    assert test.returncode == 1
    assert ("sudo apt-get update && sudo apt-get install -y --no-install-recommends npm chromium tesseract-ocr "
            "tesseract-ocr-eng") in test.stderr
    book = subprocess.run([bash, script, "book"], env=env, capture_output=True, text=True, timeout=10)
    assert book.returncode == 1 and "install -y --no-install-recommends npm\n" in book.stderr
    # a tesseract without its English model counts as missing the model only
    fake = empty / "tesseract"
    fake.write_text("#!" + bash + "\nprintf 'List of available languages (1):\\nosd\\n'\n")
    fake.chmod(0o755)
    for tool in ("npm", "chromium"):
        os.symlink("/bin/true", empty / tool)
    lang = subprocess.run([bash, script, "test"], env=env, capture_output=True, text=True, timeout=10)
    assert lang.returncode == 1 and "missing: tesseract-ocr-eng\n" in lang.stderr
    assert "tesseract-ocr " not in lang.stderr
    assert subprocess.run([bash, script, "nonsense"], env=env, capture_output=True, timeout=10).returncode == 2


def test_makefile_checks_system_programs_before_the_environment():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^book: system-deps-book \$\(STAMP\)", makefile, re.M)
    assert re.search(r"^test: system-deps-test \$\(STAMP\)", makefile, re.M)
    assert "tools/system_deps.sh test" in (ROOT / ".ci" / "run").read_text()


# ------------------------------------------------------------------------------------------ properties

WORDS = ["cat", "dog", "bird", "fish", "tree", "sun", "moon", "rain", "the", "of"]
texts_strategy = st.lists(st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(" ".join),
                          min_size=2, max_size=12)


@FAST
@given(docs=texts_strategy, queries=st.lists(st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
                                               min_size=1, max_size=5), k=st.integers(1, 15))
def test_bm25_and_dense_rankings_are_well_formed(docs, queries, k):
    corpus = small_corpus(docs)
    content = [i for i, t in enumerate(docs) if set(t.split()) - {"the", "of"}]
    retrievers = [retrieval.DenseRetriever(HashingEncoder())]
    if content:
        retrievers.append(retrieval.BM25())
    nonempty = [i for i, t in enumerate(docs) if t.strip()]
    if not nonempty:
        with pytest.raises(ValueError, match="corpus has no text"):
            retrievers[0].fit(corpus)
        return
    own = {"0": corpus.ids[nonempty[0]]}
    for retriever in retrievers:
        retriever.fit(corpus)
        run = retriever.search(queries, k=k, exclude=own)
        assert run == retriever.search(queries, k=k, exclude=own)  # deterministic
        assert list(run) == [str(i) for i in range(len(queries))]
        for qid, text in zip(run, queries):
            ranked = retrieval.top_docs(run, qid, k) if run[qid] else []
            assert len(ranked) <= min(k, len(docs))
            assert list(run[qid]) == [d for d, _ in ranked]  # returned in rank order
            assert all(d in corpus for d, _ in ranked) and own["0"] not in run["0"]
            assert all(docs[corpus.index_of(d)].strip() for d, _ in ranked)  # no empty document
            if not text.strip():
                assert run[qid] == {}


@FAST
@given(n_docs=st.integers(2, 20), n_queries=st.integers(1, 8), depth=st.integers(1, 6), seed=st.integers(0, 10**6),
       cutoff=st.integers(1, 6), weighting=st.sampled_from(["cumulative", "gravity", "t-retrievability"]))
def test_retrievability_properties(n_docs, n_queries, depth, seed, cutoff, weighting):
    cutoff = min(cutoff, depth)
    rng = np.random.default_rng(seed)
    doc_ids = [f"doc{i}" for i in range(n_docs)]
    run = {}
    for q in range(n_queries):
        chosen = rng.choice(n_docs, size=rng.integers(0, min(depth, n_docs) + 1), replace=False)
        run[f"q{q}"] = {doc_ids[i]: float(rng.integers(1, 5)) for i in chosen}
    query_ids = list(run)
    matrix = rankings_from_run(run, query_ids, doc_ids, depth=depth)
    assert matrix.shape == (n_queries, depth) and matrix.min() >= -1 and matrix.max() < n_docs
    for row, qid in enumerate(query_ids):  # id round trip: the matrix lists exactly the run's documents
        listed = [doc_ids[i] for i in matrix[row] if i >= 0]
        assert listed == [d for d, _ in retrieval.top_docs(run, qid, depth)] if run[qid] else listed == []
    r = retrievability(matrix, n_docs, cutoff, weighting)
    assert r.shape == (n_docs,) and (r >= 0).all()
    from irbook.chapters.ch13_t_retrievability import rank_weights

    weights = rank_weights(depth, cutoff, weighting)
    assert r.sum() == pytest.approx(sum(weights[: (row >= 0).sum()].sum() for row in matrix))
    for counting in ("all", "retrieved"):
        g = gini(r, counting)
        assert 0.0 <= g < 1.0 and g == pytest.approx(gini(r[::-1], counting))  # order-free
    labels = [f"t{q % 2}" for q in range(n_queries)]
    per_topic = topic_gini(matrix, labels, n_docs, cutoff=cutoff, weighting=weighting)
    assert set(per_topic) == set(labels) and all(0.0 <= v < 1.0 for v in per_topic.values())
    assert np.array_equal(matrix, rankings_from_run(run, query_ids, doc_ids, depth=depth))  # deterministic


@FAST
@given(run=st.dictionaries(st.from_regex(r"[A-Za-z0-9_-]{1,6}", fullmatch=True),
                           st.dictionaries(st.from_regex(r"[A-Za-z0-9_.-]{1,6}", fullmatch=True),
                                           st.floats(-1e6, 1e6, allow_nan=False), max_size=6), max_size=4))
def test_trec_run_round_trip(run, tmp_path_factory):
    path = formats.write_trec_run(run, tmp_path_factory.mktemp("runs") / "r.run")
    back = formats.read_trec_run(path)
    assert back == {q: docs for q, docs in run.items() if docs}


def test_checked_cache_file_detects_missing_partial_and_corrupt_files(tmp_path):
    """Trained weights and features (chapters 12, A1, the LiT model) are written with a sha256 sidecar."""
    from irbook.cache import checksum_problem, save_checked, sidecar_path

    path = tmp_path / "w.pt"
    assert checksum_problem(path) == "no cached file"
    path.write_bytes(b"weights")
    assert "checksum file is missing" in checksum_problem(path)
    save_checked(path, lambda tmp: tmp.write_bytes(b"weights"))
    assert checksum_problem(path) is None and sidecar_path(path).exists()
    path.write_bytes(b"weightz")
    assert "does not match its sha256" in checksum_problem(path)
    with pytest.raises(RuntimeError):  # a failed write leaves the previous file, not a partial one
        save_checked(path, lambda tmp: (tmp.write_bytes(b"half"), (_ for _ in ()).throw(RuntimeError("disk full"))))
    assert path.read_bytes() == b"weightz"
