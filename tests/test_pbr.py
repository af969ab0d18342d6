"""Chapter 5 (Personalize before retrieve): the exported method, its bad-input errors, the data loaders, the view."""
import numpy as np
import pytest

from irbook.chapters import ch05_pbr as pbr


def _clusters(seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(c, 0.05, size=(n, 8)) for c, n in ((1, 3), (-1, 3), (0.2, 2))])


def test_knn_graph_keeps_threshold_and_k():
    x = _clusters()
    a = pbr.knn_graph(x, threshold=0.5, k=2)
    assert a.shape == (8, 8)
    assert ((a > 0).sum(axis=1) <= 2).all()
    assert (a[a > 0] >= 0.5).all()
    # no edge between the two opposite clusters
    assert not a[:3, 3:6].any()


def test_graph_centre_is_a_distribution_and_a_fixed_point():
    x = _clusters()
    a = pbr.knn_graph(x)
    pi, anchor, steps = pbr.graph_centre(a, x)
    assert abs(pi.sum() - 1) < 1e-9 and (pi >= 0).all()
    p = a / a.sum(1, keepdims=True)
    assert np.linalg.norm(p.T @ pi - pi) < 1e-5
    assert anchor.shape == (8,) and 1 <= steps <= pbr.PBR_MAX_ITER


def test_pbr_vector_matches_the_code_formula():
    rng = np.random.default_rng(1)
    q, g, r = rng.normal(size=(3, 4))
    c = rng.normal(size=(3, 4))
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    expected = g + (1 + cos((q + g) / 2, c.mean(0))) * c.mean(0) + (1 + cos((q + g) / 2, r)) * r + q
    assert np.allclose(pbr.pbr_vector(q, g, c, r), expected)
    assert np.allclose(pbr.pbr_vector(q), q)


def test_recall_ndcg_takes_the_best_combination():
    recall, ndcg = pbr.recall_ndcg(["x", "a2", "b1"], {"A": ["a1", "a2"], "B": ["b1"]}, k=3)
    assert recall == 1.0 and 0 < ndcg < 1
    assert pbr.recall_ndcg(["x"], {"A": ["a"]}, k=1) == (0.0, 0.0)


def test_parse_candidates_json_and_lines():
    assert pbr.parse_candidates('```json\n{"candidates": ["I went to Harvard back then", "b c d"]}\n```') == \
        ["I went to Harvard back then", "b c d"]
    assert pbr.parse_candidates("1. I love hiking in the hills\n2. My dog Kibo is great") == \
        ["I love hiking in the hills", "My dog Kibo is great"]


def test_index_search_ranks_by_inner_product():
    x = _clusters()
    index = pbr.PBRIndex().fit(x)
    top = index.search(x[0], k=3)
    assert set(top) == {0, 1, 2}


@pytest.mark.parametrize("call, message", [
    (lambda: pbr.knn_graph(np.ones(3)), "embeddings must be a finite 2-D array"),
    (lambda: pbr.knn_graph(np.ones((3, 2)), k=0), "k must be an integer >= 1"),
    (lambda: pbr.knn_graph(np.ones((3, 2)), threshold=2), "threshold must be a cosine similarity"),
    (lambda: pbr.graph_centre(np.ones((2, 2)), np.ones((3, 2))), "adjacency must be (3, 3)"),
    (lambda: pbr.pbr_vector(np.ones(3), np.ones(4)), "anchor must have the query's shape"),
    (lambda: pbr.pbr_vector(np.ones(3), feedback=np.ones((2, 4))), "feedback must have the query's dimension"),
    (lambda: pbr.recall_ndcg(["a"], {}), "gold must map"),
    (lambda: pbr.pbr_prompts("", ["h"]), "query must be a non-empty str"),
    (lambda: pbr.pbr_prompts("q", "history"), "history must be a list of str"),
    (lambda: pbr.PBRIndex().search(np.ones(3)), "not fitted"),
    (lambda: pbr.PBRIndex().fit(np.ones((3, 2))).search(np.ones(3)), "vector must have shape (2,)"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_personabench_and_locomo_load():
    from irbook import data

    users = data.load("personabench", noise="0.5")
    assert len(users) == 6 and all(u.documents and u.questions for u in users)
    ids = {d["id"] for d in users[0].documents}
    assert all(set(v) & ids for q in users[0].questions for v in q["gold"].values())
    with pytest.raises(ValueError, match="noise must be one of"):
        data.load("personabench", noise="0.3")
    conversations = data.load("locomo")
    assert len(conversations) == 10 and sum(len(c["questions"]) for c in conversations) == 1986


def _example():
    return {"user": "U", "question": "Where?", "expansions": {"HyDE": "a passage"},
            "rankings": {"raw": [("d1", "text one", True)], "PBR": [("d2", "text two", False)]},
            "graph": {"xy": np.zeros((3, 2)), "pi": np.ones(3) / 3, "edges": [(0, 1)], "gold": [0],
                      "points": {"anchor": (0, 0), "query": (1, 1)}}}


def test_explorer_renders_headless():
    from irbook.widgets.pbr import PBRExplorer

    view = PBRExplorer({"U: Where?": _example()})
    expansions, fig, rankings = view.render()
    assert "Where?" in expansions and "&#10003;" in rankings and len(fig.data) == 4
    with pytest.raises(ValueError, match="unknown example"):
        view.render("nope")
    with pytest.raises(ValueError, match="lacks"):
        PBRExplorer({"x": {"user": "U"}})
