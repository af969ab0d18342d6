"""Charades-STA: sentence-described moments in Charades videos (the test split's annotations, no videos).

Each record is ``[video id, duration (s), [start (s), end (s)], sentence]``; 3,158 test moments (the version of the file in the CPL repository). The book uses the
annotations for their statistics only (moment length relative to the video, query length), beside generated videos.

Introduced in chapter 17 (:doc:`17_drnet`).
"""
from __future__ import annotations

import functools
import json

from irbook.data.registry import DatasetInfo, data_path, github_files, register

__all__ = ["load_charades_sta"]

_REPO = ("minghangz/cpl", "cb7562a")  # the short hash the mirror was made from (MANIFEST.md)
# (local name, path upstream, sha256, size): sha256sum / stat on the book's mirror of the pinned commit.
_FILES = [("test.json", "data/charades/test.json",
           "bc515382dafa093df67479a37a3e90f22d7da968405c49bac4c82a498b44567a", 215048)]


INFO = DatasetInfo(
    name="charades-sta",
    description="Charades-STA test moments: video id, duration, [start, end] in seconds and a sentence "
                "(annotations only, no videos).",
    files=github_files(*_REPO, _FILES),
    licence="none stated",
    citation="Gao et al. (2017). TALL: Temporal Activity Localization via Language Query. ICCV.",
    bibtex_key="gao2017tall",
    homepage="https://github.com/minghangz/cpl",
    source=f"{_REPO[0]}@{_REPO[1]}",
)


@functools.lru_cache(maxsize=None)
def _moments() -> tuple:
    with open(data_path("charades-sta", "test.json"), encoding="utf-8") as handle:
        records = json.load(handle)
    if not isinstance(records, list):
        raise ValueError(f"charades-sta: test.json should hold a JSON list, got {type(records).__name__}")
    out = []
    for record in records:
        ok = (isinstance(record, list) and len(record) == 4 and isinstance(record[2], list) and len(record[2]) == 2
              and isinstance(record[3], str))
        if not ok:
            raise ValueError(f"charades-sta: malformed record, expected [video, duration, [start, end], sentence], "
                             f"got {record!r:.200}")
        video, duration, (start, end), sentence = record
        out.append({"video": str(video), "duration": float(duration), "start": float(start), "end": float(end),
                    "query": sentence})
    return tuple(out)


def load_charades_sta(split: str = "test") -> list[dict]:
    """The Charades-STA moments of ``split`` (only ``"test"`` is registered) as dicts with ``video``,
    ``duration``, ``start``, ``end`` (seconds) and ``query``.

    Introduced in chapter 17 (:doc:`17_drnet`).
    """
    if split != "test":
        raise ValueError(f"split must be 'test' (the only registered Charades-STA file), got {split!r}")
    return [dict(m) for m in _moments()]


register(INFO, loader=load_charades_sta)
