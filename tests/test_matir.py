"""Chapter 20 (MaTIR): the chapter's exported methods (queries, masks, crops, region index, reranking, caches)
and its view, headless and on small hand-made inputs."""
import numpy as np
import pytest

from irbook.chapters.ch20_matir import (RegionIndex, alpha_crop, cached_masks, cached_region_embeddings, check_masks,
                                        mask_iou, noun_phrase, position_phrase, propose_masks, referring_query,
                                        rerank, spatial_agreement)
from irbook.widgets.matir import MaskSearchView, image_uri, overlay


def _box(h, w, y0, y1, x0, x1):
    mask = np.zeros((h, w), bool)
    mask[y0:y1, x0:x1] = True
    return mask


def test_position_and_noun_phrases_come_from_the_mask_and_captions():
    assert position_phrase(_box(10, 30, 0, 10, 0, 5)) == "on the left"
    assert position_phrase(_box(10, 30, 0, 10, 25, 30)) == "on the right"
    assert position_phrase(_box(10, 30, 0, 10, 12, 18)) == "in the middle"
    assert noun_phrase("dog", ["A white dog runs.", "A dog."]) == "white dog"
    assert noun_phrase("person", ["Two young men play."]) == "young men"
    assert noun_phrase("couch", ["A cat sleeps on a sofa."]) == "sofa"
    assert noun_phrase("zebra", ["A field."]) == "zebra"
    assert referring_query("dog", _box(10, 30, 0, 10, 0, 5), ["a brown dog"]) == "a brown dog on the left"


@pytest.mark.parametrize("bad", [np.zeros((4, 4), bool), np.zeros((2, 4, 4), bool)])
def test_position_phrase_rejects_empty_or_wrong_masks(bad):
    with pytest.raises(ValueError, match="mask"):
        position_phrase(bad)


def test_noun_phrase_rejects_a_bad_category():
    with pytest.raises(ValueError, match="category"):
        noun_phrase("", ["a dog"])


def test_mask_iou_and_check_masks():
    a, b = _box(4, 4, 0, 2, 0, 4), _box(4, 4, 0, 4, 0, 2)
    assert mask_iou(np.stack([a, b]), a).tolist() == pytest.approx([1.0, 4 / 12])
    with pytest.raises(ValueError, match="target"):
        mask_iou(np.stack([a]), np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match=r"\(n, H, W\)"):
        check_masks(a)
    with pytest.raises(ValueError, match="image's"):
        check_masks(np.stack([a]), shape=(5, 5))


def test_propose_masks_finds_a_flat_square_and_validates():
    image = np.full((64, 64, 3), 200, np.uint8)
    image[16:48, 16:48] = (220, 30, 30)
    proposals = propose_masks(image, scales=(50, 200), max_masks=5)
    assert proposals.dtype == bool and proposals.shape[1:] == (64, 64) and 1 <= len(proposals) <= 5
    assert mask_iou(proposals, _box(64, 64, 16, 48, 16, 48)).max() >= 0.5
    with pytest.raises(ValueError, match="RGB"):
        propose_masks(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="min_area"):
        propose_masks(image, min_area=0.5, max_area=0.4)
    with pytest.raises(ValueError, match="max_masks"):
        propose_masks(image, max_masks=0)


def test_alpha_crop_keeps_the_object_and_fades_the_rest():
    image = np.zeros((40, 40, 3), np.uint8)
    mask = _box(40, 40, 10, 20, 10, 20)
    image[mask] = 250
    crop = alpha_crop(image, mask, outside=0.0, margin=0.0, size=16)
    assert crop.shape == (16, 16, 3) and crop.mean() > 240  # the crop is the object's box only
    faded = alpha_crop(np.full((40, 40, 3), 0, np.uint8), mask, outside=0.0, margin=0.5, size=16)
    assert faded.max() == 128  # outside the mask, pixels are grey
    with pytest.raises(ValueError, match="mask"):
        alpha_crop(image, np.zeros((40, 40), bool))
    with pytest.raises(ValueError, match="outside"):
        alpha_crop(image, mask, outside=1.5)


def test_spatial_agreement_reads_position_words():
    left = _box(20, 20, 5, 15, 0, 5)
    assert spatial_agreement("a cat on the left", left) == 1.0
    assert spatial_agreement("a cat on the right", left) == -1.0
    assert spatial_agreement("a cat", left) == 0.0
    assert spatial_agreement("a cat at the top left", left) == 0.0  # left agrees, top does not (rows 5-15: middle)
    with pytest.raises(TypeError, match="query"):
        spatial_agreement(3, left)


