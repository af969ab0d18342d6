"""Chapter 10 (BDTR): the entity graph, PPR, the strategies' bookkeeping, calibration and the round explorer,
headless and without the LLM."""
import networkx as nx
import numpy as np
import pytest

from irbook.chapters import ch10_bdtr as ch10
from irbook.widgets.bdtr import RoundExplorer

PHRASES = {"d1": ["alpha", "beta"], "d2": ["beta", "gamma"], "d3": ["gamma", "delta"], "d4": ["delta", "alpha"],
           "d5": ["epsilon"]}


def fitted(**kw):
    return ch10.EntityGraph(max_df=1.0, **kw).fit(PHRASES)


def test_normalise_phrase():
    assert ch10.normalise_phrase("The American Psychological Association!") == "american psychological association"
    assert ch10.normalise_phrase("it") == "" and ch10.normalise_phrase("1999") == ""
    with pytest.raises(TypeError, match="text must be a str"):
        ch10.normalise_phrase(3)


def test_graph_drops_phrases_that_link_nothing():
    g = fitted()
    assert set(g.entity_df_) == {"alpha", "beta", "gamma", "delta"}  # epsilon is in one passage only
    assert g.graph_.degree("p:d5") == 0 and g.phrases_["d5"] == []


def test_ppr_matches_networkx():
    g = fitted(damping=0.6)
    reset = g.reset_vector(["alpha"], np.array([0.1, 0.0, 0.0, 0.0, 0.9]))
    theirs = nx.pagerank(g.graph_, alpha=0.6, personalization=dict(zip(g.nodes_, reset)), tol=1e-12)
    assert np.allclose(g.pagerank(reset), [theirs[n] for n in g.nodes_], atol=1e-7)
    scores = g.search(["alpha"])
    assert scores.shape == (5,) and scores[0] > scores[2]  # d1 mentions alpha, d3 does not


def test_graph_rejects_bad_input():
    with pytest.raises(ValueError, match="damping must be in"):
        ch10.EntityGraph(damping=1.5)
    with pytest.raises(ValueError, match="passage_weight"):
        ch10.EntityGraph(passage_weight=-1)
    with pytest.raises(ValueError, match="phrases must be a non-empty mapping"):
        ch10.EntityGraph().fit({})
    with pytest.raises(RuntimeError, match="not fitted"):
        ch10.EntityGraph().search(["alpha"])
    with pytest.raises(ValueError, match="passage_prior must have shape"):
        fitted().reset_vector(["alpha"], np.ones(3))


def test_bridge_passages():
    musique = {"id": "q", "text": "x", "metadata": {"decomposition": [
        {"question": "Who wrote A?", "doc_id": "a"}, {"question": "Where was #1 born?", "doc_id": "b"}]}}
    assert ch10.bridge_passages(musique, ["a", "b"], {}) == ["b"]
    hotpot = {"id": "h", "text": "Which film did the director of Jaws make next?", "metadata": {"type": "bridge"}}
    assert ch10.bridge_passages(hotpot, ["j", "s"], {"j": "Jaws", "s": "Steven Spielberg"}) == ["s"]
    with pytest.raises(ValueError, match="expected two supporting passages"):
        ch10.bridge_passages(hotpot, ["j"], {"j": "Jaws"})


def test_ranks_and_round_measures():
    assert ch10.ranks(np.array([0.1, 0.9, 0.5])).tolist() == [3, 1, 2]
    trace = [{"round": 0, "scores": np.array([0.1, 0.9, 0.5, 0.0]), "retrieved": [1, 2]}]
    m = ch10.round_measures(trace, ["a", "d"], ["d"], {"a": 0, "b": 1, "c": 2, "d": 3})[0]
    assert m["bridge_rank"] == 4 and m["set_precision"] == 0.0 and m["R@5"] == 1.0
    with pytest.raises(ValueError, match="supports and bridges must be non-empty"):
        ch10.round_measures(trace, [], ["d"], {})


def test_strategy_and_selection_arguments():
    with pytest.raises(ValueError, match="strategy must be one of"):
        ch10.run_strategy("magic", [], None, {}, None)
    with pytest.raises(ValueError, match="rounds must be a non-negative int"):
        ch10.run_strategy("single", [], None, {}, None, rounds=-1)
    with pytest.raises(ValueError, match="needs think"):
        ch10.run_strategy("bdtr", [], None, {}, None)
    queries = [{"id": str(i), "metadata": {"type": "bridge" if i % 3 else "comparison"}} for i in range(12)]
    picked = ch10.pick_questions(queries, 4, 0, balance_types=True)
    assert [ch10.question_type(q) for q in picked].count("comparison") == 2
    assert picked == ch10.pick_questions(queries, 4, 0, balance_types=True)
    with pytest.raises(ValueError, match="n must be an int"):
        ch10.pick_questions(queries, 0, 0)


def test_first_line():
    assert ch10.first_line("\n1. Who founded it?\n2. When?") == "Who founded it?"
    assert ch10.first_line("Search query: Kiddieland location") == "Kiddieland location"


def _explorer():
    doc_ids = ["a", "b", "c"]
    trace = [{"round": 0, "queries": ["q"], "scores": np.array([0.5, 0.1, 0.2]), "retrieved": [0]},
             {"round": 1, "queries": ["t"], "scores": np.array([0.5, 0.9, 0.2]), "retrieved": [0, 1]}]
    return RoundExplorer({"single": {"q1": trace[:1] * 2}, "bdtr": {"q1": trace}}, {"q1": "Who?"},
                         {"q1": ["a", "b"]}, {"q1": ["b"]}, doc_ids, {"a": "A", "b": "B", "c": "C"}, top=2)


def test_round_explorer_headless():
    explorer = _explorer()
    state = explorer.state("q1", 1)
    assert state["bdtr"]["bridge_ranks"] == [3, 1] and state["single"]["bridge_ranks"] == [3, 3]
    assert state["bdtr"]["top"][0] == ("b", True, True)
    table, fig = explorer.render("q1", 1)
    assert "<b>&#10003; B</b>" in table and len(fig.data) == 2
    with pytest.raises(ValueError, match="unknown question"):
        explorer.state("nope")
    with pytest.raises(ValueError, match="round must be an int"):
        explorer.state("q1", 5)
    with pytest.raises(ValueError, match="traces must hold"):
        RoundExplorer({}, {}, {}, {}, [], {})
