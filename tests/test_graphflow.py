"""Chapter 9 (GraphFlow): the chapter's exported graph, environment, losses, baselines and metrics, and its view,
headless and on small hand-made inputs."""
import numpy as np
import pytest
import torch

from irbook.chapters.ch09_graphflow import (FlowPolicy, PassageGraph, beam_search, detailed_balance_loss, diversity,
                                            fill_ranking, greedy_walk, rank_from_samples, ranking_metrics, reward,
                                            rollout, title_links, train_policy)
from irbook.widgets.graphflow import TrajectoryView, neighbourhood_figure

CORPUS = [{"title": "Paris", "text": "Paris is the capital of France."},
          {"title": "France", "text": "France is a country in Europe."},
          {"title": "Berlin", "text": "Berlin is a city; it is not Paris."},
          {"title": "Oslo", "text": "A city in the north."}]


def small_graph(max_steps=3):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(4, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return PassageGraph(title_links(CORPUS), vectors, n_entry=2, max_actions=2, max_steps=max_steps), vectors


def test_title_links_joins_passages_that_mention_titles():
    links = title_links(CORPUS)
    assert links[0] == {1, 2} and links[1] == {0} and links[2] == {0} and links[3] == set()
    with pytest.raises(ValueError, match="corpus must"):
        title_links([])
    with pytest.raises(ValueError, match=r"corpus\[0\]"):
        title_links([{"title": "x"}])


def test_passage_graph_actions_and_validation():
    g, vectors = small_graph()
    sims = g.similarities(vectors[0])
    assert g.actions([], sims)[0] == 0 and len(g.actions([], sims)) == 2
    assert set(g.actions([0], sims)) <= {1, 2} and g.actions([0, 1, 2], sims) == []
    with pytest.raises(ValueError, match="node_vectors"):
        PassageGraph(title_links(CORPUS), np.zeros((3, 8)))
    with pytest.raises(ValueError, match="max_steps"):
        PassageGraph(title_links(CORPUS), vectors, max_steps=0)


def test_reward_is_recall_with_a_floor():
    assert reward([0, 1], {1, 3}) == 0.5
    assert reward([2], {1, 3}, floor=0.01) == 0.01
    with pytest.raises(ValueError, match="targets"):
        reward([1], set())


def test_detailed_balance_loss_is_zero_on_a_balanced_trajectory_and_checks_lengths():
    # F(s0)=1, P_F(s1|s0)=0.5 -> F(s1)=0.5; P_F(stop|s1)=0.4 -> R=0.2
    log_f = torch.log(torch.tensor([1.0, 0.5]))
    log_pf = torch.log(torch.tensor([0.5, 0.4]))
    assert float(detailed_balance_loss(log_pf, log_f, float(np.log(0.2)))) < 1e-10
    assert float(detailed_balance_loss(log_pf, log_f, float(np.log(0.9)))) > 0.1
    with pytest.raises(ValueError, match="same length"):
        detailed_balance_loss(log_pf, log_f[:1], 0.0)


def test_rollout_and_training_run_and_validate():
    g, vectors = small_graph()
    policy = FlowPolicy(dim=8)
    trajectory, log_pf, log_f = rollout(policy, g, vectors[0], torch.Generator().manual_seed(0))
    assert 1 <= len(trajectory) <= 3 and len(log_pf) == len(log_f) == len(trajectory) + 1
    policy, losses, seconds = train_policy("flow", g, vectors[:2], [{0}, {1}], steps=3, batch=2)
    assert len(losses) == 3 and np.isfinite(losses).all()
    with pytest.raises(ValueError, match="objective"):
        train_policy("ppo", g, vectors[:2], [{0}, {1}])
    with pytest.raises(ValueError, match="equal length"):
        train_policy("flow", g, vectors[:2], [{0}])
    with pytest.raises(ValueError, match="dim"):
        FlowPolicy(dim=0)


def test_baselines_rankings_metrics_and_diversity():
    g, vectors = small_graph()
    walk = greedy_walk(g, vectors[0])
    assert walk[0] == 0 and len(set(walk)) == len(walk)
    assert beam_search(g, vectors[0], width=2)[0] in (0, 1, 2, 3)
    with pytest.raises(ValueError, match="width"):
        beam_search(g, vectors[0], width=0)
    sims = np.array([0.1, 0.9, 0.5, 0.2])
    assert fill_ranking([3], sims) == [3, 1, 2, 0]
    assert rank_from_samples([[2, 0], [2]], sims)[:2] == [2, 0]
    m = ranking_metrics([3, 1, 2, 0], {1, 0}, ks=(1, 2))
    assert m == {"Hit@1": 0.0, "Recall@1": 0.0, "Hit@2": 1.0, "Recall@2": 0.5}
    d = diversity([[0, 1], [0, 1], [2]])
    assert d["distinct sets"] == 2 and d["distinct passages"] == 3 and abs(d["pairwise Jaccard distance"] - 2 / 3) < 1e-9
    with pytest.raises(ValueError, match="at least two"):
        diversity([[0]])


def test_view_renders_headless_and_validates():
    out = {"titles": {0: "Paris", 1: "France"}, "edges": [(0, 1)], "walked": [(0, 1)], "visits": {0: 2, 1: 1},
           "flows": {0: -0.5, 1: -1.0}, "targets": {1}, "samples": [["Paris", "France"], ["Paris"]]}
    view = TrajectoryView(lambda k, m: out, ["Which country?"], ["GraphFlow"])
    table, fig = view.render(0, "GraphFlow")
    assert "Paris → France" in table and len(fig.data) == 3
    with pytest.raises(ValueError, match="edges"):
        neighbourhood_figure({0: "a"}, [(0, 5)], {}, {}, set())
    with pytest.raises(ValueError, match="explore"):
        TrajectoryView("nope", ["q"], ["m"])


def test_cached_policy_reuses_and_rebuilds_a_corrupt_cache(tmp_path, monkeypatch):
    from irbook.chapters.ch09_graphflow import cached_policy

    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    g, vectors = small_graph()
    args = ("flow", g, vectors[:2], [{0}, {1}], "unit")
    _, losses, _, trained = cached_policy(*args, steps=2, batch=2)
    assert trained
    _, again, _, trained = cached_policy(*args, steps=2, batch=2)
    assert not trained and again == losses
    (weights,) = (tmp_path / "graphflow").glob("*.pt")
    weights.write_bytes(b"corrupt")
    _, _, _, trained = cached_policy(*args, steps=2, batch=2)
    assert trained


def test_wordnet_reader_names_the_apt_package_and_reads_a_synset_line(tmp_path):
    from irbook.chapters.ch09_graphflow import load_wordnet_nouns, wordnet_sample

    with pytest.raises(FileNotFoundError, match="wordnet-base"):
        load_wordnet_nouns(tmp_path / "missing.noun")
    lines = ["  1 This software and database is being provided",
             "00000001 03 n 01 entity 0 001 ~ 00000002 n 0000 | that which exists; anything",
             "00000002 03 n 02 physical_entity 0 thing 0 001 @ 00000001 n 0000 | an entity that has physical existence"]
    path = tmp_path / "data.noun"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    synsets = load_wordnet_nouns(path)
    assert synsets["00000002"] == {"lemmas": ["physical entity", "thing"], "gloss": "an entity that has physical existence",
                                   "hypernyms": ["00000001"], "hyponyms": []}
    assert synsets["00000001"]["hyponyms"] == ["00000002"] and synsets["00000001"]["gloss"] == "that which exists"
    path.write_text("00000003 03 n zz broken\n", encoding="latin-1")
    with pytest.raises(ValueError, match="malformed"):
        load_wordnet_nouns(path)
    with pytest.raises(ValueError, match="n_nodes"):
        wordnet_sample(synsets, n_nodes=2)
