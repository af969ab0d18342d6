"""Figure titles clear plotly's toolbar and one another (irbook.plots.tidy_titles, the book renderer)."""
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from irbook import plots


def _figure():
    plots.use_book_theme("irbook")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("server time per query vector for every database size",
                                                        "communication (square layout)"))
    fig.add_trace(go.Scatter(x=[1, 2], y=[1, 2], name="a"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[1, 2], y=[2, 1], name="b"), row=1, col=2)
    fig.update_layout(title="A figure title long enough to run under the toolbar if nothing wrapped it, and more")
    return fig


def test_subplot_titles_shrink_and_wrap_and_the_margin_makes_room():
    fig = _figure()
    tidy = plots.tidy_titles(fig.to_dict())
    titles = [a for a in tidy["layout"]["annotations"] if plots._is_subplot_title(a)]
    assert [a["font"]["size"] for a in titles] == [plots.SUBPLOT_TITLE_SIZE] * 2
    assert "<br>" in titles[0]["text"] and "<br>" in tidy["layout"]["title"]["text"]
    assert tidy["layout"]["margin"]["t"] >= plots.TITLE_TOP + 2 * 24 + 2 * 17
    assert "<br>" not in fig.layout.annotations[0].text, "the figure itself is left unchanged"


def test_an_explicit_top_margin_is_kept_and_the_title_sits_under_the_toolbar():
    fig = _figure()
    fig.update_layout(margin=dict(t=33))
    assert plots.tidy_titles(fig.to_dict())["layout"]["margin"]["t"] == 33
    title = plots.book_template().layout.title
    assert title.yref == "container" and title.yanchor == "top" and title.pad.t == plots.TITLE_TOP


def test_the_book_renderer_stores_the_tidied_figure():
    bundle = plots.BookRenderer().to_mimebundle(_figure().to_dict())
    stored = bundle["application/vnd.plotly.v1+json"]["layout"]
    assert "<br>" in stored["annotations"][0]["text"] and stored["margin"]["t"] > plots.TITLE_TOP
    html = bundle["text/html"].replace(" ", "")
    assert "\\u003cbr\\u003e" in html and f'"size":{plots.SUBPLOT_TITLE_SIZE}' in html
