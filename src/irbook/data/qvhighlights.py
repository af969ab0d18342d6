"""QVHighlights: queries over 150-s YouTube clips with their relevant windows (the validation annotations, no
videos).

Each JSON line has ``qid``, ``query``, ``duration``, ``vid`` and ``relevant_windows`` (a list of ``[start, end]`` in
seconds; a query may have several). The book uses them for their statistics (moment length relative to the video,
windows per query, query length), beside generated videos.

Introduced in chapter 17 (:doc:`17_drnet`).
"""
from __future__ import annotations

import functools
import json

from irbook.data.registry import DatasetInfo, data_path, github_files, register

__all__ = ["load_qvhighlights"]

_REPO = ("jayleicn/moment_detr", "b7e553a")  # the short hash the mirror was made from (MANIFEST.md)
# (local name, path upstream, sha256, size): sha256sum / stat on the book's mirror of the pinned commit.
_FILES = [("highlight_val_release.jsonl", "data/highlight_val_release.jsonl",
           "f668a1eaea156ec5315e14718999cea043a8cf948d3cafbd8e8d655318c3cd02", 821101)]


INFO = DatasetInfo(
    name="qvhighlights",
    description="QVHighlights validation queries: query, video id, duration and relevant windows in seconds "
                "(annotations only, no videos).",
    files=github_files(*_REPO, _FILES),
    licence="CC BY-NC-SA 4.0",
    citation="Lei, Berg and Bansal (2021). QVHighlights: Detecting Moments and Highlights in Videos via Natural "
             "Language Queries. NeurIPS.",
    bibtex_key="lei2021detecting",
    homepage="https://github.com/jayleicn/moment_detr",
    source=f"{_REPO[0]}@{_REPO[1]}",
)


@functools.lru_cache(maxsize=None)
def _queries() -> tuple:
    out = []
    with open(data_path("qvhighlights", "highlight_val_release.jsonl"), encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or any(k not in record for k in ("qid", "query", "duration", "vid",
                                                                                "relevant_windows")):
                raise ValueError(f"qvhighlights: malformed line {number}: expected keys qid, query, duration, vid, "
                                 f"relevant_windows, got {line[:200]!r}")
            windows = [(float(a), float(b)) for a, b in record["relevant_windows"]]
            out.append({"qid": record["qid"], "query": record["query"], "video": record["vid"],
                        "duration": float(record["duration"]), "windows": windows})
    return tuple(out)


def load_qvhighlights(split: str = "val") -> list[dict]:
    """The QVHighlights queries of ``split`` (only ``"val"`` is registered) as dicts with ``qid``, ``query``,
    ``video``, ``duration`` and ``windows`` (list of (start, end) in seconds).

    Introduced in chapter 17 (:doc:`17_drnet`).
    """
    if split != "val":
        raise ValueError(f"split must be 'val' (the only registered QVHighlights file), got {split!r}")
    return [dict(q, windows=list(q["windows"])) for q in _queries()]


register(INFO, loader=load_qvhighlights)
