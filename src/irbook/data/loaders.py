"""The book's text data sets: their pinned files (registered here) and their typed loaders.

Loaders return plain typed objects (:class:`~irbook.data.Corpus`, :class:`~irbook.data.Queries`,
:class:`~irbook.data.RetrievalDataset`, :class:`~irbook.data.NERSentence`, pandas DataFrames). They parse each
file once per process and hand every caller a fresh copy, so one chapter cannot corrupt another's data.

Doc-id and query-id schemes (stable: they follow the order of checksummed files):

- hotpotqa-100: docs ``"d000"``..``"d993"`` (order of the corpus file), queries the HotpotQA ``_id``;
- musique-100: docs ``"d0000"``..``"d1889"``, queries the MuSiQue ``id`` (e.g. ``"2hop__150763_14904"``);
- nq-open: queries ``"q0000"``..``"q3609"`` (line order; NQ-open has no ids), no corpus;
- cranfield: docs ``"1"``..``"1400"`` (the ``.I`` numbers), queries ``"1"``..``"225"`` (their *order* in
  ``cran.qry``, which is what ``cranqrel`` uses; the ``.I`` number is kept as ``metadata["original_id"]``);
- cisi: docs ``"1"``..``"1460"``, queries ``"1"``..``"112"`` (the ``.I`` numbers, which CISI.REL uses).

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import copy
import csv
import functools
import json
from typing import Any

import pandas as pd

from irbook.data.registry import DatasetInfo, data_path, github_files, register
from irbook.data.types import Corpus, NERSentence, Qrels, Queries, RetrievalDataset
# SMART parsing (Cranfield, CISI) is a standard format, so it lives with the others in irbook.formats.
from irbook.formats import clean_text as _clean
from irbook.formats import parse_smart

__all__ = [
    "LIAR_LABELS", "LIAR_COLUMNS", "LIAR_PLUS_COLUMNS", "CROSSNER_DOMAINS",
    "parse_smart", "load_hotpotqa", "load_musique", "load_nq_open", "load_cranfield", "load_cisi",
    "load_liar", "load_liar_plus", "load_crossner", "crossner_entity_types", "bio_to_spans",
]


# Checksums and sizes were computed with sha256sum / stat on the book's mirror of each pinned commit.
# Commits: the full hash where it could be confirmed, otherwise the short hash the mirror was made from
# (GitHub resolves both, and the checksums pin the content either way).
_HIPPORAG = ("OSU-NLP-Group/HippoRAG", "b144c46")
_CRANFIELD = ("olivernn/cranfield", "8f40ee931b7e11af05b9e3c7a364a15e0ebccc4e")
_CISI = ("Shakiba-Alipour/Information-Retrieval-on-CISI", "7a23c34")
_NQ = ("google-research-datasets/natural-questions", "fb26a30")
_LIAR = ("nishitpatel01/Fake_News_Detection", "880a278")
_LIAR_PLUS = ("Tariq60/LIAR-PLUS", "992bfd9")
_CROSSNER = ("zliucr/CrossNER", "2e7ba2a")

_CROSSNER_SUMS = {
    "ai/dev.txt": ("b47ffda6de5901a454a873feac1bebe782e54ce7edf9deb729cab3d769212eee", 114516),
    "ai/test.txt": ("7595ad386e0a98067100fe47f86811b38867a236011fee97cfaa90f778c37bcf", 134455),
    "ai/train.txt": ("484217a660f52927bd5157507c22fc103b36306364329f62f80fc8acb897b187", 40202),
    "conll2003/dev.txt": ("c8869cec4f419e7b635843aae285990581bf4685b7193c81696d87e1939f0c63", 456172),
    "conll2003/test.txt": ("18d9d738defc506ebc5d6748cb580245327ef5c4357b026d7d9ba7c6e55fe841", 416873),
    "conll2003/train.txt": ("098791b165293cac55aa60ea5395b48ed441bc962c00278aa4789dce68624bf8", 1821749),
    "literature/dev.txt": ("99281a51943cf7e3c2a58b3dc45c0e5ab6d329624ebf2ba6b4801c428396162f", 142501),
    "literature/test.txt": ("77267f8b3e8afe993865c64cfc605f65671f6a0ac9cba65de970f12180fed20e", 155256),
    "literature/train.txt": ("0647e403a85040742c2f4041cf002146a81aa2e13adda19d0e82a8bcd493c18b", 36623),
    "music/dev.txt": ("e256f1949df52a61a3bb60095a0f41c1060843f1014b0f3d22d8371611b72e78", 164737),
    "music/test.txt": ("c66e345f959ac65593f76c6b1bd8c6d75f2a6f0bc197389b2e6700d101fd094c", 208331),
    "music/train.txt": ("3774c38e0ebbeb4b98dbfae137071e4911e8764cdb7f247599009841f68d9fb5", 40997),
    "politics/dev.txt": ("4f1f30eb832f4c5fe474f67ca45e875d863bddf0bbe432262d272ef13639fa8f", 300968),
    "politics/test.txt": ("05cadc5e129d394f7f92b4a052cf4b6ea4c60878d32a833e500cf046c297455f", 325917),
    "politics/train.txt": ("1d8be31abb58463349496fe21b13d70114cf015294a9ff9cce77af9b83e8aa84", 97283),
    "science/dev.txt": ("87ec141c7b41b3b52ec861737c4030d65c6e53954ed3d8106baca8603bbf8f24", 186031),
    "science/test.txt": ("3616d59d4d2b9dbf4c1126f8d8ba47ff97886223c95f93649bfd527343e64ced", 220459),
    "science/train.txt": ("8f6a26096cc7be6790b5790bf5f5b5c8928d8b73d4632e7d45dc8bffad0504ac", 78701),
}

_TEXT_SETS: dict[str, DatasetInfo] = {
    "hotpotqa-100": DatasetInfo(
        name="hotpotqa-100",
        description="HotpotQA (train split): 100 multi-hop questions with supporting facts and a corpus of 994 "
                    "Wikipedia passages (title -> sentences), the subset released with HippoRAG.",
        files=github_files(*_HIPPORAG, [
            ("questions.json", "data/hotpotqa_train.json",
             "6c0e2689d03c94b3bb4d5f94ed806ea4f4eb4f46c12132f8e91df774ad5c5a22", 810836),
            ("corpus.json", "data/hotpotqa_train_corpus.json",
             "2671af600095eabc5b3f3bc3728861682f14fcced84ef1386509a8ae92647f88", 640159),
        ]),
        licence="CC BY-SA 4.0",
        citation="Yang et al. (2018). HotpotQA: A Dataset for Diverse, Explainable Multi-hop Question Answering. "
                 "EMNLP. (100-question subset from Gutierrez et al. (2024), HippoRAG, NeurIPS.)",
        bibtex_key="yang2018hotpotqa",
        homepage="https://hotpotqa.github.io/",
        source=f"{_HIPPORAG[0]}@{_HIPPORAG[1]}",
    ),
    "musique-100": DatasetInfo(
        name="musique-100",
        description="MuSiQue (train split): 100 questions (68 two-hop, 32 three/four-hop) with decompositions and "
                    "answer aliases, and a corpus of 1,890 Wikipedia paragraphs, the subset released with HippoRAG.",
        files=github_files(*_HIPPORAG, [
            ("questions.json", "data/musique_train.json",
             "bca674746844637f5c68408a96b67bc0542d98e7c53715f3acafe144bd5e4ff4", 1179088),
            ("corpus.json", "data/musique_train_corpus.json",
             "79845dd085f9df49c8ce440208763e2611aeb86c81ee0bdad2094504381bb651", 974514),
        ]),
        licence="CC BY 4.0",
        citation="Trivedi et al. (2022). MuSiQue: Multihop Questions via Single-hop Question Composition. TACL. "
                 "(100-question subset from Gutierrez et al. (2024), HippoRAG, NeurIPS.)",
        bibtex_key="trivedi2022musique",
        homepage="https://github.com/StonyBrookNLP/musique",
        source=f"{_HIPPORAG[0]}@{_HIPPORAG[1]}",
    ),
    "nq-open": DatasetInfo(
        name="nq-open",
        description="Natural Questions, open-domain version: 3,610 dev questions with short answers (no passages).",
        files=github_files(*_NQ, [
            ("NQ-open.dev.jsonl", "nq_open/NQ-open.dev.jsonl",
             "f15567f38099f3615f5b8a685c0aef449c11ad90d3da3735e8d1b98115b40616", 391316),
        ]),
        licence="CC BY-SA 3.0",
        citation="Kwiatkowski et al. (2019). Natural Questions: a Benchmark for Question Answering Research. TACL; "
                 "open split from Lee, Chang & Toutanova (2019). Latent Retrieval for Weakly Supervised Open "
                 "Domain Question Answering. ACL.",
        bibtex_key="kwiatkowski2019natural",
        homepage="https://github.com/google-research-datasets/natural-questions/tree/master/nq_open",
        source=f"{_NQ[0]}@{_NQ[1]}",
    ),
    "cranfield": DatasetInfo(
        name="cranfield",
        description="The Cranfield collection: 1,400 aeronautics abstracts, 225 queries, graded judgements.",
        files=github_files(*_CRANFIELD, [
            ("cran.all.1400", "data/cran/cran.all.1400",
             "0feb1a64cd60d0d294b6a8c0864b9476dda2158d9964e7285c6b609d32d1ea7a", 1643813),
            ("cran.qry", "data/cran/cran.qry",
             "99578ceb88941ef89c14faf7c63c23776a376d8fba319b990f01d0c601d8b03f", 28957),
            ("cranqrel", "data/cran/cranqrel",
             "92e54b58dac0b980152178f350d892fae66c8a239b8a11715b835fb8d2f6bc0e", 19541),
            ("cranqrel.readme", "data/cran/cranqrel.readme",
             "8f4cb2e60ab2324bb3ad980bdc8b9cf6a9b98a08d097d90a351485dd6e25433f", 1449),
        ]),
        licence="none stated (classic public test collection)",
        citation="Cleverdon, C. (1967). The Cranfield tests on index language devices. Aslib Proceedings 19(6).",
        bibtex_key="cleverdon1967cranfield",
        homepage="http://ir.dcs.gla.ac.uk/resources/test_collections/cran/",
        source=f"{_CRANFIELD[0]}@{_CRANFIELD[1]}",
    ),
    "cisi": DatasetInfo(
        name="cisi",
        description="The CISI collection: 1,460 information-science abstracts, 112 queries of which 76 are judged.",
        files=github_files(*_CISI, [
            ("CISI.ALL", "CISI.ALL", "c13934ad921234b571e7b424af3461fe39dccb16757cb21954b3aea5250d072e", 2119351),
            ("CISI.QRY", "CISI.QRY", "b72de0e0cb8aa5c93ac988e5be0400cc18949d0a94913a248783a37dd97d5470", 66632),
            ("CISI.REL", "CISI.REL", "f7396c92586c61953ccb7ae99ad8d3ac749ac3b989041fc93a9e311568f58997", 77850),
        ]),
        licence="none stated (classic public test collection)",
        citation="Fox, E. A. (1983). Characterization of two new experimental collections in computer and "
                 "information science containing textual and bibliographic concepts. Cornell TR 83-561.",
        bibtex_key="fox1983characterization",
        homepage="http://ir.dcs.gla.ac.uk/resources/test_collections/cisi/",
        source=f"{_CISI[0]}@{_CISI[1]}",
    ),
    "liar": DatasetInfo(
        name="liar",
        description="LIAR: 12,836 PolitiFact statements with six truthfulness labels and speaker metadata.",
        files=github_files(*_LIAR, [
            ("train.tsv", "liar_dataset/train.tsv",
             "23ef8cb7ff57b25c941100d0744039cebc595d65a67ea190f72b330a658d8c36", 2408165),
            ("valid.tsv", "liar_dataset/valid.tsv",
             "8dd3d7ed1a11e78ed7df090c9eddb0f91147f895850c78d49dd7b4e88fd09a16", 301556),
            ("test.tsv", "liar_dataset/test.tsv",
             "ee41e2c741e0019216952625145af8c4aa8c8d3057ec68284b134267bb845e6f", 301118),
        ]),
        licence="research purposes only",
        citation='Wang, W. Y. (2017). "Liar, Liar Pants on Fire": A New Benchmark Dataset for Fake News '
                 "Detection. ACL.",
        bibtex_key="wang2017liar",
        homepage="https://www.cs.ucsb.edu/~william/data/liar_dataset.zip",
        source=f"{_LIAR[0]}@{_LIAR[1]}",
    ),
    "liar-plus": DatasetInfo(
        name="liar-plus",
        description="LIAR-PLUS: the LIAR validation and test claims with justifications extracted from the "
                    "PolitiFact articles.",
        files=github_files(*_LIAR_PLUS, [
            ("val2.jsonl", "dataset/jsonl/val2.jsonl",
             "70679e4054c1f1889678b10a3168c9c33bd0e706c7577d434b3188d44cd5e6b7", 980524),
            ("test2.jsonl", "dataset/jsonl/test2.jsonl",
             "4a2c4b069c17b9add96381c450a729fd0400e274fc035f10f1414f2f9219e382", 986373),
        ]),
        licence="CC0 (as stated by the repository)",
        citation="Alhindi, Petridis & Muresan (2018). Where is Your Evidence: Improving Fact-checking by "
                 "Justification Modeling. FEVER workshop.",
        bibtex_key="alhindi2018evidence",
        homepage="https://github.com/Tariq60/LIAR-PLUS",
        source=f"{_LIAR_PLUS[0]}@{_LIAR_PLUS[1]}",
    ),
    "crossner": DatasetInfo(
        name="crossner",
        description="CrossNER: NER in five domains (ai, literature, music, politics, science) with 9-17 entity "
                    "types each, plus CoNLL-2003, in BIO CoNLL format.",
        files=github_files(*_CROSSNER, [
            ("LICENSE", "LICENSE", "9291793d0b49d69642edcd47e730136693722e3a1d398d1412e8d47e2443b71f", 1066),
        ] + [(local, f"ner_data/{local}", sha, size) for local, (sha, size) in sorted(_CROSSNER_SUMS.items())]),
        licence="MIT (repository); the CoNLL-2003 text is Reuters (research use)",
        citation="Liu et al. (2021). CrossNER: Evaluating Cross-Domain Named Entity Recognition. AAAI.",
        bibtex_key="liu2021crossner",
        homepage="https://github.com/zliucr/CrossNER",
        source=f"{_CROSSNER[0]}@{_CROSSNER[1]}",
    ),
}


# --------------------------------------------------------------------------------------------------------------
# Loaders: each parses its files once per process (lru_cache) and returns a deep copy to each caller.
# --------------------------------------------------------------------------------------------------------------

def _read_json(name: str, filename: str) -> Any:
    """Parse a verified JSON file of a data set.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    with open(data_path(name, filename), encoding="utf-8") as handle:
        return json.load(handle)


