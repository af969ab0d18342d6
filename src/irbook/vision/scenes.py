"""Generated scenes and videos with exact ground truth.

Real photos and clips come with a caption at best; the image and video chapters also need to know *exactly*
which pixels belong to which object, where every shot starts and ends, and which event happens when. This module
draws such data: images of objects with known shape, colour, size, position and texture on varied backgrounds
(some with rendered text), each with a caption, attribute labels and one mask per object; and videos assembled
from such scenes with hard cuts, fades, dissolves, camera motion, noise and text "slides", each with a timeline.
Everything is deterministic given a seed.

Introduced in appendix A1 (:doc:`A1_tiny_clip`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

GENERATOR_VERSION = 2  # bump when a change alters what a seed draws (cached models trained on scenes depend on it)

SHAPES = ("circle", "square", "triangle", "star", "diamond")
COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 170, 50),
    "blue": (30, 70, 230),
    "yellow": (245, 215, 20),
    "purple": (140, 40, 170),
    "orange": (250, 130, 10),
    "white": (250, 250, 250),
    "black": (15, 15, 15),
}
SIZES = {"small": 0.11, "large": 0.2}  # radius as a fraction of the image side
TEXTURES = ("solid", "striped", "dotted")
POSITIONS = {  # name -> centre (x, y) as fractions of the image side
    "left": (0.27, 0.5), "right": (0.73, 0.5), "top": (0.5, 0.27), "bottom": (0.5, 0.73), "center": (0.5, 0.5),
    "top left": (0.27, 0.27), "top right": (0.73, 0.27), "bottom left": (0.27, 0.73), "bottom right": (0.73, 0.73),
}
WORDS = ("STOP", "SALE", "EXIT", "OPEN", "HELLO", "TAXI", "HOTEL", "CAFE", "BANK", "PARK")

# Colour-shape pairs that the training split never shows, so a test can ask whether a model composes attributes
# ("a purple star") rather than memorising seen combinations.
HELDOUT_PAIRS = frozenset({("purple", "star"), ("yellow", "triangle"), ("blue", "circle"), ("green", "diamond"),
                           ("orange", "square")})
"""Colour-shape pairs the training split never shows (a test of composition, not memorisation)."""

# Caption vocabulary: several words per concept, so that a held-out caption is rarely a memorised string.
_SHAPE_WORDS = {
    "circle": ("circle", "disc", "round dot", "circle shape"),
    "square": ("square", "box", "square block", "square shape"),
    "triangle": ("triangle", "triangular shape", "pyramid shape", "triangle"),
    "star": ("star", "star shape", "five-pointed star", "star"),
    "diamond": ("diamond", "rhombus", "diamond shape", "lozenge"),
}
_SIZE_WORDS = {"small": ("small", "little", "tiny"), "large": ("large", "big", "huge")}
_TEXTURE_WORDS = {"solid": ("", "plain", "solid"), "striped": ("striped", "stripy", "banded"),
                  "dotted": ("dotted", "spotted", "polka-dot")}
_POSITION_WORDS = {
    "left": ("on the left", "at the left side"), "right": ("on the right", "at the right side"),
    "top": ("at the top", "near the top"), "bottom": ("at the bottom", "near the bottom"),
    "center": ("in the middle", "in the centre"),
    "top left": ("in the top left corner", "at the upper left"), "top right": ("in the top right corner", "at the upper right"),
    "bottom left": ("in the bottom left corner", "at the lower left"),
    "bottom right": ("in the bottom right corner", "at the lower right"),
}
_PREFIXES = ("a", "a picture of a", "an image with a", "there is a", "a drawing of a", "a photo of a")


@dataclass
class SceneObject:
    """One drawn object: its attributes, its centre and radius in pixels, and its visible pixels (``mask``)."""

    shape: str
    colour: str
    size: str
    texture: str
    position: str
    center: tuple[float, float]
    radius: float
    mask: np.ndarray = field(repr=False)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)`` of the visible mask, end-exclusive."""
        ys, xs = np.nonzero(self.mask)
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1

    def attributes(self) -> dict:
        return {"shape": self.shape, "colour": self.colour, "size": self.size, "texture": self.texture,
                "position": self.position}


