"""The attack playground of chapter 15 (DisarmRAG): a view on the :class:`~irbook.widgets.View` base.

Introduced in chapter 15 (:doc:`15_disarmrag`). Pick a victim question, an attack and the defences; see the
ranked list the generator reads (poisoned passages red, the instruction passage yellow) and its answer. The
logic (what is retrieved, what the instruction filter drops, what counts as success) lives in the chapter's
module :mod:`irbook.chapters.ch15_disarmrag` and in :func:`irbook.evaluation.answer_contains`.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

from irbook.chapters.ch15_disarmrag import ATTACKS, DEFENCES, context_passages
from irbook.evaluation import answer_contains
from irbook.widgets import View

_COLOURS = {"poison": "#fde2e1", "instruction": "#fff3bf", "corpus": "transparent"}


class AttackPlayground(View):
    """Victim question x attack x defences -> the ranked list the generator sees and its answer.

    Parameters
    ----------
    questions : {question id: question text} for the victim questions.
    targets : {question id: the attacker's target (false) answer}.
    rankings : {(question id, attack): [(doc id, score), ...]} best first, for every attack in ``ATTACKS``.
    passages : {doc id: {"title", "text", "kind"}}; ``kind`` is ``"corpus"``, ``"poison"`` or ``"instruction"``.
    answers : {(question id, attack, self_correction, instruction_filter): generated answer} computed in the
        notebook; combinations not in it are generated with ``answer_fn`` when one is given (a live kernel),
        and reported as not generated otherwise.
    context_k : how many passages (after filtering) the generator reads.
    answer_fn : optional ``(question, passages, self_correction) -> answer``.

    Introduced in chapter 15 (:doc:`15_disarmrag`).
    """

    def __init__(self, questions: Mapping[str, str], targets: Mapping[str, str],
                 rankings: Mapping[tuple[str, str], Sequence[tuple[str, float]]],
                 passages: Mapping[str, Mapping[str, str]], answers: Mapping[tuple, str] | None = None,
                 context_k: int = 3, answer_fn: Callable[[str, list[dict], bool], str] | None = None):
        if not questions:
            raise ValueError("questions is empty")
        if isinstance(context_k, bool) or not isinstance(context_k, int) or context_k < 1:
            raise ValueError(f"context_k must be a positive int, got {context_k!r}")
        for qid in questions:
            if qid not in targets:
                raise ValueError(f"no target answer for question {qid!r}")
            for attack in ATTACKS:
                ranking = rankings.get((qid, attack))
                if ranking is None:
                    raise ValueError(f"no ranking for question {qid!r} under attack {attack!r}")
                missing = [d for d, _ in ranking if d not in passages]
                if missing:
                    raise ValueError(f"ranking of {qid!r} / {attack!r} names unknown passages {missing[:3]}")
        if answer_fn is not None and not callable(answer_fn):
            raise TypeError("answer_fn must be callable or None")
        self.questions = dict(questions)
        self.targets = dict(targets)
        self.rankings = {key: list(value) for key, value in rankings.items()}
        self.passages = passages
        self.answers = dict(answers or {})
        self.context_k = context_k
        self.answer_fn = answer_fn

    def state(self, victim: str, attack: str, self_correction: bool = False, instruction_filter: bool = False) -> dict:
        """The rows, the answer (None when not generated) and whether it contains the attacker's target."""
        if victim not in self.questions:
            raise KeyError(f"unknown victim question {victim!r}")
        if attack not in ATTACKS:
            raise ValueError(f"attack must be one of {ATTACKS}, got {attack!r}")
        rows = context_passages(self.rankings[(victim, attack)], self.passages, instruction_filter, self.context_k)
        key = (victim, attack, bool(self_correction), bool(instruction_filter))
        answer = self.answers.get(key)
        if answer is None and self.answer_fn is not None:
            context = [{"title": r["title"], "text": r["text"]} for r in rows if r["in_context"]]
            answer = self.answer_fn(self.questions[victim], context, bool(self_correction))
            self.answers[key] = answer
        return {"question": self.questions[victim], "target": self.targets[victim], "rows": rows, "answer": answer,
                "attack_success": None if answer is None else answer_contains(answer, self.targets[victim])}

    def render(self, victim: str, attack: str, self_correction: bool = False, instruction_filter: bool = False) -> str:
        """The state as HTML: question, target, ranked list (poison and instruction passages marked), answer."""
        st = self.state(victim, attack, self_correction, instruction_filter)
        items = []
        for r in st["rows"]:
            tags = [r["kind"]] if r["kind"] != "corpus" else []
            if r["flagged"]:
                tags.append("flagged")
            if not r["in_context"]:
                tags.append("not in context")
            label = f" <b>[{', '.join(tags)}]</b>" if tags else ""
            snippet = html.escape(r["text"][:220]) + ("…" if len(r["text"]) > 220 else "")
            items.append(f"<li style='background:{_COLOURS.get(r['kind'], 'transparent')}'>{r['score']:.3f} "
                         f"<i>{html.escape(r['title'])}</i>{label}: {snippet}</li>")
        if st["answer"] is None:
            verdict = "<i>answer not generated in this run (run the notebook live to generate it)</i>"
        else:
            outcome = "attack succeeded" if st["attack_success"] else "target not in the answer"
            verdict = f"<b>answer:</b> {html.escape(st['answer'])} &nbsp; ({outcome})"
        return (f"<p><b>{html.escape(st['question'])}</b><br>attacker's target answer: "
                f"<code>{html.escape(st['target'])}</code></p><ol>{''.join(items)}</ol><p>{verdict}</p>")

    def controls(self, victim: str | None = None, attack: str = ATTACKS[2], self_correction: bool = True,
                 instruction_filter: bool = False) -> dict:
        """A victim dropdown, attack buttons and the two defence checkboxes."""
        import ipywidgets as w

        return {
            "victim": w.Dropdown(options=[(text[:80], qid) for qid, text in self.questions.items()],
                                 value=victim or next(iter(self.questions)), description="victim",
                                 layout=w.Layout(width="60%")),
            "attack": w.Dropdown(options=list(ATTACKS), value=attack, description="attack"),
            "self_correction": w.Checkbox(value=self_correction, description=DEFENCES[0]),
            "instruction_filter": w.Checkbox(value=instruction_filter, description=DEFENCES[1]),
        }