def _read_jsonl(name: str, filename: str) -> list[dict]:
    """Parse a verified JSON-lines file of a data set.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    with open(data_path(name, filename), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _dedupe(values: list[str]) -> list[str]:
    """Non-empty values, first occurrence kept, order preserved.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return list(dict.fromkeys(v for v in values if v))


@functools.lru_cache(maxsize=None)
def _hotpotqa() -> RetrievalDataset:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    raw_corpus: dict[str, list[str]] = _read_json("hotpotqa-100", "corpus.json")
    titles = list(raw_corpus)
    width = len(str(len(titles) - 1))
    ids = [f"d{i:0{width}d}" for i in range(len(titles))]
    id_of_title = dict(zip(titles, ids))
    corpus = Corpus(ids, titles, ["".join(raw_corpus[t]) for t in titles],
                    [{"sentences": list(raw_corpus[t])} for t in titles])

    q_ids, q_texts, q_meta, qrels, answers = [], [], [], {}, {}
    for record in _read_json("hotpotqa-100", "questions.json"):
        qid = record["_id"]
        support_titles = _dedupe([title for title, _ in record["supporting_facts"]])
        missing = [t for t in support_titles if t not in id_of_title]
        if missing:
            raise ValueError(f"hotpotqa-100: question {qid} has supporting passages missing from the corpus: "
                             f"{missing}")
        q_ids.append(qid)
        q_texts.append(record["question"])
        q_meta.append({"level": record["level"], "type": record["type"], "hops": len(support_titles),
                       "supporting_facts": [tuple(f) for f in record["supporting_facts"]],
                       "supporting_doc_ids": [id_of_title[t] for t in support_titles]})
        qrels[qid] = {id_of_title[t]: 1 for t in support_titles}
        answers[qid] = [record["answer"]]
    return RetrievalDataset("hotpotqa-100", corpus, Queries(q_ids, q_texts, q_meta), qrels, answers)


