"""Which chunks enter a token budget: a view of One-SHOT's greedy fill for one question at a time.

Introduced in chapter 7 (:doc:`07_legal_rag`). The fill itself (:func:`~irbook.chapters.ch07_legal_rag.greedy_fill`)
is the chapter's code, in :mod:`irbook.chapters.ch07_legal_rag`; this module only draws it: :class:`BudgetExplorer`
is a :class:`~irbook.widgets.View` whose state is the question shown and the budget.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from irbook.chapters.ch07_legal_rag import greedy_fill
from irbook.widgets import View

__all__ = ["BudgetExplorer", "recall_curve"]


def recall_curve(tokens: Sequence[int], gold: Sequence[bool], n_gold: int, budgets: Sequence[int]) -> np.ndarray:
    """Gold recall of the greedy fill of one ranking at each budget (the explorer's right panel).

    Introduced in chapter 7 (:doc:`07_legal_rag`).
    """
    flags = np.asarray(gold, dtype=bool)
    if len(flags) != len(tokens):
        raise ValueError(f"tokens and gold must have one entry per ranked chunk, got {len(tokens)} and {len(flags)}")
    if isinstance(n_gold, bool) or not isinstance(n_gold, (int, np.integer)) or n_gold < max(1, int(flags.sum())):
        raise ValueError(f"n_gold must be an int >= 1 and >= the gold chunks in the ranking, got {n_gold!r}")
    return np.array([(greedy_fill(tokens, int(b)) & flags).sum() / n_gold for b in budgets])


class BudgetExplorer(View):
    """For one question: its ranked chunks (bar height: reader tokens), those that fit the budget, gold ones
    outlined; and its recall against the budget.

    Parameters
    ----------
    questions : list of str
        The question texts (one per ranking).
    tokens : list of list of int
        For each question, the reader-token counts of its ranked chunks, best first.
    gold : list of list of bool
        For each question, whether each ranked chunk is a gold passage.
    n_gold : list of int
        Gold passages per question (recall's denominator; gold chunks below the ranking still count).
    max_budget : int
        The slider's upper end.

    Introduced in chapter 7 (:doc:`07_legal_rag`).
    """

    def __init__(self, questions, tokens, gold, n_gold, max_budget: int = 2048):
        n = len(questions)
        if n == 0 or not (len(tokens) == len(gold) == len(n_gold) == n):
            raise ValueError(f"questions, tokens, gold and n_gold must be non-empty and of equal length, got "
                             f"{len(questions)}, {len(tokens)}, {len(gold)}, {len(n_gold)}")
        if isinstance(max_budget, bool) or not isinstance(max_budget, int) or max_budget < 16:
            raise ValueError(f"max_budget must be an int >= 16, got {max_budget!r}")
        self.questions = list(questions)
        self.tokens = [list(map(int, t)) for t in tokens]
        self.gold = [list(map(bool, g)) for g in gold]
        self.n_gold = list(n_gold)
        self.max_budget = max_budget
        for t, g, m in zip(self.tokens, self.gold, self.n_gold):
            recall_curve(t, g, m, [0])  # validates each question's lists

    def state(self, question: int = 0, budget: int = 512) -> dict:
        """What the view shows: the entry mask, tokens used, gold found, recall.

        Introduced in chapter 7 (:doc:`07_legal_rag`).
        """
        if isinstance(question, bool) or not isinstance(question, int) or not 0 <= question < len(self.questions):
            raise ValueError(f"question must be an index in 0..{len(self.questions) - 1}, got {question!r}")
        mask = greedy_fill(self.tokens[question], budget)
        costs = np.array(self.tokens[question])
        gold = np.array(self.gold[question])
        return {"mask": mask, "used": int(costs[mask].sum()), "found": int((mask & gold).sum()),
                "recall": float((mask & gold).sum() / self.n_gold[question])}

    def figure(self, question: int = 0, budget: int = 512):
        """Left: the ranked chunks, filled or not; right: this question's recall against the budget."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        s = self.state(question, budget)
        costs, gold = self.tokens[question], self.gold[question]
        fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4],
                            subplot_titles=("ranked chunks (filled: in the context)", "recall against the budget"))
        fig.add_trace(go.Bar(x=list(range(1, len(costs) + 1)), y=costs,
                             marker={"color": ["#1f77b4" if m else "#d9d9d9" for m in s["mask"]],
                                     "line": {"color": ["#d62728" if g else "rgba(0,0,0,0)" for g in gold],
                                              "width": 3}},
                             hovertext=["gold" if g else "" for g in gold], name="chunks"), row=1, col=1)
        budgets = np.unique(np.linspace(0, self.max_budget, 65).astype(int))
        fig.add_trace(go.Scatter(x=budgets, y=recall_curve(costs, gold, self.n_gold[question], budgets),
                                 mode="lines", line_shape="hv", name="recall"), row=1, col=2)
        fig.add_vline(x=budget, line_dash="dash", row=1, col=2)
        fig.update_xaxes(title_text="rank", row=1, col=1)
        fig.update_yaxes(title_text="reader tokens", row=1, col=1)
        fig.update_xaxes(title_text="budget (tokens)", row=1, col=2)
        fig.update_yaxes(range=[0, 1.05], row=1, col=2)
        fig.update_layout(showlegend=False, height=360)
        return fig

    def readout(self, question: int = 0, budget: int = 512) -> str:
        """One HTML line: the question, tokens used, gold passages found."""
        s = self.state(question, budget)
        return (f"<p><b>Q:</b> {self.questions[question]}<br>{int(s['mask'].sum())} chunks, {s['used']} of {budget} "
                f"tokens; {s['found']} of {self.n_gold[question]} gold passages (recall {s['recall']:.2f}).</p>")

    def controls(self, question: int = 0, budget: int = 512) -> dict:
        """A question picker and a budget slider.

        Introduced in chapter 7 (:doc:`07_legal_rag`).
        """
        import ipywidgets as w

        return {"question": w.Dropdown(options=[(f"{i}: {q[:60]}", i) for i, q in enumerate(self.questions)],
                                       value=question, description="question"),
                "budget": w.IntSlider(value=budget, min=16, max=self.max_budget, step=16, description="budget")}

    def render(self, question: int = 0, budget: int = 512):
        """The figure and the readout for one state.

        Introduced in chapter 7 (:doc:`07_legal_rag`).
        """
        return self.figure(question, budget), self.readout(question, budget)
