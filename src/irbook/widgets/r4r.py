"""Step through the R4R loop for one question: the plan of each round, the path its best docid took through the
docid trie, and the candidates it decoded.

Introduced in chapter 4 (:doc:`04_r4r`). The loop itself (:func:`~irbook.chapters.ch04_r4r.r4r_loop`) is the
chapter's code; this module only draws its recorded rounds. A trace is a plain dict, so the view is tested without
any model::

    {"question": str, "gold": [docid, ...],
     "rounds": [{"plan": str, "ranking": [docid, ...], "scores": [float, ...],
                 "path": [(token, n_allowed), ...]}, ...]}
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View

__all__ = ["R4RStepper", "check_trace"]

_GOLD = "background:#e6f4ea;"


def check_trace(trace) -> dict:
    """``trace`` if it has the shape the view draws, else a ValueError naming what is missing.

    Introduced in chapter 4 (:doc:`04_r4r`).
    """
    if not isinstance(trace, Mapping) or not {"question", "gold", "rounds"} <= set(trace):
        raise ValueError(f"a trace must be a dict with 'question', 'gold' and 'rounds', got {trace!r:.120}")
    if not isinstance(trace["rounds"], Sequence) or not trace["rounds"]:
        raise ValueError("a trace needs at least one round")
    for number, item in enumerate(trace["rounds"], 1):
        if not isinstance(item, Mapping) or not {"plan", "ranking", "scores", "path"} <= set(item):
            raise ValueError(f"round {number} must have 'plan', 'ranking', 'scores' and 'path', got {item!r:.120}")
        if len(item["ranking"]) != len(item["scores"]):
            raise ValueError(f"round {number}: {len(item['ranking'])} docids but {len(item['scores'])} scores")
    return trace


class R4RStepper(View):
    """The rounds of the R4R loop for a set of questions, one round at a time.

    Parameters
    ----------
    traces : list of dict
        One trace per question (see the module docstring).
    snippets : dict
        ``{docid: short text}`` shown beside each candidate.
    show : int
        How many candidates per round the table lists.

    Introduced in chapter 4 (:doc:`04_r4r`).
    """

    def __init__(self, traces: Sequence[Mapping], snippets: Mapping[str, str], show: int = 5):
        if isinstance(traces, (str, bytes)) or not isinstance(traces, Sequence) or not traces:
            raise ValueError(f"traces must be a non-empty list of traces, got {type(traces).__name__}")
        if not isinstance(snippets, Mapping):
            raise ValueError(f"snippets must be a dict docid -> text, got {type(snippets).__name__}")
        if isinstance(show, bool) or not isinstance(show, int) or show < 1:
            raise ValueError(f"show must be an int >= 1, got {show!r}")
        self.traces = [check_trace(t) for t in traces]
        self.snippets = snippets
        self.show = show

    def n_rounds(self, question: int) -> int:
        """How many rounds the trace of question ``question`` holds."""
        return len(self.traces[question]["rounds"])

    def gold_rank(self, question: int, round_number: int) -> int | None:
        """The 1-based rank of the first gold passage in that round's candidates, or None if absent."""
        trace = self.traces[question]
        ranking = trace["rounds"][round_number - 1]["ranking"]
        ranks = [ranking.index(g) + 1 for g in trace["gold"] if g in ranking]
        return min(ranks) if ranks else None

    def render(self, question: int = 0, round_number: int = 1) -> str:
        """The HTML of one round: the plan, the trie path of the best docid and the candidates table."""
        if isinstance(question, bool) or not isinstance(question, int) or not 0 <= question < len(self.traces):
            raise ValueError(f"question must be in 0..{len(self.traces) - 1}, got {question}")
        if isinstance(round_number, bool) or not isinstance(round_number, int) or round_number < 1:
            raise ValueError(f"round_number must be an int >= 1, got {round_number!r}")
        round_number = min(round_number, self.n_rounds(question))  # a shorter trace shows its last round
        trace = self.traces[question]
        item = trace["rounds"][round_number - 1]
        gold = set(trace["gold"])
        path = " &rarr; ".join(f"<code>{html.escape(str(token))}</code><sub>{n}</sub>" for token, n in item["path"])
        rows = []
        for rank, (docid, score) in enumerate(zip(item["ranking"][:self.show], item["scores"][:self.show]), 1):
            style = CELL_STYLE + (_GOLD if docid in gold else "")
            text = html.escape(self.snippets.get(docid, ""))
            rows.append(f"<tr><td style='{style}'>{rank}</td><td style='{style}'><code>{html.escape(docid)}</code>"
                        f"</td><td style='{style}'>{score:.2f}</td><td style='{style}'>{text}</td></tr>")
        rank = self.gold_rank(question, round_number)
        verdict = f"gold passage at rank {rank}" if rank else "gold passage not among the candidates"
        plan = html.escape(item["plan"]).replace("\n", "<br>")
        return (f"<p><b>Question.</b> {html.escape(trace['question'])}<br><b>Gold:</b> "
                f"{', '.join(html.escape(g) for g in trace['gold'])}</p>"
                f"<p><b>Round {round_number} plan.</b><br>{plan}</p>"
                f"<p><b>Trie path of the best docid</b> (subscript: tokens the trie allowed at that step): "
                f"{path}</p>"
                f"<table style='{TABLE_STYLE}'><tr><th style='{CELL_STYLE}'>rank</th><th style='{CELL_STYLE}'>"
                f"docid</th><th style='{CELL_STYLE}'>log-prob</th><th style='{CELL_STYLE}'>passage</th></tr>"
                f"{''.join(rows)}</table><p>{verdict}.</p>")

    def controls(self, question: int = 0, round_number: int = 1) -> dict:
        """A question menu and a round slider.

        Introduced in chapter 4 (:doc:`04_r4r`).
        """
        import ipywidgets as w

        options = [(f"{i + 1}. {t['question'][:70]}", i) for i, t in enumerate(self.traces)]
        most = max(self.n_rounds(i) for i in range(len(self.traces)))
        return {"question": w.Dropdown(options=options, value=question, description="question",
                                       layout=w.Layout(width="520px")),
                "round_number": w.IntSlider(value=round_number, min=1, max=most, description="round")}
