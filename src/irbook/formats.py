"""Standard formats in and out: read one's own collection, write runs other tools read.

Readers return the package's types: a :class:`irbook.data.Corpus`, :class:`irbook.data.Queries`, qrels as
``{query id: {doc id: grade}}`` and, for a whole test collection, a :class:`irbook.data.RetrievalDataset`.

- TREC: :func:`read_trec_topics` (``<top>``/``<num>``/``<title>``/``<desc>``/``<narr>``),
  :func:`read_trec_documents` (``<DOC>``/``<DOCNO>``/``<TEXT>``, gzip too), :func:`read_trec_qrels`
  (``qid iter docid grade``) and :func:`load_trec` for all three.
- SMART (Cranfield, CISI, ...): :func:`parse_smart`, :func:`clean_text`, :func:`read_smart_corpus`,
  :func:`read_smart_queries`.
- BEIR: :func:`load_beir` reads a folder with ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``.
- ``ir_datasets``: :func:`load_ir_datasets` turns a dataset id (``"cranfield"``, ``"beir/scifact/test"``)
  into a RetrievalDataset, for readers online.
- Runs: :func:`write_trec_run` writes ``qid Q0 docid rank score tag`` lines (trec_eval, ranx and
  ir-measures read them); :func:`read_trec_run` reads them back.

Every reader names the file and the line of a malformed record.

Introduced in chapter 13 (:doc:`13_t_retrievability`) for SMART; the other formats serve the how-to page's
"Your own collection".
"""
from __future__ import annotations

import csv
import gzip
import html
import json
import math
import numbers
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "parse_smart", "clean_text", "read_smart_corpus", "read_smart_queries",
    "read_trec_topics", "read_trec_documents", "read_trec_qrels", "load_trec",
    "read_beir_corpus", "read_beir_queries", "read_beir_qrels", "load_beir", "load_ir_datasets",
    "write_trec_run", "read_trec_run",
]

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]


def _data_types():
    # imported late and from the types module: irbook.data's loaders import this module (parse_smart, clean_text)
    from irbook.data.types import Corpus, Queries, RetrievalDataset

    return Corpus, Queries, RetrievalDataset


def _open_text(path: str | os.PathLike):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _read(path: str | os.PathLike) -> str:
    with _open_text(path) as handle:
        return handle.read()


# ----------------------------------------------------------------------------------------------
# SMART
# ----------------------------------------------------------------------------------------------

_FIELD_LINE = re.compile(r"^\.([A-Z])(?:\s+(\S+))?\s*$")


def parse_smart(text: str) -> list[dict[str, Any]]:
    """Parse a SMART-format collection (``.I id`` then ``.T``/``.A``/``.W``/... sections) into records.

    Each record maps ``"I"`` to its id and each section letter to its text; a section that occurs more than
    once (several ``.A`` authors, a repeated ``.W``) is joined with newlines.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be the file's text (str), got {type(text).__name__}")
    records: list[dict[str, Any]] = []
    section: str | None = None
    for line in text.splitlines():
        match = _FIELD_LINE.match(line)
        if match and match.group(1) == "I" and match.group(2):
            records.append({"I": match.group(2)})
            section = None
        elif match and match.group(2) is None:
            if not records:
                raise ValueError(f"SMART format: section .{match.group(1)} before the first .I line")
            section = match.group(1)
            previous = records[-1].get(section)
            records[-1][section] = "" if previous is None else previous + "\n"
        elif section is not None:
            records[-1][section] += line + "\n"
        elif line.strip():
            raise ValueError(f"SMART format: text outside any section: {line[:60]!r}")
    return records


def clean_text(text: str | None) -> str:
    """Collapse runs of whitespace (SMART files wrap lines at fixed widths); ``None`` gives ``""``.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    return " ".join((text or "").split())


