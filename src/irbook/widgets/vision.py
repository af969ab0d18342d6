"""Appendix A1's widget: type a caption, see the images an image-text model ranks first.

The logic (:meth:`CaptionSearch.search`, :meth:`CaptionSearch.render`) runs headless so that tests can drive it;
:meth:`CaptionSearch.widget` wraps it in ipywidgets.

Introduced in appendix A1 (:doc:`A1_tiny_clip`).
"""
from __future__ import annotations

import base64
import html
import io
from typing import Sequence

import numpy as np


def _thumbnail_data_uri(image: np.ndarray, size: int = 96) -> str:
    from PIL import Image

    pil = Image.fromarray(np.asarray(image, np.uint8))
    pil.thumbnail((size, size))
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


class CaptionSearch:
    """Text-to-image search over a fixed image collection with one image-text model (``encode_texts``).

    ``image_embeddings`` are computed once (``model.encode_images(images)`` if not given); ``captions`` (optional)
    are shown under each hit, and ``gold`` (optional, one set of relevant image indices per query text) marks hits.
    """

    def __init__(self, model, images: Sequence[np.ndarray], captions: Sequence[str] | None = None, k: int = 5,
                 image_embeddings: np.ndarray | None = None, thumb_size: int = 96):
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        if len(images) == 0:
            raise ValueError("CaptionSearch needs at least one image")
        if captions is not None and len(captions) != len(images):
            raise ValueError(f"{len(captions)} captions for {len(images)} images")
        self.model = model
        self.images = list(images)
        self.captions = list(captions) if captions is not None else None
        self.k = min(k, len(self.images))
        self.thumb_size = thumb_size
        self.image_embeddings = model.encode_images(self.images) if image_embeddings is None else image_embeddings
        if self.image_embeddings.shape[0] != len(self.images):
            raise ValueError(f"{self.image_embeddings.shape[0]} embeddings for {len(self.images)} images")

    def search(self, text: str, k: int | None = None) -> list[dict]:
        """The top-k images for ``text``: rank, image index, cosine score and caption."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("type a non-empty caption to search for")
        k = self.k if k is None else k
        query = self.model.encode_texts([text])[0]
        scores = self.image_embeddings @ query
        order = np.argsort(-scores, kind="stable")[:k]
        return [{"rank": r + 1, "index": int(i), "score": float(scores[i]),
                 "caption": self.captions[i] if self.captions else ""} for r, i in enumerate(order)]

    def render(self, text: str, k: int | None = None) -> str:
        """HTML: one thumbnail per hit with its rank, score and (escaped) caption."""
        cells = []
        for hit in self.search(text, k):
            uri = _thumbnail_data_uri(self.images[hit["index"]], self.thumb_size)
            caption = html.escape(hit["caption"])
            cells.append(
                f'<figure style="display:inline-block;margin:4px;width:{self.thumb_size + 8}px;vertical-align:top">'
                f'<img src="{uri}" width="{self.thumb_size}" alt="hit {hit["rank"]}"/>'
                f'<figcaption style="font-size:10px">#{hit["rank"]} ({hit["score"]:.2f}) {caption}</figcaption></figure>'
            )
        return f'<div><b>{html.escape(text)}</b><br/>{"".join(cells)}</div>'

    def widget(self, initial: str = "a red circle on the left"):
        """A text box and the rendered hits below it (updated on Enter)."""
        import ipywidgets as w

        box = w.Text(value=initial, description="Caption:", layout=w.Layout(width="60%"), continuous_update=False)
        out = w.HTML(self.render(initial))

        def update(change):
            try:
                out.value = self.render(change["new"])
            except ValueError as err:
                out.value = f"<i>{html.escape(str(err))}</i>"

        box.observe(update, names="value")
        return w.VBox([box, out])
