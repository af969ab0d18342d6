"""OCR: words with boxes and confidences, offline, through Tesseract (Debian ``tesseract-ocr``) and pytesseract.

Introduced in appendix A1 (:doc:`A1_tiny_clip`); used by the chapters that search slides and frames with text.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass


INSTALL_HINT = (
    "OCR needs the Tesseract engine and its English model plus the pytesseract wrapper: "
    "on Debian/Ubuntu `apt-get install -y tesseract-ocr tesseract-ocr-eng`, on macOS `brew install tesseract`, "
    "on Colab `!apt-get install -y tesseract-ocr`; then `pip install pytesseract`."
)


class OCRUnavailableError(RuntimeError):
    """Raised when the OCR engine (tesseract) or its Python wrapper is missing; the message says how to install."""


@dataclass(frozen=True)
class OCRWord:
    """One recognised word: its text, box ``(x0, y0, x1, y1)`` in pixels of the input image, confidence in [0, 1]."""

    text: str
    box: tuple[int, int, int, int]
    confidence: float
    line: int  # running line number in reading order (block, paragraph, line)


def _pytesseract():
    try:
        import pytesseract
    except ImportError as err:
        raise OCRUnavailableError(f"pytesseract is not installed. {INSTALL_HINT}") from err
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise OCRUnavailableError(f"the tesseract program was not found on PATH. {INSTALL_HINT}")
    return pytesseract


def available() -> bool:
    """Whether OCR can run here."""
    try:
        _pytesseract()
    except OCRUnavailableError:
        return False
    return True


def ocr(image, lang: str = "eng", min_confidence: float = 0.0, upscale_to: int = 600, psm: int = 3) -> list[OCRWord]:
    """Recognise the words in ``image`` (array, PIL image or path) with their boxes and confidences.

    Small images (a 128-pixel video frame) are upscaled so that their shorter side is about ``upscale_to`` pixels
    before recognition, since Tesseract expects text a few dozen pixels tall; boxes are mapped back to the input.
    ``psm`` is Tesseract's page segmentation mode (3: automatic; 6: one block; 11: sparse text).

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    import cv2

    from irbook.vision.tiny_clip import load_image

    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be in [0, 1], got {min_confidence!r}")
    tess = _pytesseract()
    array = load_image(image)
    scale = max(1.0, upscale_to / min(array.shape[:2]))
    if scale > 1.0:
        array = cv2.resize(array, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    try:
        table = tess.image_to_data(array, lang=lang, config=f"--psm {int(psm)}", output_type=tess.Output.DICT)
    except tess.TesseractError as err:
        raise OCRUnavailableError(f"tesseract failed ({err}); is the language pack for {lang!r} installed? {INSTALL_HINT}") from err
    words, line_ids = [], {}
    for i, text in enumerate(table["text"]):
        text = text.strip()
        conf = float(table["conf"][i])
        if not text or conf < 0:
            continue
        conf /= 100.0
        if conf < min_confidence:
            continue
        key = (table["block_num"][i], table["par_num"][i], table["line_num"][i])
        line = line_ids.setdefault(key, len(line_ids))
        x, y, w, h = (int(table[k][i]) for k in ("left", "top", "width", "height"))
        box = tuple(int(round(v / scale)) for v in (x, y, x + w, y + h))
        words.append(OCRWord(text, box, conf, line))
    return words


def ocr_text(image, **kwargs) -> str:
    """The recognised text, one line of the page per line."""
    lines: dict[int, list[str]] = {}
    for word in ocr(image, **kwargs):
        lines.setdefault(word.line, []).append(word.text)
    return "\n".join(" ".join(ws) for _, ws in sorted(lines.items()))
