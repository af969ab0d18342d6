"""The ``masakhaner-kin`` data set: the Kinyarwanda training split of MasakhaNER 2.0 (CoNLL format, one
``token tag`` pair a line, blank lines between sentences), pinned by size and sha256. The book uses its sentences
as unlabelled Kinyarwanda text; the NER tags are kept.

Introduced in chapter 2 (:doc:`02_kinyacolbert`).
"""
from __future__ import annotations

import functools

from irbook.data.loaders import bio_to_spans
from irbook.data.registry import DatasetInfo, data_path, github_files, register
from irbook.data.types import NERSentence

__all__ = ["load_masakhaner_kin"]

_REPO = ("masakhane-io/masakhane-ner", "ba5843c")

_INFO = DatasetInfo(
    name="masakhaner-kin",
    description="MasakhaNER 2.0, Kinyarwanda, training split: 7,825 news sentences with BIO entity tags "
                "(PER, ORG, LOC, DATE).",
    files=github_files(*_REPO, [("v2/train.txt", "MasakhaNER2.0/data/kin/train.txt", "46ea60481db59e281b6df813043643fecfbc734cb0ffa3eefe86a80ec78c847f", 1549294)]),
    licence="CC BY-NC 4.0",
    citation="Adelani et al. (2022). MasakhaNER 2.0: Africa-centric Transfer Learning for Named Entity "
             "Recognition. EMNLP.",
    bibtex_key="adelani2022masakhaner",
    homepage="https://github.com/masakhane-io/masakhane-ner",
    source=f"{_REPO[0]}@{_REPO[1]}",
)


@functools.lru_cache(maxsize=1)
def _sentences() -> tuple[NERSentence, ...]:
    path = data_path("masakhaner-kin", "v2/train.txt")
    sentences: list[NERSentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines() + [""], 1):
        if not line.strip():
            if tokens:
                sentences.append(NERSentence(tuple(tokens), tuple(tags), bio_to_spans(tags)))
                tokens, tags = [], []
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"masakhaner-kin/v2/train.txt line {number}: expected 'token tag', got {line!r}")
        tokens.append(parts[0])
        tags.append(parts[1])
    return tuple(sentences)


def load_masakhaner_kin(split: str = "train") -> list[NERSentence]:
    """The MasakhaNER 2.0 Kinyarwanda sentences of ``split`` (only ``"train"`` is registered).

    Introduced in chapter 2 (:doc:`02_kinyacolbert`).
    """
    if split != "train":
        raise ValueError(f"split must be 'train' (the only registered file of masakhaner-kin), got {split!r}")
    return list(_sentences())


register(_INFO, loader=load_masakhaner_kin)
