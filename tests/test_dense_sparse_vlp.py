"""Chapter 18 (dense-sparse self-distillation): the chapter's exported model, losses, metrics, inverted index and
its view, on small tensors (no pretrained weights needed)."""
import numpy as np
import pytest
import torch

from irbook.chapters.ch18_dense_sparse_vlp import (DenseSparseModel, InvertedIndex, TrainConfig, check_features,
                                                   flops, info_nce, one_way_loss, recall_both_ways,
                                                   self_distillation_loss, train)
from irbook.vision.lit import make_heads
from irbook.widgets.dense_sparse_vlp import SparseTermExplorer, term_overlap, top_terms


def small_model(pooling="max", vocab=12, dim=384):
    torch.manual_seed(0)
    embeddings = np.random.default_rng(0).normal(size=(50, dim)).astype(np.float32)
    return DenseSparseModel(make_heads(dim), embeddings, np.arange(vocab), pooling=pooling).eval()


def small_features(n=8, tokens=3, length=5, seed=0):
    rng = np.random.default_rng(seed)
    mask = np.ones((2 * n, length), bool)
    mask[:, 4:] = False
    return {"image_tokens": rng.normal(size=(n, tokens, 1280)).astype(np.float32),
            "text_states": rng.normal(size=(2 * n, length, 384)).astype(np.float32),
            "text_mask": mask, "owner": np.repeat(np.arange(n), 2)}


def test_sparse_vectors_are_non_negative_and_padding_does_not_count():
    model = small_model()
    f = small_features()
    dense, sparse = model.encode_texts(f["text_states"][:2], f["text_mask"][:2])
    assert dense.shape == (2, 384) and sparse.shape == (2, 12)
    assert (sparse >= 0).all()
    changed = f["text_states"][:2].copy()
    changed[:, 4:] = 100.0  # padding positions: must not change anything
    _, sparse2 = model.encode_texts(changed, f["text_mask"][:2])
    assert torch.allclose(sparse, sparse2)
    torch.testing.assert_close(dense.norm(dim=1), torch.ones(2))


def test_single_pooling_uses_only_the_pooled_vector():
    model = small_model(pooling="single")
    f = small_features()
    _, a = model.encode_images(f["image_tokens"])
    tokens = f["image_tokens"].copy()
    tokens[:, 1:] = 0.0
    _, b = model.encode_images(tokens)
    assert torch.allclose(a, b)


def test_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="pooling"):
        small_model(pooling="mean")
    with pytest.raises(ValueError, match="vocab_ids"):
        DenseSparseModel(make_heads(384), np.zeros((5, 384), np.float32), np.array([], int))


def test_losses():
    torch.manual_seed(0)
    d_i, d_t = torch.nn.functional.normalize(torch.randn(6, 8), dim=1), torch.nn.functional.normalize(torch.randn(6, 8), dim=1)
    s_i, s_t = torch.rand(6, 10), torch.rand(6, 10)
    assert flops(torch.ones(4, 3)) == pytest.approx(3.0)
    perfect = torch.eye(5) * 50
    assert info_nce(perfect) < 1e-6 < info_nce(torch.zeros(5, 5))
    assert one_way_loss(d_i, d_t, s_i, s_t) > 0
    loss = self_distillation_loss(d_i.requires_grad_(), d_t, s_i.requires_grad_(), s_t, w=0.5)
    loss.backward()
    assert d_i.grad is not None and s_i.grad is not None  # both sides learn
    with pytest.raises(ValueError, match="w must be"):
        self_distillation_loss(d_i, d_t, s_i, s_t, w=1.5)


@pytest.mark.parametrize("change, message", [
    (dict(mode="two-way"), "mode"), (dict(w=-0.1), "w must"), (dict(epochs=0), "epochs"),
    (dict(batch_size=1), "batch_size"), (dict(reg_text=-1.0), "reg_text"), (dict(lr=0.0), "lr"),
])
def test_train_config_rejects_bad_values(change, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**change).validate()


def test_check_features_names_the_problem():
    f = small_features()
    with pytest.raises(ValueError, match="owner"):
        check_features({k: v for k, v in f.items() if k != "owner"})
    with pytest.raises(ValueError, match="owner must index"):
        check_features(dict(f, owner=f["owner"] + 100))


