"""The vision layer: generated scenes and videos with ground truth, real media, OCR and an image-text model.

- :func:`clip`: one image-text interface (a real CLIP via open_clip when at hand, else the book's offline LiT model;
  ``clip("tiny")`` the from-scratch teaching baseline, ``clip("zero-shot")`` the no-training bridge)
- :func:`ocr`: words with boxes and confidences (Tesseract)
- :mod:`irbook.vision.scenes`: generated scenes (captions, attributes, masks) and videos (shots, transitions, events)
- :mod:`irbook.vision.media`: COCO-mini photos, captions and masks; real clips and frame sampling
- :mod:`irbook.vision.lit`: the offline LiT model (EfficientNet-Lite0 + MiniLM, trained heads) and the zero-shot bridge
- :mod:`irbook.vision.tiny_clip`: the from-scratch baseline and its verified cache (trained in appendix A1)

Introduced in appendix A1 (:doc:`A1_tiny_clip`).
"""
from irbook.vision import media, scenes  # importing media registers coco-mini and videos in irbook.data
from irbook.evaluation import text_to_image_recall as retrieval_recall  # the metric lives in irbook.evaluation
from irbook.vision.encoders import OpenClip, TinyClip, clip
from irbook.vision.ocr import OCRUnavailableError, OCRWord, ocr, ocr_text

__all__ = ["clip", "ocr", "ocr_text", "OCRWord", "OCRUnavailableError", "TinyClip", "OpenClip", "retrieval_recall",
           "scenes", "media"]
