"""Run-time settings every chapter shares: seeds, the compute device, quiet libraries, display options.

Every notebook's first code cell is ``settings = irbook.setup(DEVICE, SCALE, SEED)`` (:func:`irbook.setup`),
which calls :func:`configure` here (seeds, device, scale, quiet libraries, pandas display options) and applies the
plotly book theme. The header of each
chapter states its run time with :func:`run_time_note`, read from ``data/run_times.json``.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import json
import logging
import os
import random
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_SEED = 0


def seed_everything(seed: int = DEFAULT_SEED) -> int:
    """Seed Python, NumPy and (when installed) PyTorch, so that a run is repeatable.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:
        return seed
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return seed


def resolve_device(device: str = "auto") -> str:
    """Turn ``"auto"`` into ``"cuda"`` when a GPU is visible, else ``"cpu"``; check explicit names.

    The ``irbook-cpu`` kernel hides the GPU (``CUDA_VISIBLE_DEVICES=""``), so ``"auto"`` gives
    ``"cpu"`` there even on a GPU machine.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if not isinstance(device, str):
        raise TypeError(f"device must be a str such as 'auto' or 'cpu', got {type(device).__name__}")
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu" or device.startswith("cuda"):
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise RuntimeError(f"device={device!r} was asked for, but PyTorch sees no CUDA GPU; use 'auto' or 'cpu'")
        return device
    if device == "mps":
        return device
    raise ValueError(f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}")


def on_colab() -> bool:
    """True inside Google Colab, where notebooks install ``irbook`` themselves.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return "google.colab" in sys.modules


def check_scale(scale: str) -> str:
    """Validate the ``SCALE`` papermill parameter: ``"small"`` (CPU, tests) or ``"full"`` (GPU).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if scale not in ("small", "full"):
        raise ValueError(f"SCALE must be 'small' or 'full', got {scale!r}")
    return scale


# Library messages a reader should never see in the book: (category, message regex, module regex).
_QUIET_WARNINGS: tuple[tuple[type[Warning], str, str], ...] = (
    (FutureWarning, "", r"(transformers|huggingface_hub|sentence_transformers|torch|sklearn|datasets)(\.|$)"),
    (DeprecationWarning, "", r"(transformers|huggingface_hub|sentence_transformers|torch|jupyter_client|"
                             r"ipykernel|zmq|pkg_resources|plotly|kaleido)(\.|$)"),
    (UserWarning, r".*(TypedStorage|torch\.utils\._pytree|resume_download|clean_up_tokenization_spaces"
                  r"|generation flags|do_sample|attention mask).*", ""),
    (UserWarning, "", r"(huggingface_hub|transformers\.generation|sentence_transformers)(\.|$)"),
)


@dataclass(frozen=True)
class Settings:
    """What :func:`setup` resolved: ``device`` (``"cpu"``, ``"cuda"``, ...), ``scale`` and ``seed``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    device: str
    scale: str
    seed: int


def quiet_libraries() -> None:
    """Silence progress bars (tqdm, transformers, sentence-transformers, huggingface_hub) and known warnings.

    Sets ``TQDM_DISABLE=1`` (tqdm reads it when a bar is created), ``HF_HUB_DISABLE_PROGRESS_BARS=1``,
    ``TRANSFORMERS_NO_ADVISORY_WARNINGS=1`` and ``TOKENIZERS_PARALLELISM=false``; lowers the transformers,
    datasets and huggingface_hub loggers to errors; and adds warning filters for the known noisy messages.
    A library that is not installed is skipped.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    os.environ["TQDM_DISABLE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["TRANSFORMERS_NO_ADVISORY_WARNINGS"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for category, message, module in _QUIET_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category, module=module)
    for name in ("transformers", "datasets", "huggingface_hub", "sentence_transformers", "filelock", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "transformers" in sys.modules or _importable("transformers"):
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    if _importable("huggingface_hub"):
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()


def _importable(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it when it is not loaded yet).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    import importlib.util

    return module in sys.modules or importlib.util.find_spec(module) is not None


def format_float(value: float) -> str:
    """A float as the book's tables show it: 4 significant digits, thousands separated, no scientific notation
    between 0.001 and 10,000 (``0.1235``, ``123.5``, ``12,346``; ``1.23e-05`` for tiny values).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    magnitude = abs(value)
    if magnitude >= 1e4 and magnitude != float("inf"):
        return f"{value:,.0f}"
    if magnitude >= 1e-3 or value == 0 or value != value:
        return f"{value:.4g}"
    return f"{value:.3g}"


def book_display_options() -> None:
    """pandas display options for the book: no column truncated or elided, floats by :func:`format_float`.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    import pandas as pd

    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_columns", None)
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.width", 10_000)
    pd.set_option("display.float_format", format_float)


def configure(device: str = "auto", scale: str = "small", seed: int = DEFAULT_SEED) -> Settings:
    """Everything :func:`irbook.setup` does except the plotly theme (this module knows nothing of plots).

    Parameters
    ----------
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"`` (see :func:`resolve_device`).
    scale : str
        ``"small"`` (CPU, tests) or ``"full"`` (GPU), checked by :func:`check_scale`.
    seed : int
        Seeds Python, NumPy and PyTorch (:func:`seed_everything`).

    Returns
    -------
    Settings
        The resolved ``device``, ``scale`` and ``seed``.

    It also silences progress bars and library warnings (:func:`quiet_libraries`) and sets the pandas display
    options (:func:`book_display_options`).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    scale = check_scale(scale)
    quiet_libraries()
    seed = seed_everything(seed)
    resolved = resolve_device(device)
    book_display_options()
    return Settings(device=resolved, scale=scale, seed=seed)


def run_times_path() -> Path:
    """``data/run_times.json`` of this checkout (written by ``tools/execute_notebooks.py``).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return Path(__file__).resolve().parents[2] / "data" / "run_times.json"


def run_time_note(chapter: str, path: str | os.PathLike | None = None) -> str:
    """One sentence stating how long ``chapter`` (a notebook stem, e.g. ``"13_t_retrievability"``) takes to run.

    Read from ``data/run_times.json``, which the execution tool writes; a chapter with no recorded time says so.
    A chapter's header prints it in a cell tagged ``run-time``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    path = Path(path) if path is not None else run_times_path()
    try:
        times = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        times = {}
    recorded = times.get(chapter, {})
    if not recorded:
        return f"Run time: not recorded yet for {chapter}."
    parts = []
    for key in sorted(recorded):
        device, _, scale = key.partition("/")
        seconds = float(recorded[key])
        shown = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
        parts.append(f"{shown} ({scale} scale on {'a GPU' if device.startswith('cuda') else 'CPU'})")
    return "Run time: " + "; ".join(parts) + "."