def load_hotpotqa() -> RetrievalDataset:
    """HotpotQA-100: 994 passages, 100 questions; qrels = the supporting passages (grade 1), answers, and
    metadata (level, type bridge/comparison, hops, supporting_facts as (title, sentence index)).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return copy.deepcopy(_hotpotqa())


@functools.lru_cache(maxsize=None)
def _musique() -> RetrievalDataset:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    raw_corpus: list[dict] = _read_json("musique-100", "corpus.json")
    width = len(str(len(raw_corpus) - 1))
    ids = [f"d{i:0{width}d}" for i in range(len(raw_corpus))]
    corpus = Corpus(ids, [p["title"] for p in raw_corpus], [p["text"] for p in raw_corpus])
    ids_of_passage: dict[tuple[str, str], list[str]] = {}
    for doc_id, passage in zip(ids, raw_corpus):
        ids_of_passage.setdefault((passage["title"], passage["text"]), []).append(doc_id)

    q_ids, q_texts, q_meta, qrels, answers = [], [], [], {}, {}
    for record in _read_json("musique-100", "questions.json"):
        qid = record["id"]
        doc_of_idx: dict[int, str] = {}
        for paragraph in record["paragraphs"]:
            if not paragraph["is_supporting"]:
                continue
            matches = ids_of_passage.get((paragraph["title"], paragraph["paragraph_text"]), [])
            if len(matches) != 1:
                raise ValueError(f"musique-100: supporting passage {paragraph['title']!r} of question {qid} "
                                 f"matches {len(matches)} corpus documents (expected exactly 1)")
            doc_of_idx[paragraph["idx"]] = matches[0]
        decomposition = [{"question": step["question"], "answer": step["answer"],
                          "doc_id": doc_of_idx.get(step["paragraph_support_idx"])}
                         for step in record["question_decomposition"]]
        q_ids.append(qid)
        q_texts.append(record["question"])
        q_meta.append({"type": qid.split("__")[0], "hops": len(decomposition), "decomposition": decomposition,
                       "answerable": record.get("answerable", True)})
        qrels[qid] = {doc_id: 1 for doc_id in doc_of_idx.values()}
        answers[qid] = _dedupe([record["answer"], *record.get("answer_aliases", [])])
    return RetrievalDataset("musique-100", corpus, Queries(q_ids, q_texts, q_meta), qrels, answers)


def load_musique() -> RetrievalDataset:
    """MuSiQue-100: 1,890 passages, 100 questions; qrels = the supporting passages (grade 1); answers with
    aliases; metadata type (e.g. ``"3hop1"``), hops, decomposition (sub-question, answer, supporting doc_id).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return copy.deepcopy(_musique())


