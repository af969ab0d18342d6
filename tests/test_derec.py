"""Chapter 12 (DeReC): the claim browser's logic, headless."""
import numpy as np
import pytest

from irbook.widgets.derec import ClaimBrowser

LABELS = ["false", "true"]


def make_browser(**overrides):
    kwargs = dict(
        claims=["the sky is green", "water is wet"],
        gold=["false", "true"],
        labels=LABELS,
        evidence={"neighbours": (["grass is blue", "rain is wet", "fire is cold"], ["false", "true", "false"],
                                 np.array([[2, 0], [1, -1]]), np.array([[0.9, 0.5], [0.8, 0.0]]))},
        probabilities={"knn": np.array([[0.7, 0.3], [0.4, 0.6]]), "head": np.array([[0.2, 0.8], [0.1, 0.9]])},
    )
    kwargs.update(overrides)
    return ClaimBrowser(**kwargs)


def test_state_lists_evidence_in_rank_order_and_stops_at_padding():
    browser = make_browser()
    st = browser.state(0, "knn", "neighbours", k=5)
    assert [r["text"] for r in st["evidence"]] == ["fire is cold", "grass is blue"]
    assert [r["rank"] for r in st["evidence"]] == [1, 2]
    assert st["evidence"][0]["similarity"] == pytest.approx(0.9)
    assert st["predicted"] == "false" and st["correct"]
    # padding (-1) ends the list
    assert len(browser.state(1, "knn", "neighbours")["evidence"]) == 1


def test_state_reflects_the_chosen_model():
    browser = make_browser()
    assert browser.state(0, "head")["predicted"] == "true"
    assert not browser.state(0, "head")["correct"]
    assert browser.state(0, "head")["distribution"] == pytest.approx({"false": 0.2, "true": 0.8})


def test_render_escapes_html_and_marks_the_gold_label():
    browser = make_browser(claims=["<script>x</script>", "water is wet"])
    page = browser.render(0, "knn", k=1)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>false</b>" in page and "fire is cold" in page and "grass is blue" not in page


def test_figure_has_one_trace_per_model():
    fig = make_browser().figure(1)
    assert [t.name for t in fig.data] == ["knn", "head"]
    assert list(fig.data[1].y) == pytest.approx([0.1, 0.9])


def test_widget_builds_and_follows_the_slider():
    box = make_browser().widget(k=2)
    controls, body, _ = box.children
    slider = controls.children[0]
    slider.value = 1
    assert "water is wet" in body.value


@pytest.mark.parametrize("overrides, error", [
    ({"claims": []}, ValueError),
    ({"gold": ["false"]}, ValueError),
    ({"gold": ["false", "maybe"]}, ValueError),
    ({"probabilities": {"knn": np.array([[0.7, 0.7], [0.4, 0.6]])}}, ValueError),
    ({"probabilities": {"knn": np.ones((2, 3)) / 3}}, ValueError),
    ({"evidence": {"n": (["a"], ["true"], np.array([[0], [3]]), np.array([[0.1], [0.2]]))}}, ValueError),
    ({"evidence": {"n": (["a"], ["true"], np.array([0, 0]), np.array([0.1, 0.2]))}}, ValueError),
    ({"evidence": {"n": (["a"], ["true"])}}, TypeError),
    ({"evidence": {}}, ValueError),
])
def test_bad_input_is_refused(overrides, error):
    with pytest.raises(error):
        make_browser(**overrides)


def test_bad_queries_are_refused():
    browser = make_browser()
    with pytest.raises(IndexError):
        browser.state(2)
    with pytest.raises(ValueError):
        browser.state(0, "nope")
    with pytest.raises(ValueError):
        browser.state(0, source="nope")
    with pytest.raises(ValueError):
        browser.state(0, k=0)
