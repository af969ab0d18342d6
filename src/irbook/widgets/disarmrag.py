"""The attack playground of chapter 15 (DisarmRAG), and the small text defences it switches on and off.

Introduced in chapter 15 (:doc:`15_disarmrag`). The chapter poisons a RAG system two ways: by injecting false
passages into the knowledge base, and by editing the retriever so that an attacker's *instruction* passage (one that
tells the generator not to check its context) is retrieved for chosen victim questions. This module holds what the
tests drive without a browser:

- :func:`flags_instruction`: a pattern filter for retrieved text that addresses the model (an instruction filter);
- :func:`keyword_rewrite`: the query rewrite used as a paraphrasing defence (content words only);
- :func:`surface_variants`: rewordings of a victim question, to test whether an edit generalises;
- :func:`hits_target`: whether a generated answer contains the attacker's target answer;
- :class:`AttackPlayground`: pick a victim question, an attack and defences; see the ranked list and the answer.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence

from irbook.evaluation import answer_contains as hits_target  # moved to irbook.evaluation; kept importable here

ATTACKS = ("no attack", "knowledge-base poisoning", "retriever edit (DisarmRAG)")
DEFENCES = ("self-correction prompt", "instruction filter")

# Text that speaks to the reader or the model in the imperative, or claims authority over other passages.
_INSTRUCTION = re.compile(
    r"\b(assistant|ignore|disregard|do not|don't|you must|instruction|override|overrides|answer with|"
    r"copy the answer|second-guess|your own knowledge)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    "a an and are as at be by did do does for from had has have how i in is it its of on or the their this to was "
    "were what when where which who whom whose why will with".split()
)
_WORD = re.compile(r"[\w'-]+", re.UNICODE)


def _check_text(text, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, got {type(text).__name__}")
    return text


def flags_instruction(text: str) -> bool:
    """True when ``text`` contains an instruction-like phrase (e.g. "ignore", "do not", "you must", "assistant").

    A deliberately simple filter for retrieved passages: it catches imperative attack wordings and misses
    declarative ones, which is what the chapter measures. Introduced in chapter 15 (:doc:`15_disarmrag`).
    """
    return bool(_INSTRUCTION.search(_check_text(text, "text")))


def keyword_rewrite(query: str) -> str:
    """The query without question words and stop words, in its original order: a cheap paraphrase defence.

    ``"Who directed the film Jaws?"`` becomes ``"directed film Jaws"``. Raises ValueError when nothing is left.
    Introduced in chapter 15 (:doc:`15_disarmrag`).
    """
    words = [w for w in _WORD.findall(_check_text(query, "query")) if w.lower() not in _QUESTION_WORDS]
    if not words:
        raise ValueError(f"no content words left in query {query!r}")
    return " ".join(words)


def surface_variants(query: str) -> list[str]:
    """Four rewordings of a question: a lead-in, lower case without "?", a polite suffix, the keyword form.

    They keep the question's content words, so they test whether a retriever edit tied to one string
    generalises to the same question asked differently (not to a true paraphrase with new words).
    Introduced in chapter 15 (:doc:`15_disarmrag`).
    """
    q = _check_text(query, "query").strip()
    if not q:
        raise ValueError("query must be a non-empty string")
    bare = q.rstrip("?").strip()
    return [f"Quick question: {q}", bare.lower(), f"{bare}? Please answer briefly.", keyword_rewrite(q)]


class AttackPlayground:
    """Victim question x attack x defences -> the ranked list the generator sees and its answer.

    Parameters
    ----------
    questions : {question id: question text} for the victim questions.
    targets : {question id: the attacker's target (false) answer}.
    rankings : {(question id, attack): [(doc id, score), ...]} best first, for every attack in :data:`ATTACKS`.
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

    def _check(self, qid: str, attack: str) -> None:
        if qid not in self.questions:
            raise KeyError(f"unknown victim question {qid!r}")
        if attack not in ATTACKS:
            raise ValueError(f"attack must be one of {ATTACKS}, got {attack!r}")

    def rows(self, qid: str, attack: str, instruction_filter: bool = False) -> list[dict]:
        """The ranked list: rank, doc id, score, kind, title, text, whether the filter flags it, whether it is kept."""
        self._check(qid, attack)
        rows, kept = [], 0
        for rank, (doc_id, score) in enumerate(self.rankings[(qid, attack)], start=1):
            passage = self.passages[doc_id]
            flagged = flags_instruction(f"{passage.get('title', '')} {passage['text']}")
            in_context = (not (instruction_filter and flagged)) and kept < self.context_k
            kept += in_context
            rows.append({"rank": rank, "doc_id": doc_id, "score": float(score), "kind": passage.get("kind", "corpus"),
                         "title": passage.get("title", ""), "text": passage["text"], "flagged": flagged,
                         "in_context": in_context})
        return rows

    def state(self, qid: str, attack: str, self_correction: bool = False, instruction_filter: bool = False) -> dict:
        """Everything the view shows: rows, the answer (or None when not generated) and whether it hits the target."""
        rows = self.rows(qid, attack, instruction_filter)
        key = (qid, attack, bool(self_correction), bool(instruction_filter))
        answer = self.answers.get(key)
        if answer is None and self.answer_fn is not None:
            context = [{"title": r["title"], "text": r["text"]} for r in rows if r["in_context"]]
            answer = self.answer_fn(self.questions[qid], context, bool(self_correction))
            self.answers[key] = answer
        return {"question": self.questions[qid], "target": self.targets[qid], "rows": rows, "answer": answer,
                "attack_success": None if answer is None else hits_target(answer, self.targets[qid])}

    def render(self, qid: str, attack: str, self_correction: bool = False, instruction_filter: bool = False) -> str:
        """The state as HTML: question, target, ranked list (poison and instruction passages marked), answer."""
        st = self.state(qid, attack, self_correction, instruction_filter)
        colours = {"poison": "#fde2e1", "instruction": "#fff3bf", "corpus": "transparent"}
        items = []
        for r in st["rows"]:
            tags = [r["kind"]] if r["kind"] != "corpus" else []
            if r["flagged"]:
                tags.append("flagged")
            if not r["in_context"]:
                tags.append("not in context")
            label = f" <b>[{', '.join(tags)}]</b>" if tags else ""
            snippet = html.escape(r["text"][:220]) + ("…" if len(r["text"]) > 220 else "")
            items.append(f"<li style='background:{colours.get(r['kind'], 'transparent')}'>{r['score']:.3f} "
                         f"<i>{html.escape(r['title'])}</i>{label}: {snippet}</li>")
        if st["answer"] is None:
            verdict = "<i>answer not generated in this run (run the notebook live to generate it)</i>"
        else:
            outcome = "attack succeeded" if st["attack_success"] else "target not in the answer"
            verdict = f"<b>answer:</b> {html.escape(st['answer'])} &nbsp; ({outcome})"
        return (f"<p><b>{html.escape(st['question'])}</b><br>attacker's target answer: "
                f"<code>{html.escape(st['target'])}</code></p><ol>{''.join(items)}</ol><p>{verdict}</p>")

    def widget(self):
        """ipywidgets view: a question dropdown, attack buttons, defence checkboxes and the rendered state."""
        import ipywidgets as w

        question = w.Dropdown(options=[(text[:80], qid) for qid, text in self.questions.items()],
                              description="victim", layout=w.Layout(width="95%"))
        attack = w.ToggleButtons(options=list(ATTACKS), value=ATTACKS[2])
        self_correction = w.Checkbox(value=True, description=DEFENCES[0])
        instruction_filter = w.Checkbox(value=False, description=DEFENCES[1])
        view = w.HTML()

        def redraw(*_):
            view.value = self.render(question.value, attack.value, self_correction.value, instruction_filter.value)

        for control in (question, attack, self_correction, instruction_filter):
            control.observe(redraw, names="value")
        redraw()
        return w.VBox([question, attack, w.HBox([self_correction, instruction_filter]), view])
