"""Personalize before retrieve, one question at a time: the expansions, the user's corpus graph with its anchor,
and the rankings with and without personalisation, side by side.

Introduced in chapter 5 (:doc:`05_pbr`). The method (graph, centre, query vector) is the chapter's code, in
:mod:`irbook.chapters.ch05_pbr`; this module only draws what the notebook computed: :class:`PBRExplorer` is a
:class:`~irbook.widgets.View` whose state is the example shown.
"""
from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View

__all__ = ["PBRExplorer", "EXAMPLE_KEYS"]

EXAMPLE_KEYS = ("user", "question", "expansions", "rankings", "graph")
"""What each example holds: ``expansions`` {name: text}, ``rankings`` {name: [(doc id, text, relevant)]},
``graph`` {``xy`` (n, 2), ``edges`` [(i, j)], ``pi`` (n,), ``gold`` [i], ``points`` {name: (x, y)}}."""


def _check_example(label: str, example) -> None:
    if not isinstance(example, Mapping):
        raise TypeError(f"examples[{label!r}] must be a mapping, got {type(example).__name__}")
    missing = [k for k in EXAMPLE_KEYS if k not in example]
    if missing:
        raise ValueError(f"examples[{label!r}] lacks {missing}; an example needs {list(EXAMPLE_KEYS)}")
    xy = np.asarray(example["graph"].get("xy"))
    pi = np.asarray(example["graph"].get("pi"))
    if xy.ndim != 2 or xy.shape[1] != 2 or pi.shape != (len(xy),):
        raise ValueError(f"examples[{label!r}]['graph'] needs xy of shape (n, 2) and pi of shape (n,), "
                         f"got {xy.shape} and {pi.shape}")


class PBRExplorer(View):
    """Pick a user's question; see the expansions, the corpus graph with its anchor and the two rankings.

    Parameters
    ----------
    examples : mapping label -> example (see :data:`EXAMPLE_KEYS`), as the notebook builds them.
    snippet : characters of each retrieved document shown.

    Introduced in chapter 5 (:doc:`05_pbr`).
    """

    def __init__(self, examples: Mapping[str, Mapping], snippet: int = 160):
        if not isinstance(examples, Mapping) or not examples:
            raise ValueError("examples must be a non-empty mapping of label -> example")
        for label, example in examples.items():
            _check_example(label, example)
        if isinstance(snippet, bool) or not isinstance(snippet, int) or snippet < 20:
            raise ValueError(f"snippet must be an int >= 20, got {snippet!r}")
        self.examples = dict(examples)
        self.snippet = snippet

    def expansions(self, label: str) -> str:
        """The question and each method's expansion text as an HTML table."""
        ex = self.examples[label]
        rows = "".join(f"<tr><td style='{CELL_STYLE}'><b>{html.escape(name)}</b></td>"
                       f"<td style='{CELL_STYLE}'>{html.escape(str(text))}</td></tr>"
                       for name, text in ex["expansions"].items())
        return (f"<p><b>{html.escape(ex['user'])}</b> asks: <i>{html.escape(ex['question'])}</i></p>"
                f"<table style='{TABLE_STYLE}'>{rows}</table>")

    def rankings(self, label: str) -> str:
        """The rankings side by side; relevant documents are marked with a check and a green band."""
        ex = self.examples[label]
        columns = []
        for name, ranked in ex["rankings"].items():
            items = "".join(
                f"<li style='{CELL_STYLE}{'background:#e6f4ea;' if relevant else ''}'>"
                f"{'&#10003; ' if relevant else ''}<code>{html.escape(str(doc))}</code> "
                f"{html.escape(str(text)[:self.snippet])}</li>" for doc, text, relevant in ranked)
            columns.append(f"<td style='{CELL_STYLE}width:50%'><b>{html.escape(name)}</b><ol>{items}</ol></td>")
        return f"<table style='{TABLE_STYLE}'><tr>{''.join(columns)}</tr></table>"

    def figure(self, label: str):
        """The user's corpus graph in 2-D (PCA of the embeddings): node size = stationary weight pi, gold
        documents in green, the anchor, the query and the personalised query as markers."""
        import plotly.graph_objects as go

        g = self.examples[label]["graph"]
        xy, pi = np.asarray(g["xy"], dtype=float), np.asarray(g["pi"], dtype=float)
        ex_, ey_ = [], []
        for i, j in g["edges"]:
            ex_ += [xy[i, 0], xy[j, 0], None]
            ey_ += [xy[i, 1], xy[j, 1], None]
        gold = set(g["gold"])
        colour = ["#009E73" if i in gold else "#56B4E9" for i in range(len(xy))]
        size = 6 + 40 * np.sqrt(pi / max(pi.max(), 1e-12))
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=ex_, y=ey_, mode="lines", line=dict(color="#cccccc", width=0.7),
                                 hoverinfo="skip", name="kNN edges"))
        fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name="documents (green: gold)",
                                 marker=dict(size=size, color=colour, line=dict(width=0.5, color="#333")),
                                 text=[f"doc {i}, pi={p:.4f}" for i, p in enumerate(pi)], hoverinfo="text"))
        symbols = {"anchor": "star", "query": "x", "PBR query": "diamond"}
        for name, point in g["points"].items():
            fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name=name,
                                     marker=dict(size=16, symbol=symbols.get(name, "circle"))))
        fig.update_layout(title="The user's corpus graph and the P-Anchor centre", height=420,
                          xaxis_title="PC 1", yaxis_title="PC 2")
        return fig

    def controls(self, example: str | None = None) -> dict:
        """A drop-down of the examples (user and question).

        Introduced in chapter 5 (:doc:`05_pbr`).
        """
        import ipywidgets as w

        labels = list(self.examples)
        example = labels[0] if example is None else example
        if example not in self.examples:
            raise ValueError(f"unknown example {example!r}; choose from {labels}")
        return {"example": w.Dropdown(options=labels, value=example, description="question",
                                      layout=w.Layout(width="90%"))}

    def render(self, example: str | None = None):
        """Expansions (HTML), the graph (figure) and the rankings (HTML) for one example.

        Introduced in chapter 5 (:doc:`05_pbr`).
        """
        example = next(iter(self.examples)) if example is None else example
        if example not in self.examples:
            raise ValueError(f"unknown example {example!r}; choose from {list(self.examples)}")
        return self.expansions(example), self.figure(example), self.rankings(example)
