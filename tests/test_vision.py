"""Tests of the vision layer (appendix A1): generator ground truth, media, OCR, the tiny CLIP and its cache, the
pretrained EfficientNet-Lite0 tower, the zero-shot bridge and the LiT model (its caches rebuilt when corrupt)."""
from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pytest

from irbook.cache import checksum_problem

from irbook.vision import scenes

# ----------------------------------------------------------------------------- generated scenes


def test_scene_is_deterministic_and_validates():
    a, b = scenes.generate_scene(7), scenes.generate_scene(7)
    assert np.array_equal(a.image, b.image) and a.caption == b.caption
    assert not np.array_equal(a.image, scenes.generate_scene(8).image)
    with pytest.raises(ValueError, match="seed"):
        scenes.generate_scene(-1)
    with pytest.raises(ValueError, match="split"):
        scenes.generate_scenes(3, split="dev")


def test_masks_match_objects():
    for scene in scenes.generate_scenes(60, size=96, split="any"):
        masks = [o.mask for o in scene.objects]
        assert masks, "every scene keeps at least one visible object"
        union = np.zeros_like(masks[0], dtype=int)
        for obj in scene.objects:
            assert obj.mask.shape == scene.image.shape[:2] and obj.mask.any()
            union += obj.mask
            pixels = scene.image[obj.mask].astype(int)
            colour = np.array(scenes.COLOURS[obj.colour])
            share = (np.abs(pixels - colour).sum(axis=1) == 0).mean()
            if obj.texture == "solid":
                assert share == 1.0, f"solid {obj.colour} {obj.shape}: only {share:.2f} of its mask has its colour"
            else:
                assert share > 0.3, f"textured object: {share:.2f} of its mask has its colour"
            # the exact colour never appears outside the object's mask (backgrounds are mid-tones)
            outside = ~obj.mask
            for other in scene.objects:
                if other.colour == obj.colour:
                    outside &= ~other.mask
            assert (np.abs(scene.image[outside].astype(int) - colour).sum(axis=1) == 0).mean() < 0.002
            # the caption names the attributes it was drawn with
            assert obj.colour in scene.caption
        assert union.max() <= 1, "visible masks never overlap"
        if scene.text:
            assert scene.text in scene.caption and scene.text_box is not None


def test_splits_hold_out_attribute_pairs():
    train = scenes.generate_scenes(200, split="train", size=48)
    novel = scenes.generate_scenes(50, split="novel", size=48)
    pairs = {(o.colour, o.shape) for s in train for o in s.objects}
    assert not pairs & scenes.HELDOUT_PAIRS
    assert all((s.objects[0].colour, s.objects[0].shape) in scenes.HELDOUT_PAIRS for s in novel
               if s.objects[0].mask.any())
    test_seeds = {s.seed for s in scenes.generate_scenes(50, split="test", size=48)}
    assert not test_seeds & {s.seed for s in train}


def test_scene_variant_keeps_caption_true():
    scene = scenes.generate_scene(3, size=64, split="train")
    variant = scenes.scene_variant(scene, 1)
    assert variant.shape == scene.image.shape and not np.array_equal(variant, scene.image)
    assert np.array_equal(variant, scenes.scene_variant(scene, 1))


def test_video_timeline_matches_frames():
    video = scenes.generate_video(3, n_shots=6)
    labels = video.shot_of_frame()
    assert len(labels) == video.n_frames
    assert [s.index for s in video.shots] == list(range(6))
    # shots and transitions tile the video without gaps or overlaps
    covered = np.zeros(video.n_frames, int)
    for shot in video.shots:
        covered[shot.start:shot.end] += 1
    for tr in video.transitions:
        covered[tr.start:tr.end] += 1
    assert (covered == 1).all()
    frames = video.frames.astype(float)
    diffs = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))  # diffs[i]: frame i -> i+1
    cuts = [t.start for t in video.transitions if t.kind == "cut"]
    within = [i for s in video.shots for i in range(s.start, s.end - 1)]
    assert cuts, "seed 3 has at least one hard cut"
    assert min(diffs[c - 1] for c in cuts) > max(diffs[i] for i in within), "every cut is a larger jump than any motion"
    for tr in video.transitions:
        if tr.kind == "fade":  # the darkest frame lies inside the fade
            span = range(video.shots[tr.before].start, video.shots[tr.after].end)
            darkest = min(span, key=lambda i: frames[i].mean())
            assert tr.start <= darkest < tr.end
    for event in video.events:
        shot = video.shots[event.shot]
        assert shot.start <= event.start < event.end <= shot.end
        if event.label.startswith("move_") and event.start - shot.start > 1:
            still = diffs[shot.start:event.start - 1].mean()
            moving = diffs[event.start:event.end - 1].mean()
            assert moving > still, f"frames move during event {event.description!r}"
    frame = video.to_frame()
    assert set(frame["type"]) <= {"shot", "transition", "event"}


