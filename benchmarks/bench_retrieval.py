"""How much does irbook's retrieval wrapper cost over the libraries it wraps?

One run on one real corpus (MuSiQue-100 + HotpotQA-100 passages, 2,884 documents) and its 200
questions, compared side by side:

- BM25 index time and queries/second: ``irbook.retrieval.BM25`` vs raw ``bm25s`` (same tokenizer,
  stemmer and parameters) vs ``rank_bm25`` (``BM25Okapi``, a pure-Python reference);
- dense search queries/second: ``irbook.retrieval.DenseRetriever.search_embeddings`` vs a raw
  ``faiss.IndexFlatIP`` over the same precomputed all-MiniLM-L6-v2 embeddings (encoded once, outside
  every timer, through irbook's embedding cache).

irbook returns a Run dict (query id -> doc id -> score) with deterministic tie-breaking; the raw
libraries return arrays. Both are reported: "raw + Run" builds the same dict from the raw arrays in the
fastest straightforward way, and the wrapper overhead that is checked is against that equivalent output.
Each time is the median of several repeats, run in alternating order. The table is printed and written
to ``benchmarks/results.md``; the exit status is 1 when an overhead exceeds ``--max-overhead`` percent.

    python benchmarks/bench_retrieval.py [--repeats 7] [--max-overhead 10] [--random-embeddings] [--faiss-threads 1]
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import bm25s
import faiss
import numpy as np

RESULTS = Path(__file__).resolve().parent / "results.md"
QUERY_COPIES = 3  # the 200 questions, 3 times over: 600 queries per timed search
RANK_BM25_QUERIES = 50  # rank_bm25 scores in pure Python: a subset keeps the run short
INDEX_REPEATS = 5
DENSE_REPEAT_FACTOR = 3  # a dense search takes tens of ms: more repeats are cheap and steady the median


def load_collection():
    """MuSiQue-100 and HotpotQA-100 in one corpus (ids prefixed by the set), with questions and qrels."""
    from irbook import data

    ids, titles, texts, query_ids, query_texts, qrels = [], [], [], [], [], {}
    for name, dataset in [("musique", data.load_musique()), ("hotpotqa", data.load_hotpotqa())]:
        corpus = dataset.corpus
        ids += [f"{name}/{doc_id}" for doc_id in corpus.ids]
        titles += corpus.titles
        texts += corpus.texts
        query_ids += [f"{name}/{qid}" for qid in dataset.queries.ids]
        query_texts += dataset.queries.texts
        qrels.update({f"{name}/{qid}": {f"{name}/{d}": g for d, g in judged.items()}
                      for qid, judged in dataset.qrels.items()})
    return data.Corpus(ids, titles, texts), data.Queries(query_ids, query_texts), qrels


def time_repeats(candidates: dict, repeats: int, warm_up: bool = True) -> dict[str, list[float]]:
    """Wall times of each callable, ``repeats`` times; the order alternates so load drift hits all sides."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    names = list(candidates)
    for name in names if warm_up else []:
        candidates[name]()  # warm-up, untimed: first-call costs (caches, lazy imports) are not the steady state
    for repeat in range(repeats):
        for name in (names if repeat % 2 == 0 else names[::-1]):
            gc.collect()
            gc.disable()  # as timeit does: a collection in one run and not the other is noise
            try:
                start = time.perf_counter()
                candidates[name]()
                times[name].append(time.perf_counter() - start)
            finally:
                gc.enable()
    return times


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in times.items()}


def paired_overhead(times: dict[str, list[float]], ours: str, baseline: str) -> float:
    """Median over repeats of (ours / baseline) - 1, in percent: each ratio compares two runs made
    back to back, which cancels most of the drift a shared machine adds to both."""
    return 100.0 * (statistics.median(a / b for a, b in zip(times[ours], times[baseline])) - 1.0)


def arrays_to_run(query_ids, doc_ids: np.ndarray, indices: np.ndarray, scores: np.ndarray) -> dict:
    """The straightforward fast way to turn (n_queries, k) result arrays into a Run dict."""
    return {qid: dict(zip(ids, vals))
            for qid, ids, vals in zip(query_ids, doc_ids[indices].tolist(), scores.tolist())}