@dataclass
class Scene:
    """A generated image (``H x W x 3`` uint8 RGB) with its caption, objects, rendered word and seed."""

    image: np.ndarray = field(repr=False)
    caption: str
    objects: list[SceneObject]
    text: str | None
    text_box: tuple[int, int, int, int] | None
    background: str
    seed: int

    def attributes(self) -> list[dict]:
        return [o.attributes() for o in self.objects]

    def captions(self, n: int, seed: int | None = None) -> list[str]:
        """``n`` differently worded captions of the same scene (the first is the ``caption`` field when seed is None)."""
        rng = np.random.default_rng(self.seed if seed is None else seed)
        return [describe(self.objects, self.text, rng) for _ in range(n)]


# --------------------------------------------------------------------------- drawing


def _shape_mask(shape: str, center: tuple[float, float], radius: float, height: int, width: int) -> np.ndarray:
    import cv2

    mask = np.zeros((height, width), np.uint8)
    cx, cy = center
    if shape == "circle":
        cv2.circle(mask, (round(cx), round(cy)), round(radius), 1, -1, lineType=cv2.LINE_8)
        return mask.astype(bool)
    if shape == "square":
        r = radius * 0.85
        points = [(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)]
    elif shape == "triangle":
        points = [(cx + radius * np.cos(a), cy + radius * np.sin(a)) for a in np.deg2rad([-90, 30, 150])]
    elif shape == "diamond":
        points = [(cx, cy - radius), (cx + radius * 0.7, cy), (cx, cy + radius), (cx - radius * 0.7, cy)]
    elif shape == "star":
        angles = np.deg2rad(np.arange(10) * 36 - 90)
        radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.45)
        points = list(zip(cx + radii * np.cos(angles), cy + radii * np.sin(angles)))
    else:
        raise ValueError(f"unknown shape {shape!r}; choose from {SHAPES}")
    cv2.fillPoly(mask, [np.round(np.array(points)).astype(np.int32)], 1)
    return mask.astype(bool)


