"""What the PIR server sees: a view of one LWE-encrypted one-hot query and of what leaks without its noise or secret.

Introduced in chapter 14 (:doc:`14_pir_rag`). The query and the attacks
(:class:`~irbook.chapters.ch14_pir_rag.LWEQuery`, GF(2) elimination, Hensel lifting) are the chapter's code, in
:mod:`irbook.chapters.ch14_pir_rag`; this module only draws them: :class:`LWEQueryInspector` is a
:class:`~irbook.widgets.View` whose state is the query variant shown.
"""
from __future__ import annotations

import numpy as np

from irbook.chapters.ch14_pir_rag import MODES, LWEQuery
from irbook.widgets import View

__all__ = ["MODES", "LWEQueryInspector"]


class LWEQueryInspector(View):
    """One SimplePIR query as the server receives it, in each of :data:`MODES`, with the attacks' readout.

    Parameters
    ----------
    query : LWEQuery
        The query and its attacks (:class:`irbook.chapters.ch14_pir_rag.LWEQuery`).
    window : int
        How many database columns around the hidden index the figure shows.

    Introduced in chapter 14 (:doc:`14_pir_rag`).
    """

    def __init__(self, query: LWEQuery, window: int = 64):
        # duck-typed: the notebook defines LWEQuery itself (the same code as the chapter module's)
        if not all(callable(getattr(query, name, None)) for name in ("state", "query", "onehot")):
            raise TypeError(f"query must be an LWEQuery (irbook.chapters.ch14_pir_rag), got {type(query).__name__}")
        if isinstance(window, bool) or not isinstance(window, int) or window < 2:
            raise ValueError(f"window must be an int >= 2, got {window!r}")
        self.query = query
        self.window = window

    def figure(self, mode: str = MODES[0]):
        """Left: the hidden one-hot around its index; right: the query the server receives, entries / q."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        q = self.query
        m = q.a.shape[0]
        start = max(0, min(q.index - self.window // 2, m - self.window))
        positions = np.arange(start, min(m, start + self.window))
        fig = make_subplots(rows=1, cols=2, subplot_titles=("hidden one-hot u (what the client wants)",
                                                            f"what the server receives: {mode}"))
        fig.add_trace(go.Bar(x=positions, y=q.onehot()[positions], name="u"), row=1, col=1)
        fig.add_trace(go.Scatter(x=positions, y=q.query(mode)[positions] / q.q, mode="markers", name="c / q"),
                      row=1, col=2)
        fig.update_yaxes(range=[0, 1.05], row=1, col=2, title_text="entry / q")
        fig.update_xaxes(title_text="column of the database")
        fig.update_layout(showlegend=False, height=340)
        return fig

    def readout(self, mode: str = MODES[0]) -> str:
        """The attacks' results for ``mode`` as a short HTML paragraph."""
        s = self.query.state(mode)

        def said(found):
            if found is None:
                return "finds nothing"
            return f"finds column {found} ({'correct' if found == self.query.index else 'wrong'})"

        verdict = "<b>the index leaks</b>" if s["leaks"] else "the index stays hidden"
        return (f"<p>Hidden column {self.query.index}. Rounding attack {said(s['rounding_attack'])}; algebraic "
                f"attack {said(s['algebraic_attack'])}; uniformity test of the top bits p = "
                f"{s['uniformity_pvalue']:.3f}. So {verdict}.</p>")

    def controls(self, mode: str = MODES[0]) -> dict:
        """A toggle between the real query and its variants without noise or secret.

        Introduced in chapter 14 (:doc:`14_pir_rag`).
        """
        import ipywidgets as w

        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
        return {"mode": w.ToggleButtons(options=list(MODES), value=mode, description="query")}

    def render(self, mode: str = MODES[0]):
        """The figure and the attacks' readout for ``mode``.

        Introduced in chapter 14 (:doc:`14_pir_rag`).
        """
        return self.figure(mode), self.readout(mode)
