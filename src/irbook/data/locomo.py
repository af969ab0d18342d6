"""LoCoMo: ten very long conversations between two people (up to 35 sessions) with questions about them.

Read straight from the released zip (``data/locomo10.zip`` of snap-research/locomo @ e76cdff) with
``zipfile``; nothing is extracted. Each conversation's turns are documents (id: the turn's ``dia_id``,
e.g. ``"D1:3"``, prefixed by the conversation id); each question lists its evidence turns.

Introduced in chapter 5 (:doc:`05_pbr`).
"""
from __future__ import annotations

import copy
import functools
import json
import re
import zipfile

from irbook.data.registry import DatasetInfo, data_path, github_files, register

__all__ = ["LOCOMO_CATEGORIES", "load_locomo"]

LOCOMO_CATEGORIES: dict[int, str] = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop",
                                     5: "adversarial"}
"""LoCoMo's question categories, numbered as in the released file; category 5 is unanswerable and needs no evidence."""

_REPO = ("snap-research/locomo", "e76cdff")

INFO = DatasetInfo(
    name="locomo",
    description="LoCoMo: 10 very long multi-session conversations between two speakers, with 1,986 questions "
                "and their evidence turns (zip).",
    files=github_files(*_REPO, [
        ("locomo10.zip", "data/locomo10.zip",
         "5c342973da4b45c12583c9fc7594d6410880f5aba2c491a0db09db262c906fb5", 626797),
    ]),
    licence="none stated",
    citation="Maharana et al. (2024). Evaluating Very Long-Term Conversational Memory of LLM Agents. ACL.",
    homepage="https://snap-research.github.io/locomo/",
    bibtex_key="maharana2024locomo",
    source=f"{_REPO[0]}@{_REPO[1]}",
)

_SESSION = re.compile(r"session_(\d+)$")


def _conversation(conv_id: str, record: dict) -> dict:
    """One conversation as {id, speakers, turns, questions}; ValueError names what is missing."""
    try:
        speakers = (record["speaker_a"], record["speaker_b"])
        turns = []
        for key in sorted((k for k in record if _SESSION.match(k)), key=lambda k: int(_SESSION.match(k).group(1))):
            date = record.get(f"{key}_date_time", "")
            for turn in record[key]:
                text = turn["text"]
                if turn.get("blip_caption"):  # the photo a speaker shares, as the released captions describe it
                    text += f" [shares a photo: {turn['blip_caption']}]"
                turns.append({"id": f"{conv_id}/{turn['dia_id']}", "speaker": turn["speaker"], "session": key,
                              "date": date, "text": text})
        questions = [{"id": f"{conv_id}/q{i:03d}", "question": qa["question"],
                      "answer": qa.get("answer", qa.get("adversarial_answer", "")),
                      "category": int(qa["category"]),
                      "evidence": [f"{conv_id}/{e.strip()}" for e in qa.get("evidence", [])]}
                     for i, qa in enumerate(record["qa"])]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"locomo: conversation {conv_id} is malformed ({error!r})") from error
    return {"id": conv_id, "speakers": speakers, "turns": turns, "questions": questions}


@functools.lru_cache(maxsize=1)
def _conversations() -> tuple[dict, ...]:
    path = data_path("locomo", "locomo10.zip")
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted((n for n in archive.namelist() if n.endswith(".json")),
                           key=lambda n: int(re.sub(r"\D", "", n.rsplit("/", 1)[-1]) or 0))
            records = [(n.rsplit("/", 1)[-1][:-5], json.loads(archive.read(n))) for n in names]
    except (zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise ValueError(f"locomo: {path} is not a readable zip of JSON conversations ({error})") from error
    if not records:
        raise ValueError(f"locomo: {path} holds no .json conversation")
    return tuple(_conversation(conv_id, record) for conv_id, record in records)


def load_locomo() -> list[dict]:
    """The ten LoCoMo conversations: dicts with ``id``, ``speakers``, ``turns`` (``id``, ``speaker``,
    ``session``, ``date``, ``text``) and ``questions`` (``id``, ``question``, ``answer``, ``category``,
    ``evidence``: turn ids).

    Introduced in chapter 5 (:doc:`05_pbr`).
    """
    return copy.deepcopy(list(_conversations()))


register(INFO, loader=load_locomo)
