"""A query box over a late-interaction index, its ranked passages, and the MaxSim alignment behind one result.

Introduced in chapter 2 (:doc:`02_kinyacolbert`). The encoder, MaxSim and the index
(:class:`~irbook.chapters.ch02_kinyacolbert.LateInteractionIndex`) are the chapter's code; this module only draws
them. :class:`MaxSimExplorer` is a :class:`~irbook.widgets.View` whose state is the query text and the rank of the
result whose alignment is shown: a heat map of query words x passage words, each query word's best match boxed,
so a reader sees which words (and, through the morphemes printed under them, which morphemes) matched.
"""
from __future__ import annotations

import html

import numpy as np

from irbook.widgets import View, html_table

__all__ = ["MaxSimExplorer", "alignment_figure", "best_matches"]


def best_matches(sim) -> list[int]:
    """For each query unit (row of ``sim``), the passage unit (column) with the highest cosine: MaxSim's choice.

    Introduced in chapter 2 (:doc:`02_kinyacolbert`).
    """
    sim = np.asarray(sim, dtype=float)
    if sim.ndim != 2 or 0 in sim.shape:
        raise ValueError(f"sim must be a non-empty 2-D (query units x passage units) matrix, got shape {sim.shape}")
    return [int(j) for j in sim.argmax(axis=1)]


def alignment_figure(query_units, passage_units, sim, title: str = ""):
    """A heat map of the cosine between every query unit and every passage unit, MaxSim's choice per row marked.

    Introduced in chapter 2 (:doc:`02_kinyacolbert`).
    """
    import plotly.graph_objects as go

    sim = np.asarray(sim, dtype=float)
    if sim.shape != (len(query_units), len(passage_units)):
        raise ValueError(f"sim has shape {sim.shape}, expected ({len(query_units)}, {len(passage_units)}) "
                         f"(query units x passage units)")
    # numbered labels keep repeated words apart on the axes
    xs = [f"{j}:{u}" for j, u in enumerate(passage_units)]
    ys = [f"{i}:{u}" for i, u in enumerate(query_units)]
    best = best_matches(sim)
    fig = go.Figure(go.Heatmap(z=sim, x=xs, y=ys, colorscale="Viridis", zmin=-1, zmax=1,
                               colorbar={"title": "cosine"}))
    fig.add_trace(go.Scatter(x=[xs[j] for j in best], y=ys, mode="markers", name="MaxSim choice",
                             marker={"symbol": "square-open", "size": 12, "color": "red", "line": {"width": 2}}))
    fig.update_layout(title=title or f"MaxSim alignment (score {sim.max(axis=1).sum():.2f})", height=360,
                      xaxis={"title": "passage words", "tickangle": -60}, yaxis={"title": "query words",
                                                                                  "autorange": "reversed"},
                      showlegend=False)
    return fig


class MaxSimExplorer(View):
    """Type a query, see the top passages and the alignment behind one of them.

    Parameters
    ----------
    index
        Anything with ``scores([query]) -> (1, n_passages)`` and ``alignment(query, i) -> (query units,
        passage units, cosines)`` (:class:`~irbook.chapters.ch02_kinyacolbert.LateInteractionIndex`).
    passages : list of dict
        ``{"pid", "article", "text"}`` per indexed passage, in index order.
    relevant : dict, optional
        Query text -> article id, to mark the known item among the results.
    k : int
        How many results to list.

    Introduced in chapter 2 (:doc:`02_kinyacolbert`).
    """

    def __init__(self, index, passages, relevant: dict | None = None, k: int = 5):
        if not (callable(getattr(index, "scores", None)) and callable(getattr(index, "alignment", None))):
            raise TypeError(f"index must have scores() and alignment() (a LateInteractionIndex), "
                            f"got {type(index).__name__}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be an int >= 1, got {k!r}")
        self.index, self.passages, self.relevant, self.k = index, list(passages), dict(relevant or {}), k

    def results(self, query: str) -> list[dict]:
        """The top-``k`` passages for ``query``: rank, passage id, article, score and the passage's start."""
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"query must be a non-empty string, got {query!r}")
        scores = np.asarray(self.index.scores([query]))[0]
        top = np.argsort(-scores, kind="stable")[:self.k]
        return [{"rank": r + 1, "i": int(i), "passage": self.passages[i]["pid"],
                 "article": self.passages[i]["article"], "score": float(scores[i]),
                 "text": self.passages[i]["text"][:160]} for r, i in enumerate(top)]

    def render(self, query: str = "", rank: int = 1):
        if not query.strip():
            return "<p>Type a Kinyarwanda query.</p>", alignment_figure(["-"], ["-"], [[0.0]], "no query")
        rows = self.results(query)
        known = self.relevant.get(query)
        table = html_table([{**row, "known item": "yes" if row["article"] == known else ""} for row in rows],
                           columns=["rank", "passage", "article", "score", "known item", "text"],
                           formats={"score": ".2f"})
        chosen = rows[min(max(rank, 1), len(rows)) - 1]
        q_units, d_units, sim = self.index.alignment(query, chosen["i"])
        title = f"query x passage {html.escape(chosen['passage'])} (rank {chosen['rank']})"
        return table, alignment_figure(q_units, d_units, sim, title)

    def controls(self, query: str = "", rank: int = 1) -> dict:
        import ipywidgets as w

        return {"query": w.Text(value=query, description="query", continuous_update=False,
                                layout=w.Layout(width="60%")),
                "rank": w.BoundedIntText(value=rank, min=1, max=self.k, description="result")}