def read_smart_corpus(path: str | os.PathLike, title: str = "T", text: str = "W"):
    """A SMART document file as a Corpus: ``.I`` is the id, section ``title`` the title, ``text`` the body.

    The other sections go to each document's metadata (keyed by their letter), whitespace cleaned.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    Corpus, _, _ = _data_types()
    records = parse_smart(_read(path))
    if not records:
        raise ValueError(f"{path}: no SMART records (.I lines) found")
    return Corpus([r["I"] for r in records], [clean_text(r.get(title)) for r in records],
                  [clean_text(r.get(text)) for r in records],
                  [{k: clean_text(v) for k, v in r.items() if k not in ("I", title, text)} for r in records])


def read_smart_queries(path: str | os.PathLike, text: str = "W"):
    """A SMART query file as Queries (``.I`` id, section ``text`` the query).

    Introduced in chapter 13 (:doc:`13_t_retrievability`).
    """
    _, Queries, _ = _data_types()
    records = parse_smart(_read(path))
    if not records:
        raise ValueError(f"{path}: no SMART records (.I lines) found")
    return Queries([r["I"] for r in records], [clean_text(r.get(text)) for r in records],
                   [{k: clean_text(v) for k, v in r.items() if k not in ("I", text)} for r in records])


# ----------------------------------------------------------------------------------------------
# TREC
# ----------------------------------------------------------------------------------------------

_TOP = re.compile(r"<top>(.*?)</top>", re.S | re.I)
_TOPIC_TAG = re.compile(r"<(num|title|desc|narr)>", re.I)
_TOPIC_PREFIX = {"num": r"number:", "desc": r"description:", "narr": r"narrative:", "title": r"topic:"}
TOPIC_FIELDS = ("title", "desc", "narr", "title+desc")


def read_trec_topics(path: str | os.PathLike, field: str = "title"):
    """TREC topics (``<top><num> Number: 401 <title> ... <desc> ... <narr> ... </top>``) as Queries.

    ``field`` picks the query text: ``"title"`` (the usual short query), ``"desc"``, ``"narr"`` or
    ``"title+desc"``. Every field read goes to the query's metadata. Closing tags (``</title>``) may be
    present or not, as in the TREC files.

    Introduced with the how-to page's "Your own collection".
    """
    if field not in TOPIC_FIELDS:
        raise ValueError(f"field must be one of {TOPIC_FIELDS}, got {field!r}")
    _, Queries, _ = _data_types()
    text = _read(path)
    blocks = _TOP.findall(text)
    if not blocks:
        raise ValueError(f"{path}: no <top>...</top> topic found; is this a TREC topics file?")
    ids, texts, metadata = [], [], []
    for number, block in enumerate(blocks, start=1):
        parts = _TOPIC_TAG.split(block)
        fields: dict[str, str] = {}
        for tag, value in zip(parts[1::2], parts[2::2]):
            tag = tag.lower()
            value = re.sub(r"</?\w+>", " ", value)
            value = re.sub(rf"^\s*{_TOPIC_PREFIX[tag]}", "", value, flags=re.I)
            fields[tag] = clean_text(html.unescape(value))
        if not fields.get("num"):
            raise ValueError(f"{path}: topic {number} has no <num>")
        wanted = ("title", "desc") if field == "title+desc" else (field,)
        if not any(fields.get(f) for f in wanted):
            raise ValueError(f"{path}: topic {fields['num']!r} has no <{field}> text; choose another field")
        ids.append(fields["num"])
        texts.append(" ".join(fields[f] for f in wanted if fields.get(f)))
        metadata.append({k: v for k, v in fields.items() if k != "num"})
    return Queries(ids, texts, metadata)


_DOC = re.compile(r"<DOC>(.*?)</DOC>", re.S | re.I)
_DOCNO = re.compile(r"<DOCNO>\s*(.*?)\s*</DOCNO>", re.S | re.I)
_TITLE_TAGS = ("TITLE", "HEADLINE", "HEAD", "HL", "TTL")


def _tag_text(block: str, tag: str) -> str:
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", block, re.S | re.I)
    return clean_text(html.unescape(re.sub(r"<[^>]+>", " ", " ".join(found))))


def read_trec_documents(paths: str | os.PathLike | Iterable[str | os.PathLike]):
    """TREC SGML documents (``<DOC><DOCNO>id</DOCNO> ... <TEXT>...</TEXT></DOC>``) as a Corpus.

    ``paths`` is one file or several (``.gz`` read as gzip). The title is the first of ``<TITLE>``,
    ``<HEADLINE>``, ``<HEAD>``, ``<HL>``, ``<TTL>`` present; the text is every ``<TEXT>`` element, or, when
    there is none, the document with its tags removed.

    Introduced with the how-to page's "Your own collection".
    """
    Corpus, _, _ = _data_types()
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    ids, titles, texts, metadata = [], [], [], []
    for path in paths:
        blocks = _DOC.findall(_read(path))
        if not blocks:
            raise ValueError(f"{path}: no <DOC>...</DOC> document found; is this a TREC documents file?")
        for number, block in enumerate(blocks, start=1):
            docno = _DOCNO.search(block)
            if docno is None or not docno.group(1):
                raise ValueError(f"{path}: document {number} has no <DOCNO>")
            title = next((t for t in (_tag_text(block, tag) for tag in _TITLE_TAGS) if t), "")
            body = _tag_text(block, "TEXT")
            if not body:
                rest = _DOCNO.sub(" ", block)
                for tag in _TITLE_TAGS:
                    rest = re.sub(rf"<{tag}\b[^>]*>.*?</{tag}>", " ", rest, flags=re.S | re.I)
                body = clean_text(html.unescape(re.sub(r"<[^>]+>", " ", rest)))
            ids.append(docno.group(1))
            titles.append(title)
            texts.append(body)
            metadata.append({"source": str(path)})
    return Corpus(ids, titles, texts, metadata)


def _grade(value: str, where: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{where}: relevance grade must be an integer, got {value!r}") from None


def _columns(path: str | os.PathLike, layout: str):
    """(line number, fields) of each non-blank line of a whitespace-separated file with ``layout``'s columns."""
    n = len(layout.split())
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != n:
                raise ValueError(f"{path}, line {number}: expected {n} columns '{layout}', "
                                 f"got {len(parts)}: {line.strip()[:80]!r}")
            yield number, parts