@functools.lru_cache(maxsize=None)
def _nq_open() -> RetrievalDataset:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    records = _read_jsonl("nq-open", "NQ-open.dev.jsonl")
    width = len(str(len(records) - 1))
    ids = [f"q{i:0{width}d}" for i in range(len(records))]
    queries = Queries(ids, [r["question"] for r in records])
    answers = {qid: list(r["answer"]) for qid, r in zip(ids, records)}
    return RetrievalDataset("nq-open", None, queries, {}, answers)


def load_nq_open() -> RetrievalDataset:
    """NQ-open dev: 3,610 questions with their short answers; no corpus (``corpus`` is None) and no qrels.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return copy.deepcopy(_nq_open())


def _read_text(name: str, filename: str) -> str:
    """The text of a verified data file.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return data_path(name, filename).read_text(encoding="utf-8", errors="strict")


@functools.lru_cache(maxsize=None)
def _cranfield() -> RetrievalDataset:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    docs = parse_smart(_read_text("cranfield", "cran.all.1400"))
    corpus = Corpus([d["I"] for d in docs], [_clean(d.get("T")) for d in docs], [_clean(d.get("W")) for d in docs],
                    [{"authors": _clean(d.get("A")), "bibliography": _clean(d.get("B"))} for d in docs])
    raw_queries = parse_smart(_read_text("cranfield", "cran.qry"))
    # cranqrel numbers the queries 1..225 by their position in cran.qry; the .I numbers skip values.
    q_ids = [str(i) for i in range(1, len(raw_queries) + 1)]
    queries = Queries(q_ids, [_clean(q.get("W")) for q in raw_queries],
                      [{"original_id": str(int(q["I"]))} for q in raw_queries])
    qrels: Qrels = {}
    for line in _read_text("cranfield", "cranqrel").splitlines():
        if not line.strip():
            continue
        query, doc, grade = line.split()
        grade = int(grade)
        # Cleverdon's codes: 1 = complete answer .. 4 = minimum interest; -1 (one row per query) is outside
        # that scale and is dropped. Gains are 5 - code, so higher is more relevant (4, 3, 2, 1).
        if 1 <= grade <= 4:
            qrels.setdefault(query, {})[doc] = 5 - grade
        elif grade != -1:
            raise ValueError(f"cranfield: unexpected relevance code {grade} in cranqrel line {line!r}")
    return RetrievalDataset("cranfield", corpus, queries, qrels, None)


