"""Chapter 19 (QuRe): the chapter's exported methods (triplets, grades, edit parsing, the two-drops sampler, the
losses, training, caches) and its view, headless and on small hand-made inputs."""
import numpy as np
import pytest
import torch

from irbook.chapters.ch19_qure import (Combiner, cached_arrays, contrastive_loss, corpus_scores, make_triplets,
                                       parse_edit, reward_loss, satisfaction, steepest_drop_negatives, train_combiner)
from irbook.widgets.qure import ComposedSearchView, score_curve


def test_parse_edit_reads_one_colour_or_shape():
    assert parse_edit("make it blue") == ("colour", "blue")
    assert parse_edit("Turn it into a star") == ("shape", "star")
    with pytest.raises(ValueError, match="exactly one"):
        parse_edit("make it blue and a star")
    with pytest.raises(ValueError, match="exactly one"):
        parse_edit("make it nicer")
    with pytest.raises(ValueError, match="non-empty"):
        parse_edit("")


def test_satisfaction_grades_fully_partly_not():
    ref = {"shape": "circle", "colour": "red"}
    gallery = [{"shape": "circle", "colour": "blue"}, {"shape": "square", "colour": "blue"},
               {"shape": "circle", "colour": "red"}, {"shape": "star", "colour": "green"}]
    assert satisfaction(ref, ("colour", "blue"), gallery).tolist() == [2, 1, 1, 0]
    assert satisfaction(ref, ("shape", "square"), gallery).tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="reference"):
        satisfaction({"shape": "circle"}, ("colour", "blue"), gallery)
    with pytest.raises(ValueError, match="edit"):
        satisfaction(ref, ("size", "large"), gallery)


def test_make_triplets_applies_the_edit_and_validates():
    t = make_triplets(6, seed=3, size=32)
    assert len(t["reference"]) == len(t["target"]) == 6 and t["reference"][0].shape == (32, 32, 3)
    for ref, target, (attribute, value), text in zip(t["reference_attributes"], t["target_attributes"], t["edit"],
                                                      t["text"]):
        assert target[attribute] == value != ref[attribute]
        assert {k: v for k, v in target.items() if k != attribute} == {k: v for k, v in ref.items() if k != attribute}
        assert parse_edit(text) == (attribute, value)
    again = make_triplets(6, seed=3, size=32)
    assert np.array_equal(t["target"][2], again["target"][2])
    with pytest.raises(ValueError, match="n must"):
        make_triplets(0)
    with pytest.raises(ValueError, match="size must"):
        make_triplets(2, size=8)


def test_steepest_drop_negatives_takes_the_band_between_the_two_steepest_drops():
    # ranks: target 0.95 | 0.94 0.93 (near-duplicates) | drop | 0.70 0.69 0.68 | drop | 0.30 0.29
    scores = np.array([0.30, 0.95, 0.94, 0.70, 0.93, 0.69, 0.68, 0.29])
    negatives, order, drops = steepest_drop_negatives(scores, 1)
    assert sorted(negatives.tolist()) == [3, 5, 6]
    assert order[0] == 1 and drops == (2, 5)


def test_steepest_drop_negatives_skips_adjacent_drops_and_falls_back():
    # the two steepest drops are adjacent (ranks 1-2 and 2-3): the next pair more than one rank apart is used
    scores = np.array([1.0, 0.9, 0.5, 0.1, 0.08, 0.07, 0.0])
    negatives, _, drops = steepest_drop_negatives(scores, 0, consecutive_threshold=1)
    assert drops[1] - drops[0] > 1 and 0 not in negatives.tolist()
    # a target ranked last but one: too few scores after it, everything below it is returned
    negatives, _, _ = steepest_drop_negatives(np.array([0.9, 0.5, 0.1]), 1)
    assert negatives.tolist() == [2]


@pytest.mark.parametrize("scores,target,threshold,match", [
    (np.array([0.5]), 0, 1, "scores"), (np.array([[0.5, 0.1]]), 0, 1, "scores"),
    (np.array([0.5, np.nan]), 0, 1, "scores"), (np.array([0.5, 0.1]), 2, 1, "target"),
    (np.array([0.5, 0.1]), True, 1, "target"), (np.array([0.5, 0.1]), 0, -1, "consecutive_threshold")])
def test_steepest_drop_negatives_rejects_bad_input(scores, target, threshold, match):
    with pytest.raises(ValueError, match=match):
        steepest_drop_negatives(scores, target, threshold)


