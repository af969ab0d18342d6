"""Browse the beam of passage combinations AdaPCR built for a question: every candidate with its passages (the
supporting ones marked), its retrieval score, the reranker's score, the reader's log-likelihood of the gold
answer and the reader's own answer; the combination the reranker picks is highlighted.

Introduced in chapter 8 (:doc:`08_adapcr`). A view only, on :class:`irbook.widgets.View`: the beam, the labels
and the reranker live in :mod:`irbook.chapters.ch08_adapcr`. :meth:`BeamBrowser.rows` and
:meth:`BeamBrowser.render` run headless, so tests drive them; :meth:`BeamBrowser.widget` adds the controls.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View

_PICKED = "background:#e6f4ea;"
_FIELDS = ("passages", "supporting", "retrieval", "reranker", "loglik", "answer")


class BeamBrowser(View):
    """The candidates of each question, ranked by the reranker.

    Parameters
    ----------
    questions : question id -> ``{"question", "gold", "titles", "beam"}`` where ``titles`` maps a passage
        index to its title and ``beam`` is a list of candidates, each a dict with ``passages`` (passage
        indices), ``supporting`` (booleans, one per passage), ``retrieval``, ``reranker`` and ``loglik``
        (numbers) and ``answer`` (the reader's answer for that context).

    Introduced in chapter 8 (:doc:`08_adapcr`).
    """

    def __init__(self, questions: Mapping[str, Mapping]):
        if not isinstance(questions, Mapping) or not questions:
            raise ValueError("questions must be a non-empty mapping of question id -> record")
        self.questions = {}
        for qid, record in questions.items():
            for key in ("question", "gold", "titles", "beam"):
                if key not in record:
                    raise ValueError(f"questions[{qid!r}] lacks {key!r}")
            beam = list(record["beam"])
            if not beam:
                raise ValueError(f"questions[{qid!r}] has an empty beam")
            for i, candidate in enumerate(beam):
                missing = [f for f in _FIELDS if f not in candidate]
                if missing:
                    raise ValueError(f"questions[{qid!r}]['beam'][{i}] lacks {missing}")
                if len(candidate["supporting"]) != len(candidate["passages"]):
                    raise ValueError(f"questions[{qid!r}]['beam'][{i}]: {len(candidate['passages'])} passages "
                                     f"but {len(candidate['supporting'])} supporting flags")
                unknown = [j for j in candidate["passages"] if j not in record["titles"]]
                if unknown:
                    raise ValueError(f"questions[{qid!r}]['beam'][{i}]: passages {unknown} have no title")
            self.questions[str(qid)] = {**record, "beam": beam}

    def rows(self, question_id: str) -> list[dict]:
        """The candidates of one question, best reranker score first, with their rank. Introduced in chapter 8."""
        if question_id not in self.questions:
            raise KeyError(f"unknown question id {question_id!r}; known: {list(self.questions)[:5]}...")
        beam = self.questions[question_id]["beam"]
        order = np.argsort([-float(c["reranker"]) for c in beam], kind="stable")
        return [{"rank": r + 1, **beam[i]} for r, i in enumerate(order)]

    def render(self, question_id: str) -> str:
        """HTML: the question, its gold answer and the ranked beam (rank 1 is the reranker's pick)."""
        record = self.questions[question_id]
        titles = record["titles"]
        head = "".join(f'<th style="{CELL_STYLE}text-align:left;">{h}</th>' for h in
                       ("rank", "size", "passages (✓ supporting)", "retrieval", "reranker", "reader log-lik",
                        "reader's answer"))
        body = []
        for row in self.rows(question_id):
            names = "<br>".join(f"{'✓ ' if s else ''}{html.escape(str(titles[j]))}"
                                for j, s in zip(row["passages"], row["supporting"]))
            style = _PICKED if row["rank"] == 1 else ""
            cells = [str(row["rank"]), str(len(row["passages"])), names, f"{float(row['retrieval']):.3f}",
                     f"{float(row['reranker']):.2f}", f"{float(row['loglik']):.2f}", html.escape(str(row["answer"]))]
            body.append(f'<tr style="{style}">' + "".join(f'<td style="{CELL_STYLE}">{c}</td>' for c in cells) + "</tr>")
        return (f"<p><b>{html.escape(str(record['question']))}</b><br>gold answer: "
                f"{html.escape(str(record['gold']))}</p>"
                f'<table style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')

    def controls(self, question_id: str | None = None) -> dict:
        import ipywidgets as widgets

        options = [(str(r["question"])[:90], qid) for qid, r in self.questions.items()]
        return {"question_id": widgets.Dropdown(options=options, value=question_id or options[0][1],
                                                description="question", layout={"width": "95%"})}
