"""Chapter 9's view: one question, its sampled retrieval trajectories drawn on the passage graph's neighbourhood,
node size by how many samples visit a passage, colour by the flow estimator's value at the one-passage state.

A view only, on :class:`irbook.widgets.View`: the sampling and the flow are the chapter's own (its Method cells,
exported to :mod:`irbook.chapters.ch09_graphflow`); the view takes them as one function.

- :func:`neighbourhood_figure`: the plotly network of the visited passages, their neighbours and the walked edges;
- :class:`TrajectoryView`: a menu of questions and a method; the figure and the sampled trajectories as text.

Introduced in chapter 9 (:doc:`09_graphflow`).
"""
from __future__ import annotations

import html
from typing import Callable, Sequence

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View


def neighbourhood_figure(titles: dict, edges: Sequence[tuple], visits: dict, flows: dict, targets: set,
                         walked: Sequence[tuple] = (), title: str = "Sampled trajectories"):
    """Nodes (``titles``: id -> label) placed by a spring layout, graph ``edges`` in grey, ``walked`` edges (moves
    of the samples) in blue; size grows with ``visits`` (id -> count), colour is ``flows`` (id -> log F), target
    passages ringed in green.

    Introduced in chapter 9 (:doc:`09_graphflow`).
    """
    import networkx as nx
    import plotly.graph_objects as go

    if not titles:
        raise ValueError("titles must name at least one node")
    unknown = [e for e in list(edges) + list(walked) if e[0] not in titles or e[1] not in titles]
    if unknown:
        raise ValueError(f"edges must join nodes of titles, got unknown endpoints in {unknown[:3]}")
    g = nx.Graph()
    g.add_nodes_from(titles)
    g.add_edges_from(edges)
    pos = nx.spring_layout(g, seed=0)
    fig = go.Figure()
    for pairs, colour, width, name in ((edges, "#cccccc", 1, "graph edge"), (walked, "#4575b4", 3, "sampled move")):
        xs, ys = [], []
        for a, b in pairs:
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": width}, name=name,
                                 hoverinfo="skip"))
    nodes = list(titles)
    fig.add_trace(go.Scatter(
        x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text", name="passage",
        text=[titles[n][:18] for n in nodes], textposition="top center", textfont={"size": 9},
        hovertext=[f"{titles[n]}<br>visits {visits.get(n, 0)}<br>log F {flows.get(n, float('nan')):.2f}"
                   for n in nodes], hoverinfo="text",
        marker={"size": [8 + 3 * visits.get(n, 0) for n in nodes], "color": [flows.get(n, 0.0) for n in nodes],
                "colorscale": "Viridis", "showscale": True, "colorbar": {"title": "log F"},
                "line": {"color": ["#1a9850" if n in targets else "#333333" for n in nodes],
                         "width": [4 if n in targets else 1 for n in nodes]}}))
    fig.update_layout(title=title, height=480, showlegend=True, xaxis={"visible": False},
                      yaxis={"visible": False}, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


class TrajectoryView(View):
    """Choose a question (``questions``: labels) and a policy (``methods``); see its sampled trajectories on the
    graph. ``explore(question_index, method)`` returns a dict with ``titles``, ``edges``, ``visits``, ``flows``,
    ``targets``, ``walked`` (see :func:`neighbourhood_figure`) and ``samples`` (lists of titles).

    Introduced in chapter 9 (:doc:`09_graphflow`).
    """

    def __init__(self, explore: Callable, questions: Sequence[str], methods: Sequence[str]):
        if not callable(explore):
            raise ValueError(f"explore must be callable, got {type(explore).__name__}")
        if not questions or not methods:
            raise ValueError("questions and methods must be non-empty")
        self.explore, self.questions, self.methods = explore, list(questions), list(methods)

    def controls(self, **initial) -> dict:
        import ipywidgets as w

        return {"question": w.Dropdown(options=[(q[:90], i) for i, q in enumerate(self.questions)],
                                       value=initial.get("question", 0), description="question"),
                "method": w.Dropdown(options=self.methods, value=initial.get("method", self.methods[0]),
                                     description="policy")}

    def render(self, question: int = 0, method: str | None = None):
        method = method or self.methods[0]
        out = self.explore(question, method)
        rows = "".join(f"<tr><td style='{CELL_STYLE}'>{html.escape(' → '.join(s))}</td></tr>"
                       for s in out["samples"])
        table = (f"<p>{html.escape(self.questions[question])} &mdash; {html.escape(method)}: "
                 f"{len(out['samples'])} sampled trajectories</p><table style='{TABLE_STYLE}'>{rows}</table>")
        fig = neighbourhood_figure(out["titles"], out["edges"], out["visits"], out["flows"], out["targets"],
                                   out["walked"], title=f"{method}: trajectories on the neighbourhood")
        return table, fig