def read_trec_qrels(path: str | os.PathLike) -> Qrels:
    """TREC qrels (``qid iteration docid grade`` per line, whitespace separated) as ``{qid: {docid: grade}}``.

    Introduced with the how-to page's "Your own collection".
    """
    qrels: Qrels = {}
    for number, (qid, _, docid, grade) in _columns(path, "qid iteration docid grade"):
        qrels.setdefault(qid, {})[docid] = _grade(grade, f"{path}, line {number}")
    if not qrels:
        raise ValueError(f"{path}: no qrels lines")
    return qrels


def load_trec(documents, topics: str | os.PathLike, qrels: str | os.PathLike | None = None,
              field: str = "title", name: str = "trec"):
    """A TREC test collection (documents, topics and optionally qrels) as a RetrievalDataset.

    Qrels that name topics or documents absent from the files raise (``RetrievalDataset`` checks).

    Introduced with the how-to page's "Your own collection".
    """
    _, _, RetrievalDataset = _data_types()
    judgements = read_trec_qrels(qrels) if qrels is not None else {}
    return RetrievalDataset(name, read_trec_documents(documents), read_trec_topics(topics, field), judgements)


# ----------------------------------------------------------------------------------------------
# BEIR
# ----------------------------------------------------------------------------------------------

def _jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}, line {number}: not JSON ({err.msg})") from None
            if not isinstance(record, dict) or "_id" not in record:
                raise ValueError(f"{path}, line {number}: expected an object with an '_id' field")
            yield number, record


def read_beir_corpus(path: str | os.PathLike):
    """BEIR's ``corpus.jsonl`` (``{"_id", "title", "text", ...}`` per line) as a Corpus.

    Ids are read as strings (BEIR files hold some as numbers); other fields go to metadata.

    Introduced with the how-to page's "Your own collection".
    """
    Corpus, _, _ = _data_types()
    ids, titles, texts, metadata = [], [], [], []
    for _, record in _jsonl(Path(path)):
        ids.append(str(record["_id"]))
        titles.append(record.get("title") or "")
        texts.append(record.get("text") or "")
        metadata.append({k: v for k, v in record.items() if k not in ("_id", "title", "text")})
    if not ids:
        raise ValueError(f"{path}: no documents")
    return Corpus(ids, titles, texts, metadata)


