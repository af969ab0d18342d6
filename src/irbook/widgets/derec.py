"""Browse fact-checked claims: the evidence sentences retrieved for each, with similarities, the verdict of the
report each sentence comes from and whether it is the claim's own justification, and every system's predicted
label distribution beside the gold verdict.

Introduced in chapter 12 (:doc:`12_derec`). A view only, on :class:`irbook.widgets.View`: the retrieval and the
classifiers live in :mod:`irbook.chapters.ch12_derec`. :meth:`ClaimBrowser.state`, :meth:`ClaimBrowser.html`
and :meth:`ClaimBrowser.figure` run headless, so tests drive them; :meth:`ClaimBrowser.widget` (from
:class:`~irbook.widgets.View`) adds the controls.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View


def _as_2d(array, what: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2:
        raise ValueError(f"{what} must be 2-d (claims x retrieved), got shape {array.shape}")
    return array


class ClaimBrowser(View):
    """Test claims with their retrieved evidence and each system's predicted label distribution.

    Parameters
    ----------
    claims : the claims' texts, one per claim.
    gold : the gold label of each claim (one of ``labels``).
    labels : the label set, in the order of the probability columns.
    evidence : evidence setting name -> ``(texts, labels, indices, similarities)``: the indexed texts and the
        label of the report each comes from, and for every claim the indices into them of the retrieved items
        (``(n_claims, k)``, ``-1`` pads) with their cosine similarities (same shape).
    probabilities : system name -> ``(n_claims, len(labels))`` predicted probabilities (rows sum to 1).
    own : optional, evidence setting name -> ``(n_claims, k)`` booleans marking the retrieved items that come
        from the claim's own justification.
    k : how many retrieved items the view lists.

    Introduced in chapter 12 (:doc:`12_derec`).
    """

    def __init__(self, claims: Sequence[str], gold: Sequence[str], labels: Sequence[str],
                 evidence: Mapping[str, tuple], probabilities: Mapping[str, np.ndarray],
                 own: Mapping[str, np.ndarray] | None = None, k: int = 5):
        self.claims = [str(c) for c in claims]
        self.gold = [str(g) for g in gold]
        self.labels = [str(label) for label in labels]
        n = len(self.claims)
        if n == 0:
            raise ValueError("claims is empty")
        if len(self.gold) != n:
            raise ValueError(f"{n} claims but {len(self.gold)} gold labels")
        unknown = sorted(set(self.gold) - set(self.labels))
        if unknown:
            raise ValueError(f"gold labels {unknown} are not in labels={self.labels}")
        if not evidence:
            raise ValueError("evidence must hold at least one setting")
        if not probabilities:
            raise ValueError("probabilities must hold at least one system")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        self.k = k
        self.evidence = {}
        for name, item in evidence.items():
            if not isinstance(item, (tuple, list)) or len(item) != 4:
                raise TypeError(f"evidence[{name!r}] must be (texts, labels, indices, similarities)")
            texts, source_labels, indices, sims = item
            indices, sims = _as_2d(indices, f"evidence[{name!r}] indices"), _as_2d(sims, f"evidence[{name!r}] sims")
            if indices.shape != sims.shape or indices.shape[0] != n:
                raise ValueError(f"evidence[{name!r}]: indices {indices.shape} and similarities {sims.shape} "
                                 f"must both be ({n}, k)")
            if len(texts) != len(source_labels):
                raise ValueError(f"evidence[{name!r}]: {len(texts)} texts but {len(source_labels)} labels")
            if indices.size and indices.max() >= len(texts):
                raise ValueError(f"evidence[{name!r}]: an index points past the {len(texts)} texts")
            self.evidence[str(name)] = (list(texts), list(source_labels), indices.astype(int), sims.astype(float))
        self.own = {}
        for name, flags in (own or {}).items():
            if name not in self.evidence:
                raise ValueError(f"own names setting {name!r}, which is not in evidence ({list(self.evidence)})")
            flags = np.asarray(flags, dtype=bool)
            if flags.shape != self.evidence[name][2].shape:
                raise ValueError(f"own[{name!r}] must have the shape of its indices "
                                 f"{self.evidence[name][2].shape}, got {flags.shape}")
            self.own[name] = flags
        self.probabilities = {}
        for name, probs in probabilities.items():
            probs = np.asarray(probs, dtype=float)
            if probs.shape != (n, len(self.labels)):
                raise ValueError(f"probabilities[{name!r}] must have shape ({n}, {len(self.labels)}), "
                                 f"got {probs.shape}")
            if not np.allclose(probs.sum(1), 1.0, atol=1e-4) or (probs < 0).any():
                raise ValueError(f"probabilities[{name!r}]: every row must be a distribution (>= 0, sums to 1)")
            self.probabilities[str(name)] = probs

    def __len__(self) -> int:
        return len(self.claims)

    def _check(self, index: int, model: str, source: str) -> None:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(self):
            raise IndexError(f"claim index must be an int in 0..{len(self) - 1}, got {index!r}")
        if model not in self.probabilities:
            raise ValueError(f"unknown system {model!r}; choose from {list(self.probabilities)}")
        if source not in self.evidence:
            raise ValueError(f"unknown evidence setting {source!r}; choose from {list(self.evidence)}")

    def state(self, index: int, model: str | None = None, source: str | None = None, k: int | None = None) -> dict:
        """Everything the view shows for one claim: its text and gold label, the top ``k`` evidence items
        (rank, similarity, label, own, text) of ``source``, and ``model``'s label distribution and prediction."""
        model = model if model is not None else next(iter(self.probabilities))
        source = source if source is not None else next(iter(self.evidence))
        k = self.k if k is None else k
        self._check(index, model, source)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        texts, source_labels, indices, sims = self.evidence[source]
        own = self.own.get(source)
        rows = []
        for rank, (j, s) in enumerate(zip(indices[index][:k], sims[index][:k]), start=1):
            if j < 0:
                break
            rows.append({"rank": rank, "similarity": float(s), "label": str(source_labels[j]), "text": texts[j],
                         "own": bool(own[index][rank - 1]) if own is not None else None})
        probs = self.probabilities[model][index]
        predicted = self.labels[int(np.argmax(probs))]
        return {"claim": self.claims[index], "gold": self.gold[index], "model": model, "source": source,
                "evidence": rows, "distribution": dict(zip(self.labels, map(float, probs))),
                "predicted": predicted, "correct": predicted == self.gold[index]}

    def html(self, index: int, model: str | None = None, source: str | None = None, k: int | None = None) -> str:
        """HTML: the claim, the verdicts, and a table of retrieved evidence (labels matching the gold in bold;
        sentences from the claim's own justification marked "own")."""
        st = self.state(index, model, source, k)
        mark = "&#10003;" if st["correct"] else "&#10007;"
        head = "".join(f'<th style="{CELL_STYLE}text-align:left;">{h}</th>'
                       for h in ("#", "sim", "report's verdict", "own?", html.escape(st["source"])))
        lines = [f"<p><b>Claim {index}:</b> {html.escape(st['claim'])}</p>",
                 f"<p>gold: <b>{html.escape(st['gold'])}</b> &middot; {html.escape(st['model'])} predicts "
                 f"<b>{html.escape(st['predicted'])}</b> {mark}</p>",
                 f'<table style="{TABLE_STYLE}"><tr>{head}</tr>']
        for row in st["evidence"]:
            label = html.escape(row["label"])
            label = f"<b>{label}</b>" if row["label"] == st["gold"] else label
            own = "–" if row["own"] is None else ("own" if row["own"] else "")
            lines.append(f'<tr><td style="{CELL_STYLE}">{row["rank"]}</td>'
                         f'<td style="{CELL_STYLE}">{row["similarity"]:.3f}</td><td style="{CELL_STYLE}">{label}</td>'
                         f'<td style="{CELL_STYLE}">{own}</td>'
                         f'<td style="{CELL_STYLE}">{html.escape(row["text"][:300])}</td></tr>')
        lines.append("</table>")
        return "\n".join(lines)

    def figure(self, index: int):
        """Plotly bars: every system's predicted distribution for the claim, the gold label marked."""
        import plotly.graph_objects as go

        st = self.state(index)
        fig = go.Figure()
        for name, probs in self.probabilities.items():
            fig.add_trace(go.Bar(x=self.labels, y=probs[index], name=name))
        fig.add_vline(x=self.labels.index(st["gold"]), line_dash="dot", annotation_text=f"gold: {st['gold']}")
        fig.update_layout(barmode="group", title=f"Claim {index}: predicted label distributions",
                          yaxis_title="probability", height=340, margin={"t": 50, "b": 30})
        return fig

    def controls(self, claim: int = 0, model: str | None = None, source: str | None = None) -> dict:
        """A claim slider and pickers for the system and the evidence setting."""
        import ipywidgets as widgets

        return {
            "claim": widgets.IntSlider(value=claim, min=0, max=len(self) - 1, description="claim",
                                       continuous_update=False),
            "model": widgets.Dropdown(options=list(self.probabilities), value=model or next(iter(self.probabilities)),
                                      description="system"),
            "source": widgets.Dropdown(options=list(self.evidence), value=source or next(iter(self.evidence)),
                                       description="evidence"),
        }

    def render(self, claim: int = 0, model: str | None = None, source: str | None = None):
        """The evidence table (HTML) and the distributions figure for one state of the controls."""
        return self.html(claim, model, source), self.figure(claim)
