"""Chapter 17's view: one query over one video's timeline, with the gold moment, a method's predicted span and
DRNet's relevance mask (1 - noise) per clip.

A view only, on :class:`irbook.widgets.View`: the models and their predictions are the chapter's own (its Method
cells, exported to :mod:`irbook.chapters.ch17_drnet`); the view takes them as one function.

- :func:`timeline_figure`: the plotly figure of a timeline (gold span, predicted span, mask per clip);
- :class:`MomentTimelineView`: menus for the query and the method; the query text, the IoU and the timeline.

Introduced in chapter 17 (:doc:`17_drnet`).
"""
from __future__ import annotations

import html
from typing import Callable, Sequence

import numpy as np

from irbook.widgets import View


def timeline_figure(duration: float, gold: tuple[float, float], predicted: tuple[float, float], mask=None,
                    clip_seconds: float = 1.0, title: str = "Timeline"):
    """Gold moment (green) and predicted span (blue) as bars over ``[0, duration]`` seconds; ``mask`` (one value in
    [0, 1] per clip, optional) as bars of the clips' relevance.

    Introduced in chapter 17 (:doc:`17_drnet`).
    """
    import plotly.graph_objects as go

    if not duration > 0:
        raise ValueError(f"duration must be positive, got {duration!r}")
    for name, span in (("gold", gold), ("predicted", predicted)):
        if len(span) != 2 or not 0 <= span[0] <= span[1]:
            raise ValueError(f"{name} must be (start, end) with 0 <= start <= end, got {span!r}")
    fig = go.Figure()
    if mask is not None:
        mask = np.asarray(mask, dtype=float)
        if mask.ndim != 1 or np.any((mask < 0) | (mask > 1)):
            raise ValueError("mask must be a 1-D array of values in [0, 1]")
        centres = (np.arange(len(mask)) + 0.5) * clip_seconds
        fig.add_trace(go.Bar(x=centres, y=mask, width=clip_seconds * 0.9, name="relevance m (1 - noise)",
                             marker={"color": "#fdae61"}))
    for row, (label, span, colour) in enumerate((("gold", gold, "#1a9850"), ("predicted", predicted, "#4575b4"))):
        fig.add_trace(go.Scatter(x=[span[0], span[1]], y=[1.15 + 0.15 * row] * 2, mode="lines+markers", name=label,
                                 line={"color": colour, "width": 8}))
    fig.update_layout(title=title, xaxis_title="seconds", yaxis={"range": [0, 1.5], "title": "mask"}, height=300,
                      xaxis_range=[0, duration], margin={"l": 50, "r": 20, "t": 50, "b": 40})
    return fig


class MomentTimelineView(View):
    """Choose a query (``queries``: labels) and a method (``methods``); see the query, the IoU and the timeline.

    ``predict(query_index, method)`` returns a dict with ``query`` (text), ``duration``, ``gold`` and ``predicted``
    ((start, end) in seconds), ``iou``, ``clip_seconds`` and ``mask`` (per-clip relevance or None).

    Introduced in chapter 17 (:doc:`17_drnet`).
    """

    def __init__(self, predict: Callable, queries: Sequence[str], methods: Sequence[str]):
        if not callable(predict):
            raise ValueError(f"predict must be callable, got {type(predict).__name__}")
        if not queries or not methods:
            raise ValueError("queries and methods must be non-empty")
        self.predict, self.queries, self.methods = predict, list(queries), list(methods)

    def controls(self, **initial) -> dict:
        import ipywidgets as w

        return {"query": w.Dropdown(options=[(q[:70], i) for i, q in enumerate(self.queries)],
                                    value=initial.get("query", 0), description="query"),
                "method": w.Dropdown(options=self.methods, value=initial.get("method", self.methods[0]),
                                     description="method")}

    def render(self, query: int = 0, method: str | None = None):
        method = method or self.methods[0]
        out = self.predict(query, method)
        text = (f"<p><b>{html.escape(out['query'])}</b><br>{html.escape(method)}: predicted "
                f"{out['predicted'][0]:.1f}&ndash;{out['predicted'][1]:.1f} s, gold {out['gold'][0]:.1f}&ndash;"
                f"{out['gold'][1]:.1f} s, IoU {out['iou']:.2f}</p>")
        return text, timeline_figure(out["duration"], out["gold"], out["predicted"], out.get("mask"),
                                     out["clip_seconds"], title=f"{method}: timeline")