def read_beir_queries(path: str | os.PathLike):
    """BEIR's ``queries.jsonl`` (``{"_id", "text", ...}`` per line) as Queries.

    Introduced with the how-to page's "Your own collection".
    """
    _, Queries, _ = _data_types()
    ids, texts, metadata = [], [], []
    for _, record in _jsonl(Path(path)):
        ids.append(str(record["_id"]))
        texts.append(record.get("text") or "")
        metadata.append({k: v for k, v in record.items() if k not in ("_id", "text")})
    if not ids:
        raise ValueError(f"{path}: no queries")
    return Queries(ids, texts, metadata)


def read_beir_qrels(path: str | os.PathLike) -> Qrels:
    """BEIR's ``qrels/<split>.tsv`` (header ``query-id corpus-id score``, tab separated) as qrels.

    Introduced with the how-to page's "Your own collection".
    """
    qrels: Qrels = {}
    with _open_text(path) as handle:
        rows = csv.reader(handle, delimiter="\t")
        for number, row in enumerate(rows, start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            if number == 1 and not row[-1].strip().lstrip("-").isdigit():
                continue  # the header line
            if len(row) != 3:
                raise ValueError(f"{path}, line {number}: expected 3 tab-separated columns "
                                 f"'query-id corpus-id score', got {len(row)}: {row!r}")
            qrels.setdefault(row[0].strip(), {})[row[1].strip()] = _grade(row[2].strip(), f"{path}, line {number}")
    if not qrels:
        raise ValueError(f"{path}: no qrels lines")
    return qrels


def load_beir(folder: str | os.PathLike, split: str = "test", name: str | None = None):
    """A BEIR dataset folder (``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv``) as a RetrievalDataset.

    Only the queries judged in ``split`` are kept, as BEIR's own loader does.

    Introduced with the how-to page's "Your own collection".
    """
    _, Queries, RetrievalDataset = _data_types()
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"folder must be a BEIR dataset folder, got {folder} (not a directory)")
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        found = sorted(p.stem for p in (folder / "qrels").glob("*.tsv")) if (folder / "qrels").is_dir() else []
        raise FileNotFoundError(f"split {split!r}: {qrels_path} does not exist; splits found: {found}")
    corpus = read_beir_corpus(folder / "corpus.jsonl")
    queries = read_beir_queries(folder / "queries.jsonl")
    qrels = read_beir_qrels(qrels_path)
    keep = [i for i, qid in enumerate(queries.ids) if qid in qrels]
    queries = Queries([queries.ids[i] for i in keep], [queries.texts[i] for i in keep],
                      [queries.metadata[i] for i in keep])
    return RetrievalDataset(name or folder.name, corpus, queries, qrels)


# ----------------------------------------------------------------------------------------------
# ir_datasets (online)
# ----------------------------------------------------------------------------------------------

