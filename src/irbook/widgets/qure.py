"""Chapter 19's view: a reference image and an edit text as the query; the results with their satisfaction grade,
and the score curve below the target with QuRe's two steepest drops and the mined hard negatives marked.

A view only, on :class:`irbook.widgets.View`: the search, the grades and the sampler are the chapter's own (its
Method cells, exported to :mod:`irbook.chapters.ch19_qure`); the view takes them as one function.

- :func:`score_curve`: the plotly figure of a ranked score list with the target, the two drops and the band;
- :class:`ComposedSearchView`: menus for the reference and the model, a text box for the edit; results and curve.

Introduced in chapter 19 (:doc:`19_qure`).
"""
from __future__ import annotations

import html
from typing import Callable, Sequence

import numpy as np

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View

GRADE_COLOURS = {2: "#1a9850", 1: "#fdae61", 0: "#d73027"}
GRADE_WORDS = {2: "fully", 1: "partly", 0: "not"}


def score_curve(scores, target_rank: int, drops: tuple[int, int], title: str = "Scores below the target"):
    """The ranked scores (descending) as a line, the target's rank, the two steepest drops after it (the ranks just
    before each drop) and the mined band between them shaded.

    Introduced in chapter 19 (:doc:`19_qure`).
    """
    import plotly.graph_objects as go

    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or len(scores) < 2:
        raise ValueError(f"scores must be a 1-D array of at least 2 scores, got shape {scores.shape}")
    if not 0 <= target_rank < len(scores):
        raise ValueError(f"target_rank must be in 0..{len(scores) - 1}, got {target_rank!r}")
    first, second = drops
    if not target_rank <= first <= second < len(scores):
        raise ValueError(f"drops must be ranks with target_rank <= first <= second < {len(scores)}, got {drops!r}")
    ranks = np.arange(len(scores))
    fig = go.Figure(go.Scatter(x=ranks, y=scores, mode="lines", name="score by rank", line={"color": "#4575b4"}))
    fig.add_vrect(x0=first + 0.5, x1=second + 0.5, fillcolor="#fdae61", opacity=0.3, line_width=0,
                  annotation_text="mined negatives", annotation_position="top left")
    fig.add_trace(go.Scatter(x=[target_rank], y=[scores[target_rank]], mode="markers", name="target",
                             marker={"color": "#1a9850", "size": 10, "symbol": "star"}))
    fig.add_trace(go.Scatter(x=[first, second], y=[scores[first], scores[second]], mode="markers",
                             name="steepest drops", marker={"color": "#d73027", "size": 9, "symbol": "x"}))
    fig.update_layout(title=title, xaxis_title="rank", yaxis_title="cosine score", height=320,
                      margin={"l": 50, "r": 20, "t": 50, "b": 40})
    return fig


class ComposedSearchView(View):
    """Choose a reference (``references``: labels), a model (``models``) and type an edit; see the top ``k`` results
    with their satisfaction grade and the score curve with the sampler's drops and band.

    ``search(reference_index, edit_text, model_name)`` returns a dict with ``reference`` (image URI), ``results``
    (list of dicts ``image`` (URI), ``grade`` (0, 1, 2), ``score``, ``is_target``), ``scores`` (all, ranked),
    ``target_rank`` and ``drops`` (two ranks), or a dict with ``error`` (str) for an edit it cannot read.

    Introduced in chapter 19 (:doc:`19_qure`).
    """

    def __init__(self, search: Callable, references: Sequence[str], models: Sequence[str], k: int = 6,
                 example: str = "make it blue"):
        if not callable(search):
            raise ValueError(f"search must be callable, got {type(search).__name__}")
        if not references or not models:
            raise ValueError("references and models must be non-empty")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        self.search, self.references, self.models, self.k, self.example = search, list(references), list(models), k, example

    def controls(self, **initial) -> dict:
        import ipywidgets as w

        return {"reference": w.Dropdown(options=[(r, i) for i, r in enumerate(self.references)],
                                        value=initial.get("reference", 0), description="reference"),
                "edit": w.Text(value=initial.get("edit", self.example), description="edit"),
                "model": w.Dropdown(options=self.models, value=initial.get("model", self.models[-1]),
                                    description="model")}

    def render(self, reference: int = 0, edit: str = "", model: str | None = None):
        out = self.search(reference, edit, model or self.models[-1])
        if "error" in out:
            return f"<p>{html.escape(out['error'])}</p>", score_curve([1.0, 0.0], 0, (0, 0), "no query")
        cells = [f"<td style='{CELL_STYLE}'><img src='{out['reference']}' width='72'><br>reference</td>"]
        for rank, r in enumerate(out["results"][:self.k], 1):
            colour = GRADE_COLOURS[int(r["grade"])]
            mark = " (target)" if r.get("is_target") else ""
            cells.append(f"<td style='{CELL_STYLE}text-align:center'><img src='{r['image']}' width='72' "
                         f"style='border:3px solid {colour}'><br>#{rank} {r['score']:.3f}<br>"
                         f"<span style='color:{colour}'>{GRADE_WORDS[int(r['grade'])]}{mark}</span></td>")
        table = f"<table style='{TABLE_STYLE}'><tr>{''.join(cells)}</tr></table>"
        caption = f"<p>{html.escape(edit)!s} &mdash; {html.escape(str(model))}: top {self.k} of {len(out['scores'])}</p>"
        return caption + table, score_curve(out["scores"], out["target_rank"], tuple(out["drops"]))