def load_cranfield() -> RetrievalDataset:
    """Cranfield: 1,400 abstracts, 225 queries, graded qrels.

    Query ids are ``"1"``..``"225"`` in file order, because ``cranqrel`` numbers queries that way (the ``.I``
    numbers in ``cran.qry`` skip values; they are kept as ``metadata["original_id"]``). Cleverdon's relevance
    codes 1 (complete answer) .. 4 (minimum interest) become gains ``5 - code`` (4 .. 1, higher is more
    relevant); the 225 rows coded -1 are not relevance grades and are dropped. Texts are whitespace-normalised.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    return copy.deepcopy(_cranfield())


@functools.lru_cache(maxsize=None)
def _cisi() -> RetrievalDataset:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    docs = parse_smart(_read_text("cisi", "CISI.ALL"))
    metadata = []
    for d in docs:
        # .X lines are cross references: (document id, reference type, count), kept raw.
        refs = [tuple(int(x) for x in line.split()) for line in (d.get("X") or "").splitlines() if line.strip()]
        metadata.append({"authors": [a.strip() for a in (d.get("A") or "").splitlines() if a.strip()],
                         "source": _clean(d.get("B")), "keywords": _clean(d.get("K")),
                         "cross_refs": refs})
    corpus = Corpus([d["I"] for d in docs], [_clean(d.get("T")) for d in docs], [_clean(d.get("W")) for d in docs],
                    metadata)
    raw_queries = parse_smart(_read_text("cisi", "CISI.QRY"))
    queries = Queries([q["I"] for q in raw_queries], [_clean(q.get("W")) for q in raw_queries],
                      [{"title": _clean(q.get("T")), "authors": _clean(q.get("A")), "source": _clean(q.get("B"))}
                       for q in raw_queries])
    qrels: Qrels = {}
    for line in _read_text("cisi", "CISI.REL").splitlines():
        if line.strip():
            query, doc = line.split()[:2]
            qrels.setdefault(query, {})[doc] = 1  # CISI judgements are binary
    return RetrievalDataset("cisi", corpus, queries, qrels, None)


def load_cisi() -> RetrievalDataset:
    """CISI: 1,460 abstracts, 112 queries, binary qrels.

    Only 76 of the 112 queries have judgements; all 112 are kept, so evaluate over ``dataset.qrels`` (the judged
    ones), not over every query. ``.X`` sections are citation cross references, kept as
    ``metadata["cross_refs"]``; query metadata holds the title/authors/source the 55 longer queries carry.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    return copy.deepcopy(_cisi())