def bench_bm25(corpus, query_texts, repeats):
    import rank_bm25
    import Stemmer

    from irbook.retrieval import BM25

    stemmer = Stemmer.Stemmer("english")
    doc_ids = np.asarray(corpus.ids, dtype=object)
    query_ids = [str(i) for i in range(len(query_texts))]

    def joined():
        return [f"{t}\n{x}" if t else x for t, x in zip(corpus.titles, corpus.texts)]

    def raw_index():
        model = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
        model.index(bm25s.tokenize(joined(), stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)
        return model

    def rank_bm25_index():
        tokens = bm25s.tokenize(joined(), stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
        return rank_bm25.BM25Okapi(tokens)

    index_times = time_repeats({"irbook": lambda: BM25().fit(corpus), "bm25s": raw_index}, INDEX_REPEATS)
    index_times.update(time_repeats({"rank_bm25": rank_bm25_index}, 3, warm_up=False))

    ours, raw, okapi = BM25().fit(corpus), raw_index(), rank_bm25_index()

    def raw_arrays():
        tokens = bm25s.tokenize(query_texts, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
        return raw.retrieve(tokens, k=10, show_progress=False)

    def raw_run():
        indices, scores = raw_arrays()
        return arrays_to_run(query_ids, doc_ids, indices, scores)

    subset = query_texts[:RANK_BM25_QUERIES]

    def rank_bm25_run():
        tokens = bm25s.tokenize(subset, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
        run = {}
        for qid, query in zip(query_ids, tokens):
            scores = okapi.get_scores(query)
            top = np.argpartition(-scores, 10)[:10]
            top = top[np.argsort(-scores[top])]
            run[qid] = dict(zip(doc_ids[top].tolist(), scores[top].tolist()))
        return run

    search_times = time_repeats({"irbook": lambda: ours.search(query_texts, k=10), "bm25s arrays": raw_arrays,
                                 "bm25s + Run": raw_run}, repeats)
    search_times.update(time_repeats({"rank_bm25 + Run": rank_bm25_run}, 3, warm_up=False))

    # Same scores as raw bm25s? Compare each distinct question's positive-score top 10.
    n_distinct = len(set(query_texts))
    ours_run, raw_result = ours.search(query_texts[:n_distinct], k=10), raw_run()
    differ, tie_only = 0, 0
    for qid in query_ids[:n_distinct]:
        mine = {d: round(s, 4) for d, s in ours_run[qid].items()}
        theirs = {d: round(s, 4) for d, s in raw_result[qid].items() if s > 0}
        if mine != theirs:
            differ += 1
            # Same scores, other documents: only the choice among tied documents differs.
            tie_only += sorted(mine.values()) == sorted(theirs.values())
    return index_times, search_times, (differ, tie_only), n_distinct


def bench_dense(corpus, queries, copies, repeats, random_embeddings):
    from irbook.retrieval import DenseRetriever

    start = time.perf_counter()
    if random_embeddings:
        rng = np.random.default_rng(0)
        doc_vectors = rng.normal(size=(len(corpus.ids), 384)).astype(np.float32)
        query_vectors = rng.normal(size=(len(queries.ids), 384)).astype(np.float32)
        faiss.normalize_L2(doc_vectors)
        faiss.normalize_L2(query_vectors)
        source = "random unit vectors (384-d)"
    else:
        from irbook.models import embedder

        model = embedder()
        doc_vectors = model.encode([f"{t}\n{x}" if t else x for t, x in zip(corpus.titles, corpus.texts)])
        query_vectors = model.encode(queries.texts)
        source = f"all-MiniLM-L6-v2 (irbook embedding cache; {model.cache_stats['misses']} texts encoded now)"
    encode_s = time.perf_counter() - start

    ours = DenseRetriever(index="flat").fit(corpus, embeddings=doc_vectors)
    raw = faiss.IndexFlatIP(doc_vectors.shape[1])
    raw.add(doc_vectors)
    doc_ids = np.asarray(corpus.ids, dtype=object)
    batch = np.ascontiguousarray(np.tile(query_vectors, (copies, 1)))
    batch_ids = [str(i) for i in range(len(batch))]

    def raw_arrays():
        return raw.search(batch, 10)

    def raw_run():
        scores, indices = raw.search(batch, 10)
        return arrays_to_run(batch_ids, doc_ids, indices, scores)

    search_times = time_repeats({"irbook": lambda: ours.search_embeddings(batch, k=10, query_ids=batch_ids),
                                 "faiss arrays": raw_arrays, "faiss + Run": raw_run}, DENSE_REPEAT_FACTOR * repeats)
    ours_run = ours.search_embeddings(query_vectors, k=10, query_ids=queries.ids)
    return search_times, ours_run, source, encode_s


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per measurement (median)")
    parser.add_argument("--max-overhead", type=float, default=10.0, help="allowed wrapper overhead, percent")
    parser.add_argument("--random-embeddings", action="store_true",
                        help="time dense search on random unit vectors instead of MiniLM embeddings "
                             "(exact flat search costs the same; use when the embedding cache is cold)")
    parser.add_argument("--faiss-threads", type=int, default=1,
                        help="OpenMP threads for faiss (0: its default). One thread by default: on a small "
                             "shared machine, spinning OpenMP threads make timings erratic; both sides share it")
    args = parser.parse_args(argv)
    if args.repeats < 3:
        parser.error("--repeats must be at least 3")

    from irbook.evaluation import ir_metrics
    from irbook.retrieval import BM25

    if args.faiss_threads > 0:
        faiss.omp_set_num_threads(args.faiss_threads)
    started, cpu_started = time.perf_counter(), time.process_time()
    corpus, queries, qrels = load_collection()
    query_texts = queries.texts * QUERY_COPIES
    n_q = len(query_texts)

    index_t, bm25_t, differ, n_distinct = bench_bm25(corpus, query_texts, args.repeats)
    dense_t, dense_run, source, encode_s = bench_dense(corpus, queries, QUERY_COPIES, args.repeats,
                                                       args.random_embeddings)
    bm25_quality = ir_metrics(qrels, BM25().fit(corpus).search(queries, k=10), metrics=["nDCG@10", "R@10"])
    dense_quality = ir_metrics(qrels, dense_run, metrics=["nDCG@10", "R@10"])

    index_s, bm25_s, dense_s = medians(index_t), medians(bm25_t), medians(dense_t)
    checks = {
        "BM25 index": paired_overhead(index_t, "irbook", "bm25s"),
        "BM25 search": paired_overhead(bm25_t, "irbook", "bm25s + Run"),
        "dense search": paired_overhead(dense_t, "irbook", "faiss + Run"),
    }
    vs_arrays = {"BM25 search": paired_overhead(bm25_t, "irbook", "bm25s arrays"),
                 "dense search": paired_overhead(dense_t, "irbook", "faiss arrays")}
    n_docs = len(corpus.ids)

    def ms_per_1000(seconds, n=n_q):
        return f"{1e6 * seconds / n:,.1f} ms"

    def qps(seconds, n=n_q):
        return f"{n / seconds:,.0f}"

    index_rows = [
        ("irbook `BM25().fit`", index_s["irbook"], f"{checks['BM25 index']:+.1f}% vs bm25s"),
        ("bm25s `tokenize` + `BM25.index`", index_s["bm25s"], "baseline"),
        ("rank_bm25 `BM25Okapi` (bm25s tokens)", index_s["rank_bm25"], ""),
    ]
    search_rows = [
        ("BM25", "irbook `BM25.search`", "Run", bm25_s["irbook"], n_q,
         f"{checks['BM25 search']:+.1f}% vs bm25s + Run "
         f"({vs_arrays['BM25 search']:+.1f}% vs arrays)"),
        ("BM25", "bm25s `tokenize` + `retrieve`", "Run", bm25_s["bm25s + Run"], n_q, "baseline"),
        ("BM25", "bm25s `tokenize` + `retrieve`", "arrays", bm25_s["bm25s arrays"], n_q, ""),
        ("BM25", f"rank_bm25 `get_scores` + top-10 ({RANK_BM25_QUERIES} queries)", "Run",
         bm25_s["rank_bm25 + Run"], RANK_BM25_QUERIES, ""),
        ("dense", "irbook `DenseRetriever.search_embeddings`", "Run", dense_s["irbook"], n_q,
         f"{checks['dense search']:+.1f}% vs faiss + Run "
         f"({vs_arrays['dense search']:+.1f}% vs arrays)"),
        ("dense", "faiss `IndexFlatIP.search`", "Run", dense_s["faiss + Run"], n_q, "baseline"),
        ("dense", "faiss `IndexFlatIP.search`", "arrays", dense_s["faiss arrays"], n_q, ""),
    ]
    differ, tie_only = differ
    agreement = (f"irbook BM25 and raw bm25s return the same top-10 documents and scores for "
                 f"{n_distinct - differ} of the {n_distinct} questions"
                 + ("." if not differ else
                    f"; for {tie_only} of the other {differ} the scores are the same and only the choice among "
                    f"documents tied at the 10th place differs (irbook takes the smaller doc id, bm25s whichever "
                    f"its partial sort meets first)."))
    dense_note = ("not meaningful (random vectors)" if args.random_embeddings else
                  f"nDCG@10 {dense_quality['nDCG@10']:.3f}, R@10 {dense_quality['R@10']:.3f}")
    lines = [
        "# Retrieval benchmark: irbook wrappers vs the libraries they wrap",
        "",
        f"Corpus: MuSiQue-100 + HotpotQA-100 passages, {n_docs:,} documents (title + text). "
        f"Queries: their {len(queries.ids)} questions x {QUERY_COPIES} = {n_q:,} per timed search, k = 10. "
        f"Dense vectors: {source}, computed once outside the timers ({encode_s:.1f} s). "
        f"Median of {args.repeats} repeats (index: {INDEX_REPEATS}; dense: {DENSE_REPEAT_FACTOR * args.repeats}; "
        f"rank_bm25: 3, no warm-up) after one untimed warm-up, in alternating order; "
        f"an overhead is the median of the per-repeat ratios irbook / baseline, minus 1.",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.1f}); bm25s {bm25s.__version__}, faiss {faiss.__version__} "
        f"({faiss.omp_get_max_threads()} OpenMP thread(s)).",
        "",
        f"## Indexing ({n_docs:,} documents)",
        "",
        "| implementation | median time | docs/s | overhead |",
        "|---|---:|---:|---|",
        *[f"| {name} | {seconds:.3f} s | {n_docs / seconds:,.0f} | {note} |" for name, seconds, note in index_rows],
        "",
        "## Search (k = 10)",
        "",
        "| retriever | implementation | output | median time per 1,000 queries | queries/s | overhead |",
        "|---|---|---|---:|---:|---|",
        *[f"| {kind} | {name} | {output} | {ms_per_1000(seconds, n)} | {qps(seconds, n)} | {note} |"
          for kind, name, output, seconds, n, note in search_rows],
        "",
        agreement,
        f"Retrieval quality on the {len(queries.ids)} questions: BM25 nDCG@10 {bm25_quality['nDCG@10']:.3f}, "
        f"R@10 {bm25_quality['R@10']:.3f}; dense {dense_note}.",
        "",
        f"Checked overhead (irbook vs the raw library producing the same output), limit {args.max_overhead:.0f}%: "
        + ", ".join(f"{name} {value:+.1f}%" for name, value in checks.items()) + ".",
        f"Whole benchmark: {time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu_started:.1f} s CPU "
        f"(the gap is other processes on a shared machine).",
    ]
    table = "\n".join(lines)
    print(table)
    # bench_generation.py and bench_image_text.py keep their own sections of the same file: carry them over.
    old = RESULTS.read_text() if RESULTS.exists() else ""
    kept = old[old.index("<!-- bench_"):] if "<!-- bench_" in old else ""
    RESULTS.write_text(table + "\n" + ("\n" + kept if kept else ""))
    failed = {name: value for name, value in checks.items() if value > args.max_overhead}
    if failed:
        print(f"\nFAIL: wrapper overhead above {args.max_overhead:.0f}%: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
