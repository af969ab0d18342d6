"""Explore MARAG-R1 agents: one question and two agents' trajectories (tool calls, tool replies, answer) side by side.

Introduced in chapter 11 (:doc:`11_marag_r1`). A view only: the trajectories come from the chapter's agents
(:mod:`irbook.chapters.ch11_marag_r1`). :meth:`TrajectoryComparison.state` and :meth:`TrajectoryComparison.render`
run headless so that tests can drive them; :meth:`View.widget` adds the controls.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View


def _steps(trajectory) -> list[tuple[str, str]]:
    """(action line, tool reply) pairs of a trajectory; the answer line has no reply."""
    calls = list(trajectory.calls)
    replies = list(trajectory.observations)
    return [(call, replies[i] if i < len(replies) else "") for i, call in enumerate(calls)]


class TrajectoryComparison(View):
    """Questions with their gold answers and, per agent, one trajectory per question (same order).

    Introduced in chapter 11 (:doc:`11_marag_r1`).

    Parameters
    ----------
    questions : the question texts.
    golds : the exact answers, one per question.
    trajectories : agent name -> trajectories (objects with ``calls``, ``observations``, ``answer``, ``errors``),
        one per question, in the order of ``questions``.
    kinds : optional template name per question, shown beside it.
    """

    def __init__(self, questions: Sequence[str], golds: Sequence[str], trajectories: Mapping[str, Sequence],
                 kinds: Sequence[str] | None = None):
        questions, golds = list(questions), list(golds)
        if not questions:
            raise ValueError("questions must hold at least one question")
        if len(golds) != len(questions):
            raise ValueError(f"golds has {len(golds)} answers for {len(questions)} questions")
        if len(trajectories) < 2:
            raise ValueError(f"trajectories must hold at least two agents to compare, got {list(trajectories)}")
        for name, trajs in trajectories.items():
            if len(trajs) != len(questions):
                raise ValueError(f"agent {name!r} has {len(trajs)} trajectories for {len(questions)} questions")
        if kinds is not None and len(kinds) != len(questions):
            raise ValueError(f"kinds has {len(kinds)} entries for {len(questions)} questions")
        self.questions, self.golds = questions, golds
        self.trajectories = {name: list(t) for name, t in trajectories.items()}
        self.kinds = list(kinds) if kinds is not None else [""] * len(questions)

    def state(self, question: int, left: str, right: str) -> dict:
        """What the view shows for question index ``question`` and the agents ``left`` and ``right``."""
        if not isinstance(question, int) or not 0 <= question < len(self.questions):
            raise ValueError(f"question must be an index in 0..{len(self.questions) - 1}, got {question!r}")
        for side, name in (("left", left), ("right", right)):
            if name not in self.trajectories:
                raise ValueError(f"{side} agent {name!r} is unknown; choose from {list(self.trajectories)}")
        from irbook.evaluation import exact_match

        agents = {}
        for name in (left, right):
            traj = self.trajectories[name][question]
            answer = traj.answer
            agents[name] = {
                "steps": _steps(traj), "answer": answer, "errors": int(traj.errors),
                # hyphens read as spaces, as the chapter's answer_em: "Barack Obama" matches "barack-obama"
                "correct": answer is not None and exact_match(str(answer).replace("-", " "),
                                                              self.golds[question].replace("-", " ")) == 1.0,
            }
        return {"question": self.questions[question], "gold": self.golds[question], "kind": self.kinds[question],
                "agents": agents}

    def render(self, question: int = 0, left: str | None = None, right: str | None = None) -> str:
        """An HTML table: the question and gold answer above two columns of tool calls and replies."""
        names = list(self.trajectories)
        state = self.state(question, left or names[0], right or names[-1])
        columns = []
        for name, agent in state["agents"].items():
            lines = "".join(
                f"<div><code>{html.escape(call)}</code>"
                + (f"<br><span style='color:#555'>&rarr; {html.escape(reply)}</span>" if reply else "") + "</div>"
                for call, reply in agent["steps"])
            verdict = ("correct" if agent["correct"] else "wrong") if agent["answer"] is not None else "no answer"
            colour = "#009E73" if agent["correct"] else "#D55E00"
            columns.append(f"<td style='{CELL_STYLE}'><b>{html.escape(name)}</b> "
                           f"<span style='color:{colour}'>({verdict}; {agent['errors']} errors)</span>{lines}</td>")
        kind = f" <i>[{html.escape(state['kind'])}]</i>" if state["kind"] else ""
        return (f"<p><b>Q:</b> {html.escape(state['question'])}{kind}<br><b>gold:</b> "
                f"{html.escape(state['gold'])}</p><table style='{TABLE_STYLE}'><tr>{''.join(columns)}</tr></table>")

    def controls(self, question: int = 0, left: str | None = None, right: str | None = None) -> dict:
        import ipywidgets as w

        names = list(self.trajectories)
        options = [(f"{i}: {q[:70]}", i) for i, q in enumerate(self.questions)]
        return {"question": w.Dropdown(options=options, value=question, description="question",
                                       layout=w.Layout(width="520px")),
                "left": w.Dropdown(options=names, value=left or names[0], description="left"),
                "right": w.Dropdown(options=names, value=right or names[-1], description="right")}