LIAR_LABELS: tuple[str, ...] = ("pants-fire", "false", "barely-true", "half-true", "mostly-true", "true")
"""LIAR's six labels, ordered from least to most truthful (index = ordinal truthfulness)."""

LIAR_COLUMNS: tuple[str, ...] = (
    "id", "label", "statement", "subjects", "speaker", "job_title", "state", "party",
    "barely_true_counts", "false_counts", "half_true_counts", "mostly_true_counts", "pants_on_fire_counts",
    "context",
)
"""LIAR's 14 columns (the file has no header); the five ``*_counts`` are the speaker's credit history."""

LIAR_PLUS_COLUMNS: tuple[str, ...] = (
    "id", "label", "statement", "subjects", "speaker", "job_title", "state", "justification",
)
"""LIAR-PLUS's columns as :func:`load_liar_plus` returns them (``justification`` is the fact-checker's text)."""

_SPLIT_ALIASES = {"validation": "valid", "val": "valid", "dev": "valid", "valid": "valid",
                  "train": "train", "test": "test"}


def _split(split: str, allowed: tuple[str, ...], what: str, shown: str | None = None) -> str:
    """Canonical split name (``val``/``validation``/``dev`` are accepted for ``valid``) or a clear error.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    canonical = _SPLIT_ALIASES.get(split) if isinstance(split, str) else None
    if canonical not in allowed:
        raise ValueError(f"{what}: unknown split {split!r}; valid splits: {shown or ', '.join(allowed)}")
    return canonical


def _check_labels(frame: pd.DataFrame, what: str) -> None:
    """Raise if a LIAR(-PLUS) frame holds a label outside :data:`LIAR_LABELS`.

    Introduced in chapter 12 (:doc:`12_derec`).
    """
    unknown = sorted(set(frame["label"]) - set(LIAR_LABELS))
    if unknown:
        raise ValueError(f"{what}: unexpected labels {unknown}; expected {LIAR_LABELS}")


@functools.lru_cache(maxsize=None)
def _liar(split: str) -> pd.DataFrame:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 12 (:doc:`12_derec`).
    """
    # Statements contain unbalanced quotes: QUOTE_NONE keeps every tab-separated row intact.
    frame = pd.read_csv(data_path("liar", f"{split}.tsv"), sep="\t", header=None, names=list(LIAR_COLUMNS),
                        quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False, encoding="utf-8")
    counts = [c for c in LIAR_COLUMNS if c.endswith("_counts")]
    frame[counts] = frame[counts].astype(int)
    _check_labels(frame, f"liar/{split}")
    return frame


