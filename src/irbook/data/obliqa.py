"""ObliQA: regulatory questions over 40 Abu Dhabi Global Market (ADGM) documents, with gold passages.

The documents are split by their own structure (one record per numbered rule, guidance note or heading: 13,732
passages, 720 of them empty headings); each question names its gold passages by (document, passage number).
There are no gold answers: the gold passages are the reference an answer is judged against.

Ids (stable: they follow the pinned files):

- passages ``"<document>/<passage number>"``, e.g. ``"1/14.2.3.Guidance.10."``; the 17 numbers that occur twice in
  one document get ``"#2"`` on their second occurrence. ``metadata``: ``document`` (int 1..40), ``passage``
  (the number as printed), ``section`` (its first component, the chapter), ``guidance`` (bool), ``uuid``;
- queries: the ObliQA ``QuestionID``; ``metadata``: ``group`` (ObliQA's question group) and ``n_gold``.

:func:`load_obliqa` restricts to a sub-collection with ``documents=``: the corpus keeps those documents only, the
queries those whose gold passages all lie in them. Introduced in chapter 7 (:doc:`07_legal_rag`).
"""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable

from irbook.data.registry import DatasetInfo, data_path, github_files, register
from irbook.data.types import Corpus, Queries, RetrievalDataset

__all__ = ["OBLIQA_SPLITS", "OBLIQA_DOCUMENTS", "load_obliqa"]

OBLIQA_SPLITS = ("test", "dev")
OBLIQA_DOCUMENTS = tuple(range(1, 41))
_REPO = ("RegNLP/ObliQADataset", "c1b2c3c")  # the short hash the mirror was made from (MANIFEST.md)

