"""Chapter 20's view: a text query box over a mask-aware image index, each result drawn with its chosen mask.

A view only, on :class:`irbook.widgets.View`: the search itself (region index, reranking, mask choice) is the
chapter's own, written in its Method cells and exported to :mod:`irbook.chapters.ch20_matir`; the view takes
it as a function.

- :func:`overlay`: an image with a mask tinted on it;
- :func:`image_uri`: an image as a small inline JPEG (``data:`` URI), so the stored page stays light;
- :class:`MaskSearchView`: a query box and a mask-source menu; the top images, each with its chosen mask, and the
  scores of its best regions.

Introduced in chapter 20 (:doc:`20_matir`).
"""
from __future__ import annotations

import base64
import html
from typing import Callable, Sequence

import numpy as np

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View


def overlay(image, mask, colour=(255, 40, 40), strength: float = 0.55) -> np.ndarray:
    """``image`` (H x W x 3 uint8) with ``mask`` (H x W bool) tinted in ``colour`` and outlined.

    Introduced in chapter 20 (:doc:`20_matir`).
    """
    import cv2

    image = np.asarray(image)
    mask = np.asarray(mask, bool)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be an H x W x 3 array, got shape {image.shape}")
    if mask.shape != image.shape[:2]:
        raise ValueError(f"mask must have the image's {image.shape[:2]} pixels, got shape {mask.shape}")
    if not 0 <= strength <= 1:
        raise ValueError(f"strength must be in [0, 1], got {strength!r}")
    out = image.astype(np.float32)
    out[mask] = (1 - strength) * out[mask] + strength * np.asarray(colour, np.float32)
    out = out.astype(np.uint8)
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(out, contours, -1, tuple(int(c) for c in colour), 1)
    return out


def image_uri(image, max_side: int = 180, quality: int = 70) -> str:
    """A ``data:image/jpeg;base64,...`` URI of ``image`` shrunk to at most ``max_side`` pixels.

    Introduced in chapter 20 (:doc:`20_matir`).
    """
    import cv2

    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be an H x W x 3 array, got shape {image.shape}")
    if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 8:
        raise ValueError(f"max_side must be an int >= 8, got {max_side!r}")
    scale = min(1.0, max_side / max(image.shape[:2]))
    small = cv2.resize(image, (max(1, int(image.shape[1] * scale)), max(1, int(image.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the image could not be encoded as JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.tobytes()).decode()


class MaskSearchView(View):
    """A query box over a mask-aware index: the top ``k`` images, each with its chosen mask tinted, whether it is
    the query's target (when known), and the scores of its best regions.

    ``search(query, source, k)`` returns a list (best first) of dicts with ``image`` (H x W x 3), ``mask``
    (H x W bool), ``score`` (float), ``region_scores`` (floats, best first), ``label`` (str) and optionally
    ``relevant`` (bool). ``sources`` name the mask sets the menu offers.

    Introduced in chapter 20 (:doc:`20_matir`).
    """

    def __init__(self, search: Callable, sources: Sequence[str], k: int = 3, example: str = ""):
        if not callable(search):
            raise TypeError(f"search must be callable (query, source, k) -> results, got {type(search).__name__}")
        if not sources or not all(isinstance(s, str) and s for s in sources):
            raise ValueError(f"sources must be a non-empty list of names, got {sources!r}")
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 10:
            raise ValueError(f"k must be an int from 1 to 10, got {k!r}")
        self.search, self.sources, self.k, self.example = search, list(sources), k, str(example)

    def controls(self, query: str | None = None, source: str | None = None) -> dict:
        import ipywidgets as w

        return {"query": w.Text(value=self.example if query is None else query, continuous_update=False,
                                placeholder="a white dog on the left", layout=w.Layout(width="420px")),
                "source": w.Dropdown(options=self.sources, value=source or self.sources[0],
                                     layout=w.Layout(width="180px"))}

    def render(self, query: str, source: str) -> str:
        if not query.strip():
            return "<p>Type a query: an object, an attribute, a position (e.g. <i>a white dog on the left</i>).</p>"
        if source not in self.sources:
            raise ValueError(f"source must be one of {self.sources}, got {source!r}")
        results = self.search(query, source, self.k)
        cards = []
        for rank, hit in enumerate(results, 1):
            mark = "" if hit.get("relevant") is None else (" &#10003; target" if hit["relevant"] else "")
            scores = ", ".join(f"{s:.3f}" for s in list(hit.get("region_scores", []))[:4])
            cards.append(
                f'<div style="display:inline-block;margin:4px;vertical-align:top;width:190px;font-size:12px">'
                f'<img src="{image_uri(overlay(hit["image"], hit["mask"]))}" style="max-width:180px"><br>'
                f'<b>{rank}.</b> {html.escape(str(hit.get("label", "")))}{mark}<br>score {hit["score"]:.3f}<br>'
                f'<span style="color:#666">best regions: {scores}</span></div>')
        head = (f'<table style="{TABLE_STYLE}"><tr><td style="{CELL_STYLE}">query: <i>{html.escape(query)}</i>, '
                f'masks: {html.escape(source)}</td></tr></table>')
        return head + "<div>" + "".join(cards) + "</div>"