def load_liar(split: str = "train") -> pd.DataFrame:
    """LIAR ``split`` ("train", "valid", "test": 10,269 / 1,284 / 1,283 rows) as a DataFrame with
    :data:`LIAR_COLUMNS`; text columns are str ("" when missing), the five credit-history counts int.
    :data:`LIAR_LABELS` orders the labels from pants-fire to true.

    Introduced in chapter 12 (:doc:`12_derec`).
    """
    return _liar(_split(split, ("train", "valid", "test"), "liar")).copy(deep=True)


@functools.lru_cache(maxsize=None)
def _liar_plus(split: str) -> pd.DataFrame:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 12 (:doc:`12_derec`).
    """
    records = _read_jsonl("liar-plus", {"valid": "val2.jsonl", "test": "test2.jsonl"}[split])
    frame = pd.DataFrame({
        "id": [r["json_file_id"] for r in records],
        "label": [r["label"] for r in records],
        "statement": [r["claim"] for r in records],
        "subjects": [",".join(r["topics"]) for r in records],
        "speaker": [r["originator"] for r in records],
        "job_title": [r["title"] for r in records],
        # The jsonl's "party" field holds the speaker's state (it equals LIAR's state column row for row).
        "state": [r["party"] for r in records],
        "justification": [(r["justification"] or "").strip() for r in records],  # 16 test claims have none
    })
    _check_labels(frame, f"liar-plus/{split}")
    return frame


def load_liar_plus(split: str = "val") -> pd.DataFrame:
    """LIAR-PLUS ``split`` ("val" or "test": 1,284 / 1,283 claims) with the justification text, as a DataFrame
    with :data:`LIAR_PLUS_COLUMNS`. ``id`` is LIAR's statement id (join with :func:`load_liar` for party and
    credit history); the upstream field named ``party`` actually holds the state and is renamed ``state``.

    Introduced in chapter 12 (:doc:`12_derec`).
    """
    return _liar_plus(_split(split, ("valid", "test"), "liar-plus", shown="val (or valid), test")).copy(deep=True)


CROSSNER_DOMAINS: tuple[str, ...] = ("ai", "literature", "music", "politics", "science", "conll2003")
_CROSSNER_SPLITS = {"train": "train", "dev": "dev", "valid": "dev", "val": "dev", "validation": "dev",
                    "test": "test"}


def bio_to_spans(tags: list[str] | tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    """Entity spans ``(start, end_exclusive, type)`` from BIO tags; an ``I-`` that does not continue an entity
    of its type starts a new one (as conlleval does). Malformed tags raise ``ValueError``.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    spans: list[tuple[int, int, str]] = []
    start, kind = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag == "O":
            prefix, tag_type = "O", None
        elif len(tag) > 2 and tag[:2] in ("B-", "I-"):
            prefix, tag_type = tag[0], tag[2:]
        else:
            raise ValueError(f"malformed BIO tag {tag!r} at position {i}")
        if start is not None and (prefix != "I" or tag_type != kind):
            spans.append((start, i, kind))
            start, kind = None, None
        if prefix in ("B", "I") and start is None:
            start, kind = i, tag_type
    return tuple(spans)