# (local name, path upstream, sha256, size): sha256sum / stat on the book's mirror of the pinned commit.
_FILES = [
    ("ObliQA_dev.json", "ObliQA_dev.json", "cf6584f892c2ddde2da380fadfadea2008be7667f50085c27135b2dd29c14e20", 3620546),
    ("ObliQA_test.json", "ObliQA_test.json", "cdca623b02f248ca736c2c2d98e9b6bebe4a82708f7984ef8f80f9fcd797e1b1", 3592296),
    ("StructuredRegulatoryDocuments/1.json", "StructuredRegulatoryDocuments/1.json", "600f8190da91f502d26829f60f2d142b15479c049c6babbe9fb8ff51e6818f84", 278926),
    ("StructuredRegulatoryDocuments/2.json", "StructuredRegulatoryDocuments/2.json", "adecce23e3f85aa96308b151e3ea14cfa67f2e353accd7db0d2e3c889f420871", 132626),
    ("StructuredRegulatoryDocuments/3.json", "StructuredRegulatoryDocuments/3.json", "51194b56d83532469bc28a0c811fab48d7b94d21232d89920060f9b7c85f8a38", 584086),
    ("StructuredRegulatoryDocuments/4.json", "StructuredRegulatoryDocuments/4.json", "105f3558e5e44693e90c29106dbef8cdc009293f5709330d7e1a148292f8ef84", 67909),
    ("StructuredRegulatoryDocuments/5.json", "StructuredRegulatoryDocuments/5.json", "93efe418f6696cd41b10b3460d27b20bc209c0852baf3e7fdc3dc7a92d0a41ca", 52405),
    ("StructuredRegulatoryDocuments/6.json", "StructuredRegulatoryDocuments/6.json", "799e4ec944e32e9a1dba4f1bbb7b06d49ed50afafe664e30af6af529621a8741", 416922),
    ("StructuredRegulatoryDocuments/7.json", "StructuredRegulatoryDocuments/7.json", "af0ce061eae8dc387df5a71b10a9f50c7da0638745e2412afb548fdb5ff635d7", 324289),
    ("StructuredRegulatoryDocuments/8.json", "StructuredRegulatoryDocuments/8.json", "9bbb72468818745c77a404c0184de0bf675c405f8d1e3b7ad801b94892f26915", 157428),
    ("StructuredRegulatoryDocuments/9.json", "StructuredRegulatoryDocuments/9.json", "353ba3fbd75a03b4cd24b6b1c18046c295d066de0816405d6403773259837f3a", 160868),
    ("StructuredRegulatoryDocuments/10.json", "StructuredRegulatoryDocuments/10.json", "ad792dfa82da4bc4cf366a2eea6671118a3839c22557b2347d56fa9344d6b9a9", 313422),
    ("StructuredRegulatoryDocuments/11.json", "StructuredRegulatoryDocuments/11.json", "aba7d7915246e355069e4dae6818476550b63a5a6278fde2c66aaaaf8f524b24", 637686),
    ("StructuredRegulatoryDocuments/12.json", "StructuredRegulatoryDocuments/12.json", "33d9d01a4e8549e5a99592320b01f69164ba0f1bb27202d47434d7e2257d1e4d", 394658),
    ("StructuredRegulatoryDocuments/13.json", "StructuredRegulatoryDocuments/13.json", "a5a3e306e8bba911ad40333ff226390d7429a9300c2e78d939ebec5ed8c8b5ae", 1194302),
    ("StructuredRegulatoryDocuments/14.json", "StructuredRegulatoryDocuments/14.json", "0332677d1666f5766aa3a384fc75f69ce76399f6907ec32ebdbdc482baa9df9c", 249523),
    ("StructuredRegulatoryDocuments/15.json", "StructuredRegulatoryDocuments/15.json", "384308d3f22728b036ac3820d15d6d5435c3e2723f0264a68b7af96e51b0cab3", 19988),
    ("StructuredRegulatoryDocuments/16.json", "StructuredRegulatoryDocuments/16.json", "2b604a992614c4dc514d042a0cecb800394055012eb8673a929fa9b9ad8b5822", 18590),
    ("StructuredRegulatoryDocuments/17.json", "StructuredRegulatoryDocuments/17.json", "42c25dc797cc0af94bd524f43935c1a2e4c4d61b4dc3e8c91a29a560825bf8ba", 863235),
    ("StructuredRegulatoryDocuments/18.json", "StructuredRegulatoryDocuments/18.json", "fe531956a2c54daede351970ed06a07f40fdb57addcf29291cbc5c37eb11acaa", 21451),
    ("StructuredRegulatoryDocuments/19.json", "StructuredRegulatoryDocuments/19.json", "6bd9d54e560a13dfedd512a5735c83f019f1a74dfac99fbbe2931293ff25765a", 190605),
    ("StructuredRegulatoryDocuments/20.json", "StructuredRegulatoryDocuments/20.json", "d4ad2490cd9a6f30c5436039970e210401b1df3f4973ddadd8cb0e606c57ebf4", 13809),
    ("StructuredRegulatoryDocuments/21.json", "StructuredRegulatoryDocuments/21.json", "1f159075825ae48b49565745e7ec5984c3440755096954f2fdd19c0854749a3e", 47266),
    ("StructuredRegulatoryDocuments/22.json", "StructuredRegulatoryDocuments/22.json", "e54e631e969558b23e07c12decb28969db6330515c7b8a49b3f4ef25dd98965f", 91118),
    ("StructuredRegulatoryDocuments/23.json", "StructuredRegulatoryDocuments/23.json", "9dbac9c90d851a4412cbb344279123458d1172b3ba36a0766bfda7799395fee1", 35277),
    ("StructuredRegulatoryDocuments/24.json", "StructuredRegulatoryDocuments/24.json", "b20e2842b26180346878337aea42e928d509d00e2d5f6b1f1f8197cf94d61145", 20060),
    ("StructuredRegulatoryDocuments/25.json", "StructuredRegulatoryDocuments/25.json", "2ac4aef504f63c656daf004ffc0733ebdfbe9714e1fd420ddb2a130687d81ac4", 12624),
    ("StructuredRegulatoryDocuments/26.json", "StructuredRegulatoryDocuments/26.json", "a2d332015d1ca2cd773ebab26e468b80af5b03d138256d9fef743cfa32a4a199", 27645),
    ("StructuredRegulatoryDocuments/27.json", "StructuredRegulatoryDocuments/27.json", "eef31dffc96ccba5e887f45f6c2ab3f09409556e4014a2c79bfc333c5023907e", 277677),
    ("StructuredRegulatoryDocuments/28.json", "StructuredRegulatoryDocuments/28.json", "014dced13efee200fc00d2e758a50026d2c183e1e1206926094a0246bf426f3a", 156166),
    ("StructuredRegulatoryDocuments/29.json", "StructuredRegulatoryDocuments/29.json", "42a539ac5b454a4407286ac782b3843ca07a33629d5891ee4cdf8318dc6721e4", 23461),
    ("StructuredRegulatoryDocuments/30.json", "StructuredRegulatoryDocuments/30.json", "8e32b1fe09bc9b03e50b373e27d3e806a85320e4f096b64dce47cfcb2b4d1edc", 99752),
    ("StructuredRegulatoryDocuments/31.json", "StructuredRegulatoryDocuments/31.json", "f6e579b67f24311bcba718f5037cc9b33195a57d3e2c107d99ce2d052a7e4ed0", 72255),
    ("StructuredRegulatoryDocuments/32.json", "StructuredRegulatoryDocuments/32.json", "0b9982143c161a9920930b1219f7a81460cf5aecd48adc3906ac41333add1305", 8780),
    ("StructuredRegulatoryDocuments/33.json", "StructuredRegulatoryDocuments/33.json", "b11e42c8d078cc7ff700f6c0bf1769b157d073e587a777e42c428a0f13d087b9", 108573),
    ("StructuredRegulatoryDocuments/34.json", "StructuredRegulatoryDocuments/34.json", "8a672589a0f7ff63c8cdd7a4b88c3ee924d70cb79971adb1faf959edaa481451", 93680),
    ("StructuredRegulatoryDocuments/35.json", "StructuredRegulatoryDocuments/35.json", "64fa452c52dc71e3277a98b16e83f9fb0090527a07e231dc9f39f4d77689bf35", 43260),
    ("StructuredRegulatoryDocuments/36.json", "StructuredRegulatoryDocuments/36.json", "ace7f74a5e7aae416c1ff0149c6ffd70675d52177bf812593f38e8cda01603ea", 38989),
    ("StructuredRegulatoryDocuments/37.json", "StructuredRegulatoryDocuments/37.json", "50b19b3526c96735149ac3c1be39aa7bdcd1b62c9284b84176e9c778b92ef965", 35543),
    ("StructuredRegulatoryDocuments/38.json", "StructuredRegulatoryDocuments/38.json", "7bd721fcc710ba97700c3dc18993747850a5bd4dcb368469e6cdbf9262ca6f29", 6167),
    ("StructuredRegulatoryDocuments/39.json", "StructuredRegulatoryDocuments/39.json", "cb4f83e19b834af07b2948d266ad26d599d40bb834a9ddce46d7a80055814847", 32431),
    ("StructuredRegulatoryDocuments/40.json", "StructuredRegulatoryDocuments/40.json", "2cd0ee9c2b30815c09b8ad9929eb4b5676e6bf144c485d57f78214cf1b7a192f", 120489),
]


