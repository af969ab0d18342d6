"""Chapter 18's view: the vocabulary terms an image lights up in its sparse vector, and which captions share them.

A view only (:class:`irbook.widgets.View`); the sparse vectors come from the chapter's model
(:mod:`irbook.chapters.ch18_dense_sparse_vlp`). The logic (:func:`top_terms`, :func:`term_overlap`) is plain numpy
and tested headless.

Introduced in chapter 18 (:doc:`18_dense_sparse_vlp`).
"""
from __future__ import annotations

import base64
import html
from typing import Sequence

import numpy as np

from irbook.widgets import CELL_STYLE, TABLE_STYLE, View


def _check_vector(vector, n_terms: int, name: str) -> np.ndarray:
    vector = np.asarray(vector, dtype=float)
    if vector.shape != (n_terms,):
        raise ValueError(f"{name} must have shape ({n_terms},) (one weight per vocabulary term), got {vector.shape}")
    return vector


def top_terms(vector, vocabulary: Sequence[str], k: int = 12) -> list[tuple[str, float]]:
    """The ``k`` heaviest nonzero terms of one sparse vector as ``(term, weight)``, heaviest first.

    Introduced in chapter 18 (:doc:`18_dense_sparse_vlp`).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    vector = _check_vector(vector, len(vocabulary), "vector")
    order = [i for i in np.argsort(-vector, kind="stable")[:k] if vector[i] > 0]
    return [(vocabulary[i], float(vector[i])) for i in order]


def term_overlap(image_vector, caption_vector, vocabulary: Sequence[str], k: int = 8) -> list[tuple[str, float]]:
    """The terms both vectors use, with their contribution ``w_image * w_caption`` to the sparse score, largest
    first (at most ``k``); the contributions of all shared terms sum to the score.

    Introduced in chapter 18 (:doc:`18_dense_sparse_vlp`).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    a = _check_vector(image_vector, len(vocabulary), "image_vector")
    b = _check_vector(caption_vector, len(vocabulary), "caption_vector")
    product = a * b
    order = [i for i in np.argsort(-product, kind="stable")[:k] if product[i] > 0]
    return [(vocabulary[i], float(product[i])) for i in order]


def _thumbnail(image: np.ndarray, side: int = 160) -> str:
    import cv2

    h, w = image.shape[:2]
    scale = side / max(h, w)
    small = cv2.resize(np.ascontiguousarray(image), (max(1, int(w * scale)), max(1, int(h * scale))),
                       interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 70])
    return f'<img src="data:image/jpeg;base64,{base64.b64encode(buf.tobytes()).decode()}" alt="image">'


class SparseTermExplorer(View):
    """Pick an image: its heaviest vocabulary terms, and the captions with the highest sparse scores, each with
    the shared terms that make its score (the caption's own image marked).

    ``image_vectors`` (n_images, V) and ``caption_vectors`` (n_captions, V) are sparse term weights;
    ``owner[j]`` is the image of caption ``j``; ``images`` are RGB arrays (thumbnails are drawn from them).

    Introduced in chapter 18 (:doc:`18_dense_sparse_vlp`).
    """

    def __init__(self, images, image_vectors, captions: Sequence[str], caption_vectors, owner,
                 vocabulary: Sequence[str], n_captions: int = 5):
        self.image_vectors = np.asarray(image_vectors, dtype=float)
        self.caption_vectors = np.asarray(caption_vectors, dtype=float)
        self.vocabulary = list(vocabulary)
        if self.image_vectors.ndim != 2 or self.image_vectors.shape[1] != len(self.vocabulary):
            raise ValueError(f"image_vectors must be (n_images, {len(self.vocabulary)}), got {self.image_vectors.shape}")
        if self.caption_vectors.shape != (len(captions), len(self.vocabulary)):
            raise ValueError(f"caption_vectors must be ({len(captions)}, {len(self.vocabulary)}), "
                             f"got {self.caption_vectors.shape}")
        if len(images) != len(self.image_vectors):
            raise ValueError(f"images ({len(images)}) and image_vectors ({len(self.image_vectors)}) differ in length")
        self.owner = np.asarray(owner)
        if self.owner.shape != (len(captions),):
            raise ValueError(f"owner must give one image per caption ({len(captions)}), got shape {self.owner.shape}")
        self.images, self.captions, self.n_captions = list(images), list(captions), n_captions

    def ranked_captions(self, image: int) -> list[dict]:
        """The top captions for one image by sparse score, with their shared terms."""
        if not 0 <= int(image) < len(self.images):
            raise ValueError(f"image must be in 0..{len(self.images) - 1}, got {image!r}")
        scores = self.caption_vectors @ self.image_vectors[image]
        order = np.argsort(-scores, kind="stable")[:self.n_captions]
        return [{"caption": self.captions[j], "score": float(scores[j]), "own": bool(self.owner[j] == image),
                 "shared": term_overlap(self.image_vectors[image], self.caption_vectors[j], self.vocabulary)}
                for j in order]

    def controls(self, image: int = 0) -> dict:
        import ipywidgets as w

        options = [(f"{i}: {self.captions[int(np.flatnonzero(self.owner == i)[0])][:50]}"
                    if (self.owner == i).any() else f"{i}", i) for i in range(len(self.images))]
        return {"image": w.Dropdown(options=options, value=image, description="image")}

    def render(self, image: int = 0) -> str:
        terms = top_terms(self.image_vectors[image], self.vocabulary, 12)
        active = int((self.image_vectors[image] > 0).sum())
        term_rows = "".join(f'<tr><td style="{CELL_STYLE}">{html.escape(t)}</td>'
                            f'<td style="{CELL_STYLE}">{wt:.2f}</td></tr>' for t, wt in terms)
        caption_rows = "".join(
            f'<tr><td style="{CELL_STYLE}">{"&#10003;" if r["own"] else ""}</td>'
            f'<td style="{CELL_STYLE}">{html.escape(r["caption"])}</td><td style="{CELL_STYLE}">{r["score"]:.2f}</td>'
            f'<td style="{CELL_STYLE}">{html.escape(", ".join(f"{t} ({c:.2f})" for t, c in r["shared"]))}</td></tr>'
            for r in self.ranked_captions(image))
        return (f'<div style="display:flex;gap:16px;align-items:flex-start">'
                f'<div>{_thumbnail(self.images[image])}<br><small>{active} active terms</small></div>'
                f'<table style="{TABLE_STYLE}"><tr><th style="{CELL_STYLE}">term</th>'
                f'<th style="{CELL_STYLE}">weight</th></tr>{term_rows}</table>'
                f'<table style="{TABLE_STYLE}"><tr><th style="{CELL_STYLE}">own</th><th style="{CELL_STYLE}">top captions'
                f' by sparse score</th><th style="{CELL_STYLE}">score</th><th style="{CELL_STYLE}">shared terms '
                f'(contribution)</th></tr>{caption_rows}</table></div>')