def _crossner_args(domain: str, split: str) -> tuple[str, str]:
    """Validated (domain, canonical split) for CrossNER, with errors listing the valid values.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    if domain not in CROSSNER_DOMAINS:
        raise ValueError(f"crossner: unknown domain {domain!r}; domains: {', '.join(CROSSNER_DOMAINS)}")
    if split not in _CROSSNER_SPLITS:
        raise ValueError(f"crossner: unknown split {split!r}; splits: train, dev, test")
    return domain, _CROSSNER_SPLITS[split]


@functools.lru_cache(maxsize=None)
def _crossner(domain: str, split: str) -> tuple[NERSentence, ...]:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    sentences: list[NERSentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    lines = _read_text("crossner", f"{domain}/{split}.txt").splitlines() + [""]
    for number, line in enumerate(lines, 1):
        if not line.strip():
            if tokens:
                sentences.append(NERSentence(tuple(tokens), tuple(tags), bio_to_spans(tags)))
                tokens, tags = [], []
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"crossner/{domain}/{split}.txt line {number}: expected 'token<TAB>tag', got {line!r}")
        tokens.append(parts[0])
        tags.append(parts[1].strip())
    return tuple(sentences)


def load_crossner(domain: str = "ai", split: str = "train") -> list[NERSentence]:
    """CrossNER sentences of ``domain`` (ai, literature, music, politics, science, conll2003) and ``split``
    (train, dev, test; "valid"/"val" mean dev) as a list of frozen :class:`NERSentence`.

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    return list(_crossner(*_crossner_args(domain, split)))


@functools.lru_cache(maxsize=None)
def _crossner_types(domain: str) -> tuple[str, ...]:
    """Parse once per process (the public loader hands out copies).

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    return tuple(sorted({t for split in ("train", "dev", "test")
                         for sentence in _crossner(domain, split) for _, _, t in sentence.spans}))


def crossner_entity_types(domain: str) -> tuple[str, ...]:
    """The entity types of a CrossNER ``domain``, sorted (read from its train, dev and test files).

    Introduced in chapter 3 (:doc:`03_ner_retriever`).
    """
    return _crossner_types(_crossner_args(domain, "train")[0])


for _name, _loader in {"hotpotqa-100": load_hotpotqa, "musique-100": load_musique, "nq-open": load_nq_open,
                       "cranfield": load_cranfield, "cisi": load_cisi, "liar": load_liar, "liar-plus": load_liar_plus,
                       "crossner": load_crossner}.items():
    register(_TEXT_SETS[_name], loader=_loader)
