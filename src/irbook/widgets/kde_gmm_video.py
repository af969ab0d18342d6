"""Chapter 16's views: a threshold explorer for one video's frame-change signal and a temporal query builder.

Views only, on :class:`irbook.widgets.View`: the algorithms they draw (boundary detection, the KDE-GMM threshold,
the temporal searches) are the chapter's own, written in its Method cells and exported to
:mod:`irbook.chapters.ch16_kde_gmm_video`; detections are scored by :func:`irbook.evaluation.score_detections`.

- :class:`ChangeThresholdExplorer`: the signal, its density, the mixture components and the adaptive threshold
  beside a manual slider, with the detections and their precision / recall / F1;
- :class:`TemporalQueryBuilder`: a sequence of scene descriptions, each with its own modality, sent to a search
  function, and the ranked chains of keyframes it returns.

Introduced in chapter 16 (:doc:`16_kde_gmm_video`).
"""
from __future__ import annotations

import html
from typing import Callable, Sequence

import numpy as np

from irbook.chapters.ch16_kde_gmm_video import check_signal, detect_boundaries
from irbook.evaluation import _check_intervals
from irbook.evaluation import score_detections  # noqa: F401  (its home is irbook.evaluation; importable here too)
from irbook.widgets import CELL_STYLE, TABLE_STYLE, View


