"""PersonaBench v1: six synthetic users in two communities, their private documents and questions about them.

Each user owns three kinds of documents (conversation sessions with friends, chats with an AI assistant,
purchase sessions), released at several noise levels (the share of irrelevant sessions mixed in); the book
registers noise 0.0 and 0.5. Every question about the user (``"Where did I go to school?"``) comes with the
ids of the segments that hold its answer. The files are those the PBR authors evaluated on
(Twilight-Mirage/PBR-code @ 6bc3e9d, ``personabench_main_PBR/eval_data/eval_data_v1/synthetic_data/``), a
copy of SalesforceAIResearch/personabench.

Ids: a document is its PersonaBench ``segment_id`` (12 digits); a question is ``"<community>/<q_id>"``
(the raw ``q_id`` repeats across the two communities).

Introduced in chapter 5 (:doc:`05_pbr`).
"""
from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from urllib.parse import quote

from irbook.data.registry import DatasetInfo, data_path, github_files, register

__all__ = ["PERSONABENCH_NOISES", "PERSONABENCH_COMMUNITIES", "PersonaUser", "load_personabench"]

PERSONABENCH_NOISES: tuple[str, ...] = ("0.0", "0.5")
"""The noise levels the book registers (share of irrelevant sessions mixed into each user's documents)."""

PERSONABENCH_COMMUNITIES: tuple[str, ...] = ("community_0", "community_1")

_REPO = ("Twilight-Mirage/PBR-code", "6bc3e9d13ac97e1d3dd16020fec5e0d05769cd76")
_UPSTREAM = "personabench_main_PBR/eval_data/eval_data_v1/synthetic_data/"
# (local name = path under the set's folder, sha256, size): sha256sum / stat on the book's mirror.
_SUMS = [
    ("community_0/private_data/noise_0.0/conversation_data_all.json", "c2a036efe13e39e1e6f706a4e881795aa7902f59559177740159a2088c0ec355", 723488),
    ("community_0/private_data/noise_0.0/purchase_history_data_all.json", "29808998d0b0d20885a53385252297d755bd9529abfd27fbd657d8f3faf33da4", 16570),
    ("community_0/private_data/noise_0.0/user_ai_interaction_data_all.json", "19e7900bdc556a714de7a8c47e3d185e022d339626d1a531c4dea6754e9bd14f", 124269),
    ("community_0/private_data/noise_0.5/conversation_data_all.json", "6654c8b8d83031b5460622943627daebb9f7e209f4bb4cef2dba57ebd0163202", 1396260),
    ("community_0/private_data/noise_0.5/purchase_history_data_all.json", "979caec69ff7e7baad58bd515ba4e73f1cc3cb526674f5ddb1f4f6d22876d5d2", 55312),
    ("community_0/private_data/noise_0.5/user_ai_interaction_data_all.json", "e8954ce48c94118e50472ee981e32384d57c06244c7f8a737503bb6a87077746", 272038),
    ("community_1/private_data/noise_0.0/conversation_data_all.json", "727b7981e9acde0ada0f42804153eb782731e3da9508bc42f220d666bf3ea178", 722730),
    ("community_1/private_data/noise_0.0/purchase_history_data_all.json", "eb9023df4ef71bea2bf66ed9076fe5b72ee631cbbe72477f972ae502c5d1ce20", 10473),
    ("community_1/private_data/noise_0.0/user_ai_interaction_data_all.json", "de797478f79c85ddee4c8123f8d3255e222f8cec3dcd59709e1d7f35b83252f2", 141820),
    ("community_1/private_data/noise_0.5/conversation_data_all.json", "838643780fe2361328565a09e8ad9a6fc072b27af25877a3538b7ee4cdf0b05b", 1353351),
    ("community_1/private_data/noise_0.5/purchase_history_data_all.json", "e6023825bbe2a5217e56bdfd7d05252b5a3c7a323c247c1b247eebe8b8ba6942", 77300),
    ("community_1/private_data/noise_0.5/user_ai_interaction_data_all.json", "5ad190e8b9930f3e578fbead1796b2a8a744fce4a035c0075c36d9429b75b578", 258727),
    ("community_0/eval_info/qa_gt_context_all_noise_0.0.json", "0397c033a9842149d1243100486037b3d0bb5d4927dc4f41a21e21d5f3170209", 53675),
    ("community_0/eval_info/qa_gt_context_all_noise_0.5.json", "f2f83fe7a00583faaedbc8a46cba0950b927b86f219a537e0cb9a0aa46b3a65b", 53675),
    ("community_1/eval_info/qa_gt_context_all_noise_0.0.json", "8097ffd0790937f65c2cbd6d8e82a0549c79af00be7689de18f54a7efe5ca5e2", 53287),
    ("community_1/eval_info/qa_gt_context_all_noise_0.5.json", "284921dcf28940e0a7c0b1ccdbf3d0009e4b929f2a49d14b28cb3bd376daeff3", 53287),
    ("community_0/eval_info/eval_info_all.json", "08d8b8cf07f55d48ef17464f8729b2ab62afe6fa1739c27ad2b5c81f3b6c69b0", 184568),
    ("community_1/eval_info/eval_info_all.json", "0e58898db7e0842635229ffa2afa09e4c90b72f9564dbcc512f5538a1374b475", 180793),
]