def test_region_index_scores_an_image_by_its_best_region():
    regions = np.array([[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6]], np.float32)
    owner = np.array([0, 0, 1, 1])
    index = RegionIndex().fit(regions, owner)
    ids, scores, rows = index.search(np.array([[1, 0]], np.float32), k=2)
    assert ids[0].tolist() == [0, 1] and rows[0].tolist() == [0, 3]
    assert scores[0].tolist() == pytest.approx([1.0, 0.8])
    assert index.nbytes == 4 * 2 * 4
    with pytest.raises(ValueError, match="owner"):
        RegionIndex().fit(regions, owner[:3])
    with pytest.raises(ValueError, match="query_embeddings"):
        index.search(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match="k must"):
        index.search(np.ones((1, 2), np.float32), k=0)
    with pytest.raises(RuntimeError, match="fit"):
        RegionIndex().search(np.ones((1, 2), np.float32))
    with pytest.raises(ValueError, match="n_probe_regions"):
        RegionIndex(n_probe_regions=0)


def test_rerank_uses_context_and_position():
    left, right = _box(10, 30, 0, 10, 0, 5), _box(10, 30, 0, 10, 25, 30)
    masks = {0: [left, right], 1: [right]}
    region_scores = {0: [0.30, 0.31], 1: [0.32]}
    order, scores, chosen = rerank("a dog on the left", [0, 1], region_scores, {0: 0.0, 1: 0.0}, masks, 0.5, 0.05)
    assert order == [0, 1] and chosen == [0, 0]  # the left mask wins in image 0 thanks to the position word
    order, _, _ = rerank("a dog", [0, 1], region_scores, {0: 0.2, 1: 0.0}, masks, beta=0.5, gamma=0.0)
    assert order == [0, 1]  # context: image 0's whole-image score lifts it
    with pytest.raises(ValueError, match="beta"):
        rerank("q", [0], region_scores, {0: 0.0}, masks, beta=-1)


def test_caches_write_once_and_rebuild_when_corrupt(tmp_path, monkeypatch):
    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    calls = []

    class Model:
        def encode_images(self, images):
            calls.append(len(images))
            return np.ones((len(images), 3), np.float32)

    key = {"test": "matir", "n": 5}
    emb, _, hit = cached_region_embeddings(Model(), lambda a, b: [None] * (b - a), 5, key, batch_size=2)
    assert emb.shape == (5, 3) and not hit and calls == [2, 2, 1]
    _, _, hit = cached_region_embeddings(Model(), lambda a, b: [None] * (b - a), 5, key)
    assert hit and calls == [2, 2, 1]
    path = next(tmp_path.rglob("regions-*.npz"))
    path.write_bytes(b"broken")
    _, _, hit = cached_region_embeddings(Model(), lambda a, b: [None] * (b - a), 5, key)
    assert not hit
    with pytest.raises(ValueError, match="n_crops"):
        cached_region_embeddings(Model(), lambda a, b: [], 0, key)
    with pytest.raises(ValueError, match="key"):
        cached_region_embeddings(Model(), lambda a, b: [], 1, {})
    masks = [np.ones((1, 2, 2), bool), np.zeros((0, 3, 3), bool)]
    got, _, hit = cached_masks({"m": 1}, lambda: masks)
    again, _, hit2 = cached_masks({"m": 1}, lambda: [])
    assert not hit and hit2 and [m.shape for m in again] == [(1, 2, 2), (0, 3, 3)]


def test_view_renders_results_headless_and_validates():
    image = np.zeros((20, 30, 3), np.uint8)
    mask = _box(20, 30, 5, 15, 5, 15)

    def search(query, source, k):
        return [{"image": image, "mask": mask, "score": 0.5, "label": "img", "region_scores": [0.5, 0.2],
                 "relevant": True}] * k

    view = MaskSearchView(search, ["oracle masks", "proposals"], k=2, example="a dog")
    html = view.render(query="a dog", source="proposals")
    assert html.count("data:image/jpeg;base64,") == 2 and "target" in html and "0.500" in html
    assert "Type a query" in view.render(query=" ", source="proposals")
    assert set(view.controls()) == {"query", "source"}
    assert overlay(image, mask)[10, 10, 0] > 100 and image_uri(image).startswith("data:image/jpeg")
    with pytest.raises(TypeError, match="search"):
        MaskSearchView(None, ["a"])
    with pytest.raises(ValueError, match="k must"):
        MaskSearchView(search, ["a"], k=0)
    with pytest.raises(ValueError, match="source"):
        view.render(query="x", source="sam")
    with pytest.raises(ValueError, match="mask"):
        overlay(image, np.zeros((2, 2), bool))


def test_article_before_vowels():
    from irbook.chapters.ch20_matir import article

    assert [article(w) for w in ("orange", "white", "umbrella")] == ["an", "a", "an"]
