"""Text-to-image retrieval of the book's three offline image-text models, on real photos and generated scenes:
the from-scratch tiny CLIP (``clip("tiny")``), the zero-shot bridge (``clip("zero-shot")``, no training) and the
LiT model with pretrained, locked EfficientNet-Lite0 and MiniLM towers (``clip("lit")``, the default).

    PYTHONPATH=src IRBOOK_DATA=/work/shared/data python benchmarks/bench_image_text.py

COCO-mini val: every caption (5 per photo) queries the photos; Recall@k = share of captions whose photo ranks in
the top k; chance = k / number of photos. Generated scenes: 100 held-out scenes of the "test" split (seen
colour-shape pairs, new scenes) and 100 of the "novel" split (colour-shape pairs never in training), one caption
each, as in tests/test_vision.py. Writes its section of ``benchmarks/results.md``.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_generation import write_section  # noqa: E402  (the same results file, another section)

MARK = "bench_image_text"


def main() -> int:
    import torch

    from irbook.vision import clip, lit, retrieval_recall, scenes
    from irbook.vision.media import load_coco_mini

    torch.set_num_threads(2)
    started = time.perf_counter()
    val = load_coco_mini("val")
    photos = [r.image() for r in val]
    queries = [c for r in val for c in r.captions]
    gold = np.concatenate([[i] * len(r.captions) for i, r in enumerate(val)])
    held = {split: scenes.generate_scenes(100, size=128, split=split, seed=1) for split in ("test", "novel")}
    timings = {}

    t0 = time.perf_counter()
    pooled, logits = lit.image_features(photos)
    scene_feats = {s: lit.image_features([x.image for x in held[s]], size=128) for s in held}
    timings["EfficientNet features (val photos + 200 scenes)"] = time.perf_counter() - t0

    rows = []
    t0 = time.perf_counter()
    tiny = clip("tiny", device="cpu")
    timings["tiny CLIP load/train"] = time.perf_counter() - t0
    bridge = clip("zero-shot")
    t0 = time.perf_counter()
    model = clip("lit")
    timings["LiT load/train"] = time.perf_counter() - t0
    report = model.report

    # the tiny CLIP sees 100 held-out scenes drawn at its own training size, as in tests/test_vision.py (the
    # generator's draws depend on the size, so these are other scenes of the same split)
    tiny_held = {s: scenes.generate_scenes(100, size=tiny.config.image_size, split=s, seed=1) for s in held}

    def scene_recall(encode_images, encode_texts, split, gallery):
        caps = [s.captions(1, seed=10_000 + s.seed)[0] for s in gallery[split]]
        return retrieval_recall(encode_texts(caps), encode_images(split), np.arange(len(caps)), ks=(1, 5))

    models = {
        "tiny CLIP (from-scratch CNN, `clip(\"tiny\")`)": (
            lambda: tiny.encode_images(photos), tiny.encode_texts,
            lambda split: tiny.encode_images([s.image for s in tiny_held[split]])),
        "zero-shot bridge (ImageNet classes -> MiniLM, `clip(\"zero-shot\")`)": (
            lambda: bridge.from_logits(logits), bridge.encode_texts,
            lambda split: bridge.from_logits(scene_feats[split][1])),
        "LiT: EfficientNet-Lite0 + MiniLM, trained heads (`clip(\"lit\")`)": (
            lambda: model.from_features(pooled), model.encode_texts,
            lambda split: model.from_features(scene_feats[split][0])),
    }
    for name, (photo_images, texts, scene_images) in models.items():
        coco = retrieval_recall(texts(queries), photo_images(), gold, ks=(1, 5))
        gallery = tiny_held if name.startswith("tiny") else held
        test = scene_recall(scene_images, texts, "test", gallery)
        novel = scene_recall(scene_images, texts, "novel", gallery)
        rows.append((name, coco, test, novel))
        print(name, coco, test, novel, flush=True)

    n = len(photos)
    lines = [
        "## Image-text retrieval: three offline models (`bench_image_text.py`)",
        "",
        f"COCO-mini val: {len(queries)} captions query {n} photos (a small sample: one photo is "
        f"{100 / n:.1f} points of R@1 per caption set). Generated scenes: 100 held-out scenes per split, one caption "
        "each ('test': seen colour-shape pairs; 'novel': pairs never trained on). Text-to-image Recall@k.",
        "",
        "| model | COCO R@1 | COCO R@5 | scenes test R@1 | scenes test R@5 | scenes novel R@1 | scenes novel R@5 |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| chance | {1 / n:.3f} | {5 / n:.3f} | 0.010 | 0.050 | 0.010 | 0.050 |",
        *[f"| {m} | {c[1]:.3f} | {c[5]:.3f} | {t[1]:.3f} | {t[5]:.3f} | {v[1]:.3f} | {v[5]:.3f} |"
          for m, c, t, v in rows],
        "",
        f"LiT training set: {report.get('n_images')} images ({report.get('n_scene_images')} generated-scene drawings, "
        f"the rest COCO-mini train photos and their mirror images), {report.get('n_captions')} captions; "
        f"heads trained for {report.get('steps')} steps in {report.get('train_seconds', 0):.1f} s; image features "
        f"computed once in {report.get('feature_seconds', 0):.0f} s (cached). "
        + "; ".join(f"{k}: {v:.1f} s" for k, v in timings.items())
        + f". Machine: {os.cpu_count()} shared CPUs, 2 torch threads; whole run {time.perf_counter() - started:.0f} s.",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    write_section(text, MARK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
