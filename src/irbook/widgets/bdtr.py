"""Explore iterative retrieval round by round: the bridge passage's rank and the retrieved set per strategy.

Introduced in chapter 10 (:doc:`10_bdtr`). A view only: the traces come from the chapter's code,
:func:`irbook.chapters.ch10_bdtr.run_strategy`. :meth:`RoundExplorer.state` and :meth:`RoundExplorer.render` run
headless so that tests can drive them; :meth:`View.widget` adds the controls.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np

from irbook.widgets import View


class RoundExplorer(View):
    """One question at a time: per strategy and round, the queries issued, the bridge passage's rank and the
    top passages (supporting ones marked).

    Introduced in chapter 10 (:doc:`10_bdtr`).

    Parameters
    ----------
    traces : strategy -> question id -> list of round states (``scores`` over the passages, ``queries``,
        ``retrieved`` passage indices), as :func:`~irbook.chapters.ch10_bdtr.run_strategy` returns them.
    questions : question id -> question text.
    supports, bridges : question id -> supporting / bridge passage ids.
    doc_ids, titles : the passages' ids (the order of ``scores``) and their titles.
    """

    def __init__(self, traces: Mapping[str, Mapping[str, Sequence[Mapping]]], questions: Mapping[str, str],
                 supports: Mapping[str, Sequence[str]], bridges: Mapping[str, Sequence[str]],
                 doc_ids: Sequence[str], titles: Mapping[str, str], top: int = 5):
        if not traces:
            raise ValueError("traces must hold at least one strategy")
        common = set.intersection(*(set(t) for t in traces.values()))
        if not common:
            raise ValueError("no question is traced by every strategy")
        missing = [q for q in common if q not in questions or q not in supports or q not in bridges]
        if missing:
            raise ValueError(f"questions, supports and bridges must cover every traced question; missing {missing[:3]}")
        if not isinstance(top, int) or top < 1:
            raise ValueError(f"top must be a positive int, got {top!r}")
        self.traces, self.questions, self.supports, self.bridges = traces, questions, supports, bridges
        self.doc_ids, self.titles, self.top = list(doc_ids), titles, top
        self.index = {d: i for i, d in enumerate(self.doc_ids)}
        self.question_ids = [q for q in questions if q in common]
        self.rounds = min(len(t[q]) for t in traces.values() for q in common) - 1

    def _check(self, question: str, round_: int) -> None:
        if question not in self.question_ids:
            raise ValueError(f"unknown question {question!r}; choose from the {len(self.question_ids)} traced ones")
        if not isinstance(round_, (int, np.integer)) or not 0 <= round_ <= self.rounds:
            raise ValueError(f"round must be an int in [0, {self.rounds}], got {round_!r}")

    def state(self, question: str, round_: int = 0) -> dict:
        """Per strategy at this round: queries, bridge rank per round so far, top passages (id, is support)."""
        self._check(question, round_)
        out = {}
        for strategy, by_question in self.traces.items():
            trace = by_question[question]
            history = []
            for state in trace[: round_ + 1]:
                order = np.argsort(-np.asarray(state["scores"]), kind="stable")
                rank = np.empty(len(order), dtype=int)
                rank[order] = np.arange(1, len(order) + 1)
                history.append(int(max(rank[self.index[b]] for b in self.bridges[question])))
            now = trace[round_]
            top = [self.doc_ids[i] for i in np.argsort(-np.asarray(now["scores"]), kind="stable")[: self.top]]
            out[strategy] = {"queries": list(now["queries"]), "bridge_ranks": history,
                             "top": [(d, d in self.supports[question], d in self.bridges[question]) for d in top],
                             "set_size": len(now["retrieved"])}
        return out

    def render(self, question: str, round_: int = 0):
        """An HTML table (one row per strategy) and a figure of the bridge rank over rounds."""
        import plotly.graph_objects as go

        s = self.state(question, round_)
        rows = []
        for strategy, info in s.items():
            top = "<br>".join(("<b>" if bridge else "") + ("&#10003; " if support else "") +
                              html.escape(self.titles.get(d, d)) + ("</b>" if bridge else "")
                              for d, support, bridge in info["top"])
            queries = "<br>".join(html.escape(q[:160]) for q in info["queries"]) or "&ndash;"
            rows.append(f"<tr><td>{html.escape(strategy)}</td><td>{info['bridge_ranks'][-1]}</td>"
                        f"<td>{info['set_size']}</td><td>{queries}</td><td>{top}</td></tr>")
        table = (f"<p><b>{html.escape(self.questions[question])}</b> (round {round_}; bridge passage in bold, "
                 f"&#10003; = supporting)</p><table><tr><th>strategy</th><th>bridge rank</th><th>set size</th>"
                 f"<th>queries this round</th><th>top {self.top}</th></tr>" + "".join(rows) + "</table>")
        fig = go.Figure()
        for strategy, info in s.items():
            fig.add_trace(go.Scatter(x=list(range(len(info["bridge_ranks"]))), y=info["bridge_ranks"],
                                     mode="lines+markers", name=strategy))
        fig.update_yaxes(type="log", autorange="reversed", title_text="bridge passage rank (log)")
        fig.update_xaxes(title_text="round", dtick=1, range=[-0.2, self.rounds + 0.2])
        fig.update_layout(title="Bridge passage rank per round", height=330)
        return table, fig

    def controls(self, question: str | None = None, round_: int = 0) -> dict:
        """A question drop-down and a round slider."""
        import ipywidgets as w

        question = question if question is not None else self.question_ids[0]
        self._check(question, round_)
        options = [(self.questions[q][:90], q) for q in self.question_ids]
        return {"question": w.Dropdown(options=options, value=question, description="question",
                                       layout=w.Layout(width="60%")),
                "round_": w.IntSlider(value=round_, min=0, max=self.rounds, description="round")}