def _background(rng: np.random.Generator, height: int, width: int) -> tuple[np.ndarray, str]:
    """A background that is never one of the object colours: a mid-tone gradient, noise or a soft checkerboard."""
    kind = str(rng.choice(["plain", "gradient", "noise", "checker"]))
    base = rng.integers(95, 175, size=3).astype(np.float32)
    if kind == "plain":
        img = np.broadcast_to(base, (height, width, 3)).copy()
    elif kind == "gradient":
        other = rng.integers(95, 175, size=3).astype(np.float32)
        t = np.linspace(0, 1, width if rng.random() < 0.5 else height, dtype=np.float32)
        ramp = base + t[:, None] * (other - base)
        img = np.broadcast_to(ramp[None, :, :] if len(t) == width else ramp[:, None, :], (height, width, 3)).copy()
    elif kind == "noise":
        img = base + rng.normal(0, 12, size=(height, width, 3)).astype(np.float32)
    else:
        cell = int(rng.integers(8, 20))
        yy, xx = np.mgrid[:height, :width]
        img = base + (((yy // cell + xx // cell) % 2) * 18.0)[:, :, None]
    return np.clip(img, 0, 255).astype(np.uint8), kind


def _paint(image: np.ndarray, mask: np.ndarray, colour: str, texture: str, phase: int = 0) -> None:
    """Fill ``mask`` with the colour; stripes and dots use a darker or lighter shade of the same colour."""
    rgb = np.array(COLOURS[colour], np.float32)
    alt = rgb * 0.45 if rgb.mean() > 60 else rgb + 110  # black gets grey stripes, others a darker shade
    yy, xx = np.mgrid[: image.shape[0], : image.shape[1]]
    if texture == "solid":
        pattern = np.zeros(mask.shape, bool)
    elif texture == "striped":
        pattern = ((xx + yy + phase) // 4) % 2 == 1
    elif texture == "dotted":
        pattern = ((xx + phase) % 7 < 3) & ((yy % 7) < 3)
    else:
        raise ValueError(f"unknown texture {texture!r}; choose from {TEXTURES}")
    image[mask & ~pattern] = rgb.astype(np.uint8)
    image[mask & pattern] = np.clip(alt, 0, 255).astype(np.uint8)


def _draw_text(image: np.ndarray, text: str, where: str, colour=(255, 255, 255), box_colour=(20, 20, 20),
               scale: float = 1.0) -> tuple[int, int, int, int]:
    """Draw ``text`` on a dark label (like a sign) and return its box ``(x0, y0, x1, y1)``."""
    from PIL import Image, ImageDraw, ImageFont

    height, width = image.shape[:2]
    font = ImageFont.load_default(size=max(10, int(height * 0.13 * scale)))
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    text_w, text_h = right - left, bottom - top
    pad = max(2, text_h // 4)
    x = (width - text_w) // 2
    y = pad + 1 if where == "top" else (height - text_h - 2 * pad - 1 if where == "bottom" else (height - text_h) // 2)
    box = (max(0, x - pad), max(0, y - pad), min(width, x + text_w + pad), min(height, y + text_h + pad))
    draw.rectangle(box, fill=tuple(box_colour))
    draw.text((x - left, y - top), text, font=font, fill=tuple(colour))
    image[:] = np.asarray(pil)
    return box


def render(objects: list[dict], height: int, width: int, rng: np.random.Generator,
           background: np.ndarray | None = None) -> tuple[np.ndarray, list[np.ndarray], str]:
    """Draw objects (dicts with shape, colour, texture, center, radius) in order; return image, visible masks, bg kind.

    Later objects occlude earlier ones, so each returned mask is exactly the pixels where that object is visible.
    """
    if background is None:
        image, kind = _background(rng, height, width)
    else:
        image, kind = background.copy(), "given"
    full = [_shape_mask(o["shape"], o["center"], o["radius"], height, width) for o in objects]
    for obj, mask in zip(objects, full):
        _paint(image, mask, obj["colour"], obj["texture"])
    visible = []
    for i, mask in enumerate(full):
        covered = np.zeros_like(mask)
        for later in full[i + 1:]:
            covered |= later
        visible.append(mask & ~covered)
    return image, visible, kind


# --------------------------------------------------------------------------- captions


def _noun_phrase(obj, rng: np.random.Generator, with_position: bool = True) -> str:
    words = [str(rng.choice(_SIZE_WORDS[obj.size])) if rng.random() < 0.7 else "",
             str(rng.choice(_TEXTURE_WORDS[obj.texture])), obj.colour, str(rng.choice(_SHAPE_WORDS[obj.shape]))]
    phrase = " ".join(w for w in words if w)
    if with_position:
        phrase += " " + str(rng.choice(_POSITION_WORDS[obj.position]))
    return phrase


def describe(objects: list[SceneObject], text: str | None, rng: np.random.Generator,
             with_position: bool = True) -> str:
    """One caption for the objects (and the rendered word), with randomly chosen templates and synonyms."""
    if not objects:
        raise ValueError("a caption needs at least one object")
    first = _noun_phrase(objects[0], rng, with_position)
    caption = f"{rng.choice(_PREFIXES)} {first}"
    if len(objects) > 1:
        rest = [_noun_phrase(o, rng, with_position) for o in objects[1:]]
        caption += str(rng.choice([" and a ", " next to a ", ", and a "])) + " and a ".join(rest)
    if text:
        caption += str(rng.choice([f' with the word "{text}"', f' and a sign that says "{text}"', f", text: {text}"]))
    return caption


# --------------------------------------------------------------------------- scenes


def _check_split(split: str) -> str:
    if split not in ("train", "test", "novel", "any"):
        raise ValueError(f"split must be 'train', 'test', 'novel' (only held-out colour-shape pairs) or 'any', got {split!r}")
    return split


def _sample_pair(rng: np.random.Generator, split: str) -> tuple[str, str]:
    colours = list(COLOURS)
    while True:
        pair = (str(rng.choice(colours)), str(rng.choice(SHAPES)))
        held = pair in HELDOUT_PAIRS
        if split == "train" and held or split == "novel" and not held:
            continue
        return pair


def generate_scene(seed: int, size: int = 128, max_objects: int = 2, text_prob: float = 0.2,
                   split: str = "any") -> Scene:
    """Draw one scene from ``seed``: 1 to ``max_objects`` objects, a background, maybe a word on a sign.

    ``split="train"`` never uses the colour-shape pairs in :data:`HELDOUT_PAIRS`; ``"novel"`` uses only those
    (for the first object); ``"test"`` and ``"any"`` use every pair.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if not isinstance(size, int) or size < 32:
        raise ValueError(f"size must be an int >= 32 pixels, got {size!r}")
    if max_objects not in (1, 2):
        raise ValueError(f"max_objects must be 1 or 2, got {max_objects!r}")
    _check_split(split)
    rng = np.random.default_rng([int(seed), size])
    n_objects = 1 if max_objects == 1 or rng.random() < 0.55 else 2
    if n_objects == 1:
        positions = [str(rng.choice(list(POSITIONS)))]
    else:  # two objects side by side or one above the other, so that "left"/"right" stay true
        positions = ["left", "right"] if rng.random() < 0.6 else ["top", "bottom"]
    specs = []
    for i, position in enumerate(positions):
        colour, shape = _sample_pair(rng, "train" if split == "novel" and i > 0 else split)
        size_name = str(rng.choice(list(SIZES)))
        if n_objects == 2:
            size_name = "small" if rng.random() < 0.5 else size_name
        fx, fy = POSITIONS[position]
        jitter = rng.uniform(-0.04, 0.04, size=2)
        specs.append({"shape": shape, "colour": colour, "size": size_name, "texture": str(rng.choice(TEXTURES)),
                      "position": position, "center": ((fx + jitter[0]) * size, (fy + jitter[1]) * size),
                      "radius": SIZES[size_name] * size * rng.uniform(0.9, 1.1)})
    image, masks, bg = render(specs, size, size, rng)
    text, text_box = None, None
    if rng.random() < text_prob:
        word = str(rng.choice(WORDS))
        where = "bottom" if all(s["position"] != "bottom" for s in specs) else "top"
        signed = image.copy()
        box = _draw_text(signed, word, where)
        x0, y0, x1, y1 = box
        covered = [m.copy() for m in masks]
        for mask in covered:  # the sign covers whatever is below it
            mask[y0:y1, x0:x1] = False
        # in small images a sign could hide an object; then the scene has no sign, so every caption stays true
        if all(c.sum() >= 0.5 * m.sum() for c, m in zip(covered, masks)):
            image, masks, text, text_box = signed, covered, word, box
    objects = [SceneObject(mask=m, **s) for s, m in zip(specs, masks)]
    caption = describe(objects, text, np.random.default_rng([int(seed), size, 1]))
    return Scene(image=image, caption=caption, objects=objects, text=text, text_box=text_box, background=bg,
                 seed=int(seed))


def scene_variant(scene: Scene, seed: int) -> np.ndarray:
    """Redraw the same scene (same objects, attributes, positions and word) on a new background with new jitter.

    Its caption stays true, so a trainer can show many images per caption: text embeddings are the costly part.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    size = scene.image.shape[0]
    rng = np.random.default_rng([scene.seed, int(seed), 99])
    specs = []
    for obj in scene.objects:
        fx, fy = POSITIONS[obj.position]
        jitter = rng.uniform(-0.04, 0.04, size=2)
        specs.append({"shape": obj.shape, "colour": obj.colour, "texture": obj.texture,
                      "center": ((fx + jitter[0]) * size, (fy + jitter[1]) * size),
                      "radius": SIZES[obj.size] * size * rng.uniform(0.9, 1.1)})
    image, _, _ = render(specs, size, size, rng)
    if scene.text:
        where = "bottom" if all(o.position != "bottom" for o in scene.objects) else "top"
        _draw_text(image, scene.text, where)
    return image


_SPLIT_OFFSETS = {"train": 0, "test": 10_000_000, "novel": 20_000_000, "any": 30_000_000}


def generate_scenes(n: int, seed: int = 0, size: int = 128, split: str = "train", **kwargs) -> list[Scene]:
    """``n`` scenes of one split; the splits draw from disjoint seed ranges, so test scenes are never training scenes.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    _check_split(split)
    start = _SPLIT_OFFSETS[split] + seed * 100_000
    return [generate_scene(start + i, size=size, split=split, **kwargs) for i in range(n)]


# --------------------------------------------------------------------------- videos


@dataclass
class Shot:
    """Frames ``[start, end)`` that show one scene (or one slide) without any transition."""

    index: int
    start: int
    end: int
    kind: str  # "scene" or "slide"
    caption: str
    camera: str  # "static", "pan_left", "pan_right", "zoom_in", "zoom_out"
    text: str | None = None


@dataclass
class Transition:
    """A boundary between shot ``before`` and ``after``: a hard ``"cut"`` (start == end, no frames of its own) or a
    ``"fade"`` (through black) / ``"dissolve"`` (cross-fade) covering frames ``[start, end)``."""

    kind: str
    start: int
    end: int
    before: int
    after: int


@dataclass
class Event:
    """Something that happens inside a shot during frames ``[start, end)``, with a sentence describing it."""

    shot: int
    start: int
    end: int
    label: str
    description: str


@dataclass
class SyntheticVideo:
    """Frames ``(T, H, W, 3)`` uint8 with the ground-truth timeline (shots, transitions, events)."""

    frames: np.ndarray = field(repr=False)
    fps: float
    shots: list[Shot]
    transitions: list[Transition]
    events: list[Event]
    seed: int

    @property
    def n_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def duration(self) -> float:
        return self.n_frames / self.fps

    def shot_of_frame(self) -> np.ndarray:
        """Shot index of every frame, -1 for frames inside a fade or dissolve."""
        labels = np.full(self.n_frames, -1, int)
        for shot in self.shots:
            labels[shot.start:shot.end] = shot.index
        return labels

    def boundaries(self) -> list[int]:
        """First frame of every shot after the first (where a shot-boundary detector should fire)."""
        return [s.start for s in self.shots[1:]]

    def to_frame(self):
        """The timeline as one pandas DataFrame (shots, transitions and events, sorted by start frame)."""
        import pandas as pd

        rows = [{"type": "shot", **dataclasses.asdict(s)} for s in self.shots]
        rows += [{"type": "transition", **dataclasses.asdict(t)} for t in self.transitions]
        rows += [{"type": "event", **dataclasses.asdict(e)} for e in self.events]
        columns = ["type", "start", "end", "index", "kind", "camera", "caption", "text", "before", "after", "shot",
                   "label", "description"]
        frame = pd.DataFrame(rows, columns=columns).sort_values(["start", "type"]).reset_index(drop=True)
        for column in ("index", "before", "after", "shot"):  # ids stay integers (missing where not applicable)
            frame[column] = frame[column].astype("Int64")
        frame["start_s"] = frame["start"] / self.fps
        frame["end_s"] = frame["end"] / self.fps
        return frame


_DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "up": (0, -1), "down": (0, 1)}
_TITLES = ("QUARTERLY RESULTS", "AGENDA", "THANK YOU", "CHAPTER TWO", "METHODS", "SUMMARY", "QUESTIONS", "DEMO")


def _camera_view(canvas: np.ndarray, camera: str, t: float, size: int) -> np.ndarray:
    """Crop a ``size`` view of the larger canvas at time ``t`` in [0, 1] (pan: moving crop; zoom: shrinking crop)."""
    import cv2

    big = canvas.shape[0]
    margin = big - size
    if camera in ("static", "pan_left", "pan_right"):
        frac = {"static": 0.5, "pan_right": t, "pan_left": 1 - t}[camera]
        x0 = int(round(frac * margin))
        y0 = margin // 2
        return canvas[y0:y0 + size, x0:x0 + size].copy()
    crop = big - (t if camera == "zoom_in" else 1 - t) * margin
    crop = int(round(crop))
    off = (big - crop) // 2
    return cv2.resize(canvas[off:off + crop, off:off + crop], (size, size), interpolation=cv2.INTER_AREA)


def _scene_shot(rng: np.random.Generator, size: int, length: int, shot_index: int, start: int):
    """A shot of one generated scene: a camera move, or a static camera with one object moving (an event)."""
    big = int(size * 1.5)
    n_objects = int(rng.integers(1, 3))
    specs = []
    taken: set[str] = set()
    for _ in range(n_objects):
        position = str(rng.choice([p for p in ("left", "right", "center") if p not in taken]))
        taken.add(position)
        colour, shape = _sample_pair(rng, "any")
        size_name = str(rng.choice(list(SIZES)))
        fx, fy = POSITIONS[position]
        specs.append({"shape": shape, "colour": colour, "size": size_name, "texture": str(rng.choice(TEXTURES)),
                      "position": position, "center": (big / 2 + (fx - 0.5) * size, big / 2 + (fy - 0.5) * size),
                      "radius": SIZES[size_name] * size})
    background, _ = _background(rng, big, big)
    objects_for_caption = [SceneObject(mask=np.zeros((1, 1), bool), **s) for s in specs]
    camera = str(rng.choice(["static", "static", "pan_left", "pan_right", "zoom_in", "zoom_out"]))
    caption = describe(objects_for_caption, None, rng, with_position=camera == "static")
    events = []
    mover, direction, ev_start, ev_end = None, None, None, None
    if camera == "static":  # one object moves for part of the shot: an event with a known span
        mover = int(rng.integers(len(specs)))
        direction = str(rng.choice(list(_DIRECTIONS)))
        ev_len = max(4, int(length * rng.uniform(0.35, 0.6)))
        ev_start = int(rng.integers(1, max(2, length - ev_len)))
        ev_end = min(length, ev_start + ev_len)
        obj = specs[mover]
        words = f"{obj['colour']} {obj['shape']}"
        events.append(Event(shot=shot_index, start=start + ev_start, end=start + ev_end, label=f"move_{direction}",
                            description=f"the {words} moves {direction}"))
    frames = []
    static_image = None
    for f in range(length):
        t = f / max(1, length - 1)
        if mover is None:
            if static_image is None:
                static_image, _, _ = render(specs, big, big, rng, background=background)
            canvas = static_image
        else:
            progress = np.clip((f - ev_start) / max(1, ev_end - ev_start - 1), 0, 1)
            dx, dy = _DIRECTIONS[direction]
            moved = [dict(s) for s in specs]
            step = 0.3 * size * progress
            cx, cy = moved[mover]["center"]
            moved[mover]["center"] = (cx + dx * step, cy + dy * step)
            canvas, _, _ = render(moved, big, big, rng, background=background)
        frames.append(_camera_view(canvas, camera, t, size))
    return frames, caption, camera, events


def _slide_shot(rng: np.random.Generator, size: int, length: int):
    """A static "slide": a plain background with a title in large letters (a text event for OCR)."""
    title = str(rng.choice(_TITLES))
    colour = rng.integers(20, 90, size=3)
    image = np.broadcast_to(colour.astype(np.uint8), (size, size, 3)).copy()
    for line, where in zip(title.split(" ")[:2], ("top", "center") if " " in title else ("center",)):
        _draw_text(image, line, where, colour=(255, 255, 255), box_colour=tuple(int(c) for c in colour), scale=0.9)
    return [image.copy() for _ in range(length)], f'a slide with the title "{title}"', title


def generate_video(seed: int, n_shots: int = 5, size: int = 128, fps: float = 10.0,
                   shot_frames: tuple[int, int] = (15, 30), slide_prob: float = 0.25, noise: float = 3.0,
                   transition_frames: int = 6) -> SyntheticVideo:
    """A video of ``n_shots`` shots joined by cuts, fades and dissolves, with its ground-truth timeline.

    Each shot is a generated scene (a camera pan or zoom, or a static camera with one object moving: an
    :class:`Event`) or, with probability ``slide_prob``, a text slide. Gaussian noise (std ``noise``) is added to
    every frame. Deterministic given ``seed``.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`); used by the video chapters.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if not isinstance(n_shots, int) or n_shots < 1:
        raise ValueError(f"n_shots must be a positive int, got {n_shots!r}")
    lo, hi = shot_frames
    if not 4 <= lo <= hi:
        raise ValueError(f"shot_frames must be (min, max) with 4 <= min <= max, got {shot_frames!r}")
    if transition_frames < 2 or transition_frames % 2:
        raise ValueError(f"transition_frames must be an even int >= 2, got {transition_frames!r}")
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    rng = np.random.default_rng([int(seed), 7])
    shots_frames, shots, transitions, events = [], [], [], []
    timeline: list[np.ndarray] = []
    cursor = 0
    for index in range(n_shots):
        length = int(rng.integers(lo, hi + 1))
        kind_of_transition = None if index == 0 else str(rng.choice(["cut", "cut", "fade", "dissolve"]))
        if rng.random() < slide_prob:
            frames, caption, text = _slide_shot(rng, size, length)
            kind, camera = "slide", "static"
            shot_events = []
        else:
            text = None
            kind = "scene"
            frames, caption, camera, shot_events = _scene_shot(rng, size, length, index, 0)
        if kind_of_transition in ("fade", "dissolve"):
            k = transition_frames
            prev = shots_frames[-1]
            if kind_of_transition == "fade":  # out to black over k/2 frames, then in from black
                half = k // 2
                trans = [prev[-1].astype(np.float32) * (1 - (i + 1) / (half + 1)) for i in range(half)]
                trans += [frames[0].astype(np.float32) * ((i + 1) / (half + 1)) for i in range(half)]
            else:
                trans = [prev[-1].astype(np.float32) * (1 - (i + 1) / (k + 1)) + frames[0].astype(np.float32)
                         * ((i + 1) / (k + 1)) for i in range(k)]
            transitions.append(Transition(kind_of_transition, cursor, cursor + k, index - 1, index))
            timeline.extend(np.clip(t, 0, 255).astype(np.uint8) for t in trans)
            cursor += k
        elif kind_of_transition == "cut":
            transitions.append(Transition("cut", cursor, cursor, index - 1, index))
        shots.append(Shot(index, cursor, cursor + length, kind, caption, camera, text))
        for event in shot_events:
            events.append(dataclasses.replace(event, shot=index, start=event.start + cursor, end=event.end + cursor))
        if kind == "slide":
            events.append(Event(index, cursor, cursor + length, "slide", f'a slide reading "{text}" is shown'))
        timeline.extend(frames)
        shots_frames.append(frames)
        cursor += length
    video = np.stack(timeline).astype(np.float32)
    video += rng.normal(0, noise, size=video.shape).astype(np.float32)
    return SyntheticVideo(frames=np.clip(video, 0, 255).astype(np.uint8), fps=float(fps), shots=shots,
                          transitions=transitions, events=events, seed=int(seed))
