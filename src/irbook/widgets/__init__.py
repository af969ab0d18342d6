"""Small interactive views on one base: :class:`View` (``state -> HTML or figure -> widget``), shared helpers
(:func:`html_table`, :func:`display_data`, :func:`show`, the styles), the result browser and threshold explorer
every chapter can use (here), and one module per chapter for its own explorer (``irbook.widgets.derec``,
``.pir_rag``, ``.t_retrievability``, ``.vision``, ...).

Introduced in chapter 1 (:doc:`01_rag_map`). A view keeps its logic apart from its widget: ``render(**state)``
turns a state (the values of the controls) into HTML, a plotly figure or a tuple of them, and the tests call it
without a browser; :meth:`View.widget` builds the controls and redraws the panes when a control changes. A pane
is refreshed by replacing its value or its ``outputs``, never with ``Output.clear_output(wait=True)``, which
can stall a headless (papermill, nbval) run.

What a reader sees where:

- JupyterLab / Colab / VS Code with a live kernel: the widgets respond; a new query or a new
  threshold redraws the HTML and the figure.
- The HTML book: the widgets as the notebook's execution left them (their state is saved in the
  notebook and drawn by the ipywidgets HTML manager); choosing another query or moving the
  slider does nothing there, since no kernel runs behind the page.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import numpy as np

# Words too common to be worth highlighting in a snippet.
_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have how i in is it its of on or "
    "that the their this to was were what when where which who whom whose why will with".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)

_RELEVANT_STYLE = "background:#e6f4ea;border-left:4px solid #009E73;"
_OTHER_STYLE = "border-left:4px solid transparent;"

CELL_STYLE = "padding:4px 8px;vertical-align:top;border-bottom:1px solid #e5e5e5;"
"""The inline style of every table cell the views draw (inline, so it survives the HTML book and Colab)."""
TABLE_STYLE = "border-collapse:collapse;"
"""The inline style of every table the views draw."""
_CELL = CELL_STYLE


# ----------------------------------------------------------------------------------------------- the shared base

def display_data(obj) -> dict:
    """One stored output for ``obj`` (a plotly figure or an HTML string), as ``display(obj)`` would produce.

    Setting ``Output.outputs`` to these, rather than ``with output: display(fig)``, works without a running
    kernel (tests, papermill) and never leaves stale outputs behind.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if isinstance(obj, str):
        return {"output_type": "display_data", "data": {"text/html": obj, "text/plain": "<HTML>"}, "metadata": {}}
    import plotly.io as pio

    from irbook.plots import RENDERER_NAME, BookRenderer

    if pio.renderers.default == RENDERER_NAME or RENDERER_NAME not in pio.renderers:
        data = BookRenderer().to_mimebundle(obj.to_dict())
    else:
        data = obj._repr_mimebundle_()
    return {"output_type": "display_data", "data": data, "metadata": {}}


_display_data = display_data  # the name the chapter widgets import


