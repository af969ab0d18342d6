"""Browse fact-checked claims: the evidence DeReC retrieved for each, with similarities, and the label distributions
its classifiers predicted, beside the gold verdict.

Introduced in chapter 12 (:doc:`12_derec`). The logic (:meth:`ClaimBrowser.state`, :meth:`ClaimBrowser.render`,
:meth:`ClaimBrowser.figure`) runs headless so that tests can drive it; :meth:`ClaimBrowser.widget` wraps it in
ipywidgets for the notebook.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np


def _as_2d(array, what: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2:
        raise ValueError(f"{what} must be 2-d (claims x retrieved), got shape {array.shape}")
    return array


class ClaimBrowser:
    """Test claims with their retrieved evidence and each model's predicted label distribution.

    Parameters
    ----------
    claims : the test claims' texts, one per claim.
    gold : the gold label of each claim (one of ``labels``).
    labels : the label set, in the order of the probability columns.
    evidence : evidence source name (e.g. ``"train claims"``) -> ``(texts, labels, indices, similarities)``:
        the source's texts and labels, and for every claim the indices into them of the retrieved items
        (``(n_claims, k)``, ``-1`` pads) with their cosine similarities (same shape).
    probabilities : model name -> ``(n_claims, len(labels))`` predicted probabilities (rows sum to 1).
    """

    def __init__(self, claims: Sequence[str], gold: Sequence[str], labels: Sequence[str],
                 evidence: Mapping[str, tuple], probabilities: Mapping[str, np.ndarray]):
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
            raise ValueError("evidence must hold at least one source")
        if not probabilities:
            raise ValueError("probabilities must hold at least one model")
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
            raise ValueError(f"unknown model {model!r}; choose from {list(self.probabilities)}")
        if source not in self.evidence:
            raise ValueError(f"unknown evidence source {source!r}; choose from {list(self.evidence)}")

    def state(self, index: int, model: str | None = None, source: str | None = None, k: int = 5) -> dict:
        """Everything the view shows for one claim: its text and gold label, the top ``k`` evidence items
        (rank, similarity, label, text) of ``source``, and ``model``'s label distribution and prediction."""
        model = model if model is not None else next(iter(self.probabilities))
        source = source if source is not None else next(iter(self.evidence))
        self._check(index, model, source)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        texts, source_labels, indices, sims = self.evidence[source]
        rows = []
        for rank, (j, s) in enumerate(zip(indices[index][:k], sims[index][:k]), start=1):
            if j < 0:
                break
            rows.append({"rank": rank, "similarity": float(s), "label": str(source_labels[j]), "text": texts[j]})
        probs = self.probabilities[model][index]
        predicted = self.labels[int(np.argmax(probs))]
        return {"claim": self.claims[index], "gold": self.gold[index], "model": model, "source": source,
                "evidence": rows, "distribution": dict(zip(self.labels, map(float, probs))),
                "predicted": predicted, "correct": predicted == self.gold[index]}

    def render(self, index: int, model: str | None = None, source: str | None = None, k: int = 5) -> str:
        """HTML: the claim, the verdicts, and a table of retrieved evidence (labels of matching verdict in bold)."""
        st = self.state(index, model, source, k)
        mark = "&#10003;" if st["correct"] else "&#10007;"
        lines = [f"<p><b>Claim {index}:</b> {html.escape(st['claim'])}</p>",
                 f"<p>gold: <b>{html.escape(st['gold'])}</b> &middot; {html.escape(st['model'])} predicts "
                 f"<b>{html.escape(st['predicted'])}</b> {mark}</p>",
                 f"<table><tr><th>#</th><th>sim</th><th>label</th><th>{html.escape(st['source'])}</th></tr>"]
        for row in st["evidence"]:
            label = html.escape(row["label"])
            label = f"<b>{label}</b>" if row["label"] == st["gold"] else label
            lines.append(f"<tr><td>{row['rank']}</td><td>{row['similarity']:.3f}</td><td>{label}</td>"
                         f"<td>{html.escape(row['text'][:300])}</td></tr>")
        lines.append("</table>")
        return "\n".join(lines)

    def figure(self, index: int, source: str | None = None):
        """Plotly bars: every model's predicted distribution for the claim, the gold label marked."""
        import plotly.graph_objects as go

        first_model = next(iter(self.probabilities))
        st = self.state(index, first_model, source)
        fig = go.Figure()
        for name, probs in self.probabilities.items():
            fig.add_trace(go.Bar(x=self.labels, y=probs[index], name=name))
        fig.add_vline(x=self.labels.index(st["gold"]), line_dash="dot",
                      annotation_text=f"gold: {st['gold']}")
        fig.update_layout(barmode="group", title=f"Claim {index}: predicted label distributions",
                          yaxis_title="probability", height=320, margin={"t": 50, "b": 30})
        return fig

    def widget(self, k: int = 5):
        """An ipywidgets view: a claim slider, model and evidence-source pickers, the HTML and the figure.

        The figure is an ordinary plotly output inside an ``ipywidgets.Output`` (as in
        :class:`irbook.widgets.ThresholdExplorer`), so it shows in the HTML book and keeps the notebook small.
        """
        import ipywidgets as widgets

        from irbook.widgets import _display_data

        claim = widgets.IntSlider(value=0, min=0, max=len(self) - 1, description="claim", continuous_update=False)
        model = widgets.Dropdown(options=list(self.probabilities), description="model")
        source = widgets.Dropdown(options=list(self.evidence), description="evidence")
        body = widgets.HTML()
        shown = widgets.Output()

        def update(_change=None):
            body.value = self.render(claim.value, model.value, source.value, k)
            shown.outputs = (_display_data(self.figure(claim.value, source.value)),)

        for control in (claim, model, source):
            control.observe(update, names="value")
        update()
        return widgets.VBox([widgets.HBox([claim, model, source]), body, shown])
