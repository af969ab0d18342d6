"""Run-time settings every chapter shares: seeds, the compute device, where we are running.

Introduced in chapter 1 (:doc:`01_rag_map`); every notebook calls :func:`seed_everything`
and :func:`resolve_device` in its first code cell.
"""
from __future__ import annotations

import os
import random
import sys

import numpy as np

DEFAULT_SEED = 0


def seed_everything(seed: int = DEFAULT_SEED) -> int:
    """Seed Python, NumPy and (when installed) PyTorch, so that a run is repeatable."""
    if not isinstance(seed, int) or seed < 0:
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
    """
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
    """True inside Google Colab, where notebooks install ``irbook`` themselves."""
    return "google.colab" in sys.modules


def check_scale(scale: str) -> str:
    """Validate the ``SCALE`` papermill parameter: ``"small"`` (CPU, tests) or ``"full"`` (GPU)."""
    if scale not in ("small", "full"):
        raise ValueError(f"SCALE must be 'small' or 'full', got {scale!r}")
    return scale