class ChangeThresholdExplorer(View):
    """One video's frame-change signal with an adaptive threshold and a manual one.

    ``fit`` (optional) describes the adaptive fit in signal units: ``threshold`` (float), and for the density panel
    ``grid`` (x values), ``density`` (the kernel density on the grid) and ``components`` (a list of weighted
    component densities on the grid, e.g. the two Gaussians of a mixture). ``intervals`` are the ground-truth
    transitions (optional): with them, the readout scores each threshold.

    Introduced in chapter 16 (:doc:`16_kde_gmm_video`).
    """

    def __init__(self, signal, intervals=None, fit: dict | None = None, min_gap: int = 4, tolerance: int = 2,
                 title: str = "Frame-change signal"):
        self.signal = check_signal(signal)
        self.intervals = _check_intervals(intervals) if intervals is not None else None
        self.fit = dict(fit or {})
        if "threshold" in self.fit and not np.isfinite(self.fit["threshold"]):
            raise ValueError(f"fit['threshold'] must be a finite number, got {self.fit['threshold']!r}")
        grid = self.fit.get("grid")
        if grid is not None:
            if "density" in self.fit and len(self.fit["density"]) != len(grid):
                raise ValueError(f"fit['density'] has {len(self.fit['density'])} values for a grid of {len(grid)}")
            for comp in self.fit.get("components", []):
                if len(comp) != len(grid):
                    raise ValueError(f"a component has {len(comp)} values for a grid of {len(grid)}")
        detect_boundaries(self.signal, float(np.max(self.signal)), min_gap)  # validates min_gap early
        self.min_gap = min_gap
        self.tolerance = tolerance
        self.title = title

    @property
    def adaptive_threshold(self) -> float | None:
        """The fitted threshold, or None without a fit."""
        return float(self.fit["threshold"]) if "threshold" in self.fit else None

    def detections(self, threshold: float) -> np.ndarray:
        """The frames detected at ``threshold``."""
        return detect_boundaries(self.signal, threshold, self.min_gap)

    def metrics_at(self, threshold: float) -> dict:
        """Detections at ``threshold`` and, with ground truth, precision, recall and F1."""
        found = self.detections(threshold)
        out = {"threshold": float(threshold), "detections": found.tolist()}
        if self.intervals is not None:
            out.update(score_detections(found, self.intervals, self.tolerance))
        return out

    def figure(self, threshold: float | None = None):
        """Left: the signal over time, true transitions shaded, thresholds as lines, detections as markers.
        Right: the density of the signal with the mixture components and both thresholds."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        threshold = self.adaptive_threshold if threshold is None else float(threshold)
        has_density = "grid" in self.fit
        fig = make_subplots(rows=1, cols=2 if has_density else 1, column_widths=[0.65, 0.35] if has_density else None,
                            subplot_titles=("signal over time", "density of the signal") if has_density else None)
        frames = np.arange(len(self.signal))
        fig.add_trace(go.Scatter(x=frames, y=self.signal, mode="lines", name="change", line={"width": 1}), 1, 1)
        for start, end in self.intervals or []:
            fig.add_vrect(x0=start - 0.5, x1=end + 0.5, fillcolor="#009E73", opacity=0.25, line_width=0, row=1, col=1)
        if threshold is not None:
            found = self.detections(threshold)
            fig.add_trace(go.Scatter(x=found, y=self.signal[found], mode="markers", name="detections",
                                     marker={"symbol": "x", "size": 9}), 1, 1)
        lines = [("adaptive", self.adaptive_threshold, "#D55E00"), ("manual", threshold, "#0072B2")]
        for name, value, colour in lines:
            if value is None or (name == "manual" and value == self.adaptive_threshold):
                continue
            fig.add_hline(y=value, line_dash="dash", line_color=colour, row=1, col=1)
            if has_density:
                fig.add_vline(x=value, line_dash="dash", line_color=colour, row=1, col=2)
        if has_density:
            grid = np.asarray(self.fit["grid"])
            if "density" in self.fit:
                fig.add_trace(go.Scatter(x=grid, y=self.fit["density"], name="kernel density", line={"width": 2}), 1, 2)
            for i, comp in enumerate(self.fit.get("components", [])):
                fig.add_trace(go.Scatter(x=grid, y=comp, name=f"component {i + 1}", line={"dash": "dot"}), 1, 2)
            fig.update_xaxes(title_text=self.fit.get("x_title", "change"), row=1, col=2,
                             type="log" if self.fit.get("log_x") else None)
        fig.update_xaxes(title_text="frame", row=1, col=1)
        return fig.update_layout(title=self.title, height=360, legend={"orientation": "h", "y": -0.25})

    def readout(self, threshold: float) -> str:
        """An HTML table: the threshold, the detections and, with ground truth, the scores."""
        m = self.metrics_at(threshold)
        cells = [("threshold", f"{threshold:.4f}"), ("detections", str(len(m["detections"])))]
        if self.adaptive_threshold is not None:
            cells.append(("adaptive threshold", f"{self.adaptive_threshold:.4f}"))
        if "f1" in m:
            cells += [("precision / recall / F1", f"{m['precision']:.2f} / {m['recall']:.2f} / {m['f1']:.2f}"),
                      ("TP / FP / FN", f"{m['tp']} / {m['fp']} / {m['fn']}")]
        body = "".join(f'<tr><th style="{CELL_STYLE}text-align:left;">{k}</th><td style="{CELL_STYLE}">{v}</td></tr>'
                       for k, v in cells)
        return f'<table style="{TABLE_STYLE}">{body}</table>'

    def controls(self, threshold: float | None = None) -> dict:
        """A manual-threshold slider, started at ``threshold`` (default: the adaptive threshold)."""
        import ipywidgets as w

        low, high = float(self.signal.min()), float(self.signal.max())
        start = threshold if threshold is not None else self.adaptive_threshold
        start = (low + high) / 2 if start is None else start
        return {"threshold": w.FloatSlider(value=min(max(start, low), high), min=low, max=high,
                                           step=(high - low) / 200 or 0.01, description="manual",
                                           readout_format=".3f", continuous_update=False,
                                           layout=w.Layout(width="95%"))}

    def render(self, threshold: float):
        """The figure and the readout at ``threshold``."""
        return self.figure(threshold), self.readout(threshold)


class TemporalQueryBuilder(View):
    """Build a temporal query, one scene description per step, each with its own modality, and run it.

    ``search_fn(steps, max_gap)`` receives ``steps`` as a list of ``(modality, text)`` and returns ranked sequences:
    dicts with at least ``video``, ``frames`` (one frame per step) and ``score``. ``describe(video, frame)`` (optional)
    gives a short text for a matched frame; a sequence with ``correct`` true is ticked.

    Introduced in chapter 16 (:doc:`16_kde_gmm_video`).
    """

    def __init__(self, search_fn: Callable, modalities: Sequence[str], describe: Callable | None = None,
                 max_steps: int = 3, k: int = 5):
        if not callable(search_fn):
            raise TypeError(f"search_fn must be callable: (steps, max_gap) -> list of sequences, got {search_fn!r}")
        if not modalities:
            raise ValueError("modalities must name at least one modality, got an empty list")
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        if not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
        self.search_fn = search_fn
        self.modalities = list(modalities)
        self.describe = describe
        self.max_steps = max_steps
        self.k = k

    def check(self, steps) -> list[tuple[str, str]]:
        """Validated steps: non-empty texts with known modalities (empty rows are dropped)."""
        checked = []
        for modality, text in steps:
            if not isinstance(text, str) or not text.strip():
                continue
            if modality not in self.modalities:
                raise ValueError(f"unknown modality {modality!r}; choose from {self.modalities}")
            checked.append((modality, text.strip()))
        if not checked:
            raise ValueError("a temporal query needs at least one step with a description")
        if len(checked) > self.max_steps:
            raise ValueError(f"at most {self.max_steps} steps, got {len(checked)}")
        return checked

    def search(self, steps, max_gap: int) -> list[dict]:
        """The top ``k`` sequences of ``search_fn`` for the checked steps."""
        if isinstance(max_gap, bool) or not isinstance(max_gap, (int, np.integer)) or max_gap < 1:
            raise ValueError(f"max_gap must be a positive int (frames), got {max_gap!r}")
        steps = self.check(steps)
        results = list(self.search_fn(steps, int(max_gap)))[: self.k]
        for r in results:
            if len(r["frames"]) != len(steps):
                raise ValueError(f"search_fn returned {len(r['frames'])} frames for {len(steps)} steps")
        return results

    def table(self, steps, max_gap: int) -> str:
        """The ranked sequences as an HTML table (one column per step)."""
        steps = self.check(steps)
        results = self.search(steps, max_gap)
        if not results:
            return "<p>No sequence fits in order within the maximum gap.</p>"
        head = "".join(f'<th style="{CELL_STYLE}">{html.escape(m)}: {html.escape(t)}</th>' for m, t in steps)
        rows = []
        for rank, r in enumerate(results, 1):
            cells = []
            for frame in r["frames"]:
                text = f"frame {frame}"
                if self.describe is not None:
                    text += "<br><small>" + html.escape(str(self.describe(r["video"], frame))) + "</small>"
                cells.append(f'<td style="{CELL_STYLE}">{text}</td>')
            mark = " &#10003;" if r.get("correct") else ""
            rows.append(f'<tr><td style="{CELL_STYLE}">{rank}{mark}</td>'
                        f'<td style="{CELL_STYLE}">{html.escape(str(r["video"]))}</td>'
                        f'<td style="{CELL_STYLE}">{r["score"]:.3f}</td>{"".join(cells)}</tr>')
        return (f'<table style="{TABLE_STYLE}"><tr><th style="{CELL_STYLE}">rank</th><th style="{CELL_STYLE}">video'
                f'</th><th style="{CELL_STYLE}">score</th>{head}</tr>{"".join(rows)}</table>')

    def controls(self, steps=None, max_gap: int = 60) -> dict:
        """A modality dropdown and a text box per step, and a maximum-gap slider."""
        import ipywidgets as w

        steps = list(steps or [])
        out = {}
        for i in range(self.max_steps):
            modality, text = steps[i] if i < len(steps) else (self.modalities[0], "")
            out[f"modality_{i + 1}"] = w.Dropdown(options=self.modalities, value=modality,
                                                  layout=w.Layout(width="110px"))
            out[f"text_{i + 1}"] = w.Text(value=text, placeholder=f"scene {i + 1}", continuous_update=False,
                                          layout=w.Layout(width="180px"))
        out["max_gap"] = w.IntSlider(value=max_gap, min=1, max=max(200, max_gap), description="max gap",
                                     continuous_update=False)
        return out

    def render(self, max_gap: int = 60, **fields) -> str:
        """The table for the steps in ``fields`` (``modality_1``, ``text_1``, ...); a bad query gives its error."""
        steps = [(fields.get(f"modality_{i + 1}", self.modalities[0]), fields.get(f"text_{i + 1}", ""))
                 for i in range(self.max_steps)]
        try:
            return self.table(steps, max_gap)
        except ValueError as err:
            return f"<p><b>{html.escape(str(err))}</b></p>"
