"""The book's plotly look and the figures many chapters draw.

Introduced in chapter 1 (:doc:`01_rag_map`); every notebook calls :func:`use_book_theme` once,
next to :func:`irbook.runtime.seed_everything`.

Why a custom renderer: plotly's notebook renderers either inline the whole of plotly.js (3.5 MB
or more in every stored output) or fetch it from a CDN, which the offline book cannot reach.
The ``"irbook"`` renderer stores two small representations of each figure instead:

- ``application/vnd.plotly.v1+json``: the figure as JSON, which JupyterLab (through the
  ``jupyterlab-plotly`` extension that ships with plotly) and VS Code draw natively;
- ``text/html``: a ``<div>`` plus a call to the global ``Plotly``; the HTML book loads one
  local copy of ``plotly.min.js`` on every page (``tools/build_book.py`` puts it there).

On Google Colab, which draws neither, :func:`use_book_theme` keeps plotly's own ``"colab"``
renderer.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from numbers import Real

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer, PlotlyRenderer

from irbook.runtime import on_colab

TEMPLATE_NAME = "irbook"
RENDERER_NAME = "irbook"

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies and in
# greyscale print. Yellow comes last because it is hard to read on white.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
FONT_FAMILY = "Inter, 'Source Sans Pro', 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
# The figure title starts this many pixels below the top, under plotly's toolbar (about 28 px tall).
TITLE_TOP = 34
SUBPLOT_TITLE_SIZE = 13


class BookRenderer(MimetypeRenderer):
    """Render a figure as plotly JSON plus a small HTML snippet that draws with a global ``Plotly``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def __init__(self, config: Mapping | None = None):
        self.config = dict(config or {"displaylogo": False, "responsive": True})

    def to_mimebundle(self, fig_dict: dict) -> dict:
        fig_dict = tidy_titles(fig_dict)
        bundle = PlotlyRenderer(config=self.config).to_mimebundle(dict(fig_dict))
        bundle["text/html"] = pio.to_html(
            fig_dict, config=self.config, include_plotlyjs=False, full_html=False, validate=False
        )
        return bundle


def _is_subplot_title(annotation: Mapping) -> bool:
    """``make_subplots`` titles: unanchored text just above a subplot, in paper coordinates."""
    return (annotation.get("showarrow") is False and annotation.get("yanchor") == "bottom"
            and annotation.get("xref") == "paper" and annotation.get("yref") == "paper")


def _wrap(text: str, limit: int) -> str:
    """Break ``text`` into lines of at most about ``limit`` characters at spaces (plotly's ``<br>``)."""
    if "<br>" in text or len(text) <= limit:
        return text
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(re.sub(r"<[^>]+>", "", word)) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join(lines + [line])


def tidy_titles(fig_dict: dict) -> dict:
    """A copy of ``fig_dict`` whose titles clear plotly's toolbar and one another.

    Introduced in chapter 1 (:doc:`01_rag_map`). Subplot titles get a smaller font and wrap to their
    column's width (``make_subplots`` sets 16 px on one line, which runs into the next column's), and
    a top margin the figure did not set itself makes room for the title, placed under the toolbar,
    and for the subplot titles.
    """
    fig_dict = copy.deepcopy(dict(fig_dict))
    layout = fig_dict.setdefault("layout", {})
    width = layout.get("width") or 700  # the book's text column
    legend = layout.get("legend", {})
    if layout.get("showlegend", True) and len(fig_dict.get("data", [])) > 1 and legend.get("orientation") != "h":
        width -= 200  # a legend on the right takes this much of the plot's width
    width -= 80  # the side margins
    subplot_titles = [a for a in layout.get("annotations", []) if _is_subplot_title(a)]
    domains = {tuple(v.get("domain", (0, 1))) for k, v in layout.items() if k.startswith("xaxis") and isinstance(v, dict)}
    column = max((d[1] - d[0] for d in domains), default=1.0)
    extra_lines = 0
    for annotation in subplot_titles:
        annotation["font"] = {**annotation.get("font", {}), "size": SUBPLOT_TITLE_SIZE}
        annotation["text"] = _wrap(str(annotation.get("text", "")), max(int(width * column / 7), 14))
        extra_lines = max(extra_lines, annotation["text"].count("<br>"))
    title = layout.get("title")
    if isinstance(title, str):
        title = layout["title"] = {"text": title}
    title_lines = 0
    if isinstance(title, dict) and title.get("text"):
        title["text"] = _wrap(str(title["text"]), int((layout.get("width") or 700) / 11))
        title_lines = 1 + title["text"].count("<br>")
    margin = layout.setdefault("margin", {})
    if "t" not in margin:
        top = TITLE_TOP + 24 * title_lines + 12 if title_lines else 40
        if subplot_titles:
            top += 8 + 17 * (1 + extra_lines)
        margin["t"] = top
    return fig_dict


def book_template() -> go.layout.Template:
    """The ``"irbook"`` template: white background, light grid, readable fonts, colour-blind-safe colours."""
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.update(
        colorway=list(PALETTE),
        font=dict(family=FONT_FAMILY, size=14, color="#222222"),
        # the title sits under plotly's toolbar (top right), not beside it; see tidy_titles for the margin
        title=dict(font=dict(size=18), x=0.0, xanchor="left", y=1.0, yref="container", yanchor="top",
                   pad=dict(t=TITLE_TOP, l=8)),
        legend=dict(bgcolor="rgba(255,255,255,0.6)", borderwidth=0),
        margin=dict(l=60, r=20, t=70, b=50),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=13)),
        xaxis=dict(gridcolor="#E5E5E5", zerolinecolor="#BBBBBB", ticks="outside"),
        yaxis=dict(gridcolor="#E5E5E5", zerolinecolor="#BBBBBB", ticks="outside"),
    )
    return template