INFO = DatasetInfo(
    name="personabench",
    description="PersonaBench v1: 2 communities x 3 synthetic users; each user's private documents "
                "(conversations, user-AI chats, purchases) at noise 0.0 and 0.5, and questions about the user "
                "with the ids of the segments that answer them.",
    files=github_files(*_REPO, [(local, quote(_UPSTREAM + local), sha, size) for local, sha, size in _SUMS]),
    licence="CC BY-NC-SA 4.0",
    citation="Tan et al. (2025). PersonaBench: Evaluating AI Models on Understanding Personal Information "
             "through Accessing (Synthetic) Private User Data. Findings of ACL. (Copy in the PBR code, "
             "Zhang et al. 2026.)",
    homepage="https://github.com/SalesforceAIResearch/personabench",
    bibtex_key="tan2025personabench",
    source=f"{_REPO[0]}@{_REPO[1][:7]}",
)


@dataclass
class PersonaUser:
    """One PersonaBench user at one noise level: documents and questions.

    ``documents``: dicts with ``id`` (segment id), ``kind`` (``"conversation"``, ``"user_ai"``,
    ``"purchase"``), ``time``, ``text`` (the whole segment as plain text) and ``user_text`` (only what the
    user wrote; the purchase text for purchases). ``questions``: dicts with ``id``, ``question``, ``answer``,
    ``type``, ``difficulty`` and ``gold`` (answer -> list of segment ids, any one of which holds it).

    Introduced in chapter 5 (:doc:`05_pbr`).
    """

    name: str
    community: str
    noise: str
    documents: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"PersonaUser({self.name!r}, {self.community}, noise={self.noise}, "
                f"{len(self.documents)} documents, {len(self.questions)} questions)")


def _read_json(relative: str):
    path = data_path("personabench", relative)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"personabench: {path} is not valid JSON ({error})") from error


def _turns(lines: list[dict], speaker_key: str = "role") -> str:
    return "\n".join(f"{line[speaker_key]}: {line['content']}" for line in lines)


def _segment(kind: str, entry: dict, user: str) -> dict:
    """One document from a session entry; raises ValueError naming the missing field."""
    try:
        if kind == "conversation":
            lines = entry["conversation"]
            text = f"{entry['time']} conversation with {entry['target_name']}\n" + _turns(lines)
            user_text = "\n".join(line["content"] for line in lines if line["role"] == user)
        elif kind == "user_ai":
            lines = entry["user_ai_interaction"]
            text = f"{entry['time']} chat with an AI assistant\n" + _turns(lines)
            user_text = "\n".join(line["content"] for line in lines if line["role"] == "user")
        else:
            items = entry["purchase_history"]
            text = f"{entry['time']} purchases\n" + "\n".join(
                f"{item['title']} ({item.get('brand', '')}): {item.get('description', '')}" for item in items)
            user_text = text
        return {"id": str(entry["segment_id"]), "kind": kind, "time": entry["time"], "text": text,
                "user_text": user_text}
    except (KeyError, TypeError) as error:
        raise ValueError(f"personabench: a {kind} session of {user!r} lacks the field {error}") from error


@functools.lru_cache(maxsize=None)
def _users(noise: str) -> tuple[PersonaUser, ...]:
    users = []
    for community in PERSONABENCH_COMMUNITIES:
        folder = f"{community}/private_data/noise_{noise}/"
        conversations = {e["Name"]: e["Data"] for e in _read_json(folder + "conversation_data_all.json")}
        chats = {e["Name"]: e["Data"] for e in _read_json(folder + "user_ai_interaction_data_all.json")}
        purchases = {e["Name"]: e["Data"] for e in _read_json(folder + "purchase_history_data_all.json")}
        gold = {e["q_id"]: e["segment_id"] for e in
                _read_json(f"{community}/eval_info/qa_gt_context_all_noise_{noise}.json")}
        for person in _read_json(f"{community}/eval_info/eval_info_all.json"):
            name = person["Name"]
            if name not in conversations:  # eval_info lists the whole community; only three users have data
                continue
            documents = [_segment("conversation", entry, name)
                         for friend in conversations.get(name, []) for entry in friend["Conversations"]]
            documents += [_segment("user_ai", entry, name) for entry in chats.get(name, [])]
            documents += [_segment("purchase", entry, name) for entry in purchases.get(name, [])]
            questions = [{"id": f"{community}/{qa['q_id']}", "question": qa["question"], "answer": qa["answer"],
                          "type": qa.get("type", ""), "difficulty": qa.get("difficulty", ""),
                          "gold": {str(k): [str(s) for s in v] for k, v in gold[qa["q_id"]].items()}}
                         for qa in person["Eval_Info"]["qa"] if qa["q_id"] in gold]
            users.append(PersonaUser(name, community, noise, documents, questions))
    return tuple(users)


def load_personabench(noise: str = "0.0") -> list[PersonaUser]:
    """The six PersonaBench users (three per community) at ``noise`` (``"0.0"`` or ``"0.5"``), each with documents and questions.

    Questions without ground-truth segments at that noise level are dropped.

    Introduced in chapter 5 (:doc:`05_pbr`).
    """
    if isinstance(noise, float):
        noise = f"{noise:.1f}"
    if noise not in PERSONABENCH_NOISES:
        raise ValueError(f"noise must be one of {PERSONABENCH_NOISES}, got {noise!r}")
    return copy.deepcopy(list(_users(noise)))


register(INFO, loader=load_personabench)