def show(obj) -> None:
    """Display ``obj`` in the notebook: an HTML string as HTML, anything else (a figure, a widget) as itself.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    from IPython.display import HTML, display

    display(HTML(obj) if isinstance(obj, str) else obj)


def html_table(rows: Sequence[Mapping] | Sequence[Sequence], columns: Sequence[str] | None = None,
               css_class: str = "irbook-table", escape: bool = True, formats: Mapping[str, str] | None = None) -> str:
    """An HTML table in the views' style, every value escaped (``escape=False`` keeps cell markup).

    Parameters
    ----------
    rows : sequence of dicts or of sequences
        One per row; dicts are read by ``columns`` (default: the first row's keys).
    columns : sequence of str, optional
        The header; required for rows that are sequences.
    css_class : str
        The table's class attribute.
    escape : bool
        Whether to HTML-escape the values (headers are always escaped).
    formats : mapping, optional
        Column -> format spec for numbers, e.g. ``{"score": ".3f"}``.

    Returns
    -------
    str
        ``<table>...</table>``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    rows = list(rows)
    if columns is None:
        if rows and not isinstance(rows[0], Mapping):
            raise ValueError("html_table: rows that are sequences need columns=[...]")
        columns = list(rows[0]) if rows else []
    columns = [str(c) for c in columns]
    formats = dict(formats or {})
    head = "".join(f'<th style="{CELL_STYLE}text-align:left;">{html.escape(c)}</th>' for c in columns)
    body = []
    for row in rows:
        values = [row.get(c, "") for c in columns] if isinstance(row, Mapping) else list(row)
        if len(values) != len(columns):
            raise ValueError(f"html_table: a row has {len(values)} values for {len(columns)} columns")
        cells = []
        for column, value in zip(columns, values):
            text = format(value, formats[column]) if column in formats and value is not None else str(value)
            cells.append(f'<td style="{CELL_STYLE}">{html.escape(text) if escape else text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{html.escape(css_class)}" style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


class View:
    """The base of every view: ``state -> HTML or figure -> widget``.

    A subclass implements two methods and inherits :meth:`widget`:

    - ``controls(**initial)`` returns ``{name: ipywidgets control}``; the controls' values are the state;
    - ``render(**state)`` returns an HTML string, a plotly figure, or a tuple of them (one pane each). It is pure,
      so tests call it without a browser.

    :meth:`widget` lays the controls out (one control alone, several in a row) above one pane per rendered
    part, renders the initial state, and re-renders when a control changes. HTML panes are ``ipywidgets.HTML``
    (their ``value`` is replaced), figure panes ``ipywidgets.Output`` (their ``outputs`` are replaced); nothing
    calls ``clear_output``, so a headless run cannot stall.

    In the HTML book a view shows as the execution left it; it responds only with a live kernel.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def controls(self, **initial) -> dict:
        """The named controls whose values form the state (subclasses implement this).

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement controls()")

    def render(self, **state):
        """The HTML, figure or tuple of them for one state (subclasses implement this).

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement render()")

    def widget(self, **initial):
        """The controls above the rendered panes, redrawn on every change of a control.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        import ipywidgets as w

        controls = self.controls(**initial)
        if not controls:
            raise ValueError(f"{type(self).__name__}.controls() returned no controls")

        def state() -> dict:
            return {name: control.value for name, control in controls.items()}

        def parts() -> tuple:
            rendered = self.render(**state())
            return rendered if isinstance(rendered, tuple) else (rendered,)

        panes = [w.HTML() if isinstance(part, str) else w.Output() for part in parts()]

        def redraw(_change=None) -> None:
            rendered = parts()
            if len(rendered) != len(panes):
                raise ValueError(f"{type(self).__name__}.render() returned {len(rendered)} parts, "
                                 f"expected {len(panes)}")
            for pane, part in zip(panes, rendered):
                if isinstance(pane, w.HTML):
                    pane.value = part
                else:
                    pane.outputs = (display_data(part),)

        redraw()
        for control in controls.values():
            control.observe(redraw, names="value")
        row = next(iter(controls.values())) if len(controls) == 1 else w.HBox(list(controls.values()))
        return w.VBox([row, *panes])


def _ids_and_texts(collection, what: str) -> tuple[list[str], list[str]]:
    """Accept an irbook ``Queries``/``Corpus`` (``.ids``, ``.texts``) or a ``{id: text}`` dict."""
    if isinstance(collection, Mapping):
        return [str(i) for i in collection], [str(t) for t in collection.values()]
    if hasattr(collection, "ids") and hasattr(collection, "texts"):
        ids, texts = list(collection.ids), list(collection.texts)
        if len(ids) != len(texts):
            raise ValueError(f"{what} has {len(ids)} ids but {len(texts)} texts")
        return [str(i) for i in ids], [str(t) for t in texts]
    raise TypeError(f"{what} must be an irbook Queries/Corpus or a dict {{id: text}}, got {type(collection).__name__}")


def query_terms(text: str) -> list[str]:
    """The words of a query worth highlighting: lower-cased, without stop words or one-letter words.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    seen = dict.fromkeys(w.lower() for w in _WORD.findall(text))
    return [w for w in seen if len(w) > 1 and w not in _STOPWORDS]


def highlight(text: str, terms: Sequence[str]) -> str:
    """HTML-escape ``text`` and wrap whole-word matches of ``terms`` (plural ``s``/``es`` too) in ``<mark>``.

    Escaping happens piece by piece around the matches, so the data can never inject markup and
    a term such as ``amp`` never matches inside an escaped ``&amp;``.
    """
    if not terms:
        return html.escape(text)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")(?:e?s)?\b", re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append("<mark>" + html.escape(match.group()) + "</mark>")
        last = match.end()
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)


def _snippet(text: str, terms: Sequence[str], max_words: int) -> str:
    """At most ``max_words`` words of ``text``, starting a little before the first query term."""
    words = text.split()
    if len(words) <= max_words:
        return text
    lowered = [w.lower().strip(".,;:!?()[]\"'") for w in words]
    first = next((i for i, w in enumerate(lowered) if any(w.startswith(t) for t in terms)), 0)
    start = max(0, min(first - max_words // 4, len(words) - max_words))
    piece = " ".join(words[start : start + max_words])
    return ("… " if start > 0 else "") + piece + (" …" if start + max_words < len(words) else "")


class ResultBrowser(View):
    """Browse a ranked run query by query: rank, score, title, a highlighted snippet, relevance.

    Introduced in chapter 1 (:doc:`01_rag_map`).

    Parameters
    ----------
    queries : Queries or dict
        irbook ``Queries`` or ``{query_id: text}``.
    corpus : Corpus or dict
        irbook ``Corpus`` (``ids``, ``titles``, ``texts``) or ``{doc_id: text}``.
    run : dict
        ``{query_id: {doc_id: score}}``, as every retriever's ``search`` returns.
    qrels : dict, optional
        ``{query_id: {doc_id: grade}}``; grade > 0 marks a hit relevant (✓).
    answers : dict, optional
        ``{query_id: [gold answer, ...]}``, shown above the results.
    k : int
        How many results to show per query.
    snippet_words : int
        The length of each snippet, in words.
    """

    def __init__(self, queries, corpus, run, qrels=None, answers=None, k: int = 10, snippet_words: int = 40):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        if isinstance(snippet_words, bool) or not isinstance(snippet_words, int) or snippet_words < 5:
            raise ValueError(f"snippet_words must be an int >= 5, got {snippet_words!r}")
        if not isinstance(run, Mapping):
            raise TypeError(f"run must be a dict {{query_id: {{doc_id: score}}}}, got {type(run).__name__}")
        for name, value in (("qrels", qrels), ("answers", answers)):
            if value is not None and not isinstance(value, Mapping):
                raise TypeError(f"{name} must be a dict keyed by query id, got {type(value).__name__}")
        query_ids, query_texts = _ids_and_texts(queries, "queries")
        doc_ids, doc_texts = _ids_and_texts(corpus, "corpus")
        titles = list(getattr(corpus, "titles", None) or [""] * len(doc_ids))
        self._queries = dict(zip(query_ids, query_texts))
        self._docs = {d: (str(t), x) for d, t, x in zip(doc_ids, titles, doc_texts)}
        unknown_queries = [q for q in run if str(q) not in self._queries]
        if unknown_queries:
            raise ValueError(f"the run has {len(unknown_queries)} query ids not in queries, e.g. {unknown_queries[0]!r}")
        for qid, ranking in run.items():
            missing = [d for d in ranking if str(d) not in self._docs]
            if missing:
                raise ValueError(
                    f"query {qid!r}: doc id {missing[0]!r} of the run is not in the corpus "
                    "(a run over chunks needs the chunked corpus, or collapse_to_parents first)"
                )
        self.run = {str(q): {str(d): float(s) for d, s in r.items()} for q, r in run.items()}
        self.qrels = {str(q): {str(d): int(g) for d, g in r.items()} for q, r in (qrels or {}).items()}
        self.answers = {str(q): [str(a) for a in v] for q, v in (answers or {}).items()}
        self.has_qrels = qrels is not None
        self.k = k
        self.snippet_words = snippet_words

    @property
    def query_ids(self) -> list[str]:
        """The queries that have a ranking in the run, in the order of ``queries``."""
        return [q for q in self._queries if q in self.run]

    def _check_query(self, query_id) -> str:
        query_id = str(query_id)
        if query_id not in self._queries:
            raise KeyError(f"unknown query id {query_id!r}")
        return query_id

    def rows(self, query_id) -> list[dict]:
        """The top-``k`` results of one query as dicts: rank, doc_id, score, title, text, relevant, grade.

        ``relevant`` is ``None`` when no qrels were given; with ``answers``, ``contains_answer``
        says whether a gold answer occurs in the text (case-insensitive).
        """
        query_id = self._check_query(query_id)
        ranking = sorted(self.run.get(query_id, {}).items(), key=lambda item: (-item[1], item[0]))[: self.k]
        judged = self.qrels.get(query_id, {})
        golds = [a.lower() for a in self.answers.get(query_id, [])]
        rows = []
        for rank, (doc_id, score) in enumerate(ranking, start=1):
            title, text = self._docs[doc_id]
            grade = judged.get(doc_id, 0)
            row = {
                "rank": rank,
                "doc_id": doc_id,
                "score": score,
                "title": title,
                "text": text,
                "relevant": (grade > 0) if self.has_qrels else None,
                "grade": grade if self.has_qrels else None,
            }
            if query_id in self.answers:
                row["contains_answer"] = any(g and g in text.lower() for g in golds)
            rows.append(row)
        return rows

    def render(self, query_id) -> str:
        """The results of one query as an HTML table (all data escaped; query terms in ``<mark>``)."""
        query_id = self._check_query(query_id)
        query = self._queries[query_id]
        terms = query_terms(query)
        rows = self.rows(query_id)
        parts = [
            '<div class="irbook-results" style="font-size:14px;line-height:1.4;">',
            f'<div class="irbook-query"><b>Query {html.escape(query_id)}:</b> {highlight(query, terms)}</div>',
        ]
        if query_id in self.answers:
            golds = ", ".join(f"<code>{html.escape(a)}</code>" for a in self.answers[query_id]) or "(none)"
            parts.append(f'<div class="irbook-answers"><b>Gold answer:</b> {golds}</div>')
        if self.has_qrels:
            n_relevant = sum(1 for g in self.qrels.get(query_id, {}).values() if g > 0)
            n_found = sum(1 for r in rows if r["relevant"])
            parts.append(
                f'<div class="irbook-summary">{n_found} of the top {len(rows)} are relevant '
                f"({n_relevant} relevant in all)</div>"
            )
        if not rows:
            parts.append('<div class="irbook-empty"><i>No results for this query.</i></div></div>')
            return "".join(parts)
        parts.append('<table class="irbook-table" style="border-collapse:collapse;width:100%;">')
        header = ["#", "score", "document"] + (["relevant"] if self.has_qrels else [])
        parts.append("<thead><tr>" + "".join(f'<th style="{_CELL}text-align:left;">{h}</th>' for h in header))
        parts.append("</tr></thead><tbody>")
        for row in rows:
            relevant = bool(row["relevant"])
            css = "irbook-hit irbook-relevant" if relevant else "irbook-hit"
            style = _RELEVANT_STYLE if relevant else _OTHER_STYLE
            snippet = highlight(_snippet(row["text"], terms, self.snippet_words), terms)
            title = f"<b>{highlight(row['title'], terms)}</b> " if row["title"] else ""
            answer = ' <span title="contains a gold answer">★</span>' if row.get("contains_answer") else ""
            cells = [
                str(row["rank"]),
                f"{row['score']:.3f}",
                f'{title}<span style="color:#666;">[{html.escape(row["doc_id"])}]</span>{answer}<br>{snippet}',
            ]
            if self.has_qrels:
                cells.append('<span title="relevant" style="color:#009E73;font-weight:bold;">✓</span>' if relevant else "")
            parts.append(f'<tr class="{css}" style="{style}">')
            parts.append("".join(f'<td style="{_CELL}">{c}</td>' for c in cells) + "</tr>")
        parts.append("</tbody></table></div>")
        return "".join(parts)

    def controls(self, query_id=None) -> dict:
        """A query dropdown that starts on ``query_id`` (default: the first query).

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        import ipywidgets as w

        options = [(f"{q}: {self._queries[q][:70]}", q) for q in self.query_ids]
        if not options:
            raise ValueError("the run has no queries to browse")
        start = self._check_query(query_id) if query_id is not None else options[0][1]
        return {"query_id": w.Dropdown(options=options, value=start, description="query",
                                       layout=w.Layout(width="95%"))}


class ThresholdExplorer(View):
    """Explore a decision threshold on scores: positive when ``score >= threshold``.

    Introduced in chapter 1 (:doc:`01_rag_map`).

    Parameters
    ----------
    scores : array-like of float
        1-D; higher means more likely positive.
    labels : array-like of 0/1 or bool
        The true classes.
    names : tuple of str, optional
        (negative name, positive name), used in the figure's legend.
    bins : int
        The number of histogram bins.
    title : str
        The figure title.
    """

    METRICS = ("precision", "recall", "f1", "accuracy")

    def __init__(self, scores, labels, names=None, bins: int = 30, title: str = "Scores per class"):
        scores = np.asarray(scores, dtype=float)
        labels = np.asarray(labels)
        if scores.ndim != 1 or scores.size == 0:
            raise ValueError(f"scores must be a non-empty 1-D array, got shape {scores.shape}")
        if labels.shape != scores.shape:
            raise ValueError(f"labels has shape {labels.shape}, scores {scores.shape}; they must match")
        if not np.all(np.isfinite(scores)):
            raise ValueError("scores contain NaN or infinity")
        if labels.dtype != bool and not np.isin(labels, (0, 1)).all():
            raise ValueError(f"labels must be 0/1 or booleans, got values {sorted(set(labels.tolist()))[:5]}")
        names = ("negative", "positive") if names is None else tuple(names)
        if len(names) != 2:
            raise ValueError(f"names must be (negative name, positive name), got {names!r}")
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            raise ValueError(f"bins must be an int >= 2, got {bins!r}")
        self.scores = scores
        self.labels = labels.astype(bool)
        self.names = tuple(str(n) for n in names)
        self.bins = bins
        self.title = title

    def metrics_at(self, threshold: float) -> dict:
        """Precision, recall, F1, accuracy and the confusion counts when ``score >= threshold`` is positive.

        A ratio with an empty denominator (nothing predicted positive, no positives) is 0.
        """
        threshold = float(threshold)
        predicted = self.scores >= threshold
        tp = int(np.sum(predicted & self.labels))
        fp = int(np.sum(predicted & ~self.labels))
        fn = int(np.sum(~predicted & self.labels))
        tn = int(np.sum(~predicted & ~self.labels))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "threshold": threshold,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "accuracy": (tp + tn) / self.scores.size,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
        }

    def best_threshold(self, metric: str = "f1") -> float:
        """The score threshold (one of the observed scores) that maximises ``metric``.

        Ties go to the highest such threshold: of equally good cut-offs, the most selective one.
        """
        if metric not in self.METRICS:
            raise ValueError(f"metric must be one of {self.METRICS}, got {metric!r}")
        # Every distinct score is a candidate; cumulative counts over the sorted scores give all
        # confusion matrices in one pass instead of one pass per candidate.
        order = np.argsort(-self.scores, kind="stable")
        sorted_scores, sorted_labels = self.scores[order], self.labels[order]
        last_of_value = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
        tp = np.cumsum(sorted_labels)[last_of_value]
        fp = np.cumsum(~sorted_labels)[last_of_value]
        candidates = sorted_scores[last_of_value]
        positives = self.labels.sum()
        fn = positives - tp
        tn = (self.scores.size - positives) - fp
        # tp + fp >= 1 at every candidate (it is a rank), so only recall and F1 need a zero guard.
        precision = tp / (tp + fp)
        recall = tp / positives if positives else np.zeros_like(precision)
        denominator = precision + recall
        f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(precision), where=denominator > 0)
        values = {"precision": precision, "recall": recall, "f1": f1, "accuracy": (tp + tn) / self.scores.size}[metric]
        best = np.flatnonzero(values == values.max())
        return float(candidates[best].max())

    def figure(self, threshold: float | None = None):
        """Overlaid histograms of the scores of each class and a dashed line at ``threshold``."""
        import plotly.graph_objects as go
        import plotly.io as pio

        from irbook import plots

        if threshold is None:
            threshold = self.best_threshold()
        low, high = float(self.scores.min()), float(self.scores.max())
        size = (high - low) / self.bins if high > low else 1.0
        fig = go.Figure()
        fig.update_layout(
            template=plots.TEMPLATE_NAME if plots.TEMPLATE_NAME in pio.templates else None,
            title=self.title,
            barmode="overlay",
            xaxis_title="score",
            yaxis_title="count",
            height=360,
        )
        for is_positive, name in ((False, self.names[0]), (True, self.names[1])):
            fig.add_trace(
                go.Histogram(
                    x=self.scores[self.labels == is_positive],
                    name=name,
                    opacity=0.6,
                    xbins=dict(start=low, end=high + size, size=size),
                )
            )
        fig.update_layout(
            shapes=[dict(type="line", xref="x", yref="paper", x0=threshold, x1=threshold, y0=0, y1=1,
                         line=dict(color="#000000", dash="dash", width=2))],
            annotations=[dict(x=threshold, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                              text=f"threshold = {threshold:.3f}")],
        )
        return fig

    def readout(self, threshold: float) -> str:
        """The metrics at ``threshold`` as a small HTML table."""
        m = self.metrics_at(threshold)
        cells = [
            ("threshold", f"{m['threshold']:.3f}"),
            ("precision", f"{m['precision']:.3f}"),
            ("recall", f"{m['recall']:.3f}"),
            ("F1", f"{m['f1']:.3f}"),
            ("accuracy", f"{m['accuracy']:.3f}"),
            ("TP / FP / FN / TN", f"{m['tp']} / {m['fp']} / {m['fn']} / {m['tn']}"),
        ]
        body = "".join(f'<tr><th style="{_CELL}text-align:left;">{k}</th><td style="{_CELL}">{v}</td></tr>' for k, v in cells)
        return f'<table class="irbook-threshold-readout" style="border-collapse:collapse;">{body}</table>'

    def controls(self, threshold: float | None = None) -> dict:
        """A threshold slider over the observed scores, starting at ``threshold`` (default: the best F1).

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        import ipywidgets as w

        if threshold is None:
            threshold = self.best_threshold()
        low, high = float(self.scores.min()), float(self.scores.max())
        if high == low:
            low, high = low - 0.5, high + 0.5
        return {"threshold": w.FloatSlider(
            value=min(max(float(threshold), low), high), min=low, max=high, step=(high - low) / 200,
            description="threshold", readout_format=".3f", continuous_update=False,
            layout=w.Layout(width="95%"),
        )}

    def render(self, threshold: float):
        """The figure and the metrics readout at ``threshold``.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        return self.figure(threshold), self.readout(threshold)

    def widget(self, threshold: float | None = None, live_figure: bool = False):
        """A threshold slider driving the figure and the metrics readout.

        ``live_figure=False`` (the default) shows the figure as an ordinary plotly output inside an
        ``ipywidgets.Output``, redrawn on each slider move: it shows in the HTML book too and keeps
        the saved notebook small. ``live_figure=True`` uses a ``plotly.graph_objects.FigureWidget``
        (needs ``anywidget``) that moves the line in place; smoother in JupyterLab, but the HTML
        book cannot draw it and the saved notebook carries plotly's ~5 MB widget bundle.
        """
        if not live_figure:
            return super().widget(threshold=threshold)
        import ipywidgets as w
        import plotly.graph_objects as go

        slider = self.controls(threshold)["threshold"]
        readout = w.HTML(value=self.readout(slider.value))
        shown = go.FigureWidget(self.figure(slider.value))

        def on_change(change):
            t = change["new"]
            readout.value = self.readout(t)
            with shown.batch_update():
                shown.layout.shapes[0].update(x0=t, x1=t)
                shown.layout.annotations[0].update(x=t, text=f"threshold = {t:.3f}")

        slider.observe(on_change, names="value")
        return w.VBox([slider, shown, readout])