def test_losses_prefer_the_target():
    torch.manual_seed(0)
    model = Combiner(8, hidden=4)
    ref, text = torch.randn(4, 8), torch.randn(4, 8)
    query = model.encode_query(ref, text).detach()
    assert torch.allclose(query.norm(dim=1), torch.ones(4), atol=1e-5)
    good = reward_loss(model, ref, text, query, -query)  # the target on the query, the negative opposite
    bad = reward_loss(model, ref, text, -query, query)
    assert good.item() < bad.item()
    assert contrastive_loss(model, ref, text, query).item() >= 0
    with pytest.raises(ValueError, match="dim"):
        Combiner(0)


def _features(n=24, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    target = rng.normal(size=(n, dim)).astype(np.float32)
    return {"reference": target + 0.3 * rng.normal(size=(n, dim)).astype(np.float32),
            "text": rng.normal(size=(n, dim)).astype(np.float32), "target": target}


@pytest.mark.parametrize("objective", ["contrastive", "qure"])
def test_train_combiner_learns_and_remines(objective):
    features = _features()
    model, log = train_combiner(features, objective, epochs=6, remine_times=3, batch_size=8, lr=1e-2, seed=0)
    assert len(log["loss"]) == 6 and log["seconds"] >= 0
    if objective == "qure":
        assert sorted(log["mined"]) == [2, 4]
        assert all(i not in hard.tolist() for i, hard in enumerate(log["mined"][2]))
    scores = corpus_scores(model, features["reference"], features["text"], features["target"])
    assert scores.shape == (24, 24)


@pytest.mark.parametrize("kwargs,match", [
    ({"objective": "triplet"}, "objective"), ({"epochs": 0}, "epochs"), ({"remine_times": 9, "epochs": 3}, "remine_times"),
    ({"batch_size": 1}, "batch_size")])
def test_train_combiner_rejects_bad_input(kwargs, match):
    kwargs = {"objective": "qure", **kwargs}
    with pytest.raises(ValueError, match=match):
        train_combiner(_features(), **kwargs)
    bad = _features()
    bad["text"] = bad["text"][:, :4]
    with pytest.raises(ValueError, match="same"):
        train_combiner(bad, "qure")


def test_cached_arrays_rebuilds_a_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"x": np.arange(3)}

    key = {"test": "qure-cache", "n": 3}
    first, _, hit = cached_arrays("unit", key, build)
    assert not hit and first["x"].tolist() == [0, 1, 2]
    second, _, hit = cached_arrays("unit", key, build)
    assert hit and len(calls) == 1
    path = next(p for p in tmp_path.rglob("unit-*.npz"))
    path.write_bytes(b"corrupt")
    third, _, hit = cached_arrays("unit", key, build)
    assert not hit and len(calls) == 2 and third["x"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="key"):
        cached_arrays("unit", "not a dict", build)


def test_view_renders_results_and_curve_headless():
    uri = "data:image/jpeg;base64,"

    def search(reference, edit, model_name):
        if "blue" not in edit:
            return {"error": "edit must name a colour"}
        return {"reference": uri, "results": [{"image": uri, "grade": g, "score": 1 - 0.1 * i, "is_target": i == 0}
                                              for i, g in enumerate([2, 1, 0])],
                "scores": np.array([0.9, 0.8, 0.5, 0.45, 0.1]), "target_rank": 0, "drops": (1, 3)}

    view = ComposedSearchView(search, ["a red circle"], ["contrastive", "QuRe"], k=2)
    page, figure = view.render(reference=0, edit="make it blue", model="QuRe")
    assert "fully (target)" in page and "partly" in page and page.count("<img") == 3
    assert len(figure.data) == 3
    message, _ = view.render(reference=0, edit="make it nice", model="QuRe")
    assert "colour" in message
    assert view.widget(reference=0, edit="make it blue", model="QuRe") is not None
    with pytest.raises(ValueError, match="drops"):
        score_curve([0.9, 0.5, 0.1], 1, (0, 2))
    with pytest.raises(ValueError, match="k must"):
        ComposedSearchView(search, ["a"], ["b"], k=0)


def test_fashion_mnist_loader_names_the_package_and_grades_by_group(tmp_path):
    from irbook.chapters.ch19_qure import fashion_grades, load_fashion_mnist

    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        load_fashion_mnist("test", directory=tmp_path)
    with pytest.raises(ValueError, match="split"):
        load_fashion_mnist("validation")
    import gzip
    with gzip.open(tmp_path / "t10k-images-idx3-ubyte.gz", "wb") as f:
        f.write(b"\x00" * 20)
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(b"\x00" * 8)
    with pytest.raises(ValueError, match="idx3"):
        load_fashion_mnist("test", directory=tmp_path)
    # sandal (5) requested: sandals fully, sneakers (7) and ankle boots (9) partly, a bag (8) not
    assert fashion_grades(5, [5, 7, 9, 8, 0]).tolist() == [2, 1, 1, 0, 0]
    with pytest.raises(ValueError, match="requested"):
        fashion_grades(10, [0])