INFO = DatasetInfo(
    name="obliqa",
    description="ObliQA: 2,786 test and 2,788 dev regulatory questions with gold passages, over 40 structured "
                "ADGM financial-regulation documents (13,732 passages).",
    files=github_files(*_REPO, _FILES),
    licence="none stated",
    citation="Gokhan et al. (2024). RIRAG: Regulatory Information Retrieval and Answer Generation. arXiv:2409.05677.",
    bibtex_key="gokhan2024rirag",
    homepage="https://github.com/RegNLP/ObliQADataset",
    source=f"{_REPO[0]}@{_REPO[1]}",
)


def _read(filename: str):
    """Parse one verified JSON file of the set, with a clear error if it is not what ObliQA ships.

    Introduced in chapter 7 (:doc:`07_legal_rag`).
    """
    with open(data_path("obliqa", filename), encoding="utf-8") as handle:
        value = json.load(handle)
    if not isinstance(value, list):
        raise ValueError(f"obliqa: {filename} should hold a JSON list, got {type(value).__name__}")
    return value


def _require(record, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(record, dict) or any(k not in record for k in keys):
        raise ValueError(f"obliqa: malformed record in {where}: expected keys {keys}, got {record!r:.200}")


@functools.lru_cache(maxsize=None)
def _corpus() -> Corpus:
    """All 13,732 passages in document order (parsed once per process).

    Introduced in chapter 7 (:doc:`07_legal_rag`).
    """
    ids, titles, texts, meta = [], [], [], []
    seen: dict[str, int] = {}
    for document in OBLIQA_DOCUMENTS:
        for record in _read(f"StructuredRegulatoryDocuments/{document}.json"):
            _require(record, ("ID", "DocumentID", "PassageID", "Passage"), f"document {document}")
            if record["DocumentID"] != document:
                raise ValueError(f"obliqa: document {document} holds a passage of document {record['DocumentID']}")
            key = f"{document}/{record['PassageID']}"
            seen[key] = seen.get(key, 0) + 1
            ids.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
            titles.append(f"Document {document}, {record['PassageID']}")
            texts.append(record["Passage"])
            number = str(record["PassageID"])
            meta.append({"document": document, "passage": number, "section": number.split(".")[0],
                         "guidance": "Guidance" in number, "uuid": record["ID"]})
    return Corpus(ids, titles, texts, meta)


@functools.lru_cache(maxsize=None)
def _split(split: str) -> RetrievalDataset:
    """One split over the whole collection (parsed once per process).

    Introduced in chapter 7 (:doc:`07_legal_rag`).
    """
    corpus = _corpus()
    candidates: dict[str, list[int]] = {}
    for i, doc_id in enumerate(corpus.ids):
        candidates.setdefault(doc_id.split("#")[0], []).append(i)
    q_ids, q_texts, q_meta, qrels = [], [], [], {}
    for record in _read(f"ObliQA_{split}.json"):
        _require(record, ("QuestionID", "Question", "Passages"), f"ObliQA_{split}.json")
        gold: dict[str, int] = {}
        for passage in record["Passages"]:
            _require(passage, ("DocumentID", "PassageID", "Passage"), f"question {record['QuestionID']}")
            rows = candidates.get(f"{passage['DocumentID']}/{passage['PassageID']}", [])
            if not rows:
                raise ValueError(f"obliqa: question {record['QuestionID']} names passage "
                                 f"{passage['DocumentID']}/{passage['PassageID']}, which no document holds")
            # a repeated passage number is resolved by its text; otherwise the number alone decides
            same_text = [i for i in rows if corpus.texts[i] == passage["Passage"]]
            for i in (same_text or rows)[:1]:
                gold[corpus.ids[i]] = 1
        q_ids.append(record["QuestionID"])
        q_texts.append(record["Question"])
        q_meta.append({"group": record.get("Group"), "n_gold": len(gold)})
        qrels[record["QuestionID"]] = gold
    return RetrievalDataset(f"obliqa-{split}", corpus, Queries(q_ids, q_texts, q_meta), qrels)


def _document_set(documents) -> set[int] | None:
    if documents is None:
        return None
    if isinstance(documents, (str, bytes)) or not isinstance(documents, Iterable):
        raise TypeError(f"documents must be None or a list of document numbers 1..40, got {documents!r}")
    chosen = list(documents)
    bad = [d for d in chosen if isinstance(d, bool) or not isinstance(d, int) or d not in OBLIQA_DOCUMENTS]
    if bad or not chosen:
        raise ValueError(f"documents must be a non-empty list of document numbers 1..40, got {chosen!r}")
    return set(chosen)


def load_obliqa(split: str = "test", documents: Iterable[int] | None = None) -> RetrievalDataset:
    """ObliQA as a :class:`~irbook.data.RetrievalDataset`: the passages, one split's questions, qrels (gold
    passages, grade 1); ``answers`` is None (ObliQA has none).

    Parameters
    ----------
    split : str
        ``"test"`` (2,786 questions) or ``"dev"`` (2,788).
    documents : list of int, optional
        Document numbers (1..40): keep only their passages and the questions whose gold passages all lie in them.

    Introduced in chapter 7 (:doc:`07_legal_rag`).
    """
    if split not in OBLIQA_SPLITS:
        raise ValueError(f"split must be one of {OBLIQA_SPLITS}, got {split!r}")
    keep = _document_set(documents)
    full = _split(split)
    if keep is None:
        return copy.deepcopy(full)
    corpus = full.corpus
    rows = [i for i, m in enumerate(corpus.metadata) if m["document"] in keep]
    sub = Corpus([corpus.ids[i] for i in rows], [corpus.titles[i] for i in rows], [corpus.texts[i] for i in rows],
                 [dict(corpus.metadata[i]) for i in rows])
    kept = [i for i, q in enumerate(full.queries.ids)
            if all(int(d.split("/")[0]) in keep for d in full.qrels[q])]
    queries = Queries([full.queries.ids[i] for i in kept], [full.queries.texts[i] for i in kept],
                      [dict(full.queries.metadata[i]) for i in kept])
    qrels = {q: dict(full.qrels[q]) for q in queries.ids}
    return RetrievalDataset(f"{full.name}[documents {sorted(keep)}]", sub, queries, qrels)


register(INFO, loader=load_obliqa)
