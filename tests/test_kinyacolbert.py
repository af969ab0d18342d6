"""Chapter 2 (KinyaColBERT): the exported segmenters, encoder, MaxSim and the explorer, headless and offline."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from irbook.chapters import ch02_kinyacolbert as ch
from irbook.widgets.kinyacolbert import MaxSimExplorer, alignment_figure, best_matches


class _Article:
    def __init__(self, doc_id, paragraphs):
        self.doc_id, self.headline, self.paragraphs = doc_id, f"headline {doc_id}", tuple(paragraphs)


def test_words_and_sentences():
    assert ch.kin_words("Abahinzi bijejwe cy’ibiciro 2019!") == ["abahinzi", "bijejwe", "cy", "ibiciro"]
    assert ch.sentences("Umwana arakina. Abantu baraje.") == ["Umwana arakina.", "Abantu baraje."]
    with pytest.raises(TypeError, match="text must be a str"):
        ch.kin_words(3)


def test_make_collection_holds_the_lead_apart():
    art = _Article("a000", ["Lead sentence here now. Second sentence of it.", "Another paragraph with words."])
    passages, queries = ch.make_collection([art], max_words=10)
    assert [q["kind"] for q in queries] == ["headline", "lead"]
    assert queries[1]["text"] == "Lead sentence here now."
    assert all("Lead sentence" not in p["text"] for p in passages)
    assert {p["article"] for p in passages} == {"a000"}
    with pytest.raises(ValueError, match="max_words must be an int >= 10"):
        ch.make_collection([art], max_words=3)


class _Fixed:
    """A Morfessor-like model with fixed segmentations."""

    def __init__(self, table):
        self.table = table

    def viterbi_segment(self, word):
        return self.table.get(word, [word]), 0.0


def test_segmenter_boundaries_and_scores(tmp_path):
    seg = ch.Segmenter("toy", "morfessor", _Fixed({"abantu": ["aba", "ntu"], "umuntu": ["u", "mu", "ntu"]}))
    assert seg.boundaries("abantu") == {3}
    scores = ch.boundary_scores(seg, {"abantu": ["a", "ba", "ntu"], "umuntu": ["u", "mu", "ntu"]})
    assert scores["precision"] == 1.0 and scores["recall"] == pytest.approx(3 / 4)
    assert ch.fertility(seg, ["abantu", "umuntu"]) == 2.5
    with pytest.raises(ValueError, match="kind must be one of"):
        ch.Segmenter("x", "spacy", None)
    with pytest.raises(ValueError, match="word must be a non-empty str without spaces"):
        seg.split("two words")
    bad = tmp_path / "ref.tsv"
    bad.write_text("abantu\ta-ba-nt\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: expected 'word<TAB>morphemes"):
        ch.read_reference_segmentations(bad)


def test_maxsim_sums_each_query_vectors_best_match():
    q = torch.nn.functional.normalize(torch.tensor([[[1.0, 0.0], [0.0, 1.0]]]), dim=-1)
    d = torch.nn.functional.normalize(torch.tensor([[[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]]), dim=-1)
    mask_q, mask_d = torch.ones(1, 2, dtype=torch.bool), torch.tensor([[True, True, False]])
    assert float(ch.maxsim(q, mask_q, d, mask_d)) == pytest.approx(1.8)  # the padded exact match is ignored
    with pytest.raises(ValueError, match="same size"):
        ch.maxsim(q, mask_q, torch.zeros(1, 3, 4), mask_d)


def test_two_tier_encoder_gives_one_unit_vector_per_word():
    torch.manual_seed(0)
    model = ch.TwoTierEncoder(20, dim=16, heads=2, out_dim=8).eval()
    morphs = torch.tensor([[[3, 4, 0], [5, 0, 0], [0, 0, 0]]])
    vectors, hidden, mask = model(morphs)
    assert vectors.shape == (1, 3, 8) and mask.tolist() == [[True, True, False]]
    assert torch.allclose(vectors[0, :2].norm(dim=-1), torch.ones(2), atol=1e-5)
    with pytest.raises(ValueError, match="n_morphemes must be >= 4"):
        ch.TwoTierEncoder(2)


def test_training_and_helpers_validate_their_arguments():
    model = ch.TokenEncoder(10, dim=16, heads=2, layers=1, out_dim=8)
    with pytest.raises(ValueError, match="mlm_steps must be an int >= 0"):
        ch.train_late_interaction(model, None, [], [], mlm_steps=-1)
    with pytest.raises(ValueError, match="triples must hold at least batch_size"):
        ch.train_late_interaction(model, None, [], [("q", "p", "n")], mlm_steps=0, contrastive_steps=1, batch_size=4)
    with pytest.raises(ValueError, match="passage_scores must be"):
        ch.article_scores(np.zeros((2, 3)), ["a", "b"], ["a", "b"])
    scores = ch.article_scores(np.array([[0.1, 0.9, 0.3]]), ["a", "b", "b"], ["a", "b"])
    assert scores.tolist() == [[0.1, 0.9]]
    with pytest.raises(RuntimeError, match="not fitted"):
        ch.LateInteractionIndex(model, None, None).scores(["q"])


def test_held_out_loss_is_recorded_during_fine_tuning():
    torch.manual_seed(0)
    model = ch.TokenEncoder(50, dim=16, heads=2, layers=1, out_dim=8)
    vocab = {}

    def featurize(texts):
        rows = [[3 + vocab.setdefault(w, len(vocab) % 47) for w in t.split()] for t in texts]
        out = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
        for i, row in enumerate(rows):
            out[i, :len(row)] = torch.tensor(row)
        return out

    triples = [(f"a{i} b", f"a{i} c d", f"z{i} y") for i in range(24)]
    history = ch.train_late_interaction(model, featurize, ["a b c d"] * 8, triples[:16], mlm_steps=1,
                                        contrastive_steps=5, batch_size=4, validation=triples[16:], eval_every=2)
    assert [step for step, _ in history["validation"]] == [0, 2, 4, 5]
    assert all(np.isfinite(loss) and loss > 0 for _, loss in history["validation"])
    assert len(history["contrastive"]) == 5
    losses = dict(history["validation"])
    assert history["kept_step"] == min(losses, key=losses.get)  # early stopping keeps the best held-out weights
    assert abs(ch.held_out_loss(model, featurize, triples[16:], batch_size=4) - losses[history["kept_step"]]) < 1e-5
    with pytest.raises(ValueError, match="eval_every must be an int >= 0"):
        ch.train_late_interaction(model, featurize, [], triples, eval_every=-1)
    with pytest.raises(ValueError, match="triples must hold at least batch_size=4"):
        ch.held_out_loss(model, featurize, triples[:3], batch_size=4)


class _FakeIndex:
    def scores(self, queries):
        return np.array([[0.2, 0.9, 0.5]])

    def alignment(self, query, i):
        return ["a", "b"], ["x", "y", "z"], np.array([[0.1, 0.8, 0.2], [0.9, 0.0, 0.1]])


def test_explorer_renders_headless():
    passages = [{"pid": f"a00{i}-p00", "article": f"a00{i}", "text": f"text {i}"} for i in range(3)]
    view = MaxSimExplorer(_FakeIndex(), passages, relevant={"q": "a001"}, k=2)
    rows = view.results("q")
    assert [r["passage"] for r in rows] == ["a001-p00", "a002-p00"]
    table, fig = view.render(query="q", rank=1)
    assert "a001-p00" in table and "yes" in table
    assert fig.data[0].type == "heatmap"
    assert best_matches([[0.1, 0.8, 0.2], [0.9, 0.0, 0.1]]) == [1, 0]
    with pytest.raises(ValueError, match="sim has shape"):
        alignment_figure(["a"], ["x", "y"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="k must be an int >= 1"):
        MaxSimExplorer(_FakeIndex(), passages, k=0)
    with pytest.raises(TypeError, match="index must have scores"):
        MaxSimExplorer(object(), passages)
    with pytest.raises(ValueError, match="query must be a non-empty string"):
        view.results("  ")


def test_index_scores_equal_maxsim_and_alignment_matches():
    torch.manual_seed(0)
    model = ch.TokenEncoder(30, dim=16, heads=2, layers=1, out_dim=8).eval()
    vocab = {w: i + 3 for i, w in enumerate("a b c d e f g h".split())}

    def featurize(texts):
        rows = [[vocab[w] for w in t.split()] for t in texts]
        out = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
        for i, r in enumerate(rows):
            out[i, :len(r)] = torch.tensor(r)
        return out

    docs = ["a b c d e", "f g", "h a b", "c"]
    index = ch.LateInteractionIndex(model, featurize, str.split).fit(docs, block=2)
    got = index.scores(["a b", "g h c"])
    with torch.no_grad():
        q, _, qm = model(featurize(["a b", "g h c"]))
        d, _, dm = model(featurize(docs))
        want = ch.maxsim(q, qm, d, dm).numpy()
    assert np.allclose(got, want, atol=1e-5)
    assert index.n_vectors == 11
    q_units, d_units, sim = index.alignment("a b", 2)
    assert q_units == ["a", "b"] and d_units == ["h", "a", "b"] and sim.shape == (2, 3)
    assert sim.max(axis=1).sum() == pytest.approx(got[0, 2], abs=1e-5)