def test_video_is_deterministic():
    a, b = scenes.generate_video(1, n_shots=3), scenes.generate_video(1, n_shots=3)
    assert np.array_equal(a.frames, b.frames) and a.shots == b.shots
    with pytest.raises(ValueError, match="transition_frames"):
        scenes.generate_video(1, transition_frames=3)


# ----------------------------------------------------------------------------- real media


def test_coco_mini_masks_and_captions():
    from irbook.vision import media

    records = media.load_coco_mini("val")
    assert len(records) == 79 and all(len(r.captions) >= 5 for r in records)
    record = next(r for r in records if r.annotations)
    masks, names = media.coco_masks(record)
    assert masks.shape == (len(record.annotations), record.height, record.width) and len(names) == len(masks)
    for mask, ann in zip(masks, record.annotations):
        if not ann.get("iscrowd"):
            assert abs(mask.sum() - ann["area"]) / ann["area"] < 0.1, "decoded mask area matches the annotation"
    assert record.image().shape == (record.height, record.width, 3)
    with pytest.raises(ValueError, match="split"):
        media.load_coco_mini("test")


def test_video_frames():
    from irbook.vision import media

    path = media.video_path("tree.avi")
    info = media.video_info(path)
    frames, idx = media.sample_frames(path, n=4, size=64)
    assert frames.shape[0] == 4 and min(frames.shape[1:3]) == 64 and frames.dtype == np.uint8
    assert list(idx) == sorted(idx) and idx[-1] < max(info.n_frames, idx[-1] + 1)
    with pytest.raises(ValueError, match="unknown video"):
        media.video_path("nope.avi")


# ----------------------------------------------------------------------------- OCR

ocr_missing = pytest.mark.skipif(not importlib.util.find_spec("pytesseract"), reason="pytesseract not installed")


@ocr_missing
def test_ocr_real_page():
    import skimage.data

    from irbook.vision import ocr

    words = ocr(skimage.data.page())
    text = " ".join(w.text.lower() for w in words)
    for expected in ("markers", "object", "background"):
        assert expected in text, f"OCR missed {expected!r} in: {text[:200]}"
    assert all(0 <= w.confidence <= 1 and w.box[0] < w.box[2] and w.box[1] < w.box[3] for w in words)


