"""Chapter 17 (DRNet): the chapter's exported methods (IoU, metrics, clip labels, decoding, sliding window, the
model, its losses, training and weight cache), the moment-retrieval annotation sets and the timeline view,
headless and on small hand-made inputs."""
import numpy as np
import pytest
import torch

from irbook.chapters.ch17_drnet import (DRNet, best_span, cached_drnet, clip_labels, drnet_losses, moment_metrics,
                                        pad_batch, predict_spans, sliding_window, temporal_iou, train_drnet)
from irbook.widgets.drnet import MomentTimelineView, timeline_figure


def _examples(n=40, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        clips = int(rng.integers(10, 16))
        start = int(rng.integers(0, clips - 4))
        labels = np.zeros(clips, np.float32)
        labels[start:start + 3] = 1
        sentence = rng.normal(size=dim).astype(np.float32)
        features = rng.normal(size=(clips, dim)).astype(np.float32) + 2 * labels[:, None] * sentence
        out.append({"clips": features, "words": rng.normal(size=(3, dim)).astype(np.float32),
                    "sentence": sentence, "labels": labels, "start": start, "end": start + 2})
    return out


def test_temporal_iou_and_metrics():
    iou = temporal_iou([(0, 2), (1, 3), (5, 6)], [(0, 2), (2, 4), (0, 1)])
    assert np.allclose(iou, [1.0, 1 / 3, 0.0])
    assert moment_metrics(iou) == pytest.approx({"R1@0.5": 1 / 3, "R1@0.7": 1 / 3, "mIoU": 4 / 9})
    with pytest.raises(ValueError, match="predicted"):
        temporal_iou([1, 2], [(0, 1)])
    with pytest.raises(ValueError, match="end >= start"):
        temporal_iou([(2, 1)], [(0, 1)])
    with pytest.raises(ValueError, match="same shape"):
        temporal_iou([(0, 1)], [(0, 1), (1, 2)])
    with pytest.raises(ValueError, match="non-empty"):
        moment_metrics([])


def test_clip_labels_use_clip_centres():
    assert clip_labels(1.0, 2.0, 5, 0.5).tolist() == [0, 0, 1, 1, 0]
    with pytest.raises(ValueError, match="n_clips"):
        clip_labels(0, 1, 0, 0.5)
    with pytest.raises(ValueError, match="end > start"):
        clip_labels(2, 1, 5, 0.5)


def test_best_span_and_sliding_window():
    assert best_span([0, 5, 0, 0], [0, 0, 0, 5]) == (1, 3)
    assert best_span([0, 5, 0, 0], [0, 0, 0, 5], max_clips=2) in {(1, 2), (1, 1), (2, 3), (3, 3)}
    assert best_span([0, 0, 5, 0], [5, 0, 0, 0]) != (2, 0)  # the end never precedes the start
    with pytest.raises(ValueError, match="same"):
        best_span([0, 1], [0])
    assert sliding_window([0, 0, 1, 1, 1, 0, 0]) == (2, 4)
    with pytest.raises(ValueError, match="similarity"):
        sliding_window([1.0])


def test_drnet_forward_shapes_and_ablation_flags():
    batch = pad_batch(_examples(4))
    for use_tcd in (True, False):
        model = DRNet(8, hidden=16, use_tcd=use_tcd)
        out = model(batch["clips"], batch["clip_mask"], batch["words"], batch["word_mask"], batch["sentence"])
        assert out["start"].shape == batch["clips"].shape[:2] and out["distilled"].shape == (4, 16)
        assert torch.all(out["start"][~batch["clip_mask"]] < -1e8)  # padding never wins
        losses = drnet_losses(out, batch, use_tcd=use_tcd)
        assert ("mask" in losses) == use_tcd and "trf" in losses and torch.isfinite(losses["loss"])
    with pytest.raises(ValueError, match="dim_in"):
        DRNet(0)
    with pytest.raises(ValueError, match="divisible"):
        DRNet(8, hidden=10, heads=4)
    with pytest.raises(ValueError, match="non-empty"):
        pad_batch([])


def test_training_learns_the_planted_moment_and_caches(tmp_path):
    train, test = _examples(64, seed=1), _examples(20, seed=2)
    model, log = train_drnet(train, epochs=15, batch_size=16, hidden=16)
    assert log[-1]["span"] < log[0]["span"]
    spans, masks = predict_spans(model, test)
    ious = temporal_iou(np.array(spans, float) + [0, 1], [(e["start"], e["end"] + 1) for e in test])
    assert ious.mean() > 0.3 and all(len(m) == len(e["clips"]) for m, e in zip(masks, test))
    path = tmp_path / "w.pt"
    config = {"epochs": 2, "batch_size": 16, "hidden": 16}
    _, _, seconds, cached = cached_drnet(path, train, **config)
    _, _, again, cached_again = cached_drnet(path, train, **config)
    assert seconds > 0 and not cached and cached_again and again == pytest.approx(seconds)
    path.write_bytes(b"corrupt")
    _, _, _, rebuilt_from_cache = cached_drnet(path, train, **config)
    assert not rebuilt_from_cache
    with pytest.raises(ValueError, match="batch_size"):
        train_drnet(train[:3], batch_size=16)
    with pytest.raises(ValueError, match="epochs"):
        train_drnet(train, epochs=0)


def test_annotation_sets_load_and_validate_split():
    from irbook.data import charades_sta, qvhighlights
    from irbook.data.registry import DataNotFoundError

    with pytest.raises(ValueError, match="split"):
        charades_sta.load_charades_sta("train")
    with pytest.raises(ValueError, match="split"):
        qvhighlights.load_qvhighlights("test")
    try:
        moments, queries = charades_sta.load_charades_sta(), qvhighlights.load_qvhighlights()
    except DataNotFoundError:
        pytest.skip("the data mirror is not available")
    assert len(moments) == 3158 and all(m["end"] > m["start"] for m in moments[:50])
    assert len(queries) == 1550 and all(q["windows"] for q in queries)


def test_timeline_view_renders_headless():
    fig = timeline_figure(10.0, (2, 4), (2.5, 4.5), mask=np.linspace(0, 1, 5), clip_seconds=2.0)
    assert len(fig.data) == 3
    with pytest.raises(ValueError, match="duration"):
        timeline_figure(0, (0, 1), (0, 1))
    with pytest.raises(ValueError, match="mask"):
        timeline_figure(10, (0, 1), (0, 1), mask=[2.0])

    def predict(i, method):
        return {"query": "a red star", "duration": 10.0, "gold": (2, 4), "predicted": (3, 5), "iou": 1 / 3,
                "clip_seconds": 1.0, "mask": None}

    view = MomentTimelineView(predict, ["a red star"], ["DRNet"])
    text, figure = view.render(0, "DRNet")
    assert "a red star" in text and "IoU 0.33" in text and len(figure.data) == 2
    with pytest.raises(ValueError, match="predict"):
        MomentTimelineView(None, ["q"], ["m"])
