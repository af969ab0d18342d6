"""One image-text interface for every chapter: a real CLIP (open_clip) when it is at hand, else the book's offline
LiT model (pretrained EfficientNet-Lite0 and MiniLM towers, trained heads); the from-scratch tiny CLIP stays as
the appendix's teaching baseline.

``clip(name="auto")`` returns an object with ``encode_images(images)`` and ``encode_texts(texts)``, both giving
L2-normalised float32 arrays in one shared space, batched, on ``device="auto"``.

Introduced in appendix A1 (:doc:`A1_tiny_clip`).
"""
from __future__ import annotations

import importlib.util

import numpy as np

from irbook.runtime import resolve_device
from irbook.vision import tiny_clip

TINY_NAMES = ("tiny", "tiny-clip", "irbook-tiny-clip")
LIT_NAMES = ("lit", "lit-efficientnet", "efficientnet-lite0")
BRIDGE_NAMES = ("zero-shot", "bridge", "zero-shot-bridge")
DEFAULT_OPEN_CLIP = ("ViT-B-32", "laion2b_s34b_b79k")


_check_texts = tiny_clip.check_texts  # one text check for every image-text model


def _encode_in_batches(items: list, batch_size: int, encode_batch, dim: int) -> np.ndarray:
    """Run ``encode_batch`` (a list slice -> torch tensor of normalised rows) over ``items`` in batches, no grad."""
    import torch

    out = []
    with torch.no_grad():
        for start in range(0, len(items), batch_size):
            out.append(encode_batch(items[start:start + batch_size]).float().cpu().numpy())
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, dim), np.float32)


def _check_batch(batch_size: int) -> int:
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return batch_size


class TinyClip:
    """The book's offline image-text model (see :mod:`irbook.vision.tiny_clip`): CNN image tower, frozen MiniLM text
    tower with a linear adapter, both in MiniLM's 384-d space."""

    def __init__(self, config: tiny_clip.TinyClipConfig | None = None, device: str = "auto", batch_size: int = 256):
        self.config = config or tiny_clip.TinyClipConfig()
        self.device = resolve_device(device)
        self.batch_size = _check_batch(batch_size)
        self.net, self.report = tiny_clip.load(self.config)  # trained by appendix A1 (train_tiny_clip)
        self.net.to(self.device)
        self.name = f"irbook-tiny-clip-{self.config.key()}"
        self.dim = int(self.net.text_adapter.weight.shape[0])
        self._text = None

    @classmethod
    def from_net(cls, net, config: tiny_clip.TinyClipConfig, report: dict | None = None, device: str = "auto",
                 batch_size: int = 256) -> "TinyClip":
        """Wrap a net you built or trained yourself (e.g. an untrained baseline, an exercise's variant)."""
        self = cls.__new__(cls)
        self.config, self.device, self.batch_size = config, resolve_device(device), _check_batch(batch_size)
        self.net, self.report = net.to(self.device).eval(), dict(report or {})
        self.name = f"irbook-tiny-clip-{config.key()}-custom"
        self.dim = int(net.text_adapter.weight.shape[0])
        self._text = None
        return self

    def __repr__(self) -> str:
        return f"TinyClip(name={self.name!r}, dim={self.dim}, device={self.device!r})"

    def encode_images(self, images, batch_size: int | None = None) -> np.ndarray:
        def encode(batch):
            return self.net.encode_image(tiny_clip.to_tensor(batch, self.config.image_size).to(self.device))

        images = tiny_clip.as_image_list(images)
        return _encode_in_batches(images, _check_batch(batch_size or self.batch_size), encode, self.dim)

    def encode_texts(self, texts, batch_size: int | None = None) -> np.ndarray:
        import torch

        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self._text is None:
            self._text = tiny_clip._text_encoder(self.config.text_model)
        frozen = torch.from_numpy(np.asarray(self._text(texts), np.float32)).to(self.device)
        with torch.no_grad():
            return self.net.encode_text(frozen).cpu().numpy().astype(np.float32)