def use_book_theme(renderer: str | None = None) -> str:
    """Register and activate the ``"irbook"`` template and renderer; return the renderer now in use.

    Introduced in chapter 1 (:doc:`01_rag_map`). ``renderer=None`` picks ``"irbook"``, or
    ``"colab"`` on Google Colab; pass any plotly renderer name to override.
    """
    pio.templates[TEMPLATE_NAME] = book_template()
    pio.templates.default = TEMPLATE_NAME
    pio.renderers[RENDERER_NAME] = BookRenderer()
    if renderer is None:
        renderer = "colab" if on_colab() else RENDERER_NAME
    if renderer not in pio.renderers:
        raise ValueError(f"unknown plotly renderer {renderer!r}; known: {sorted(pio.renderers)}")
    pio.renderers.default = renderer
    return renderer


def _check_number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{where} must be a number, got {value!r} ({type(value).__name__})")
    return float(value)


def _figure(title: str | None, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE_NAME if TEMPLATE_NAME in pio.templates else None, title=title, **layout)
    return fig


def recall_curve(
    curves: Mapping[str, Mapping[int, float]],
    title: str = "Recall at k",
    yaxis_title: str = "Recall@k",
    log_x: bool = False,
) -> go.Figure:
    """One line per system: ``curves = {"BM25": {1: 0.31, 5: 0.52, 10: 0.61}, ...}``.

    Introduced in chapter 1 (:doc:`01_rag_map`); the input is what
    :func:`irbook.evaluation.recall_at_k` returns, one per system.
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty dict {system name: {k: value}}")
    if TEMPLATE_NAME not in pio.templates:
        use_book_theme()
    fig = _figure(title, xaxis_title="k (passages retrieved)", yaxis_title=yaxis_title, hovermode="x unified")
    for name, points in curves.items():
        if not isinstance(points, Mapping) or not points:
            raise ValueError(f"curve {name!r} must be a non-empty dict {{k: value}}, got {points!r}")
        for k in points:
            if isinstance(k, bool) or not isinstance(k, int) or k < 1:
                raise ValueError(f"curve {name!r}: k must be a positive int, got {k!r}")
        ks = sorted(points)
        values = [_check_number(points[k], f"curve {name!r} at k={k}") for k in ks]
        fig.add_trace(go.Scatter(x=ks, y=values, mode="lines+markers", name=str(name)))
    if log_x:
        fig.update_xaxes(type="log")
    return fig


def bar_compare(
    data,
    title: str = "",
    yaxis_title: str = "score",
    value_format: str = ".3f",
) -> go.Figure:
    """Grouped bars comparing systems on one or more metrics.

    Introduced in chapter 1 (:doc:`01_rag_map`). ``data`` is one of:

    - ``{system: value}``: one bar per system;
    - ``{system: {metric: value}}``: bars grouped by metric, one colour per system;
    - a pandas DataFrame with systems as the index and metrics as columns (what
      :func:`irbook.evaluation.ir_metrics` gives when collected per system).
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        table = {str(system): {str(m): row[m] for m in data.columns} for system, row in data.iterrows()}
    elif isinstance(data, Mapping):
        table = {}
        for system, value in data.items():
            table[str(system)] = dict(value) if isinstance(value, Mapping) else {yaxis_title: value}
    else:
        raise TypeError(f"data must be a dict or a pandas DataFrame, got {type(data).__name__}")
    if not table or not any(table.values()):
        raise ValueError("bar_compare needs at least one value")
    if TEMPLATE_NAME not in pio.templates:
        use_book_theme()
    metrics = list(dict.fromkeys(m for row in table.values() for m in row))
    fig = _figure(title, barmode="group", yaxis_title=yaxis_title)
    for system, row in table.items():
        values = [_check_number(row[m], f"{system!r}/{m!r}") if m in row else None for m in metrics]
        fig.add_trace(
            go.Bar(
                x=metrics,
                y=values,
                name=system,
                text=[None if v is None else format(v, value_format) for v in values],
                textposition="outside",
            )
        )
    if len(metrics) == 1:
        fig.update_layout(showlegend=len(table) > 1)
    return fig


def scatter(
    x,
    y,
    labels=None,
    groups=None,
    title: str = "",
    xaxis_title: str = "x",
    yaxis_title: str = "y",
) -> go.Figure:
    """A scatter plot with optional hover labels and one colour per group.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    x, y = list(x), list(y)
    if len(x) != len(y) or not x:
        raise ValueError(f"x and y must be non-empty and of equal length, got {len(x)} and {len(y)}")
    for name, values in (("labels", labels), ("groups", groups)):
        if values is not None and len(values) != len(x):
            raise ValueError(f"{name} has {len(values)} items for {len(x)} points")
    if TEMPLATE_NAME not in pio.templates:
        use_book_theme()
    fig = _figure(title, xaxis_title=xaxis_title, yaxis_title=yaxis_title)
    group_of = list(groups) if groups is not None else ["points"] * len(x)
    for group in dict.fromkeys(group_of):
        idx = [i for i, g in enumerate(group_of) if g == group]
        fig.add_trace(
            go.Scatter(
                x=[x[i] for i in idx],
                y=[y[i] for i in idx],
                mode="markers",
                name=str(group),
                text=[str(labels[i]) for i in idx] if labels is not None else None,
                hoverinfo="text+x+y" if labels is not None else "x+y",
            )
        )
    fig.update_layout(showlegend=groups is not None)
    return fig
