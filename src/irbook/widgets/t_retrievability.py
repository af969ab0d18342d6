"""Explore retrievability and T-Retrievability: Lorenz curves and per-topic Gini for a choice of settings.

Introduced in chapter 13 (:doc:`13_t_retrievability`). A view only: the measures come from the chapter's code,
:mod:`irbook.chapters.ch13_t_retrievability`. :meth:`RetrievabilityExplorer.state` and
:meth:`RetrievabilityExplorer.render` run headless so that tests can drive them; :meth:`View.widget` adds the
controls.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from irbook.chapters.ch13_t_retrievability import COUNTINGS, gini, lorenz_curve, retrievability, topic_gini
from irbook.widgets import View

SCORINGS = {  # label shown in the widget -> (weighting, beta)
    "cumulative": ("cumulative", 1.0),
    "gravity b=0.5": ("gravity", 0.5),
    "gravity b=1": ("gravity", 1.0),
    "1/ln(rank+1) (T-Retrievability code)": ("t-retrievability", 1.0),
}


class RetrievabilityExplorer(View):
    """Retrievability of several models over one query set, with topic labels for several clusterings.

    Introduced in chapter 13 (:doc:`13_t_retrievability`).

    Parameters
    ----------
    rankings : model name -> ranking matrix ``(n_queries, depth)`` of doc indices (``-1`` pads), all over the
        same queries in the same order.
    n_docs : size of the collection (documents never retrieved count as r = 0).
    topic_labels : clustering name (e.g. ``"MiniLM k=25"``) -> one topic label per query.
    cutoffs : the rank cut-offs c offered.
    """

    def __init__(self, rankings: Mapping[str, np.ndarray], n_docs: int, topic_labels: Mapping[str, np.ndarray],
                 cutoffs: Sequence[int] = (10, 20, 50, 100)):
        if not rankings:
            raise ValueError("rankings must hold at least one model")
        if not topic_labels:
            raise ValueError("topic_labels must hold at least one clustering")
        shapes = {name: np.asarray(m).shape for name, m in rankings.items()}
        n_queries = {s[0] for s in shapes.values()}
        if len(n_queries) != 1 or any(len(s) != 2 for s in shapes.values()):
            raise ValueError(f"every ranking matrix must be 2-d over the same queries, got {shapes}")
        (self.n_queries,) = n_queries
        for name, labels in topic_labels.items():
            if np.asarray(labels).shape != (self.n_queries,):
                raise ValueError(f"topic labels {name!r} must hold one label per query ({self.n_queries})")
        depth = min(s[1] for s in shapes.values())
        bad = [c for c in cutoffs if not 1 <= c <= depth]
        if bad:
            raise ValueError(f"cut-offs {bad} are outside 1..{depth} (the retrieved depth)")
        self.rankings = {name: np.asarray(m) for name, m in rankings.items()}
        self.n_docs = int(n_docs)
        self.topic_labels = {name: np.asarray(labels) for name, labels in topic_labels.items()}
        self.cutoffs = list(cutoffs)

    def _check(self, model: str, cutoff: int, scoring: str, counting: str, topics: str) -> tuple[str, float]:
        if model not in self.rankings:
            raise ValueError(f"unknown model {model!r}; choose from {list(self.rankings)}")
        if cutoff not in self.cutoffs:
            raise ValueError(f"cut-off {cutoff!r} not offered; choose from {self.cutoffs}")
        if scoring not in SCORINGS:
            raise ValueError(f"unknown scoring {scoring!r}; choose from {list(SCORINGS)}")
        if counting not in COUNTINGS:
            raise ValueError(f"counting must be one of {COUNTINGS}, got {counting!r}")
        if topics not in self.topic_labels:
            raise ValueError(f"unknown clustering {topics!r}; choose from {list(self.topic_labels)}")
        weighting, beta = SCORINGS[scoring]
        return weighting, beta

    def state(self, model: str, cutoff: int = 100, scoring: str = "cumulative", counting: str = "all",
              topics: str | None = None) -> dict:
        """Everything the view shows: per-model global Gini and Lorenz curve, the chosen model's per-topic Gini
        (every topic, as in the T-Retrievability code).

        Introduced in chapter 13 (:doc:`13_t_retrievability`).
        """
        topics = topics if topics is not None else next(iter(self.topic_labels))
        weighting, beta = self._check(model, cutoff, scoring, counting, topics)
        curves, ginis, never = {}, {}, {}
        for name, matrix in self.rankings.items():
            r = retrievability(matrix, self.n_docs, cutoff, weighting, beta)
            ginis[name] = gini(r, counting)
            curves[name] = lorenz_curve(r, counting)
            never[name] = int((r == 0).sum())
        per_topic = topic_gini(self.rankings[model], self.topic_labels[topics], self.n_docs, cutoff,
                               weighting, beta, counting)
        values = np.array(list(per_topic.values()))
        return {"model": model, "global_gini": ginis, "lorenz": curves, "never_retrieved": never,
                "topic_gini": values,
                "t_gini": {"mean": float(values.mean()), "min": float(values.min()), "max": float(values.max())}}

    def figure(self, model: str, cutoff: int = 100, scoring: str = "cumulative", counting: str = "all",
               topics: str | None = None):
        """Left: Lorenz curves of every model (the chosen one bold); right: the chosen model's per-topic Gini.

        Introduced in chapter 13 (:doc:`13_t_retrievability`).
        """
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        topics = topics if topics is not None else next(iter(self.topic_labels))
        s = self.state(model, cutoff, scoring, counting, topics)
        fig = make_subplots(rows=1, cols=2, subplot_titles=(
            f"Lorenz curves (c={cutoff}, {scoring}, counting={counting})",
            f"{model}: Gini per topic ({topics})"))
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"),
                                 name="equality", showlegend=False), row=1, col=1)
        for name, (x, y) in s["lorenz"].items():
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=f"{name} (G={s['global_gini'][name]:.3f})",
                                     line=dict(width=4 if name == model else 1.5)), row=1, col=1)
        fig.add_trace(go.Histogram(x=s["topic_gini"], nbinsx=20, name="topics", showlegend=False), row=1, col=2)
        fig.add_vline(x=s["global_gini"][model], line_dash="dash", row=1, col=2,
                      annotation_text="global Gini", annotation_position="top left")
        fig.add_vline(x=s["t_gini"]["mean"], line_dash="dot", row=1, col=2,
                      annotation_text="mean T-Gini", annotation_position="top right")
        fig.update_xaxes(title_text="share of documents (least retrievable first)", row=1, col=1)
        fig.update_yaxes(title_text="share of retrievability", row=1, col=1)
        fig.update_xaxes(title_text="Gini within a topic", row=1, col=2)
        fig.update_yaxes(title_text="topics", row=1, col=2)
        fig.update_layout(height=420, legend=dict(orientation="h", y=-0.25))
        return fig

    def render(self, model: str, cutoff: int = 100, scoring: str = "cumulative", counting: str = "all",
               topics: str | None = None):
        """The figure for one state of the controls (pure, so tests call it without a browser).

        Introduced in chapter 13 (:doc:`13_t_retrievability`).
        """
        return self.figure(model, cutoff, scoring, counting, topics)

    def controls(self, model: str | None = None, cutoff: int | None = None, scoring: str = "cumulative",
                 counting: str = "all", topics: str | None = None) -> dict:
        """Model, cut-off c, rank weight, counting rule and clustering, starting at the given values.

        Introduced in chapter 13 (:doc:`13_t_retrievability`).
        """
        import ipywidgets as w

        model = model if model is not None else next(iter(self.rankings))
        cutoff = cutoff if cutoff is not None else self.cutoffs[-1]
        topics = topics if topics is not None else next(iter(self.topic_labels))
        self._check(model, cutoff, scoring, counting, topics)
        return {"model": w.Dropdown(options=list(self.rankings), value=model, description="model"),
                "cutoff": w.Dropdown(options=self.cutoffs, value=cutoff, description="c"),
                "scoring": w.Dropdown(options=list(SCORINGS), value=scoring, description="r(d) weight"),
                "counting": w.ToggleButtons(options=list(COUNTINGS), value=counting, description="count"),
                "topics": w.Dropdown(options=list(self.topic_labels), value=topics, description="topics")}