class OpenClip:
    """A pretrained CLIP through open_clip (e.g. ``ViT-B-32`` with LAION-2B weights); imported lazily."""

    def __init__(self, model_name: str = DEFAULT_OPEN_CLIP[0], pretrained: str = DEFAULT_OPEN_CLIP[1],
                 device: str = "auto", batch_size: int = 64):
        try:
            import open_clip
        except ImportError as err:
            raise ImportError(
                f"clip({model_name!r}) needs open_clip, which is not installed: run `pip install open_clip_torch` "
                "(and be online once to fetch the weights), or use clip('lit') (or 'auto'), the book's offline model."
            ) from err
        self.device = resolve_device(device)
        self.batch_size = _check_batch(batch_size)
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(model_name, pretrained=pretrained,
                                                                         device=self.device)
        except Exception as err:  # no network and no cached weights, or an unknown name
            raise RuntimeError(
                f"open_clip could not load {model_name!r} with weights {pretrained!r} ({type(err).__name__}: {err}). "
                "Offline, the weights must already be in the Hugging Face cache; otherwise use clip('lit'), the book's offline model."
            ) from err
        self.model = model.eval()
        self.preprocess = preprocess
        self.tokenizer = open_clip.get_tokenizer(model_name)
        self.name = f"{model_name}/{pretrained}"
        with_dim = getattr(model, "text_projection", None)
        self.dim = int(with_dim.shape[1]) if with_dim is not None else int(model.visual.output_dim)

    def __repr__(self) -> str:
        return f"OpenClip(name={self.name!r}, dim={self.dim}, device={self.device!r})"

    def encode_images(self, images, batch_size: int | None = None) -> np.ndarray:
        import torch
        from PIL import Image

        def encode(batch):
            pixels = torch.stack([self.preprocess(Image.fromarray(tiny_clip.load_image(im))) for im in batch])
            return torch.nn.functional.normalize(self.model.encode_image(pixels.to(self.device)).float(), dim=-1)

        images = tiny_clip.as_image_list(images)
        return _encode_in_batches(images, _check_batch(batch_size or self.batch_size), encode, self.dim)

    def encode_texts(self, texts, batch_size: int | None = None) -> np.ndarray:
        import torch

        def encode(batch):
            return torch.nn.functional.normalize(self.model.encode_text(self.tokenizer(batch).to(self.device)).float(), dim=-1)

        return _encode_in_batches(_check_texts(texts), _check_batch(batch_size or self.batch_size), encode, self.dim)


def open_clip_available() -> bool:
    return importlib.util.find_spec("open_clip") is not None


def clip(name: str = "auto", device: str = "auto", **kwargs):
    """An image-text model with ``encode_images`` / ``encode_texts`` (normalised embeddings, one space).

    - ``"auto"``: a real CLIP (open_clip ViT-B-32, LAION-2B weights) when open_clip is installed and the weights load
      (online, on Colab, or already cached); otherwise the book's offline LiT model, with a note saying so.
    - ``"lit"``: the offline LiT model (:class:`irbook.vision.lit.LitClip`): pretrained, locked EfficientNet-Lite0
      and MiniLM towers with trained projection heads (image features computed once, heads trained in seconds).
    - ``"zero-shot"``: :class:`irbook.vision.lit.ZeroShotBridge`, no training: ImageNet class probabilities ->
      MiniLM embeddings of the class names.
    - ``"tiny"``: the from-scratch tiny CLIP, the appendix's teaching baseline, loaded from the cache that appendix
      A1's ``irbook.chapters.chA1_tiny_clip.train_tiny_clip()`` writes (a clear error says so when it is missing).
    - ``"ViT-B-32"``, ``"ViT-B-32/laion2b_s34b_b79k"``, any open_clip model (optionally ``/pretrained``): open_clip;
      a clear error when it is not installed or its weights cannot be had.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    if name in TINY_NAMES:
        return TinyClip(device=device, **kwargs)
    if name in LIT_NAMES:
        from irbook.vision.lit import LitClip

        return LitClip(**kwargs)  # on the CPU: the heads are tiny and EfficientNet-Lite0 is built for CPUs
    if name in BRIDGE_NAMES:
        from irbook.vision.lit import ZeroShotBridge

        return ZeroShotBridge(**kwargs)
    if name == "auto":
        if open_clip_available():
            try:
                return OpenClip(*DEFAULT_OPEN_CLIP, device=device)
            except (ImportError, RuntimeError) as err:
                print(f"clip('auto'): no real CLIP here ({err}); using the book's offline LiT model.")
        from irbook.vision.lit import LitClip

        return LitClip(**kwargs)
    model_name, _, pretrained = name.partition("/")
    if not pretrained:
        pretrained = DEFAULT_OPEN_CLIP[1] if model_name == DEFAULT_OPEN_CLIP[0] else "openai"
    return OpenClip(model_name, pretrained, device=device, **kwargs)