def load_ir_datasets(dataset_id: str, field: str | None = None):
    """Any ``ir_datasets`` id (``"cranfield"``, ``"beir/scifact/test"``, ...) as a RetrievalDataset.

    Needs the ``ir_datasets`` package and, the first time, the internet (it downloads the files into
    ``~/.ir_datasets``). ``field`` names the query field to use (default: ``text``, else ``title``).

    Introduced with the how-to page's "Your own collection".
    """
    Corpus, Queries, RetrievalDataset = _data_types()
    if not isinstance(dataset_id, str) or not dataset_id:
        raise ValueError(f"dataset_id must be an ir_datasets id such as 'beir/scifact/test', got {dataset_id!r}")
    try:
        import ir_datasets
    except ImportError as err:
        raise ImportError("load_ir_datasets needs the ir_datasets package: run `pip install ir_datasets` "
                          "(and be online the first time: it downloads the collection)") from err
    try:
        dataset = ir_datasets.load(dataset_id)
        ids, titles, texts = [], [], []
        for doc in dataset.docs_iter():
            ids.append(str(doc.doc_id))
            titles.append(getattr(doc, "title", "") or "")
            texts.append(getattr(doc, "text", None) or getattr(doc, "body", "") or "")
        q_ids, q_texts = [], []
        for query in dataset.queries_iter():
            name = field or ("text" if hasattr(query, "text") else "title")
            q_ids.append(str(query.query_id))
            q_texts.append(getattr(query, name) or "")
        qrels: Qrels = {}
        if dataset.has_qrels():
            for qrel in dataset.qrels_iter():
                qrels.setdefault(str(qrel.query_id), {})[str(qrel.doc_id)] = int(qrel.relevance)
    except KeyError as err:
        raise ValueError(f"dataset_id {dataset_id!r} is not an ir_datasets id ({err})") from None
    except OSError as err:
        raise ConnectionError(f"ir_datasets could not fetch {dataset_id!r} ({err}); it needs the internet the "
                              f"first time. Offline, save the files and use load_trec or load_beir.") from err
    return RetrievalDataset(dataset_id, Corpus(ids, titles, texts), Queries(q_ids, q_texts), qrels)


# ----------------------------------------------------------------------------------------------
# Runs
# ----------------------------------------------------------------------------------------------

def _check_run_ids(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"run {what} ids must be str, got {type(value).__name__} ({value!r})")
    if not value or any(c.isspace() for c in value):
        raise ValueError(f"run {what} id {value!r} is empty or holds whitespace; a TREC run file cannot hold it")
    return value


def write_trec_run(run: Mapping[str, Mapping[str, float]], path: str | os.PathLike, tag: str = "irbook",
                   depth: int | None = None) -> Path:
    """Write a run as a TREC run file: ``qid Q0 docid rank score tag``, one line per retrieved document.

    Documents are ordered by score (descending), ties by doc id, as every irbook retriever ranks them;
    ranks start at 1. ``depth`` keeps the top ``depth`` per query. The file is written atomically.
    trec_eval, ranx and ir-measures read it. Returns the path.

    Introduced with the how-to page's "Your own collection".
    """
    from irbook.cache import atomic_path

    if not isinstance(run, Mapping):
        raise TypeError(f"run must be a dict query id -> doc id -> score, got {type(run).__name__}")
    if not isinstance(tag, str) or not tag or any(c.isspace() for c in tag):
        raise ValueError(f"tag must be a non-empty string without whitespace, got {tag!r}")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or depth < 1):
        raise ValueError(f"depth must be None or an integer >= 1, got {depth!r}")
    lines = []
    for qid, docs in run.items():
        _check_run_ids(qid, "query")
        if not isinstance(docs, Mapping):
            raise TypeError(f"run[{qid!r}] must be a dict doc id -> score, got {type(docs).__name__}")
        for doc_id, score in docs.items():
            _check_run_ids(doc_id, "doc")
            if isinstance(score, bool) or not isinstance(score, numbers.Real) or not math.isfinite(score):
                raise ValueError(f"run[{qid!r}][{doc_id!r}] must be a finite number, got {score!r}")
        ranked = sorted(docs.items(), key=lambda item: (-item[1], item[0]))[:depth]
        lines.extend(f"{qid} Q0 {doc_id} {rank} {float(score)!r} {tag}\n"
                     for rank, (doc_id, score) in enumerate(ranked, start=1))
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")
    return path


def read_trec_run(path: str | os.PathLike) -> Run:
    """Read a TREC run file (``qid Q0 docid rank score tag``) back into a run ``{qid: {docid: score}}``.

    Introduced with the how-to page's "Your own collection".
    """
    run: Run = {}
    for number, (qid, _, docid, _, score, _) in _columns(path, "qid Q0 docid rank score tag"):
        try:
            run.setdefault(qid, {})[docid] = float(score)
        except ValueError:
            raise ValueError(f"{path}, line {number}: score must be a number, got {score!r}") from None
    return run