@ocr_missing
def test_ocr_generated_slide():
    from irbook.vision import ocr

    video = scenes.generate_video(0, n_shots=5, slide_prob=1.0, size=160)
    slide = video.shots[0]
    words = " ".join(w.text for w in ocr(video.frames[(slide.start + slide.end) // 2])).replace(" ", "")
    assert slide.text.replace(" ", "") in words


def test_ocr_missing_engine_says_how_to_install(monkeypatch):
    ocr_module = importlib.import_module("irbook.vision.ocr")  # the package attribute `ocr` is the function
    monkeypatch.setattr(ocr_module.shutil, "which", lambda cmd: None)
    if importlib.util.find_spec("pytesseract"):
        with pytest.raises(ocr_module.OCRUnavailableError, match="apt-get install -y tesseract-ocr"):
            ocr_module.ocr(np.zeros((32, 32, 3), np.uint8))


# ----------------------------------------------------------------------------- the image-text model


def test_contrastive_loss_prefers_matching_pairs():
    import torch

    from irbook.vision import tiny_clip

    emb = torch.nn.functional.normalize(torch.randn(8, 16, generator=torch.Generator().manual_seed(0)), dim=-1)
    scale = torch.tensor(np.log(1 / 0.07), dtype=torch.float32)
    matched = tiny_clip.contrastive_loss(emb, emb, scale)
    shuffled = tiny_clip.contrastive_loss(emb, emb.roll(1, 0), scale)
    assert matched < np.log(8) < shuffled


def test_cache_corrupt_file_is_rebuilt(tmp_path, monkeypatch):
    """Appendix A1's training function caches the weights; vision.tiny_clip.load reads them, and refuses (with the
    call that trains them) when they are missing or corrupt; training again repairs them."""
    from irbook.chapters.chA1_tiny_clip import train_tiny_clip
    from irbook.vision import tiny_clip

    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    config = tiny_clip.TinyClipConfig(n_caption_scenes=64, epochs=1, batch_size=32, use_coco=False, image_size=32,
                                      width=8)
    with pytest.raises(tiny_clip.TinyClipNotTrainedError, match="train_tiny_clip"):
        tiny_clip.load(config)
    net, report = train_tiny_clip(config, verbose=False)
    path = tiny_clip.cache_path(config)
    assert path.exists() and not report["from_cache"]
    _, again = train_tiny_clip(config)
    assert again["from_cache"] and tiny_clip.load(config)[1]["from_cache"]
    path.write_bytes(path.read_bytes()[:100])  # truncate: the checksum no longer matches
    with pytest.raises(tiny_clip.TinyClipNotTrainedError, match="sha256"):
        tiny_clip.load(config)
    with pytest.warns(UserWarning, match="sha256"):
        _, rebuilt = train_tiny_clip(config)
    assert not rebuilt["from_cache"] and checksum_problem(path) is None
    path.with_name(path.name + ".sha256").unlink()
    with pytest.warns(UserWarning, match="checksum file is missing"):
        train_tiny_clip(config)


def test_clip_name_auto_and_missing_open_clip(monkeypatch):
    from irbook.vision import encoders

    if encoders.open_clip_available():
        pytest.skip("open_clip is installed here")
    with pytest.raises(ImportError, match="pip install open_clip_torch"):
        encoders.clip("ViT-B-32")
    from irbook.vision import lit

    built = []
    monkeypatch.setattr(lit, "LitClip", lambda **kw: built.append("lit") or "lit")
    monkeypatch.setattr(encoders, "TinyClip", lambda device="auto", **kw: built.append(device) or "tiny")
    assert encoders.clip("auto") == "lit" and built == ["lit"]  # offline, the pretrained-tower model
    assert encoders.clip("tiny") == "tiny" and built == ["lit", "auto"]  # the teaching baseline stays
    with pytest.raises(TypeError):
        encoders.clip(None)


@pytest.fixture(scope="module")
def tiny_model():
    from irbook.chapters.chA1_tiny_clip import train_tiny_clip
    from irbook.vision import clip

    train_tiny_clip()  # from the cache when appendix A1 has run, else trained once (minutes)
    return clip("tiny", device="cpu")


def test_tiny_clip_heldout_recall_well_above_chance(tiny_model):
    from irbook.vision import retrieval_recall

    n = 100
    for split in ("test", "novel"):
        held_out = scenes.generate_scenes(n, size=tiny_model.config.image_size, split=split, seed=1)
        captions = [s.captions(1, seed=10_000 + s.seed)[0] for s in held_out]
        images = tiny_model.encode_images([s.image for s in held_out])
        texts = tiny_model.encode_texts(captions)
        assert images.shape == (n, tiny_model.dim) and np.allclose(np.linalg.norm(images, axis=1), 1, atol=1e-4)
        recall = retrieval_recall(texts, images, np.arange(n))
        assert recall[1] > 10 / n, f"{split}: R@1 {recall[1]:.2f} is not well above chance {1 / n:.2f}"
        assert recall[5] >= recall[1]


def test_tiny_clip_input_checks(tiny_model):
    with pytest.raises(TypeError, match="list of strings"):
        tiny_model.encode_texts("a red circle")
    with pytest.raises(ValueError, match="H x W x 3"):
        tiny_model.encode_images([np.zeros((4, 4, 5), np.uint8)])
    with pytest.raises(TypeError):
        tiny_model.encode_images([3])


def test_caption_search_widget(tiny_model):
    from irbook.widgets.vision import CaptionSearch

    gallery = scenes.generate_scenes(30, size=64, split="test", seed=2)
    search = CaptionSearch(tiny_model, [s.image for s in gallery], [s.caption for s in gallery], k=3)
    hits = search.search(gallery[0].caption)
    assert [h["rank"] for h in hits] == [1, 2, 3] and hits[0]["score"] >= hits[-1]["score"]
    html = search.render("a <b>red</b> circle")
    assert html.count("<img") == 3 and "&lt;b&gt;" in html
    with pytest.raises(ValueError, match="non-empty"):
        search.search("  ")
    assert search.widget() is not None


# ----------------------------------------------------------------------------- pretrained image tower (LiT)


def test_efficientnet_classifies_real_photos():
    from skimage import data as skdata

    from irbook.vision import lit

    names = lit.imagenet_classes()
    assert len(names) == 1000 and names[0] == "tench" and names[967] == "espresso"
    pooled, logits = lit.image_features([skdata.coffee(), skdata.chelsea()])
    assert pooled.shape == (2, lit.FEATURE_DIM) and logits.shape == (2, 1000)
    assert names[int(logits[0].argmax())] == "espresso"
    top3 = [names[i] for i in np.argsort(-logits[1])[:3]]
    assert any("cat" in n or n == "Egyptian Mau" for n in top3), top3


def test_zero_shot_bridge_matches_captions_to_photos():
    from skimage import data as skdata

    from irbook.vision import clip

    bridge = clip("zero-shot")
    images = bridge.encode_images([skdata.coffee(), skdata.chelsea()])
    texts = bridge.encode_texts(["a cup of coffee on a saucer", "a cat lying down"])
    assert images.shape == (2, 384) and np.allclose(np.linalg.norm(images, axis=1), 1, atol=1e-4)
    assert (texts @ images.T).argmax(axis=1).tolist() == [0, 1]
    with pytest.raises(TypeError, match="list of strings"):
        bridge.encode_texts("a cat")


def test_lit_caches_are_rebuilt_when_corrupt(tmp_path, monkeypatch):
    from irbook.vision import lit

    monkeypatch.setenv("IRBOOK_CACHE", str(tmp_path))
    config = lit.LitConfig(n_scenes=12, scene_size=64, use_coco=False, epochs=2, batch_size=8, top_k=3)
    heads, report = lit.load_or_train(config, verbose=False)
    assert not report["from_cache"] and report["n_images"] == 24
    features = tmp_path / "models" / "lit-clip" / f"features-{config.features_key()}.npz"
    path = lit.cache_path(config)
    assert features.exists() and path.exists()
    assert lit.load_or_train(config)[1]["from_cache"]
    path.write_bytes(path.read_bytes()[:100])
    with pytest.warns(UserWarning, match="sha256"):
        _, rebuilt = lit.load_or_train(config)
    assert not rebuilt["from_cache"] and checksum_problem(path) is None
    features.write_bytes(b"not an npz")
    with pytest.warns(UserWarning, match="sha256"):
        again = lit.training_features(config)
    assert again["image"].shape == (24, lit.FEATURE_DIM) and checksum_problem(features) is None
    with pytest.raises(ValueError, match="n_scenes"):
        lit.LitConfig(n_scenes=0).validate()


def test_lit_beats_chance_on_coco_and_scenes():
    """The default LiT model (trained once and cached; the first run computes its features, a few minutes)."""
    from irbook.vision import clip, retrieval_recall
    from irbook.vision.media import load_coco_mini

    model = clip("lit")
    val = load_coco_mini("val")
    captions = [r.captions[0] for r in val]
    recall = retrieval_recall(model.encode_texts(captions), model.encode_images([r.image() for r in val]),
                              np.arange(len(val)), ks=(1, 5))
    assert recall[5] > 3 * 5 / len(val), f"COCO-mini R@5 {recall[5]:.2f} vs chance {5 / len(val):.2f}"
    held = scenes.generate_scenes(60, size=128, split="test", seed=1)
    caps = [s.captions(1, seed=10_000 + s.seed)[0] for s in held]
    scene_recall = retrieval_recall(model.encode_texts(caps), model.encode_images([s.image for s in held], size=128),
                                    np.arange(len(held)), ks=(1, 5))
    assert scene_recall[5] > 3 * 5 / len(held)
