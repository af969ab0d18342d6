"""irbook.widgets: the result browser and the threshold explorer, driven headless (no browser, no kernel)."""
from dataclasses import dataclass, field

import numpy as np
import plotly.io as pio
import pytest

from irbook import plots
from irbook.widgets import ResultBrowser, ThresholdExplorer, highlight, query_terms


@dataclass
class _Texts:  # the shape of irbook.data.Queries / Corpus that the widgets rely on
    ids: list
    texts: list
    titles: list = field(default_factory=list)


@pytest.fixture
def browser():
    queries = _Texts(["q1", "q2", "q3"], ["Who wrote Hamlet?", "capital of France", "nothing retrieved"])
    corpus = _Texts(
        ["d1", "d2", "d3"],
        ["Hamlet is a tragedy written by William Shakespeare. <script>alert(1)</script>",
         "Paris is the capital and largest city of France.",
         "Berlin & Bonn are cities in Germany."],
        ["Hamlet", "Paris <i>city</i>", "Germany"],
    )
    run = {"q1": {"d3": 0.5, "d1": 2.0, "d2": 0.1}, "q2": {"d2": 3.0, "d1": 0.2}, "q3": {}}
    qrels = {"q1": {"d1": 1}, "q2": {"d2": 2, "d3": 1}}
    answers = {"q1": ["William Shakespeare"], "q2": ["Paris"]}
    return ResultBrowser(queries, corpus, run, qrels=qrels, answers=answers, k=2)


def test_rows_rank_by_score_and_mark_relevance(browser):
    rows = browser.rows("q1")
    assert [r["doc_id"] for r in rows] == ["d1", "d3"]  # k=2 cuts d2
    assert [r["rank"] for r in rows] == [1, 2]
    assert [r["relevant"] for r in rows] == [True, False]
    assert rows[0]["contains_answer"] is True and rows[1]["contains_answer"] is False
    assert browser.rows("q3") == []


def test_rows_without_qrels_have_unknown_relevance():
    b = ResultBrowser({"q": "a b"}, {"d": "a"}, {"q": {"d": 1.0}})
    assert b.rows("q")[0]["relevant"] is None


def test_render_escapes_data_and_marks_terms(browser):
    html = browser.render("q1")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Hamlet</mark> is a tragedy" in html  # query terms marked in the snippet
    assert "<mark>written</mark>" not in html and "<mark>Who</mark>" not in html  # not a term; a stop word
    assert "✓" in html and "irbook-relevant" in html
    assert "William Shakespeare" in html  # the gold answer line
    assert html.index("d1") < html.index("d3")
    second = browser.render("q2")
    assert "Paris &lt;i&gt;city&lt;/i&gt;" in second.replace("<mark>Paris</mark>", "Paris")
    assert "1 of the top 2 are relevant (2 relevant in all)" in second
    assert "No results" in browser.render("q3")


def test_highlight_never_matches_inside_escaped_entities():
    assert highlight("fish & chips", ["amp"]) == "fish &amp; chips"
    assert highlight("Cats and a cat", ["cat"]) == "<mark>Cats</mark> and a <mark>cat</mark>"
    assert query_terms("What is the Capital of France?") == ["capital", "france"]


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="not in the corpus"):
        ResultBrowser({"q": "x"}, {"d": "x"}, {"q": {"d#0": 1.0}})
    with pytest.raises(ValueError, match="not in queries"):
        ResultBrowser({"q": "x"}, {"d": "x"}, {"other": {"d": 1.0}})
    with pytest.raises(ValueError):
        ResultBrowser({"q": "x"}, {"d": "x"}, {}, k=0)
    with pytest.raises(TypeError):
        ResultBrowser(["x"], {"d": "x"}, {})
    b = ResultBrowser({"q": "x"}, {"d": "x"}, {"q": {"d": 1.0}})
    with pytest.raises(KeyError, match="unknown query id"):
        b.rows("nope")


def test_widget_starts_rendered_and_follows_the_dropdown(browser):
    box = browser.widget()
    dropdown, output = box.children
    assert dropdown.value == "q1" and output.value == browser.render("q1")
    dropdown.value = "q2"
    assert output.value == browser.render("q2")


# ----------------------------------------------------------------------------- threshold explorer
@pytest.fixture
def explorer():
    scores = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]
    labels = [0, 0, 1, 0, 1, 0, 1, 1]
    return ThresholdExplorer(scores, labels, names=("false", "true"))


def test_metrics_at_counts_and_ratios(explorer):
    m = explorer.metrics_at(0.5)
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (3, 1, 1, 3)
    assert m["precision"] == pytest.approx(0.75) and m["recall"] == pytest.approx(0.75)
    assert m["f1"] == pytest.approx(0.75) and m["accuracy"] == pytest.approx(0.75)
    nothing = explorer.metrics_at(10)
    assert nothing["precision"] == 0.0 and nothing["recall"] == 0.0 and nothing["f1"] == 0.0


