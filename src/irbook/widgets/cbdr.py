"""Chapter 6 (confidence-based dynamic retrieval): a threshold explorer and the per-context confidence bars.

Introduced in chapter 6 (:doc:`06_cbdr`). The detector, the reranker and CBDR itself are the chapter's code, in
:mod:`irbook.chapters.ch06_cbdr`; this module only draws their outputs: :class:`CBDRExplorer` is a
:class:`~irbook.widgets.View` whose state is the threshold and the question shown.
"""
from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View

__all__ = ["CBDRExplorer", "threshold_state"]


def threshold_state(confidence, closed_correct, rag_correct, beta: float) -> dict:
    """What CBDR does at threshold ``beta``: retrieval rate, accuracy, and the questions whose correctness differs
    from always retrieving (``gained``: right only without retrieval; ``lost``: right only with it).

    Introduced in chapter 6 (:doc:`06_cbdr`).
    """
    confidence = np.asarray(confidence, dtype=float)
    closed_correct = np.asarray(closed_correct, dtype=bool)
    rag_correct = np.asarray(rag_correct, dtype=bool)
    if not confidence.shape == closed_correct.shape == rag_correct.shape or confidence.ndim != 1:
        raise ValueError("confidence, closed_correct and rag_correct must be 1-D with one value per question, got "
                         f"{confidence.shape}, {closed_correct.shape}, {rag_correct.shape}")
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating)) or not 0 <= beta <= 1:
        raise ValueError(f"beta must be a number in [0, 1], got {beta!r}")
    retrieve = confidence < beta
    answered = np.where(retrieve, rag_correct, closed_correct)
    return {"retrieval_rate": float(retrieve.mean()), "accuracy": float(answered.mean()),
            "always_retrieve": float(rag_correct.mean()),
            "gained": np.flatnonzero(answered & ~rag_correct).tolist(),
            "lost": np.flatnonzero(~answered & rag_correct).tolist(), "retrieve": retrieve}


class CBDRExplorer(View):
    """A slider for the CBDR threshold (accuracy, retrieval rate, the questions that flip) and, for one question,
    the detector's confidence with each candidate context.

    Parameters
    ----------
    questions : list of str
    confidence : (n,) initial confidence on each bare question
    closed_correct, rag_correct : (n,) whether the closed-book / retrieval answer is right
    context_titles : list of lists, the candidate contexts' titles per question
    context_confidence : list of arrays, the detector's confidence with each candidate context
    beta_paper : the paper's threshold, marked in the readout

    Introduced in chapter 6 (:doc:`06_cbdr`).
    """

    def __init__(self, questions: Sequence[str], confidence, closed_correct, rag_correct,
                 context_titles: Sequence[Sequence[str]], context_confidence: Sequence[Sequence[float]],
                 beta_paper: float = 0.98):
        n = len(questions)
        if not n:
            raise ValueError("questions is empty")
        for name, values in (("confidence", confidence), ("closed_correct", closed_correct),
                             ("rag_correct", rag_correct), ("context_titles", context_titles),
                             ("context_confidence", context_confidence)):
            if len(values) != n:
                raise ValueError(f"{name} has {len(values)} entries for {n} questions")
        self.questions = list(questions)
        self.confidence = np.asarray(confidence, dtype=float)
        self.closed_correct = np.asarray(closed_correct, dtype=bool)
        self.rag_correct = np.asarray(rag_correct, dtype=bool)
        self.context_titles = [list(t) for t in context_titles]
        self.context_confidence = [np.asarray(c, dtype=float) for c in context_confidence]
        self.beta_paper = float(beta_paper)
        threshold_state(self.confidence, self.closed_correct, self.rag_correct, self.beta_paper)  # validates

    def readout(self, beta: float) -> str:
        """The accuracy and retrieval rate at ``beta`` and the questions that flip, as HTML."""
        s = threshold_state(self.confidence, self.closed_correct, self.rag_correct, beta)

        def rows(indices, what):
            return "".join(f"<tr><td style='{CELL_STYLE}'>{what}</td><td style='{CELL_STYLE}'>"
                           f"{html.escape(self.questions[i])}</td><td style='{CELL_STYLE}'>"
                           f"{self.confidence[i]:.3f}</td></tr>" for i in indices)

        flips = rows(s["gained"], "right only without retrieval") + rows(s["lost"], "right only with retrieval")
        table = (f"<table style='{TABLE_STYLE}'><tr><th style='{CELL_STYLE}'>flip</th><th style='{CELL_STYLE}'>"
                 f"question</th><th style='{CELL_STYLE}'>confidence</th></tr>{flips}</table>" if flips else
                 "<p>No question changes correctness against always retrieving.</p>")
        return (f"<p>β = {beta:.3f} (paper: {self.beta_paper:.2f}): retrieval for "
                f"{s['retrieval_rate']:.0%} of the questions, accuracy {s['accuracy']:.1%} "
                f"(always retrieving: {s['always_retrieve']:.1%}).</p>{table}")

    def bars(self, question: int):
        """The detector's confidence on the bare question and with each candidate context."""
        import plotly.graph_objects as go

        titles = ["(no context)"] + self.context_titles[question]
        values = np.concatenate([[self.confidence[question]], self.context_confidence[question]])
        fig = go.Figure(go.Bar(x=values, y=titles, orientation="h",
                               marker_color=["#999999"] + ["#0072B2"] * len(self.context_titles[question])))
        fig.update_layout(title=f"Confidence with each context: {self.questions[question][:70]}",
                          xaxis_title="detector confidence P(correct)", height=320,
                          yaxis={"autorange": "reversed"}, margin={"l": 220})
        return fig

    def controls(self, beta: float = 0.5, question: int = 0) -> dict:
        """A threshold slider and a question slider.

        Introduced in chapter 6 (:doc:`06_cbdr`).
        """
        import ipywidgets as w

        return {"beta": w.FloatSlider(value=beta, min=0.0, max=1.0, step=0.001, description="β",
                                      readout_format=".3f", continuous_update=False),
                "question": w.IntSlider(value=question, min=0, max=len(self.questions) - 1, description="question",
                                        continuous_update=False)}

    def render(self, beta: float = 0.5, question: int = 0):
        """The readout at ``beta`` and the confidence bars of question ``question``.

        Introduced in chapter 6 (:doc:`06_cbdr`).
        """
        if isinstance(question, bool) or not isinstance(question, (int, np.integer)) or \
                not 0 <= question < len(self.questions):
            raise ValueError(f"question must be an index in [0, {len(self.questions)}), got {question!r}")
        return self.readout(beta), self.bars(int(question))