def test_training_reduces_active_terms_and_one_way_leaves_dense_untouched():
    f = small_features(n=16)
    heads = make_heads(384)
    emb = np.random.default_rng(1).normal(size=(40, 384)).astype(np.float32)
    config = TrainConfig(mode="one-way", epochs=3, batch_size=8, warmup_steps=2, reg_image=1.0, reg_text=1.0)
    model, report = train(config, f, heads, emb, np.arange(40))
    for name, p in heads.state_dict().items():
        assert torch.equal(p, model.dense.state_dict()[name]), name
    assert report["steps"] == 6 and len(report["history"]) == 6
    config = TrainConfig(mode="self-distillation", epochs=3, batch_size=8, warmup_steps=2)
    model, _ = train(config, f, heads, emb, np.arange(40))
    assert not torch.equal(heads.text_adapter.weight, model.dense.text_adapter.weight)


def test_recall_both_ways_counts_ties_against_and_any_caption_for_images():
    scores = np.array([[0.9, 0.1, 0.5],
                       [0.9, 0.8, 0.2]])
    owner = np.array([0, 1, 1])
    r = recall_both_ways(scores, owner, ks=(1, 2))
    # caption 0: gold image 0 ties image 1 at 0.9 -> counted rank 2; caption 1: rank 1; caption 2: rank 2
    assert r["t2i"][1] == pytest.approx(1 / 3) and r["t2i"][2] == pytest.approx(1.0)
    # image 0: caption 0 first; image 1: caption 0 (0.9, not its own) then its own caption 1
    assert r["i2t"][1] == pytest.approx(0.5) and r["i2t"][2] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="n_texts"):
        recall_both_ways(scores, owner[:2])
    with pytest.raises(ValueError, match="owner must index"):
        recall_both_ways(scores, np.array([0, 1, 5]))


def test_inverted_index_matches_brute_force():
    rng = np.random.default_rng(0)
    docs = rng.random((30, 50)) * (rng.random((30, 50)) < 0.1)
    queries = rng.random((5, 50)) * (rng.random((5, 50)) < 0.2)
    index = InvertedIndex(docs)
    assert len(index.ids) == int((docs > 0).sum()) and index.nbytes > 0
    for q in queries:
        ids, scores = index.search(q, 5)
        np.testing.assert_allclose(scores, np.sort(docs @ q)[::-1][:5], rtol=1e-5)
    with pytest.raises(ValueError, match="non-negative"):
        InvertedIndex(-docs - 1)
    with pytest.raises(ValueError, match="query must have shape"):
        index.search(np.ones(3), 5)
    with pytest.raises(ValueError, match="k must"):
        index.search(queries[0], 0)


def test_terms_overlap_and_view():
    vocab = ["dog", "cat", "red", "ball"]
    image = np.array([0.5, 0.0, 1.0, 0.2])
    caption = np.array([1.0, 0.3, 0.0, 0.5])
    assert top_terms(image, vocab, 2) == [("red", 1.0), ("dog", 0.5)]
    assert [t for t, _ in term_overlap(image, caption, vocab)] == ["dog", "ball"]
    assert sum(c for _, c in term_overlap(image, caption, vocab)) == pytest.approx(float(image @ caption))
    with pytest.raises(ValueError, match="shape"):
        top_terms(image[:2], vocab)
    images = [np.zeros((20, 30, 3), np.uint8), np.full((20, 20, 3), 200, np.uint8)]
    view = SparseTermExplorer(images, np.stack([image, caption]), ["a red dog", "a cat"], np.stack([caption, image]),
                              [0, 1], vocab, n_captions=2)
    html = view.render(image=0)
    assert "red" in html and "a red dog" in html and "<img" in html
    assert view.ranked_captions(0)[0]["caption"] == "a cat"  # image 0 . image = 1.29 beats image 0 . caption
    with pytest.raises(ValueError, match="owner"):
        SparseTermExplorer(images, np.stack([image, caption]), ["a", "b"], np.stack([caption, image]), [0], vocab)
    with pytest.raises(ValueError, match="image must be"):
        view.ranked_captions(5)