def test_best_threshold_matches_brute_force(explorer):
    rng = np.random.default_rng(1)
    scores = np.round(rng.normal(size=300), 2)  # ties on purpose
    labels = (scores + rng.normal(scale=0.8, size=300)) > 0.3
    ex = ThresholdExplorer(scores, labels)
    for metric in ThresholdExplorer.METRICS:
        best = ex.best_threshold(metric)
        brute = max(ex.metrics_at(t)[metric] for t in np.unique(scores))
        assert ex.metrics_at(best)[metric] == pytest.approx(brute)
    assert explorer.best_threshold("recall") == pytest.approx(0.3)
    with pytest.raises(ValueError):
        explorer.best_threshold("auc")


@pytest.mark.parametrize(
    "scores, labels",
    [([], []), ([1.0, 2.0], [1]), ([1.0, float("nan")], [0, 1]), ([1.0, 2.0], [0, 2])],
)
def test_threshold_explorer_rejects_bad_input(scores, labels):
    with pytest.raises(ValueError):
        ThresholdExplorer(scores, labels)


def test_figure_has_one_histogram_per_class_and_the_threshold_line(explorer):
    fig = explorer.figure(0.5)
    assert [t.name for t in fig.data] == ["false", "true"]
    assert sorted(fig.data[1].x) == [0.3, 0.6, 0.8, 0.9]
    assert fig.layout.shapes[0].x0 == 0.5 == fig.layout.shapes[0].x1


def test_widget_slider_updates_readout_and_figure(explorer):
    previous = pio.renderers.default
    plots.use_book_theme()
    try:
        box = explorer.widget(threshold=0.5)
        slider, output, readout = box.children
        assert "0.750" in readout.value
        first = output.outputs[0]["data"]
        assert {"application/vnd.plotly.v1+json", "text/html"} <= set(first)
        assert first["application/vnd.plotly.v1+json"]["layout"]["shapes"][0]["x0"] == 0.5
        slider.value = 0.85
        m = explorer.metrics_at(slider.value)
        assert f"{m['precision']:.3f}" in readout.value and f"{m['recall']:.3f}" in readout.value
        shapes = output.outputs[0]["data"]["application/vnd.plotly.v1+json"]["layout"]["shapes"]
        assert shapes[0]["x0"] == pytest.approx(slider.value)
    finally:
        pio.renderers.default = previous


def test_live_figure_widget_moves_the_line(explorer):
    pytest.importorskip("anywidget")
    box = explorer.widget(threshold=0.5, live_figure=True)
    slider, figure, readout = box.children
    slider.value = 0.25
    assert figure.layout.shapes[0].x0 == pytest.approx(slider.value)
    assert figure.layout.annotations[0].x == pytest.approx(slider.value)


# ----------------------------------------------------------------------------- the shared base
def test_view_base_renders_state_into_panes_without_clear_output(monkeypatch):
    import ipywidgets as w

    from irbook.widgets import View, html_table

    def no_clear_output(*args, **kwargs):  # clear_output(wait=True) can stall a headless run
        raise AssertionError("a view must not call Output.clear_output")

    monkeypatch.setattr(w.Output, "clear_output", no_clear_output)

    class Doubler(View):
        def controls(self, n=1):
            return {"n": w.IntSlider(value=n, min=0, max=10), "label": w.Text(value="x")}

        def render(self, n, label):
            import plotly.graph_objects as go

            return html_table([{"label": label, "double": 2 * n}]), go.Figure(go.Bar(y=[n]))

    box = Doubler().widget(n=3)
    row, table, figure = box.children
    slider, text = row.children
    assert "<td" in table.value and ">6<" in table.value
    assert figure.outputs[0]["output_type"] == "display_data"
    slider.value = 4
    assert ">8<" in table.value
    text.value = "<b>"
    assert "&lt;b&gt;" in table.value


def test_html_table_escapes_formats_and_checks_shapes():
    from irbook.widgets import html_table

    table = html_table([("a<b", 0.12345)], columns=["name", "score"], formats={"score": ".2f"})
    assert "a&lt;b" in table and ">0.12<" in table and "<th" in table
    assert html_table([{"x": "<i>y</i>"}], escape=False).count("<i>y</i>") == 1
    with pytest.raises(ValueError, match="need columns"):
        html_table([(1, 2)])
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        html_table([(1, 2)], columns=["a"])


def test_view_subclass_without_controls_fails_clearly():
    from irbook.widgets import View

    with pytest.raises(NotImplementedError, match="must implement controls"):
        View().widget()
