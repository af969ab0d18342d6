"""irbook.plots: the book theme, the renderer's mime bundle, and the common figures (headless)."""
import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from irbook import plots


@pytest.fixture(autouse=True)
def book_theme():
    previous = (pio.templates.default, pio.renderers.default)
    plots.use_book_theme()
    yield
    pio.templates.default, pio.renderers.default = previous


def test_use_book_theme_registers_template_and_renderer():
    assert pio.templates.default == "irbook"
    assert pio.renderers.default == "irbook"
    template = pio.templates["irbook"]
    assert list(template.layout.colorway) == list(plots.PALETTE)
    assert template.layout.font.size >= 12


def test_use_book_theme_rejects_unknown_renderer():
    with pytest.raises(ValueError, match="unknown plotly renderer"):
        plots.use_book_theme(renderer="no-such-renderer")


def test_mime_bundle_has_plotly_json_and_small_html_without_plotly_js():
    fig = plots.recall_curve({"BM25": {1: 0.2, 10: 0.6}})
    bundle = fig._repr_mimebundle_()
    assert set(bundle) >= {"application/vnd.plotly.v1+json", "text/html"}
    html = bundle["text/html"]
    assert "Plotly.newPlot" in html
    # The HTML calls the page's global Plotly; it must not inline plotly.js (megabytes) or fetch it.
    assert len(html) < 50_000
    assert "cdn.plot.ly" not in html and "<script src=" not in html
    json.dumps(bundle["application/vnd.plotly.v1+json"])  # JSON-serialisable for the notebook


def test_recall_curve_sorts_k_and_keeps_one_trace_per_system():
    fig = plots.recall_curve({"BM25": {10: 0.6, 1: 0.2, 5: 0.4}, "dense": {1: 0.3, 10: 0.7}}, title="t")
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["BM25", "dense"]
    assert list(fig.data[0].x) == [1, 5, 10] and list(fig.data[0].y) == [0.2, 0.4, 0.6]
    assert fig.layout.template.layout.colorway == pio.templates["irbook"].layout.colorway


@pytest.mark.parametrize(
    "curves, error",
    [({}, ValueError), ({"a": {}}, ValueError), ({"a": {0: 0.1}}, ValueError), ({"a": {1: "x"}}, TypeError)],
)
def test_recall_curve_rejects_bad_input(curves, error):
    with pytest.raises(error):
        plots.recall_curve(curves)


def test_bar_compare_from_dict_of_dicts_and_dataframe_agree():
    table = {"BM25": {"nDCG@10": 0.4, "R@10": 0.6}, "dense": {"nDCG@10": 0.5, "R@10": 0.7}}
    from_dict = plots.bar_compare(table, title="x")
    from_frame = plots.bar_compare(pd.DataFrame(table).T)
    for fig in (from_dict, from_frame):
        assert [t.name for t in fig.data] == ["BM25", "dense"]
        assert list(fig.data[1].x) == ["nDCG@10", "R@10"] and list(fig.data[1].y) == [0.5, 0.7]
    assert from_dict.layout.barmode == "group"


def test_bar_compare_single_values_and_errors():
    fig = plots.bar_compare({"a": 1.0, "b": 2.0}, yaxis_title="EM")
    assert [t.name for t in fig.data] == ["a", "b"]
    with pytest.raises(TypeError):
        plots.bar_compare([1, 2])
    with pytest.raises(ValueError):
        plots.bar_compare({})
    with pytest.raises(TypeError):
        plots.bar_compare({"a": {"m": None}})


def test_scatter_groups_and_length_checks():
    fig = plots.scatter([1, 2, 3], [3, 2, 1], labels=["x", "y", "z"], groups=["g", "h", "g"])
    assert [t.name for t in fig.data] == ["g", "h"]
    assert list(fig.data[0].text) == ["x", "z"]
    with pytest.raises(ValueError):
        plots.scatter([1, 2], [1])
    with pytest.raises(ValueError):
        plots.scatter([1, 2], [1, 2], labels=["a"])
